"""CUPS queues: a queue name in; what it can do, its state and its jobs out, through lp, lpstat, lpoptions and cancel."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

from ..printerrors import PrinterError
from .printer import (GONE, HELD, PENDING, PROCESSING, TWO_SIDED, Capabilities, JobState, PrinterState,
                      Ticket)

_ASK_SECONDS = 15
_SEND_SECONDS = 120
# CUPS forbids these in a queue name; a leading "-" would read as an option.
_NAME = re.compile(r"[^\s/#\\'\"-][^\s/#\\'\"]{0,126}")
_JOB = re.compile(r"request id is (\S+)-(\d+)")
_PAGE_SIZES = {"Letter": "na_letter_8.5x11in", "A4": "iso_a4_210x297mm", "Legal": "na_legal_8.5x14in"}
_DUPLEX = {"DuplexNoTumble": TWO_SIDED, "DuplexTumble": "two-sided-short-edge"}
_PRINTER_TYPE_DUPLEX = 0x10          # cups.h: CUPS_PRINTER_DUPLEX


class CupsQueue:
    """A queue on a CUPS server. The tools read CUPS_SERVER and ~/.cups/client.conf as usual; SERVER,
    when given, is passed to each as -h. Their output is read in the C locale."""

    def __init__(self, name: str, server: str | None = None):
        self.name = name
        self.queue = name
        self.server = server
        if not _NAME.fullmatch(name):
            raise PrinterError(name, "is neither a CUPS queue name nor an ipp:// or ipps:// address",
                               "give the queue's name as 'lpstat -p' lists it, or the printer's ipp:// address")

    def capabilities(self) -> Capabilities:
        self.state()                           # an unknown queue is told as such, not as "no options"
        options = self._run("lpoptions", "-p", self.name, "-l", check=False)
        sides = media = None
        for line in options.splitlines():
            key, _, values = line.partition(":")
            choices = [value.lstrip("*") for value in values.split()]
            if key.split("/")[0] == "Duplex":
                sides = ("one-sided",) + tuple(_DUPLEX[choice] for choice in choices if choice in _DUPLEX)
            elif key.split("/")[0] == "PageSize":
                media = tuple(_PAGE_SIZES.get(choice, choice) for choice in choices)
        if sides is None and options.strip():
            sides = ("one-sided",)             # the queue's options have no Duplex: it prints on one side
        elif sides is None:
            # No PPD to read (a raw or driverless queue seen from afar): the queue's type bits still say duplex.
            found = re.search(r"printer-type=(\d+)", self._run("lpoptions", "-p", self.name, check=False))
            if found:
                duplex = int(found.group(1)) & _PRINTER_TYPE_DUPLEX
                sides = ("one-sided", TWO_SIDED) if duplex else ("one-sided",)
        # CUPS makes copies itself and turns PDF into what the printer takes.
        return Capabilities(sides=sides, media=media, copies=(1, 9999), formats=None)

    def state(self) -> PrinterState:
        shown = self._run("lpstat", "-l", "-p", self.name, check=False)
        first, _, rest = shown.partition("\n")
        if not first.lower().startswith(f"printer {self.name.lower()} "):
            self._unknown()
        self.queue = first.split()[1]          # as CUPS spells it: names are the same in any case
        accepting = "not accepting" not in self._run("lpstat", "-a", self.name, check=False)
        lines = [line.strip() for line in rest.splitlines()]
        alerts = next((line.partition(":")[2].split() for line in lines if line.startswith("Alerts:")), [])
        # A stopped queue's reason (cupsdisable -r, or the backend's last message) is the line after the first.
        message = lines[0] if lines and not lines[0].startswith("Form mounted") else ""
        return PrinterState(stopped=" disabled since " in first, accepting=accepting,
                            reasons=tuple(alerts), message=message.rstrip("."))

    def submit(self, pdf: bytes, ticket: Ticket) -> str:
        command = ["lp", "-d", self.name, "-t", ticket.name, "-U", ticket.user, "-n", str(ticket.copies)]
        if ticket.sides:
            command += ["-o", f"sides={ticket.sides}"]
        if ticket.media:
            command += ["-o", f"media={ticket.media}"]
        said = self._run(*command, data=pdf, seconds=_SEND_SECONDS)
        found = _JOB.search(said)
        if not found:
            raise PrinterError(self.name, f"lp did not say which job it made ({said.strip() or 'no answer'})",
                               "check the queue with 'lpstat -p'")
        return found.group(2)

    def job(self, job_id: str) -> JobState:
        """Where the job is: still in the queue (lpstat), or how it ended (the server's IPP answer)."""
        listed = self._run("lpstat", "-l", "-W", "not-completed", "-o", self.name)
        block = _job_block(listed, f"{self.queue}-{job_id}")
        if block is None:
            return self._finished(job_id)
        alerts = next((line.partition(":")[2].split() for line in block if line.startswith("Alerts:")), [])
        # A job put back in the queue when it stopped keeps "job-printing" among its reasons; only the
        # queue's own line says which job is printing now.
        printing = f" now printing {self.queue}-{job_id}." in self._run("lpstat", "-p", self.name)
        state = PENDING
        if printing:
            state = PROCESSING
        elif any(alert.startswith("job-hold-until") for alert in alerts):
            state = HELD
        return JobState(state, tuple(alert for alert in alerts if alert != "job-printing" or printing))

    def _finished(self, job_id: str) -> JobState:
        """How a job that has left the queue ended, as the CUPS server says over IPP (lpstat cannot tell a
        printed job from a cancelled one); GONE when the server keeps no history or cannot be asked so."""
        server = self.server or os.environ.get("CUPS_SERVER") or "localhost:631"
        if "/" in server:
            return JobState(GONE)              # a local socket: no IPP address to ask
        host = server if ":" in server.rsplit("]", 1)[-1] else f"{server}:631"
        from .ipp import IppPrinter
        try:
            return IppPrinter(f"ipp://{host}/printers/{self.queue}").job(job_id)
        except PrinterError:
            return JobState(GONE)

    def cancel(self, job_id: str, user: str) -> None:
        # As the job's owner: CUPS lets only the owner (or an administrator) cancel a job.
        self._run("cancel", "-U", user, f"{self.queue}-{job_id}", check=False)

    def _unknown(self) -> None:
        if "scheduler is running" not in self._run("lpstat", "-r", check=False):
            where = self.server or os.environ.get("CUPS_SERVER") or "this computer"
            raise PrinterError(self.name, f"the CUPS server ({where}) is not answering",
                               "start CUPS, or give the printer's ipp:// address instead")
        raise PrinterError(self.name, "no CUPS queue has this name",
                           "give a name from 'lpstat -e', or the printer's ipp:// address")

    def _run(self, tool: str, *arguments: str, data: bytes | None = None, seconds: float = _ASK_SECONDS,
             check: bool = True) -> str:
        path = shutil.which(tool)
        if path is None:
            raise PrinterError(self.name, f"the CUPS tool '{tool}' is not installed here",
                               "install CUPS (Debian: apt install cups-client), or give the printer's "
                               "ipp:// address")
        server = ["-h", self.server] if self.server else []
        environment = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        try:
            done = subprocess.run([path, *server, *arguments], input=data or b"", capture_output=True,
                                  timeout=seconds, env=environment)
        except subprocess.TimeoutExpired:
            raise PrinterError(self.name, f"{tool} had no answer from CUPS within {seconds:.0f} s",
                               "check that CUPS is running") from None
        said = done.stdout.decode("utf-8", "replace")
        if check and done.returncode != 0:
            told = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no reason given"]
            raise PrinterError(self.name, f"{tool} failed: {told[-1]}", "check the queue with 'lpstat -p'")
        return said


def _job_block(listed: str, job: str) -> list[str] | None:
    """The lines lpstat -l shows for JOB, or None when it does not list it."""
    block: list[str] | None = None
    for line in listed.splitlines():
        if not line.startswith(("\t", " ")):
            if block is not None:
                return block
            block = [] if line.split(" ", 1)[0] == job else None
        elif block is not None:
            block.append(line.strip())
    return block
