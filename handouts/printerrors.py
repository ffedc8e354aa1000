"""What printing tells: a printer that cannot be used, an option it cannot do, a packet not printed (errors.py's kin)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .errors import HandoutError, Told, Worded, _worded, one_line

# Told
# ├── HandoutError
# │   ├── PrintSettingError     the printer cannot do what was asked (duplex, paper, copies, PDF): nothing sent
# │   ├── PrinterError          the printer or queue cannot be used at all (unknown, unreachable, refuses jobs)
# │   └── PrintLogBusy          another run is printing from the same output folder
# └── NotPrinted                a result, not raised: one document was not printed, and why


@dataclass(eq=False)
class PrintSettingError(HandoutError):
    printer: str
    option: str                   # a key of errors.OPTIONS: "duplex", "media", "copies", "printer"
    expected: str
    found: str
    fix: str | Worded

    def _said(self, words: Mapping[str, str]) -> str:
        return one_line(f"printer {self.printer}: {words[self.option]}: expected {self.expected}, found "
                        f"{self.found}; nothing was sent; {_worded(self.fix, words)}")


@dataclass(eq=False)
class PrinterError(HandoutError):
    printer: str
    reason: str
    fix: str | Worded
    printed: int = 0              # documents this run had printed (or handed over) before it stopped
    left: int = 0                 # documents it did not send
    busy: bool = False            # the printer can take the job later: it is still busy with another
    code: int | None = None       # the IPP status code of the answer, when there was one

    def _said(self, words: Mapping[str, str]) -> str:
        done = f"; {self.printed} printed before it, {self.left} not sent" if self.printed or self.left else ""
        return one_line(f"printer {self.printer}: {self.reason}{done}; {_worded(self.fix, words)}")


@dataclass(eq=False)
class PrintLogBusy(HandoutError):
    path: Path | str

    def _said(self, words: Mapping[str, str]) -> str:
        return (f"{self.path}: another {words['print_run']} is printing from this folder; wait for it to finish "
                "(two runs at once could print a packet twice)")


@dataclass(frozen=True, eq=False)
class NotPrinted(Told):
    """One document that did not print, found as the run goes on: never raised."""

    where: str                    # "MANIFEST:LINE: MRN 1234" for a batch row; the PDF's path
    reason: str                   # what the printer said, in words
    fix: str | Worded             # what gets it printed
    cancelled: bool = False       # the job was in the printer's queue and this run cancelled it
    sent: bool = True             # False: never handed to the printer (it had stopped first)

    def _said(self, words: Mapping[str, str]) -> str:
        if not self.sent:
            happened = "not sent"
        elif self.cancelled:
            happened = "not printed, its job cancelled so it cannot come out later"
        else:
            happened = "not printed"
        return one_line(f"{self.where}: print: {happened}: {self.reason}; {_worded(self.fix, words)}")
