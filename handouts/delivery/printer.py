"""Printers: a CUPS queue name or an ipp:// URI in; one interface (what it can do, its state, jobs) out."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

# Paper sizes by the names the project uses, as IPP media keywords (PWG 5101.1).
MEDIA = {"letter": "na_letter_8.5x11in", "a4": "iso_a4_210x297mm"}
ONE_SIDED, TWO_SIDED = "one-sided", "two-sided-long-edge"      # handouts are portrait: bind on the long edge
PDF = "application/pdf"

# Job states as IPP numbers them (RFC 8011 5.3.7), and GONE: the printer or CUPS keeps no record of the job
# (finished, and its history not kept), so whether it printed cannot be known.
PENDING, HELD, PROCESSING, STOPPED, CANCELED, ABORTED, COMPLETED = range(3, 10)
GONE = 0
FINISHED = (CANCELED, ABORTED, COMPLETED, GONE)
JOB_STATES = {GONE: "no longer known to the printer", PENDING: "waiting", HELD: "held", PROCESSING: "printing",
              STOPPED: "stopped",
              CANCELED: "cancelled", ABORTED: "aborted by the printer", COMPLETED: "completed"}

# What a printer's state reasons (RFC 8011 5.4.12, PWG 5100.9) mean, in a nurse's words.
_REASONS = {
    "media-empty": "out of paper", "media-needed": "needs paper loaded", "media-jam": "paper jam",
    "media-low": "paper low", "toner-empty": "out of toner", "marker-supply-empty": "out of toner or ink",
    "toner-low": "toner low", "marker-supply-low": "toner or ink low",
    "door-open": "a door is open", "cover-open": "a cover is open", "input-tray-missing": "a paper tray is out",
    "output-area-full": "the output tray is full", "offline": "offline", "shutdown": "switched off",
    "paused": "paused", "stopped-partly": "partly stopped", "moving-to-paused": "pausing",
    "connecting-to-device": "not answering (still connecting)", "timed-out": "not answering",
    "spool-area-full": "its job storage is full", "other": "stopped for a reason it does not give",
    "job-hold-until-specified": "held until released at the printer", "job-canceled-by-user": "cancelled by a user",
    "job-canceled-by-operator": "cancelled at the printer", "job-canceled-at-device": "cancelled at the printer",
    "aborted-by-system": "aborted by the printer", "document-format-error": "the printer could not read the PDF",
    "document-unprintable-error": "the printer could not print the PDF",
}
_SEVERITY = re.compile(r"-(report|warning|error)$")
_STATE_WORDS = {"idle", "ready", "printing", "processing", "stopped", "paused", "ready to print"}
_QUIET = {"none", "cups-waiting-for-job-completed", "job-printing", "job-incoming", "job-queued", "job-completed-successfully",
          "processing-to-stop-point", "job-data-insufficient", "job-fetchable", "printer-stopped"}


def reasons_said(reasons: tuple[str, ...]) -> str:
    """A printer's or job's state reasons in words, each with its keyword: "out of paper (media-empty)"."""
    said = []
    for reason in reasons:
        bare = _SEVERITY.sub("", reason)
        if bare in _QUIET:
            continue
        words = _REASONS.get(bare)
        said.append(f"{words} ({bare})" if words else bare)
    return ", ".join(dict.fromkeys(said))


@dataclass(frozen=True)
class Capabilities:
    """What a printer says it can do; None where it does not say (nothing is refused on a guess)."""

    sides: tuple[str, ...] | None
    media: tuple[str, ...] | None
    copies: tuple[int, int] | None           # the lowest and highest number of copies it takes
    formats: tuple[str, ...] | None


@dataclass(frozen=True)
class PrinterState:
    stopped: bool                            # paused by someone, or stopped by a fault
    accepting: bool
    reasons: tuple[str, ...] = ()
    message: str = ""

    def said(self) -> str:
        """What the printer says about itself: its message (a stopped CUPS queue's reason), then its reasons
        in words; a message that only names its state is left out."""
        message = self.message.strip().rstrip(".")
        said = [message if message.lower() not in _STATE_WORDS else "", reasons_said(self.reasons)]
        return ", ".join(part for part in said if part) or ("stopped" if self.stopped else "ready")

    @property
    def faulty(self) -> bool:
        """Stopped, or reporting a fault that stops printing (an "-error" reason)."""
        return self.stopped or any(reason.endswith("-error") for reason in self.reasons)


@dataclass(frozen=True)
class JobState:
    state: int
    reasons: tuple[str, ...] = ()
    message: str = ""

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    def said(self) -> str:
        why = reasons_said(self.reasons)
        return JOB_STATES.get(self.state, f"in state {self.state}") + (f": {why}" if why else "")


@dataclass(frozen=True)
class Ticket:
    """One job: its neutral name, the staff user who asks for it, and how to print it."""

    name: str
    user: str
    sides: str | None = None                 # None: the printer's own default
    media: str | None = None                 # an IPP media keyword; None: the printer's default
    copies: int = 1


class Printer(Protocol):
    """A CUPS queue or an IPP printer. Every call is bounded in time; one that cannot reach the printer
    raises PrinterError."""

    name: str                                # as the user gave it: a queue name or a URI

    def capabilities(self) -> Capabilities: ...

    def state(self) -> PrinterState: ...

    def submit(self, pdf: bytes, ticket: Ticket) -> str: ...

    def job(self, job_id: str) -> JobState: ...

    def cancel(self, job_id: str, user: str) -> None: ...


def is_uri(target: str) -> bool:
    return target.lower().startswith(("ipp://", "ipps://"))


def open_printer(target: str, server: str | None = None) -> Printer:
    """TARGET as a printer: an ipp:// or ipps:// URI straight to the printer, else a CUPS queue by name
    (on SERVER, host:port or a socket path, when given; else where the CUPS tools look by default)."""
    if is_uri(target):
        from .ipp import IppPrinter
        return IppPrinter(target)
    from .cups import CupsQueue
    return CupsQueue(target, server)
