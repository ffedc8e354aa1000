"""A CSV manifest's bytes in; its encoding and separator found, its rows (cells by column, first line) out, streamed."""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from ..errors import ContentError, ContentErrors, ContentWarning

MAX_CELL = 10_000         # characters in a cell: twenty times the longest column's own limit (notes, 500)
MAX_ROW = 100_000         # characters in a row: below the csv module's own field limit (131,072), so never its error
MAX_ROW_LINES = 12        # a record longer than this has a stray quote, not notes with line breaks
DELIMITERS = ",;\t"
FALLBACK = "cp1252"       # what Excel's "CSV (Comma delimited)" saves in the Americas and Western Europe
SAVE_AS_UTF8 = "in Excel use Save As > 'CSV UTF-8'"
AN_ENCODING = "an encoding such as utf-8, cp1252 or utf-16"
_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16",
           "cp1252": "Windows-1252"}
_CHUNK = 1 << 16
_READ = MAX_ROW + 2       # a line of MAX_ROW characters and its CR LF, read whole


@dataclass
class Record:
    """One CSV record: its cells, or the problem that kept it from being read."""

    line: int                            # where it starts in the file
    cells: list[str] | None = None
    problem: ContentError | None = None
    text: str = ""                       # as read, to tell a row in another separator from a short one


def label(encoding: str) -> str:
    """An encoding's name as people know it: UTF-8, UTF-16, Windows-1252."""
    name = codecs.lookup(encoding).name
    return _LABELS.get(name, name)


def is_text_encoding(name: str) -> bool:
    """Whether Python knows NAME as a codec for text (base64, say, is a codec, but not for text)."""
    try:
        "".encode(name)
    except LookupError:
        return False
    return True


def find_encoding(path: Path, given: str | None) -> tuple[str, ContentWarning | None]:
    """The codec to read PATH with: GIVEN, else its byte-order mark's, else UTF-8 when every byte is valid
    UTF-8, else Windows-1252 with a warning at the first line that is not UTF-8."""
    if given:
        if not is_text_encoding(given):
            raise ContentErrors([ContentError(path, 1, expected=AN_ENCODING, found=f"'{given}'")])
        return given, None
    with path.open("rb") as file:
        head = file.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig", None
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", None      # the codec reads the mark and takes its byte order
        if b"\0" in head:
            # UTF-16 without a mark is valid UTF-8 with a NUL between letters; read so, no column is found.
            raise ContentErrors([ContentError(path, 1, expected="text (CSV)", found="NUL bytes, as in UTF-16 "
                                              "saved without a byte-order mark",
                                              fix=f"{SAVE_AS_UTF8}, or give the file's encoding")])
        file.seek(0)
        line = _first_line_not_utf8(file)
    if line is None:
        return "utf-8", None
    return FALLBACK, ContentWarning(path, line,
                                    message="the file is not UTF-8 text (first on this line), so it is read as "
                                            "Windows-1252, as Excel's 'CSV (Comma delimited)' saves it",
                                    fix=f"if a letter looks wrong, {SAVE_AS_UTF8}, or give the file's encoding")


def _first_line_not_utf8(file: BinaryIO) -> int | None:
    """The line of the first byte that is not UTF-8, read chunk by chunk; None when there is none."""
    line, rest, after_cr = 1, b"", False
    for chunk in iter(lambda: file.read(_CHUNK), b""):
        data = rest + chunk
        try:
            _, used = codecs.utf_8_decode(data, "strict", False)
        except UnicodeDecodeError as error:
            return line + _breaks(data[:error.start], after_cr)
        line += _breaks(data[:used], after_cr)
        after_cr = data[:used].endswith(b"\r") or (after_cr and not used)
        rest = data[used:]
    return line if rest else None        # a letter cut short at the end of the file


def _breaks(data: bytes, after_cr: bool) -> int:
    """Line ends in DATA (CR LF, CR or LF); AFTER_CR: the bytes before it ended with a CR."""
    count = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return count - 1 if after_cr and data.startswith(b"\n") else count


def rows(path: Path, encoding: str | None, required: tuple[str, ...], columns: tuple[str, ...],
         warnings: list[ContentWarning], check_header: Callable[[list[str], list[ContentError]], None]
         ) -> Iterator[tuple[int, dict[str, str], list[ContentError]]]:
    """(line, cells by column, problems) per row of a CSV manifest; CHECK_HEADER raises for a header that
    lacks REQUIRED columns. A row whose cells cannot be matched to the columns has no cells, only its problem."""
    encoding, guessed = find_encoding(path, encoding)
    warnings.extend([guessed] if guessed else [])
    records = Records(path, encoding)
    stream = iter(records)
    first = next(stream, None) or Record(1, [])
    if first.problem is not None:
        raise ContentErrors([first.problem])
    header = [cell.strip().lower() for cell in first.cells]
    check_header(header, [_unreadable(path, 1, encoding)] if "\ufffd" in first.text else [])
    for record in stream:
        if record.problem is not None:
            yield record.line, {}, [record.problem]
            continue
        if not any(cell.strip() for cell in record.cells):
            continue
        misfit = _misfit(path, record, header, required, records.delimiter)
        long_cells = [ContentError(path, record.line, key=name if name in columns else None,
                                   expected=f"at most {MAX_CELL:,} characters in a cell", found=f"{len(cell):,}")
                      for name, cell in zip(header, record.cells) if len(cell) > MAX_CELL]
        if misfit or long_cells:
            yield record.line, {}, [misfit] if misfit else long_cells
            continue
        problems = [_unreadable(path, record.line, encoding)] if "\ufffd" in record.text else []
        yield record.line, {name: cell for name, cell in zip(header, record.cells) if name}, problems


def _unreadable(path: Path, line: int, encoding: str) -> ContentError:
    name = label(encoding)
    return ContentError(path, line, expected=f"{name} text", found=f"bytes that are not {name}", fix=SAVE_AS_UTF8)


def _misfit(path: Path, record: Record, header: list[str], required: tuple[str, ...], delimiter: str
            ) -> ContentError | None:
    """A row whose cells cannot be matched to the columns, told by counting them: its cells have slid into
    the wrong columns, and checking them would print a name as an MRN or a handout id."""
    count, wanted = len(record.cells), len(header)
    if count > wanted:
        return ContentError(path, record.line, expected=f"at most {wanted} cells, one per column", found=f"{count}",
                            fix=f"put a cell that holds {_separator(delimiter)} inside double quotes")
    if all(header.index(name) < count for name in required):
        return None     # only empty cells at the end left off, as Excel does on some rows
    other = [d for d in DELIMITERS if d != delimiter and _cell_count(record.text, d) == wanted]
    if other:
        return ContentError(path, record.line,
                            expected=f"{wanted} cells separated by {_separator(delimiter)}, as in the header row",
                            found=f"{count}: this row separates its cells with {_separator(other[0])}",
                            fix=f"use the same separator in every row ({SAVE_AS_UTF8})")
    return ContentError(path, record.line, expected=f"{wanted} cells, one per column", found=f"{count}",
                        fix=f"put {_separator(delimiter)} between every two cells")


def _separator(delimiter: str) -> str:
    return "a tab" if delimiter == "\t" else f"'{delimiter}'"


def _cell_count(text: str, delimiter: str) -> int:
    """How many cells TEXT (one record) holds when split by DELIMITER; 0 if it cannot be split so."""
    try:
        return len(next(csv.reader([text], delimiter=delimiter, strict=True), []))
    except csv.Error:
        return 0


class Records:
    """PATH's records, read as ENCODING, one at a time as it is iterated. The separator is the one of , ; TAB
    that the first line holds most of (Excel in many countries saves "CSV" with semicolons).

    A byte ENCODING cannot read becomes U+FFFD (the caller reports its row); CR, LF and CR LF all end lines."""

    def __init__(self, path: Path, encoding: str):
        self.path = path
        self.encoding = encoding
        self.delimiter = ","             # known once the first record is read

    def __iter__(self) -> Iterator[Record]:
        with io.TextIOWrapper(self.path.open("rb"), encoding=self.encoding, errors="replace", newline="") as text:
            lines = _lines(text)
            number, first, quotes, length = next(lines, (1, "", 0, 0))
            if first is not None:
                first = first.removeprefix("\ufeff")     # a mark that an encoding given by name left in
                if any(d in first for d in DELIMITERS):
                    self.delimiter = max(DELIMITERS, key=first.count)
            yield from _records(self.path, _chain([(number, first, quotes, length)], lines), self.delimiter)


Line = tuple[int, "str | None", int, int]     # number, text (None: too long to keep), quotes, length


def _lines(text: io.TextIOWrapper) -> Iterator[Line]:
    """Each line with its number; a line longer than MAX_ROW is read through in pieces, never held whole."""
    number, cut_at_cr = 0, False
    while line := text.readline(_READ):
        if cut_at_cr and line == "\n":
            cut_at_cr = False            # the LF of a CR LF that a piece ended between
            continue
        number += 1
        quotes, length = line.count('"'), len(line)
        cut_at_cr = False
        while len(line) == _READ and not line.endswith("\n"):
            cut_at_cr = line.endswith("\r")
            if cut_at_cr:
                break
            line = text.readline(_READ)
            quotes, length = quotes + line.count('"'), length + len(line)
        length -= len(line) - len(line.rstrip("\r\n"))      # characters, not counting the line end
        yield number, (line if length <= MAX_ROW else None), quotes, length


def _records(path: Path, lines: Iterator[Line], delimiter: str) -> Iterator[Record]:
    """A record per row. A quote left open is reported at its line, and reading starts again on the next
    line, so one stray quote never swallows the rows after it."""
    pending: list[Line] = []
    source = iter(lines)
    while True:
        if not pending:
            entry = next(source, None)
            if entry is None:
                return
            pending.append(entry)
        if sum(quotes for _, _, quotes, _ in pending) % 2 == 0:
            yield _record(path, pending, delimiter)
            pending = []
            continue
        entry = next(source, None) if len(pending) < MAX_ROW_LINES else None
        if entry is not None:
            pending.append(entry)
            continue
        start = pending[0][0]
        yield Record(start, problem=ContentError(path, start, expected="a closing quote for the one opened on "
                                                 "this line", found="none", fix="remove the stray quote, or close it"))
        source = _chain(pending[1:], source)
        pending = []


def _record(path: Path, lines: list[Line], delimiter: str) -> Record:
    start = lines[0][0]
    length = sum(size for _, _, _, size in lines)
    if length > MAX_ROW or any(text is None for _, text, _, _ in lines):
        return Record(start, problem=ContentError(path, start, expected=f"a row of at most {MAX_ROW:,} characters",
                                                  found=f"{length:,}",
                                                  fix=f"a cell holds at most {MAX_CELL:,} characters"))
    text = "".join(text for _, text, _, _ in lines)
    try:
        return Record(start, next(csv.reader([text], delimiter=delimiter, strict=True), []), text=text)
    except csv.Error as error:
        return Record(start, problem=ContentError(path, start, expected="a row of cells, quotes around whole cells",
                                                  found=f"broken quoting ({error})",
                                                  fix=f"put a cell that holds '{delimiter}' or quotes inside "
                                                      "double quotes, and double any quote inside it"))


def _chain(first: list[Line], rest: Iterator[Line]) -> Iterator[Line]:
    yield from first
    yield from rest
