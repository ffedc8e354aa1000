"""The handout model: what content reads and checks in; plain frozen data that rendering and delivery take out."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterator, Union

KINDS = ("pre-procedure", "discharge", "general")
MAX_MRN = 20
# An MRN names files (<mrn>.pdf), so it is letters, digits and dashes, and never starts with a dash.
MRN = re.compile(rf"[A-Za-z0-9][A-Za-z0-9-]{{0,{MAX_MRN - 1}}}")
# A language tag (BCP 47) as handouts and manifest rows give it: en, es, es-MX, zh-Hant-TW.
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
WARNING_LEVELS = ("caution", "urgent", "emergency")
PLACEHOLDERS = (
    "clinic.name", "clinic.phone", "clinic.after_hours_phone", "clinic.emergency_number", "clinic.address",
    "clinic.website",
    "patient.name", "patient.mrn", "patient.dob",
    "procedure.date", "procedure.surgeon", "procedure.levels",
    "followup.date", "followup.with",
)


class Text(str):
    """A string that remembers the line of its YAML file, so later stages can point at it."""

    line: int

    def __new__(cls, value: str, line: int) -> "Text":
        text = super().__new__(cls, value)
        text.line = line
        return text


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False
    placeholder: str | None = None


# Emphasis must hug its words (`**bold**`, not `** x **`), so "2 * 3" and a lone "*" stay literal.
_BOLD = re.compile(r"\*\*(?=\S)(?P<bold>.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"\*(?=[^\s*])(?P<italic>[^*]+?)(?<=\S)\*")
_BOLD_CLOSE = re.compile(r"(?<=\S)(?=\*\*)")
# The name is the inside, stripped: written as \s*(.*?)\s* the three parts could share spaces in so many
# ways that "{{" and a few thousand spaces took minutes to reject.
_PLACEHOLDER = re.compile(r"\{\{(?P<inside>[^{}]*)\}\}")


def _emphasis(text: str) -> Iterator[tuple[int, int, str | None, str | None]]:
    """Start, end, and bold or italic text of each emphasis in TEXT, left to right. A bold run is looked
    for only up to the last '**' of its line that could close it: searching from every '**' to the end
    of the line was quadratic in the length of a text with many '**' and no closing one."""
    closes = [match.start() for match in _BOLD_CLOSE.finditer(text)]
    position = 0
    while (star := text.find("*", position)) >= 0:
        match = None
        if text.startswith("**", star):       # only bold can start here: italic needs a word after one '*'
            line_end = text.find("\n", star)
            line_end = len(text) if line_end < 0 else line_end
            last = bisect_left(closes, line_end - 1) - 1
            if last >= 0 and closes[last] >= star + 3:
                match = _BOLD.match(text, star, closes[last] + 2)
        else:
            match = _ITALIC.match(text, star)
        if match is None:
            position = star + 1
            continue
        groups = match.groupdict()
        yield match.start(), match.end(), groups.get("bold"), groups.get("italic")
        position = match.end()


def spans(text: str, bold: bool = False, italic: bool = False) -> list[Span]:
    """Split TEXT into runs of plain text, emphasis and placeholders; nothing else is markup."""
    out: list[Span] = []
    position = 0
    for start, end, bold_text, italic_text in _emphasis(text):
        out += _placeholder_spans(text[position:start], bold, italic)
        if bold_text is not None:
            out += spans(bold_text, True, italic)
        else:
            out += _placeholder_spans(italic_text, bold, True)
        position = end
    out += _placeholder_spans(text[position:], bold, italic)
    return out


def placeholder_names(text: str) -> list[str]:
    """The names of the placeholders in TEXT, in order."""
    return [match["inside"].strip() for match in _PLACEHOLDER.finditer(text)]


def plain(text: str, values: dict[str, str], blank: str) -> str:
    """TEXT as it reads on paper: emphasis dropped, placeholders filled (or BLANK), spaces folded."""
    parts = [values.get(span.placeholder) or blank if span.placeholder is not None else span.text
             for span in spans(text)]
    return fold_spaces("".join(parts))


def fold_spaces(text: str) -> str:
    """Runs of ordinary white space as one space; no-break spaces stay, so "500 mg" never splits."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _placeholder_spans(text: str, bold: bool, italic: bool) -> list[Span]:
    out: list[Span] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > position:
            out.append(Span(text[position:match.start()], bold, italic))
        out.append(Span(match.group(0), bold, italic, placeholder=match["inside"].strip()))
        position = match.end()
    if position < len(text):
        out.append(Span(text[position:], bold, italic))
    return out


@dataclass(frozen=True)
class Item:
    text: Text
    items: tuple["Item", ...] = ()


@dataclass(frozen=True)
class Paragraph:
    text: Text


@dataclass(frozen=True)
class Bullets:
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Steps:
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Checklist:
    items: tuple[Item, ...]
    title: Text | None = None


@dataclass(frozen=True)
class Warning:
    level: str
    title: Text | None
    items: tuple[Item, ...] = ()
    text: Text | None = None


@dataclass(frozen=True)
class Note:
    text: Text
    title: Text | None = None


@dataclass(frozen=True)
class Table:
    header: tuple[Text, ...]
    rows: tuple[tuple[Text, ...], ...]


@dataclass(frozen=True)
class FillInField:
    label: Text
    lines: int = 1


@dataclass(frozen=True)
class FillIn:
    fields: tuple[FillInField, ...]


@dataclass(frozen=True)
class Signature:
    roles: tuple[Text, ...]


@dataclass(frozen=True)
class Image:
    src: Path
    alt: Text
    caption: Text | None = None
    width: float | None = None


@dataclass(frozen=True)
class QR:
    url: Text
    caption: Text | None = None


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Union[Paragraph, Bullets, Steps, Checklist, Warning, Note, Table, FillIn, Signature,
              Image, QR, PageBreak]


@dataclass(frozen=True)
class Section:
    heading: Text
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Handout:
    path: Path
    id: str
    title: Text
    kind: str
    sections: tuple[Section, ...]
    language: str = "en"
    version: Text | None = None
    reviewed: date | None = None
    next_review: date | None = None
    summary: Text | None = None
    next_review_line: int = 0
    source_hash: Text | None = None     # a translation: the hash of the English file it was made from


@dataclass(frozen=True)
class Jargon:
    """Medical words and the plain words to use instead, by language ("en", "es")."""

    path: Path
    terms: dict[str, tuple[tuple[Text, Text], ...]]


@dataclass(frozen=True)
class Clinic:
    """The clinic profile; every field is optional so a generic handout prints write-in lines."""

    path: Path | None = None
    name: Text | None = None
    phone: Text | None = None
    after_hours_phone: Text | None = None
    emergency_number: Text = field(default_factory=lambda: Text("911", 0))
    address: Text | None = None
    website: Text | None = None
    logo: Path | None = None
    color: str | None = None      # "#1f4e79": headings and rules; checked for contrast on white
    logo_alt: Text | None = None  # what the logo says to a screen reader; without it, it is decoration

    def values(self) -> dict[str, Text]:
        """Placeholder values this profile fills, by placeholder name: every text field (the logo and
        colour are not text)."""
        names = ("name", "phone", "after_hours_phone", "emergency_number", "address", "website")
        return {f"clinic.{n}": getattr(self, n) for n in names if getattr(self, n)}


@dataclass(frozen=True)
class Patient:
    """One patient's facts for the placeholders; anything left None prints as a write-in line."""

    name: str | None = None
    mrn: str | None = None
    dob: date | None = None
    procedure_date: date | None = None
    surgeon: str | None = None
    levels: str | None = None
    followup_date: date | None = None
    followup_with: str | None = None

    def values(self, format_date: Callable[[date, bool], str]) -> dict[str, str]:
        """Placeholder values by name; dates in the words of FORMAT_DATE (weekday shown or not)."""
        found = {
            "patient.name": self.name, "patient.mrn": self.mrn,
            "patient.dob": format_date(self.dob, False) if self.dob else None,
            "procedure.date": format_date(self.procedure_date, True) if self.procedure_date else None,
            "procedure.surgeon": self.surgeon, "procedure.levels": self.levels,
            "followup.date": format_date(self.followup_date, True) if self.followup_date else None,
            "followup.with": self.followup_with,
        }
        return {name: value for name, value in found.items() if value}

    def texts(self) -> Iterator[str]:
        return (value for value in (self.name, self.mrn, self.surgeon, self.levels, self.followup_with) if value)


@dataclass(frozen=True)
class PacketRequest:
    """One manifest row: whose packet, which handouts in which order, in which language."""

    row: int
    patient: Patient
    handouts: tuple[str, ...]
    language: str = "en"
    email: str | None = None
    notes: str | None = None
    paper: str = "letter"
    large_print: bool = False
