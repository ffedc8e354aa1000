"""A batch stopped from outside: by SIGKILL its workers end with it, by SIGINT or SIGTERM it says what it did."""
from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main

REPO = Path(__file__).resolve().parent.parent
ROWS = 300
pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads processes from Linux's /proc")
fcntl = pytest.importorskip("fcntl")


@pytest.fixture
def patients(tmp_path) -> Path:
    """A manifest of ROWS patients, each with both handouts, and a copy of the content beside it."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    path = tmp_path / "patients.csv"
    rows = [f"K-{n:03d},Pat {n},kyphoplasty-before;kyphoplasty-care-after" for n in range(ROWS)]
    path.write_text("\n".join(["mrn,name,handouts", *rows]) + "\n", encoding="utf-8")
    return path


def command(manifest: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "handouts", "batch", str(manifest), "-o", str(manifest.parent / "out"),
            "--content", str(manifest.parent / "content"), "--jobs", "2", *extra]


def start(manifest: Path, *extra: str) -> subprocess.Popen:
    """The batch in its own process group, once it has written a few packets."""
    batch = subprocess.Popen(command(manifest, *extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             cwd=manifest.parent, env={**os.environ, "PYTHONPATH": str(REPO)}, start_new_session=True)
    out = manifest.parent / "out"
    deadline = time.monotonic() + 60
    while not (out.is_dir() and len(list(out.glob("*.pdf"))) >= 4) and time.monotonic() < deadline:
        time.sleep(0.02)
    return batch


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def running(pid: int) -> bool:
    """Alive: a zombie (dead, waiting for a parent to collect it) is not."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


def survivors(pids: list[int], seconds: float) -> list[int]:
    """PIDS still running after waiting up to SECONDS for them to end."""
    deadline = time.monotonic() + seconds
    while any(running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [pid for pid in pids if running(pid)]


def parts(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob(".*.part")) if folder.is_dir() else []


def report(out: Path) -> list[dict]:
    with (out / "batch-report.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_the_workers_end_with_a_killed_batch_and_the_rerun_removes_its_temporary_files(patients):
    batch = start(patients)
    workers = descendants(batch.pid)
    assert len(workers) >= 2, "the batch should be running its worker processes"
    os.kill(batch.pid, signal.SIGKILL)
    try:
        assert survivors(workers, 10) == []
        batch.communicate(timeout=10)        # the output pipes close: nothing of the batch holds them
    finally:
        for pid in survivors(workers, 0):
            os.kill(pid, signal.SIGKILL)
    out = patients.parent / "out"
    assert parts(out), "the killed batch leaves its report's temporary file"
    rerun = subprocess.run(command(patients), capture_output=True, text=True, cwd=patients.parent, timeout=300,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
    assert rerun.returncode == 0, rerun.stderr
    assert parts(out) == []
    assert len(report(out)) == ROWS


@pytest.mark.parametrize("stop, to_group, status", [
    (signal.SIGINT, True, 130),         # Ctrl-C at a terminal: every process of the group gets it
    (signal.SIGTERM, True, 143),        # timeout(1), systemd: the group too
    (signal.SIGTERM, False, 143),       # docker stop, Kubernetes: the main process only
], ids=["SIGINT-group", "SIGTERM-group", "SIGTERM-main"])
def test_sigint_and_sigterm_stop_with_a_message_the_finished_packets_and_their_report(patients, stop, to_group,
                                                                                      status):
    printed = patients.parent / "print" / "print.pdf"
    batch = start(patients, "--print-file", str(printed))
    workers = descendants(batch.pid)
    (os.killpg if to_group else os.kill)(batch.pid, stop)
    stdout, stderr = batch.communicate(timeout=120)
    out = patients.parent / "out"
    rows = report(out)
    made = sorted(path.name for path in out.glob("*.pdf"))
    assert (batch.returncode, stderr.decode().splitlines()) == (status, [
        f"Stopped by {stop.name}: {len(made)} packets written, 0 unchanged before the stop; {out}/batch-report.csv "
        "lists them; no print file was written; run the command again to make the rest"])
    assert 4 <= len(made) < ROWS
    assert sorted(row["file"] for row in rows) == made and {row["status"] for row in rows} == {"written"}
    assert parts(out) == parts(printed.parent) == [] and not printed.exists()
    assert survivors(workers, 10) == []


def test_a_worker_ends_with_its_parent_without_the_kernel_s_help(tmp_path):
    """The fallback where Linux's parent-death signal is not to be had (macOS, BSD): a thread that watches
    for the parent's end, here alone."""
    script = textwrap.dedent("""
        import os, sys, time
        from handouts import workers
        parent = os.getpid()
        if os.fork() == 0:
            workers._kernel_kills_orphan = lambda: False
            workers.end_with(parent)
            print(os.getpid(), flush=True)
        time.sleep(600)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)}, start_new_session=True)
    try:
        child = int(process.stdout.readline())
        os.kill(process.pid, signal.SIGKILL)
        assert survivors([child], 10) == []
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_only_our_own_temporary_files_that_no_live_run_holds_are_removed(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    out = tmp_path / "out"
    out.mkdir()
    names = (".handouts-killed01.part", ".handouts-writing0.part", ".handouts-too-long-a-name.part", ".x1y2z3w4.part",
             "notes.part", ".handouts-notepart")
    for name in names:
        (out / name).write_text("")
    (manifest := tmp_path / "m.csv").write_text("mrn,name,handouts\nA-1,Ana,kyphoplasty-before\n", encoding="utf-8")
    with (out / ".handouts-writing0.part").open("r+") as held:    # another shard's run, writing to the same folder
        fcntl.flock(held, fcntl.LOCK_EX)
        result = CliRunner().invoke(main, ["batch", str(manifest), "-o", str(out), "--content", str(content),
                                           "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == sorted(["A-1.pdf", "batch-report.csv", *names[1:]])


def test_a_temporary_file_another_run_removes_before_it_is_locked_is_made_again(tmp_path, monkeypatch):
    """The one moment a temporary file is not locked is between its making and its lock; another run
    starting then may take it for a killed run's and remove it."""
    from handouts.delivery import outputs
    make, removed = outputs._locked, []

    def made_then_removed_once(folder, *mode):
        handle, name = make(folder, *mode)
        if not removed:
            os.unlink(name)
            removed.append(name)
        return handle, name

    monkeypatch.setattr(outputs, "_locked", made_then_removed_once)
    handle, path = outputs.temporary(tmp_path)
    try:
        assert path.exists() and str(path) != removed[0]
        assert outputs.remove_stale(tmp_path) == 0 and path.exists()     # locked: another run leaves it
    finally:
        os.close(handle)
    assert outputs.remove_stale(tmp_path) == 1 and not path.exists()     # its writer gone: removed


def catches(pid: int, number: int) -> bool:
    """Whether process PID has a handler of its own for signal NUMBER (its SigCgt mask, from the kernel)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (number - 1) & 1)
    raise AssertionError(f"no SigCgt line for {pid}")


def test_workers_of_a_batch_that_catches_sigterm_still_end_by_it(patients):
    """The command catches SIGTERM to stop between rows, and workers forked meanwhile inherit that. The
    pool ends the other workers with SIGTERM when one dies: a worker that only noted it could wait forever
    on a queue lock the dead one held (a killed worker's batch then never ended)."""
    batch = start(patients)
    try:
        workers = descendants(batch.pid)
        assert workers and catches(batch.pid, signal.SIGTERM)
        assert [pid for pid in workers if catches(pid, signal.SIGTERM)] == []
    finally:
        os.killpg(batch.pid, signal.SIGKILL)
        batch.communicate(timeout=30)
