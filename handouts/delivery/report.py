"""The batch report: each row's result in, batch-report.csv (a line per row, renamed into place at the end) out."""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from .. import model
from . import outputs
from ..errors import OutputError, Told

REPORT_COLUMNS = ("row", "mrn", "status", "pages", "file", "error", "warnings")


@dataclass(frozen=True)
class RowResult:
    line: int
    mrn: str
    status: str
    pages: int = 0
    file: str = ""
    errors: tuple[Told | str, ...] = ()       # the library's own messages: str() words them for the report
    warnings: tuple[Told | str, ...] = ()
    name: str = ""               # for -v only; never written to a file or printed by default
    request: model.PacketRequest | None = None     # whose packet: for handouts email, never written to a file


class Report:
    """batch-report.csv, written row by row to a temporary file and renamed when the batch ends."""

    def __init__(self, path: Path):
        self.path = path
        try:
            handle, self.temporary = outputs.temporary(path.parent)
        except OSError as error:
            raise OutputError(path, outputs.reason(error), "the report") from None
        self.file = os.fdopen(handle, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file)
        self._write(REPORT_COLUMNS)

    def add(self, result: RowResult) -> None:
        # Warnings sit beside the status: "written" alone hides a handout given in another language.
        cells = (result.line, result.mrn, result.status, result.pages or "", result.file,
                 " | ".join(map(str, result.errors)), " | ".join(map(str, result.warnings)))
        self._write([_inert(cell) for cell in cells])

    def _write(self, cells) -> None:
        try:
            self.writer.writerow(cells)
        except OSError as error:
            self.abort()
            raise OutputError(self.path, outputs.reason(error), "the report") from None

    def close(self) -> None:
        if self.file.closed:
            return           # aborted by a failed write, which has said so
        try:
            outputs.put_in_place(self.file, self.temporary, self.path)
        except OSError as error:
            self.abort()
            raise OutputError(self.path, outputs.reason(error), "the report") from None

    def abort(self) -> None:
        outputs.discard(self.file, self.temporary)


def _inert(cell: object) -> object:
    """A cell a spreadsheet shows as text: a manifest value starting with = + - @ is never run as a formula."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
