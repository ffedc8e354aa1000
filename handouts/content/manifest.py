"""Manifest: a CSV or YAML list of patients in; one validated packet request (or its problems) per row out."""
# Rows are read one at a time, so a manifest of any length needs the same memory. A row's number is the line
# of the file where it starts, which is also its row number in a spreadsheet unless an earlier cell holds a
# line break.
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from . import csvread
from .. import model
from .addresses import not_an_address
from .dates import BadDate, parse_date
from .drawable import Lacking, notes_problem, patient_text_problems
from ..errors import ContentError, ContentErrors, ContentWarning, HandoutWarning, Worded
from .limits import not_a_file
from .upload import Upload
from .yamlerror import stream_problem

REQUIRED = ("mrn", "name", "handouts")
COLUMNS = REQUIRED + ("dob", "email", "language", "procedure_date", "surgeon", "levels", "followup_date",
                      "followup_with", "notes", "paper", "large_print")
PAPERS = ("letter", "a4")
_HANDOUT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LOST_LETTER = re.compile(r"(?<=\w)\?(?=\w)|\?(?=\?)|(?<=\?)\?(?!\?)")
_RESERVED_NAMES = frozenset({"CON", "PRN", "AUX", "NUL"} | {f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10)})
YES_NO = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}


@dataclass
class Row:
    """One manifest row: its request when valid, and what was wrong or worth knowing about it."""

    path: Path
    line: int
    mrn: str                                  # for the report: "" unless it passed the MRN check
    request: model.PacketRequest | None = None
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentWarning] = field(default_factory=list)

    @property
    def shard_key(self) -> str:
        # Rows with the same MRN land in the same shard, so duplicates are still caught there.
        return self.mrn.strip().casefold() or f"line {self.line}"


class Manifest:
    """An open manifest: header warnings now, rows one by one as `rows()` is iterated."""

    def __init__(self, path: Path | Upload, handout_ids: Iterable[str], date_order: str | None = None,
                 encoding: str | None = None, *, lacking: Lacking):
        self.path = path
        self.encoding = encoding              # a CSV's codec; None: its byte-order mark's, UTF-8 or Windows-1252
        self.date_order = date_order          # MDY or DMY also reads dates such as 12/4/2026; None: ISO only
        self.handout_ids = frozenset(handout_ids)
        self.lacking = lacking                # the fonts' coverage, for cells that must be printed
        self.warnings: list[ContentWarning] = []
        # Asked before anything opens it: opening or reading a pipe or a device waits for a writer, or never ends.
        found = None if isinstance(path, Upload) else not_a_file(path)
        if found == "no such file":
            raise ContentErrors([ContentError(path, 0, expected="a manifest file (CSV or YAML)", found=found)])
        if found:
            raise ContentErrors([ContentError(path, 1, expected="a regular file", found=found,
                                              fix="name a file saved on disk")])
        self._yaml = path.suffix.lower() in (".yaml", ".yml")

    def rows(self) -> Iterator[Row]:
        seen: dict[str, int] = {}
        cells = _yaml_cells(self.path) if self._yaml else _csv_cells(self.path, self.encoding, self.warnings)
        made = 0
        for line, values, problems in cells:
            made += 1
            if not values and problems:
                yield Row(self.path, line, "", errors=problems)
                continue
            row = _row(self.path, line, values, self.handout_ids, seen, self.date_order, self.lacking)
            row.errors[:0] = [problem for problem in problems if not isinstance(problem, HandoutWarning)]
            row.warnings[:0] = [problem for problem in problems if isinstance(problem, HandoutWarning)]
            if row.errors:
                row.request = None
            yield row
        if not made:
            # A header alone is an export that went wrong (a filter, a sheet saved before the paste), not
            # a day without patients: a batch that says "0 written" and succeeds would hide it.
            raise ContentErrors([ContentError(self.path, 1, expected="a row per patient", found="none",
                                              fix="export the list again, with its patients' rows")])


def check_cells(values: dict[str, str], handout_ids: Iterable[str], *, lacking: Lacking,
                date_order: str | None = None, path: Path | str = "form", line: int = 1) -> Row:
    """One patient's cells (the manifest's columns, as text) checked as a manifest row is: its request,
    or every problem, in the manifest's words, each with its column as key."""
    return _row(Path(path), line, values, frozenset(handout_ids), {}, date_order, lacking)


# --- reading cells ---------------------------------------------------------------------------------
def _csv_cells(path: Path, encoding: str | None, warnings: list[ContentWarning]
               ) -> Iterator[tuple[int, dict[str, str], list[ContentError]]]:
    return csvread.rows(path, encoding, REQUIRED, COLUMNS, warnings,
                        lambda header, problems: _check_header(path, header, problems, warnings))


def _check_header(path: Path, header: list[str], errors: list[ContentError], warnings: list[ContentWarning]) -> None:
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        errors.append(ContentError(path, 1, expected=f"a header row with the columns {', '.join(REQUIRED)}",
                                   found=f"no {_listed(missing)} column",
                                   fix="the first row names the columns"))
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        errors.append(ContentError(path, 1, expected="each column once", found=f"{', '.join(repeated)} twice"))
    if errors:
        raise ContentErrors(errors)
    for position, name in enumerate(header, start=1):
        if name and name not in COLUMNS:
            warnings.append(_unknown_column(path, 1, name, position))


def _unknown_column(path: Path, line: int, name: str, position: int | None = None) -> ContentWarning:
    # Named by place, never by its text: a header line that swallowed a patient's row holds their name.
    close = difflib.get_close_matches(name, COLUMNS, n=1)
    fix = f"did you mean '{close[0]}'?" if close else f"columns are {', '.join(COLUMNS)}"
    what = f"column {position} has an unknown name" if position else "this key is not a column's name"
    return ContentWarning(path, line, message=f"{what} and is ignored", fix=fix)


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
            problem = stream_problem(path, error, "run the batch again; rows after it were not read")
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
        shown = name if name in COLUMNS else None     # a key that is no column may be a patient's value
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
            problems.append(ContentError(path, value.start_mark.line + 1, key=shown,
                                         expected="a single value", found=found))
            continue
        if name in values:
            problems.append(ContentError(path, key.start_mark.line + 1, key=shown, expected="each key once",
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
         seen: dict[str, int], date_order: str | None, lacking: Lacking) -> Row:
    cell = {name: unicodedata.normalize("NFC", value.strip()) for name, value in values.items()}
    # Only the MRN of a row goes in the report, and only once it passed its check: the cell may hold a name.
    row = Row(path, line, "")

    def error(key: str, expected: str, found: str, fix: str | None = None) -> None:
        row.errors.append(ContentError(path, line, key=key, expected=expected, found=found, fix=fix))

    row.mrn = mrn = _checked_mrn(cell.get("mrn", ""), seen, line, error)
    name = cell.get("name", "")
    _check_texts(cell, error, lacking)
    notes = cell.get("notes", "")
    if problem := notes_problem(notes):
        error("notes", **problem)

    dates = {key: _date(cell.get(key, ""), key, error, date_order)
             for key in ("dob", "procedure_date", "followup_date")}
    today = date.today()
    if dates["dob"] and not date(1900, 1, 1) <= dates["dob"] <= today:
        error("dob", "a date of birth between 1900 and today", "a date outside that range")
        dates["dob"] = None
    if dates["procedure_date"] and dates["followup_date"] and dates["followup_date"] < dates["procedure_date"]:
        # Dates of care are health information too: the row's line says where to look.
        error("followup_date", "a follow-up on or after the procedure date", "one before it")

    # A value that fails its check is never repeated: cells slid by a missing separator can hold anything.
    language = cell.get("language", "") or "en"
    if not model.LANGUAGE.fullmatch(language):
        error("language", "a language code such as en or es", "another value")
    paper = (cell.get("paper", "") or "letter").lower()
    if paper not in PAPERS:
        error("paper", "paper: letter or a4", "another value")
    large_print = (cell.get("large_print", "") or "no").lower()
    if large_print not in YES_NO:
        error("large_print", "yes or no (or an empty cell for no)", "another value")
    email = cell.get("email", "")
    if email and (shapeless := not_an_address(email)):
        error("email", "an email address such as name@example.org, or an empty cell", shapeless)

    wanted = _checked_handouts(cell.get("handouts", ""), handout_ids, error)
    if len(set(wanted)) < len(wanted):
        row.warnings.append(ContentWarning(path, line, key="handouts",
                                           message="a handout listed twice is printed once"))

    if not row.errors:
        patient = model.Patient(name=name, mrn=mrn, dob=dates["dob"], procedure_date=dates["procedure_date"],
                                surgeon=cell.get("surgeon") or None, levels=cell.get("levels") or None,
                                followup_date=dates["followup_date"],
                                followup_with=cell.get("followup_with") or None)
        row.request = model.PacketRequest(row=line, patient=patient, handouts=tuple(dict.fromkeys(wanted)),
                                          language=language, email=email or None, notes=notes or None,
                                          paper=paper, large_print=YES_NO.get(large_print, False))
    return row


def _date(text: str, key: str, error, order: str | None) -> date | None:
    try:
        # Dates of birth and of care are health information: say what is wrong with one, not what it is.
        return parse_date(text, order, private=True,
                          note=" (in Excel, format the column as text)") if text else None
    except BadDate as bad:
        error(key, bad.expected, bad.found, bad.fix)
        return None


def _shown(text: str, limit: int = 40) -> str:
    """A cell value as it may appear in a message: printable and not too long."""
    printable = "".join(char if char.isprintable() else "?" for char in text)
    return printable if len(printable) <= limit else printable[:limit - 1] + "…"


def _listed(names: list[str]) -> str:
    """"a", "a or b", "a, b or c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _checked_mrn(mrn: str, seen: dict[str, int], line: int, error) -> str:
    """MRN when it can name the packet file, else "" (and what is wrong with it, said without repeating it)."""
    if not mrn:
        error("mrn", "the patient's MRN", "an empty cell")
        return ""
    if not model.MRN.fullmatch(mrn):
        error("mrn", f"an MRN of letters, digits and dashes, at most {model.MAX_MRN} characters", _described(mrn),
              "it names the packet file, so nothing else is allowed")
        return ""
    if mrn.upper() in _RESERVED_NAMES:
        error("mrn", "an MRN that can name a file on every system", f"'{mrn}'",
              "Windows reserves CON, PRN, AUX, NUL, COM1-9 and LPT1-9")
    elif mrn.casefold() in seen:
        error("mrn", "an MRN not used on an earlier row", f"'{mrn}' again (first on line {seen[mrn.casefold()]})",
              "give each patient one row, listing all their handouts in it")
    seen.setdefault(mrn.casefold(), line)
    return mrn


def _described(value: str) -> str:
    """A value that failed its check, as its length and the kinds of character that are not allowed."""
    kinds: list[str] = []
    for char in value:
        if char.isascii() and (char.isalnum() or char == "-"):
            continue
        kind = ("a space" if char.isspace() else "a letter outside A-Z" if char.isalpha()
                else "a digit outside 0-9" if char.isdigit() else "a control character" if not char.isprintable()
                else f"'{char}'" if char.isascii() else "a symbol outside ASCII")
        if kind not in kinds:
            kinds.append(kind)
    found = f"{len(value)} characters"
    if kinds:
        found += ", with " + (kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} and {kinds[-1]}")
    return found + (", starting with a dash" if value.startswith("-") else "")


def _check_texts(cell: dict[str, str], error, lacking: Lacking) -> None:
    """The free-text cells: lengths, and characters that can be drawn. These are health information:
    their characters may be counted, never shown."""
    name = cell.get("name", "")
    if not name:
        error("name", "the patient's name", "an empty cell")
    for key in ("name", "surgeon", "levels", "followup_with", "notes"):
        text = cell.get(key, "")
        for problem in patient_text_problems(key, text, lacking):
            error(key, **problem)
        # Excel's non-Unicode saves write '?' for a letter their encoding lacks: "Tr?n V?n ??c". No name has
        # a '?'; in notes only one against a letter or another '?' is taken for that mark.
        lost = len(_LOST_LETTER.findall(text)) if key in ("notes", "levels") else text.count("?")
        if lost:
            error(key, "letters as written", f"{lost} '?' where the file's encoding could not hold a letter",
                  f"{csvread.SAVE_AS_UTF8}, then run the batch again")


def _checked_handouts(text: str, handout_ids: frozenset[str], error) -> list[str]:
    """The ids in a handouts cell, each one in the content folder or an error. An entry is repeated in a
    message only when it has the form of an id: cells slid by a missing separator can hold a name or a date."""
    wanted = [part.strip() for part in text.split(";") if part.strip()]
    if not wanted:
        error("handouts", "handout ids separated by ';'", "an empty cell", "for example kyphoplasty-care-after")
    for handout_id in wanted:
        if handout_id not in handout_ids:
            close = difflib.get_close_matches(handout_id.lower(), sorted(handout_ids), n=1)
            like_an_id = _HANDOUT_ID.fullmatch(handout_id) and any(char.isalpha() for char in handout_id)
            error("handouts", "ids of handouts in the content folder",
                  f"'{_shown(handout_id)}'" if like_an_id else "an entry that is not an id of lowercase letters, "
                  "digits and dashes", f"did you mean '{close[0]}'?" if close else Worded("{list} to see them"))
    return wanted
