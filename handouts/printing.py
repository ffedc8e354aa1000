"""Printing: documents (PDF bytes) and print options in; each sent to a printer as its own job, followed, a summary out."""
from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from .delivery.printer import (COMPLETED, GONE, HELD, MEDIA, PENDING, ONE_SIDED, PDF, TWO_SIDED, Capabilities, Printer,
                               Ticket, open_printer, reasons_said)
from .delivery.printlog import PrintLog, packet_key
from .errors import Worded
from .printerrors import NotPrinted, PrinterError, PrintSettingError

_FIRST_POLL, _LONGEST_POLL = 0.1, 1.0      # seconds between looks at a job: soon at first, then each second
_CANCEL_SECONDS = 10
_SIZES = {"letter": (612, 792), "a4": (595, 842)}
_STOPPED, _GONE = "stopped", "gone"        # how a followed job ended besides printing or failing


@dataclass(frozen=True)
class PrintOptions:
    printer: str                         # a CUPS queue name, or an ipp:// or ipps:// URI
    user: str                            # the staff user the printer shows as the job's owner
    duplex: bool | None = None           # None: as the printer is set
    copies: int = 1
    media: str | None = None             # "letter" or "a4"; None: the paper each document was made for
    wait: bool = True                    # follow each job until it has printed
    wait_limit: float = 600.0            # seconds a job may take before it is cancelled and told
    force: bool = False                  # print again what the print log says was printed
    server: str | None = None            # the CUPS server of a queue name; None: the CUPS tools' own


@dataclass(frozen=True)
class Document:
    where: str                           # how a message names it: "MANIFEST:LINE: MRN 1234", or a path
    pdf: bytes
    record: dict = field(default_factory=dict)   # what the print log keeps beside its key (never a name)

    @cached_property
    def _shape(self) -> tuple[int, str | None]:
        """Its page count and paper, from one reading of the PDF (both are asked for more than once)."""
        pages = PdfReader(io.BytesIO(self.pdf)).pages
        box = pages[0].mediabox
        size = (round(float(box.width)), round(float(box.height)))
        paper = next((name for name, wanted in _SIZES.items() if max(abs(a - b) for a, b in zip(size, wanted)) <= 2),
                     None)
        return len(pages), paper

    @property
    def pages(self) -> int:
        return self._shape[0]

    @property
    def paper(self) -> str | None:
        """"letter" or "a4" by the first page's size; None for any other size."""
        return self._shape[1]


@dataclass
class PrintSummary:
    printer: str
    wait: bool
    printed: int = 0                     # followed until the printer said completed
    handed: int = 0                      # taken by the printer, not followed (or its end not known)
    already: int = 0                     # in the print log from an earlier run
    not_printed: int = 0
    pages: int = 0                       # pages handed to the printer (copies counted)
    seconds: float = 0.0
    stopped: bool = False                # asked to stop: the rest waits for a rerun

    @property
    def pages_per_minute(self) -> float:
        return self.pages * 60 / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        done = f"{self.printed} printed" if self.wait else f"{self.handed} handed to the printer (not followed)"
        if self.wait and self.handed:
            done += f", {self.handed} handed to the printer (how they ended is not known)"
        already = f", {self.already} already printed" if self.already else ""
        return [f"Print: {done}{already}, {self.not_printed} not printed, on {self.printer}; {self.pages} pages "
                f"in {self.seconds:.1f} s ({self.pages_per_minute:.0f} pages per minute)"]


Problem = Callable[[NotPrinted], None]
Note = Callable[[str], None]
Stop = Callable[[], bool]


@dataclass
class _Run:
    """What every step of one run shares."""

    printer: Printer
    options: PrintOptions
    log: PrintLog | None
    summary: PrintSummary
    problem: Problem
    note: Note
    stop: Stop
    fix: str | Worded


def print_documents(documents: list[Document], options: PrintOptions, log: PrintLog | None = None,
                    on_problem: Problem | None = None, stop: Stop | None = None,
                    printer: Printer | None = None, fix: str | Worded = "print it again",
                    on_note: Note | None = None) -> PrintSummary:
    """Send each document as its own job, in order, named "handouts packet K of N" (never the patient).

    First the printer is asked what it can do; an option it cannot do raises PrintSettingError before
    anything is sent. Each document not printed is told to ON_PROBLEM with FIX; once the printer stops
    or cannot be reached, the rest are told as not sent. While a job is followed, what the printer says
    of itself (out of paper, say) is told to ON_NOTE each time it changes. A document in LOG is skipped
    (unless the options force it); one printed (or handed over, without waiting) is added to it at once."""
    printer = printer or open_printer(options.printer, options.server)
    check_printer(printer, options, {document.paper for document in documents})
    run = _Run(printer, options, log, PrintSummary(options.printer, options.wait), on_problem or (lambda told: None),
               on_note or (lambda text: None), stop or (lambda: False), fix)
    summary = run.summary
    started = time.perf_counter()
    broken: str | None = None            # once set, why nothing more is sent
    try:
        for index, document in enumerate(documents, 1):
            if run.stop():
                summary.stopped = True
                break
            key = packet_key(document.pdf)
            if log is not None and not options.force and log.printed(key):
                summary.already += 1
                continue
            if broken is None:
                broken = _refusal(printer)
            if broken is not None:
                summary.not_printed += 1
                run.problem(NotPrinted(document.where, broken, fix, sent=False))
                continue
            broken = _one(run, document, _ticket(options, document, index, len(documents)), key)
    finally:
        summary.seconds = time.perf_counter() - started
    return summary


def _one(run: _Run, document: Document, ticket: Ticket, key: str) -> str | None:
    """Send one document and, when waiting, follow it; why nothing more can be sent, or None."""
    summary = run.summary
    end = time.monotonic() + run.options.wait_limit      # one limit for handing the job over and following it
    try:
        job = _submit(run, document.pdf, ticket, end)
    except PrinterError as error:
        summary.not_printed += 1
        reason = f"printer {error.printer}: {error.reason}"
        run.problem(NotPrinted(document.where, reason, run.fix, sent=False))
        return reason
    summary.pages += document.pages * run.options.copies
    if not run.options.wait:
        summary.handed += 1
        _log(run, key, document, job, "handed to the printer")
        return None
    outcome, fault, cancelled = _follow(run, job, document.where, ticket.user, end)
    if outcome is None:
        summary.printed += 1
        _log(run, key, document, job, "printed")
        return None
    if outcome in (_STOPPED, _GONE):
        # Taken, and likely to print, or printed: logged, so a rerun does not print it twice.
        summary.handed += 1
        summary.stopped = summary.stopped or outcome == _STOPPED
        if outcome == _GONE:
            run.note(f"{document.where}: print: handed to the printer; it keeps no record to say how the job ended")
        _log(run, key, document, job, "handed to the printer")
        return None
    summary.not_printed += 1
    run.problem(NotPrinted(document.where, outcome, run.fix, cancelled=cancelled))
    return outcome if fault else None


def _submit(run: _Run, pdf: bytes, ticket: Ticket, end: float) -> str:
    """Hand the job over; a printer busy with another job (many take one at a time) is asked again."""
    pause = _FIRST_POLL
    while True:
        try:
            return run.printer.submit(pdf, ticket)
        except PrinterError as error:
            if not error.busy or time.monotonic() + pause > end or run.stop():
                raise
        time.sleep(pause)
        pause = min(pause * 1.5, _LONGEST_POLL)


def _follow(run: _Run, job: str, where: str, user: str, end: float) -> tuple[str | None, bool, bool]:
    """Wait for JOB: (None, ...) once printed; else (what happened, whether the printer is in no state to
    go on, whether the job was cancelled here). _STOPPED when asked to stop, _GONE when its end is unknown."""
    try:
        outcome, fault = _followed(run, job, where, end)
    except PrinterError as error:
        return f"printer {error.printer}: {error.reason}; the job may still print", True, False
    if not fault:
        return outcome, False, False
    if _cancelled(run.printer, job, user):
        return outcome, True, True
    # Say so: a nurse told "cancelled" would print it again, and then get it twice.
    return f"{outcome}; it could not be cancelled, so it may still print: check the printer's queue", True, False


def _cancelled(printer: Printer, job: str, user: str) -> bool:
    """Cancel JOB as USER (its owner); whether the printer then says it is finished, within a few seconds
    (a printer stops a job it has started in its own time)."""
    end = time.monotonic() + _CANCEL_SECONDS
    try:
        printer.cancel(job, user)
        while not printer.job(job).finished:
            if time.monotonic() > end:
                return False
            time.sleep(_FIRST_POLL)
    except PrinterError:
        return False
    return True


def _followed(run: _Run, job: str, where: str, end: float) -> tuple[str | None, bool]:
    """Wait for JOB until END: (None, False) once printed; else (what happened, whether to cancel it)."""
    printer, limit = run.printer, run.options.wait_limit
    pause, told = _FIRST_POLL, ""
    while True:
        state = printer.job(job)
        if state.state == GONE:
            return _GONE, False
        if state.finished:
            if state.state == COMPLETED:
                return None, False
            return f"the job was {state.said()} (the printer says: {printer.state().said()})", False
        here = printer.state()
        waiting = state.state in (PENDING, HELD)
        # A job the printer has started is waited for even when it stops (a printer out of paper goes on
        # once paper is in); one it has not started is taken back at once.
        if state.state == HELD:
            return f"the printer held the job ({state.said()})", True
        if here.faulty and waiting:
            return f"the printer is stopped: {here.said()}", True
        if time.monotonic() > end:
            return f"no end within {limit:.0f} s: the job is {state.said()} (the printer says: {here.said()})", True
        said = reasons_said(here.reasons)
        if said and said != told:
            run.note(f"{where}: print: waiting for the printer, which says: {said}")
        told = said
        if run.stop():
            return _STOPPED, False
        time.sleep(pause)
        pause = min(pause * 1.5, _LONGEST_POLL)


def _refusal(printer: Printer) -> str | None:
    """Why the printer should be sent nothing now (stopped, not accepting, unreachable), or None."""
    try:
        state = printer.state()
    except PrinterError as error:
        return error.reason
    if state.faulty:
        return f"the printer is stopped: {state.said()}"
    if not state.accepting:
        return f"the printer is not accepting jobs: {state.said()}"
    return None


def _ticket(options: PrintOptions, document: Document, index: int, count: int) -> Ticket:
    sides = None if options.duplex is None else (TWO_SIDED if options.duplex else ONE_SIDED)
    paper = options.media or document.paper
    return Ticket(f"handouts packet {index} of {count}", options.user, sides, MEDIA.get(paper or ""),
                  options.copies)


def _log(run: _Run, key: str, document: Document, job: str, state: str) -> None:
    if run.log is not None:
        run.log.mark(key, {**document.record, "printer": run.printer.name, "job": job, "state": state})


def check_printer(printer: Printer, options: PrintOptions, papers: set[str | None]) -> Capabilities:
    """What PRINTER can do, once it is known to do everything OPTIONS ask for documents of PAPERS."""
    able = printer.capabilities()
    name = printer.name
    if options.duplex and able.sides is not None and TWO_SIDED not in able.sides:
        raise PrintSettingError(name, "duplex", "a printer that prints on both sides",
                                f"one that prints only {', '.join(able.sides)} (sides-supported)",
                                Worded("print one-sided (without {duplex}), or choose a printer that prints "
                                       "on both sides"))
    for paper in sorted({options.media} if options.media else {p for p in papers if p}):
        if able.media is not None and MEDIA[paper] not in able.media:
            raise PrintSettingError(name, "media", f"{paper} paper ({MEDIA[paper]})",
                                    f"a printer without it (media-supported: {', '.join(able.media[:8])})",
                                    "make the packets on the paper this printer has, or choose another printer")
    low, high = able.copies or (1, 1)
    if not low <= options.copies <= high:
        raise PrintSettingError(name, "copies", f"{low} to {high} copies (copies-supported)",
                                str(options.copies), "ask for fewer copies, or print the document again")
    if able.formats is not None and PDF not in able.formats:
        raise PrintSettingError(name, "printer", "a printer that takes PDF (document-format-supported)",
                                f"one that takes {', '.join(able.formats)}",
                                "print through a CUPS queue for it, which turns PDF into what it takes")
    return able


def read_document(where: str, data: bytes, record: dict | None = None) -> Document:
    """DATA as a document to print; PrinterError-free: a file that is not a PDF raises ValueError."""
    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted
        if not locked:
            reader.pages[0]
    except (PdfReadError, IndexError, ValueError, OSError) as error:
        raise ValueError(f"not a PDF that can be read ({error})") from None
    if locked:
        raise ValueError("a PDF locked with a password (an emailed copy: print the packet as it was made, "
                         "from the packets folder or the web page)")
    return Document(where, data, record or {})


def batch_documents(manifest: object, out_dir, results: list) -> list[Document]:
    """The packets a batch made (its RowResults, failed rows left out), in manifest order, to print."""
    made = sorted((result for result in results if result.file and result.status != "failed"),
                  key=lambda result: result.line)
    return [Document(f"{manifest}:{result.line}: MRN {result.mrn}", (out_dir / result.file).read_bytes(),
                     {"row": result.line, "mrn": result.mrn}) for result in made]
