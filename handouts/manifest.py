"""Manifest: a CSV or YAML list of patients in; one validated packet request (or its problems) per row out.

Rows are read one at a time, so a manifest of any length needs the same memory. A row's number is
the line of the file where it starts, which is also its row number in a spreadsheet unless an
earlier cell holds a line break."""
from __future__ import annotations

import codecs
import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from . import fonts, model
from .errors import ContentError, ContentErrors

REQUIRED = ("mrn", "name", "handouts")
COLUMNS = REQUIRED + ("dob", "email", "language", "procedure_date", "surgeon", "levels", "followup_date",
                      "followup_with", "notes", "paper", "large_print")
PAPERS = ("letter", "a4")
MAX_NAME = 100
MAX_TEXT = 200
MAX_WORD = 30
MAX_NOTES_LINES = 6
MAX_ROW_LINES = 12      # a record longer than this has a stray quote, not notes with line breaks
MAX_NOTES = 500         # a box that still leaves the cover page room for its checklist
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DELIMITERS = ",;\t"
_RESERVED_NAMES = frozenset({"CON", "PRN", "AUX", "NUL"} | {f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10)})
YES_NO = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}


@dataclass
class Row:
    """One manifest row: its request when valid, and what was wrong or worth knowing about it."""

    path: Path
    line: int
    mrn: str                                  # as written, for the report, even when invalid
    request: model.PacketRequest | None = None
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentError] = field(default_factory=list)

    @property
    def shard_key(self) -> str:
        # Rows with the same MRN land in the same shard, so duplicates are still caught there.
        return self.mrn.strip().casefold() or f"line {self.line}"


class Manifest:
    """An open manifest: header warnings now, rows one by one as `rows()` is iterated."""

    def __init__(self, path: Path, handout_ids: Iterable[str]):
        self.path = path
        self.handout_ids = frozenset(handout_ids)
        self.warnings: list[ContentError] = []
        if not path.is_file():
            raise ContentErrors([ContentError(path, 0, expected="a manifest file (CSV or YAML)", found="no such file")])
        self._yaml = path.suffix.lower() in (".yaml", ".yml")

    def rows(self) -> Iterator[Row]:
        seen: dict[str, int] = {}
        cells = _yaml_cells(self.path) if self._yaml else _csv_cells(self.path, self.warnings)
        for line, values, problems in cells:
            if not values and problems:
                yield Row(self.path, line, "", errors=problems)
                continue
            row = _row(self.path, line, values, self.handout_ids, seen)
            row.errors[:0] = [problem for problem in problems if not problem.warning]
            row.warnings[:0] = [problem for problem in problems if problem.warning]
            if row.errors:
                row.request = None
            yield row


# --- reading cells ---------------------------------------------------------------------------------
def _decoded_lines(path: Path, bad_lines: set[int]) -> Iterator[str]:
    """The file's lines as text, decoded one by one so that bad bytes are pinned to their line."""
    decoder = codecs.getincrementaldecoder("utf-8")
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                yield decoder().decode(raw, final=True)
            except UnicodeDecodeError:
                bad_lines.add(number)
                yield raw.decode("utf-8", errors="replace")


def _csv_records(lines: Iterator[tuple[int, str]], path: Path, delimiter: str
                 ) -> Iterator[tuple[int, list[str] | None, ContentError | None]]:
    """(first line, cells, problem) per record. A quote left open is reported at its line, and reading
    starts again on the next line, so one stray quote never swallows the rows after it."""
    pending: list[tuple[int, str]] = []
    source = iter(lines)
    while True:
        if not pending:
            entry = next(source, None)
            if entry is None:
                return
            pending.append(entry)
        record = "".join(text for _, text in pending)
        if record.count('"') % 2 == 0:
            start = pending[0][0]
            pending.clear()
            try:
                yield start, next(csv.reader([record], delimiter=delimiter, strict=True), []), None
            except csv.Error as error:
                yield start, None, ContentError(path, start, expected="a row of cells, quotes around whole cells",
                                                found=f"broken quoting ({error})",
                                                fix=f"put a cell that holds '{delimiter}' or quotes inside "
                                                    "double quotes, and double any quote inside it")
            continue
        entry = next(source, None) if len(pending) < MAX_ROW_LINES else None
        if entry is not None:
            pending.append(entry)
            continue
        start = pending[0][0]
        yield start, None, ContentError(path, start, expected="a closing quote for the one opened on this line",
                                        found="none", fix="remove the stray quote, or close it")
        rest = pending[1:]
        pending.clear()
        source = _chain(rest, source)


def _chain(first: list[tuple[int, str]], rest: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield from first
    yield from rest


def _csv_cells(path: Path, warnings: list[ContentError]) -> Iterator[tuple[int, dict[str, str], list[ContentError]]]:
    bad_lines: set[int] = set()
    lines = enumerate(_decoded_lines(path, bad_lines), start=1)
    first = next(lines, (1, ""))
    # Excel in many countries saves "CSV" with semicolons; the header says which one this is.
    delimiter = max(_DELIMITERS, key=first[1].count) if any(d in first[1] for d in _DELIMITERS) else ","
    records = _csv_records(_chain([first], lines), path, delimiter)
    _, header_cells, problem = next(records, (1, [], None))
    if problem is not None:
        raise ContentErrors([problem])
    header = [cell.strip().lower() for cell in header_cells]
    _check_header(path, header, 1 in bad_lines, warnings)
    for start, cells, problem in records:
        if problem is not None:
            yield start, {}, [problem]
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            # Cells have slid into the wrong columns: checking them would print a name as a handout id.
            yield start, {}, [ContentError(path, start, expected=f"at most {len(header)} cells, one per column",
                                           found=f"{len(cells)}",
                                           fix=f"put a cell that holds '{delimiter}' inside double quotes")]
            continue
        problems = []
        if bad_lines and any(number in bad_lines for number in range(start, start + _lines_of(cells))):
            problems.append(ContentError(path, start, expected="UTF-8 text", found="bytes in another encoding",
                                         fix="in Excel use Save As > 'CSV UTF-8'"))
        yield start, {name: cell for name, cell in zip(header, cells) if name}, problems


def _lines_of(cells: list[str]) -> int:
    """How many lines of the file a record with CELLS took."""
    return 1 + sum(cell.count("\n") for cell in cells)


def _check_header(path: Path, header: list[str], undecodable: bool, warnings: list[ContentError]) -> None:
    missing = [name for name in REQUIRED if name not in header]
    errors = []
    if undecodable:
        errors.append(ContentError(path, 1, expected="UTF-8 text", found="bytes in another encoding",
                                   fix="in Excel use Save As > 'CSV UTF-8'"))
    if missing:
        errors.append(ContentError(path, 1, expected=f"a header row with the columns {', '.join(REQUIRED)}",
                                   found=f"no {_listed(missing)} column",
                                   fix="the first row names the columns"))
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        errors.append(ContentError(path, 1, expected="each column once", found=f"{', '.join(repeated)} twice"))
    if errors:
        raise ContentErrors(errors)
    for name in header:
        if name and name not in COLUMNS:
            warnings.append(_unknown_column(path, 1, name))


def _unknown_column(path: Path, line: int, name: str) -> ContentError:
    close = difflib.get_close_matches(name, COLUMNS, n=1)
    fix = f"did you mean '{close[0]}'?" if close else f"columns are {', '.join(COLUMNS)}"
    return ContentError(path, line, message=f"unknown column '{name}' is ignored", fix=fix, warning=True)


def _yaml_cells(path: Path) -> Iterator[tuple[int, dict[str, str], list[ContentError]]]:
    """Each mapping of a YAML list, read from the event stream so the list is never held whole.

    YAML that cannot be read before the first row stops the batch; after it, the rows read so far
    are still made and the problem is reported as the last row."""
    started = False
    with path.open("rb") as file:
        events = yaml.parse(file, Loader=yaml.SafeLoader)
        try:
            for event in events:
                if isinstance(event, yaml.SequenceStartEvent):
                    break
                if isinstance(event, (yaml.MappingStartEvent, yaml.ScalarEvent, yaml.AliasEvent)):
                    raise ContentErrors([ContentError(path, event.start_mark.line + 1,
                                                      expected="a list of patients, each starting with '- '",
                                                      found="something else")])
            else:
                raise ContentErrors([ContentError(path, 1, expected="a list of patients, each starting with '- '",
                                                  found="an empty file")])
            for event in events:
                started = True
                if isinstance(event, yaml.SequenceEndEvent):
                    return
                line = event.start_mark.line + 1
                if not isinstance(event, yaml.MappingStartEvent):
                    _skip(event, events)
                    yield line, {}, [ContentError(path, line, expected="a patient (mrn: ..., name: ...)",
                                                  found="something else")]
                    continue
                yield _yaml_mapping(path, line, events)
        except yaml.YAMLError as error:
            mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
            problem = ContentError(path, mark.line + 1 if mark else 0,
                                   message=f"the YAML cannot be read here ({getattr(error, 'problem', None) or error})",
                                   fix="fix it and run the batch again; rows after it were not read")
            if not started:
                raise ContentErrors([problem]) from None
            yield problem.line, {}, [problem]


def _yaml_mapping(path: Path, line: int, events) -> tuple[int, dict[str, str], list[ContentError]]:
    values: dict[str, str] = {}
    problems: list[ContentError] = []
    for key in events:
        if isinstance(key, yaml.MappingEndEvent):
            return line, values, problems
        if not isinstance(key, yaml.ScalarEvent):
            _skip(key, events)
            _skip(next(events), events)
            problems.append(ContentError(path, key.start_mark.line + 1, expected="a column name as the key",
                                         found="a list or mapping"))
            continue
        value = next(events)
        name = key.value.strip().lower()
        if isinstance(value, yaml.ScalarEvent):
            text = "" if value.implicit[0] and value.value in ("~", "null", "Null", "NULL") else value.value
        elif isinstance(value, yaml.SequenceStartEvent) and name == "handouts":
            parts = []
            for item in events:
                if isinstance(item, yaml.SequenceEndEvent):
                    break
                if not isinstance(item, yaml.ScalarEvent):
                    _skip(item, events)
                    problems.append(ContentError(path, item.start_mark.line + 1, key=name,
                                                 expected="a handout id", found="a list or mapping"))
                    continue
                parts.append(item.value)
            text = ";".join(parts)
        else:
            _skip(value, events)
            found = "an alias (*name)" if isinstance(value, yaml.AliasEvent) else "a list or mapping"
            problems.append(ContentError(path, value.start_mark.line + 1, key=name,
                                         expected="a single value", found=found))
            continue
        if name in values:
            problems.append(ContentError(path, key.start_mark.line + 1, key=name, expected="each key once",
                                         found="it twice"))
        elif name and name not in COLUMNS:
            problems.append(_unknown_column(path, key.start_mark.line + 1, name))
        values[name] = text
    return line, values, problems


def _skip(event, events) -> None:
    """Consume the rest of a collection whose start EVENT was just read."""
    depth = 1 if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)) else 0
    while depth:
        inner = next(events)
        if isinstance(inner, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
        elif isinstance(inner, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


# --- checking a row --------------------------------------------------------------------------------
def _row(path: Path, line: int, values: dict[str, str], handout_ids: frozenset[str],
         seen: dict[str, int]) -> Row:
    cell = {name: unicodedata.normalize("NFC", value.strip()) for name, value in values.items()}
    row = Row(path, line, cell.get("mrn", ""))

    def error(key: str, expected: str, found: str, fix: str | None = None) -> None:
        row.errors.append(ContentError(path, line, key=key, expected=expected, found=found, fix=fix))

    mrn = cell.get("mrn", "")
    if not mrn:
        error("mrn", "the patient's MRN", "an empty cell")
    elif not model.MRN.fullmatch(mrn):
        error("mrn", f"an MRN of letters, digits and dashes, at most {model.MAX_MRN} characters",
              f"'{_shown(mrn)}'", "it names the packet file, so nothing else is allowed")
    elif mrn.upper() in _RESERVED_NAMES:
        error("mrn", "an MRN that can name a file on every system", f"'{mrn}'",
              "Windows reserves CON, PRN, AUX, NUL, COM1-9 and LPT1-9")
    elif mrn.casefold() in seen:
        error("mrn", "an MRN not used on an earlier row", f"'{mrn}' again (first on line {seen[mrn.casefold()]})",
              "give each patient one row, listing all their handouts in it")
    if model.MRN.fullmatch(mrn):
        seen.setdefault(mrn.casefold(), line)

    name = cell.get("name", "")
    if not name:
        error("name", "the patient's name", "an empty cell")
    elif len(name) > MAX_NAME:
        error("name", f"a name of at most {MAX_NAME} characters", f"{len(name)}")
    # The name is health information: its characters may be shown, never the name itself.
    texts = {key: cell.get(key, "") for key in ("name", "surgeon", "levels", "followup_with", "notes")}
    for key, text in texts.items():
        if key != "name" and key != "notes" and len(text) > MAX_TEXT:
            error(key, f"at most {MAX_TEXT} characters", f"{len(text)}")
        elif key in ("surgeon", "levels", "followup_with") and max(map(len, text.split()), default=0) > MAX_WORD:
            # These go into table cells: a word wider than a column cannot be laid out.
            error(key, f"words of at most {MAX_WORD} characters", "a longer one", "put spaces between words")
        unknown_chars = fonts.lacking(text)
        if unknown_chars:
            # Code points would spell the text out, and these cells may hold health information.
            error(key, "characters the fonts can draw", f"{len(unknown_chars)} that no font here has",
                  "write it in Latin, Greek or Cyrillic letters")
        elif any(unicodedata.bidirectional(char) in ("R", "AL") for char in text):
            error(key, "left-to-right text", "right-to-left script (Hebrew or Arabic)",
                  "right-to-left text is not supported yet")
    notes = cell.get("notes", "")
    if len(notes) > MAX_NOTES:
        error("notes", f"notes of at most {MAX_NOTES} characters, to fit on the first page", f"{len(notes)}")
    elif len(notes.splitlines()) > MAX_NOTES_LINES:
        error("notes", f"notes of at most {MAX_NOTES_LINES} lines, to fit on the first page",
              f"{len(notes.splitlines())}")

    dates = {key: _date(cell.get(key, ""), key, error) for key in ("dob", "procedure_date", "followup_date")}
    today = date.today()
    if dates["dob"] and not date(1900, 1, 1) <= dates["dob"] <= today:
        error("dob", "a date of birth between 1900 and today", "a date outside that range")
        dates["dob"] = None
    if dates["procedure_date"] and dates["followup_date"] and dates["followup_date"] < dates["procedure_date"]:
        error("followup_date", "a follow-up on or after the procedure date",
              f"{dates['followup_date'].isoformat()}, before {dates['procedure_date'].isoformat()}")

    language = cell.get("language", "") or "en"
    if not _LANGUAGE.fullmatch(language):
        error("language", "a language code such as en or es", f"'{_shown(language)}'")
    paper = (cell.get("paper", "") or "letter").lower()
    if paper not in PAPERS:
        error("paper", "paper: letter or a4", f"'{_shown(paper)}'")
    large_print = (cell.get("large_print", "") or "no").lower()
    if large_print not in YES_NO:
        error("large_print", "yes or no (or an empty cell for no)", f"'{_shown(large_print)}'")
    email = cell.get("email", "")
    if email and not _EMAIL.fullmatch(email):
        error("email", "an email address such as name@example.org, or an empty cell", "one without a valid form")

    wanted = [part.strip() for part in cell.get("handouts", "").split(";") if part.strip()]
    if not wanted:
        error("handouts", "handout ids separated by ';'", "an empty cell", "for example kyphoplasty-care-after")
    for handout_id in wanted:
        if handout_id not in handout_ids:
            close = difflib.get_close_matches(handout_id, sorted(handout_ids), n=1)
            error("handouts", "ids of handouts in the content folder", f"'{_shown(handout_id)}'",
                  f"did you mean '{close[0]}'?" if close else "run 'handouts list' to see them")
    if len(set(wanted)) < len(wanted):
        row.warnings.append(ContentError(path, line, key="handouts",
                                         message="a handout listed twice is printed once",
                                         warning=True))

    if not row.errors:
        patient = model.Patient(name=name, mrn=mrn, dob=dates["dob"], procedure_date=dates["procedure_date"],
                                surgeon=cell.get("surgeon") or None, levels=cell.get("levels") or None,
                                followup_date=dates["followup_date"],
                                followup_with=cell.get("followup_with") or None)
        row.request = model.PacketRequest(row=line, patient=patient, handouts=tuple(dict.fromkeys(wanted)),
                                          language=language, email=email or None, notes=notes or None,
                                          paper=paper, large_print=YES_NO.get(large_print, False))
    return row


def _date(text: str, key: str, error) -> date | None:
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    # A date of birth is health information: say what is wrong with it, not what it is.
    found = "a value that is not a date" if key == "dob" else f"'{_shown(text)}'"
    error(key, "a date as YYYY-MM-DD", found, "for example 2026-12-03 (in Excel, format the column as text)")
    return None


def _shown(text: str, limit: int = 40) -> str:
    """A cell value as it may appear in a message: printable and not too long."""
    printable = "".join(char if char.isprintable() else "?" for char in text)
    return printable if len(printable) <= limit else printable[:limit - 1] + "…"


def _listed(names: list[str]) -> str:
    """"a", "a or b", "a, b or c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
