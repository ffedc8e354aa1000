"""Real printers on loopback for the tests: ippeveprinter (IPP Everywhere) and a cupsd with a queue in front of it."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

START_SECONDS = 20            # every wait for a server is bounded

# Run by ippeveprinter for each job (its -c option) with the document's path; the job's attributes come in
# the environment (IPP_SIDES, IPP_JOB_NAME, IPP_COPIES, IPP_MEDIA or IPP_MEDIA_COL, ...). It keeps both,
# then does what control.json asks: fail as a printer out of paper does, or run a command after a job.
_JOB_SCRIPT = '''#!{python}
import json, os, pathlib, shutil, subprocess, sys, time
folder = pathlib.Path({folder!r})
control = json.loads((folder / "control.json").read_text()) if (folder / "control.json").is_file() else {{}}
number = len(list(folder.glob("job-*.json"))) + 1
shutil.copyfile(sys.argv[1], folder / f"job-{{number}}.pdf")
attributes = {{k: v for k, v in os.environ.items() if k.startswith("IPP_")}}
(folder / f"job-{{number}}.json").write_text(json.dumps(attributes))
if control.get("fail"):
    time.sleep(control.get("delay", 0))
    print("STATE: +media-empty-error", file=sys.stderr, flush=True)
    sys.exit(1)
after = control.get("after", {{}}).get(os.environ.get("IPP_JOB_NAME", ""))
if after:
    subprocess.run(after, timeout=20, check=False)
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str, log: Path | None = None) -> None:
    end = time.monotonic() + START_SECONDS
    while time.monotonic() < end:
        if process.poll() is not None:
            said = log.read_text(errors="replace").strip() if log else ""
            raise RuntimeError(f"{what} ended at start (status {process.returncode}): {said}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not answer on port {port} within {START_SECONDS} s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def need(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (.ci/run installs cups, cups-ipp-utils and dbus)")


def system_bus() -> None:
    """ippeveprinter registers with Avahi over the system D-Bus; start one if none answers (a fresh machine
    has none, and one a past session started leaves its socket and pid file behind when it ends)."""
    bus = Path("/run/dbus/system_bus_socket")
    if _answers(bus):
        return
    bus.unlink(missing_ok=True)
    Path("/run/dbus/pid").unlink(missing_ok=True)
    bus.parent.mkdir(parents=True, exist_ok=True)
    started = subprocess.run(["dbus-daemon", "--system", "--fork"], timeout=20, check=False,
                             capture_output=True, text=True)
    if not _answers(bus):
        raise RuntimeError(f"no system D-Bus could be started: {started.stderr.strip()}")


def _answers(socket_path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(socket_path))
            return True
        except OSError:
            return False


@dataclass
class Job:
    attributes: dict
    pdf: Path

    @property
    def name(self) -> str:
        return self.attributes.get("IPP_JOB_NAME", "")


class IppEvePrinter:
    """One ippeveprinter on 127.0.0.1: `uri` to print to, `jobs()` for what arrived, `control()` to make
    its jobs fail or run a command."""

    def __init__(self, folder: Path, duplex: bool = True, name: str = "Test Printer"):
        need("ippeveprinter")
        system_bus()
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "spool").mkdir(exist_ok=True)
        script = folder / "job.py"
        script.write_text(_JOB_SCRIPT.format(python=sys.executable, folder=str(folder)))
        script.chmod(0o755)
        self.port = free_port()
        self.uri = f"ipp://localhost:{self.port}/ipp/print"
        command = ["ippeveprinter", "-p", str(self.port), "-n", "localhost", "-r", "off", "-c", str(script),
                   "-d", str(folder / "spool"), "-f", "application/pdf", name]
        if duplex:
            command.insert(1, "-2")
        # What it says goes to a file: a pipe nobody reads would stall it once full.
        with open(folder / "ippeveprinter.log", "w") as log:
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
        _wait_for_port(self.port, self.process, "ippeveprinter", folder / "ippeveprinter.log")

    def control(self, **settings) -> None:
        (self.folder / "control.json").write_text(json.dumps(settings))

    def jobs(self, count: int | None = None, seconds: float = 30) -> list[Job]:
        """The jobs that have arrived, in order; with COUNT, waits (bounded) until that many have."""
        end = time.monotonic() + seconds
        while True:
            found = sorted(self.folder.glob("job-*.json"), key=lambda path: int(path.stem.split("-")[1]))
            if count is None or len(found) >= count or time.monotonic() > end:
                return [Job(json.loads(path.read_text()), path.with_suffix(".pdf")) for path in found]
            time.sleep(0.05)

    def close(self) -> None:
        _stop(self.process)


class Cups:
    """A cupsd of the test's own on 127.0.0.1 (its own folders, no browsing, no web interface), keeping no
    document and each finished job's history for HISTORY ("60" seconds, or "No")."""

    def __init__(self, folder: Path, history: str = "60"):
        need("cupsd", "lpadmin", "lp", "lpstat", "lpoptions")
        self.folder = folder
        for name in ("spool", "cache", "state", "log", "run"):
            (folder / name).mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.server = f"localhost:{self.port}"
        (folder / "cupsd.conf").write_text(
            f"Listen 127.0.0.1:{self.port}\nLogLevel warn\nBrowsing No\nWebInterface No\nDefaultAuthType None\n"
            f"PreserveJobFiles No\nPreserveJobHistory {history}\nMaxJobs 2000\n"
            "<Location />\n  Order allow,deny\n  Allow 127.0.0.1\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n")
        files = [f"ServerRoot {folder}", f"RequestRoot {folder}/spool", f"CacheDir {folder}/cache",
                 f"StateDir {folder}/state", f"TempDir {folder}/spool", f"ErrorLog {folder}/log/error_log",
                 f"AccessLog {folder}/log/access_log", f"PageLog {folder}/log/page_log", "FileDevice No"]
        if os.geteuid() == 0:
            # cupsd refuses to run its filters as root; it runs them as lp, which must reach these folders.
            files += ["User lp", "Group lp", "SystemGroup root"]
            for path in [folder, *folder.parents]:
                if path == Path("/"):
                    break
                path.chmod(path.stat().st_mode | 0o011)
            for name in ("spool", "cache", "state", "log"):
                shutil.chown(folder / name, "lp", "lp")
        (folder / "cups-files.conf").write_text("\n".join(files) + "\n")
        self.process = subprocess.Popen(["cupsd", "-f", "-c", str(folder / "cupsd.conf"), "-s",
                                         str(folder / "cups-files.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.port, self.process, "cupsd")

    def tool(self, *command: str) -> str:
        done = subprocess.run([command[0], "-h", self.server, *command[1:]], capture_output=True, text=True,
                              timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()}")
        return done.stdout

    def add_queue(self, name: str, printer: IppEvePrinter) -> str:
        """A queue made as a clinic makes one: driverless (IPP Everywhere), from the printer's own answers."""
        self.tool("lpadmin", "-p", name, "-v", printer.uri, "-E", "-m", "everywhere")
        return name

    def close(self) -> None:
        _stop(self.process)
