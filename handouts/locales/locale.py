"""Locale shapes: a language module's words in; a Locale (with its EmailWords and Reading) out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from ..content.readability import Measures

# A field with this metadata is never printed on a page, so its words need no font subset.
NOT_ON_PAPER = {"on_paper": False}


@dataclass(frozen=True)
class EmailWords:
    """The words of the message a packet is sent with."""

    subject: str                  # "Your care instructions from {clinic}"
    subject_plain: str            # the subject when the clinic has no name
    team: str                     # signs the message when the clinic has no name
    greeting: str                 # "Hello {name},"
    attached: str                 # "{clinic} has sent you these handouts, in the attached file {file}:"
    keep: str
    password: str                 # how to open an encrypted packet
    phone: str                    # "... {phone}."
    after_hours: str
    emergency: str
    not_for_you: str
    instructions: str             # names the attachment: "Kyphoplasty-instructions.pdf"


@dataclass(frozen=True)
class Reading:
    """How a handout's reading level is measured in one language, and the words its checks look for."""

    syllables: Callable[[str], int]               # of one word
    grade: Callable[[Measures], float]            # the US school grade the limits are checked against
    grade_name: str                               # how that grade is found, as a finding says it
    scale: str | None = None                      # the language's own score for the summary, formatted with m=Measures
    abbreviations: tuple[str, ...] = ()           # end in a full stop without ending a sentence: "Dr"
    plural_endings: tuple[str, ...] = ()          # a jargon term with one of these is still that term
    vague_headings: frozenset[str] = frozenset()  # headings that do not say what the section is about


@dataclass(frozen=True)
class Locale:
    tag: str
    page_of: str                 # "Page {page} of {total}"
    months: tuple[str, ...]
    weekdays: tuple[str, ...]    # Monday first, as date.weekday() counts
    long_date: str               # with the weekday: appointments
    plain_date: str              # without it: a date of birth
    patient_label: str
    mrn_label: str
    born_label: str
    labels: dict[str, str]       # box labels: caution, urgent, emergency
    continued: str
    date_label: str
    version_label: str
    reviewed_label: str
    notes_title: str
    picture_label: str            # read aloud before an image's alt text
    qr_label: str                 # a QR code's alt text, before its web address
    tick_box: str                 # what a screen reader says for a checklist entry's box
    cover_title: str
    cover_patient: str
    cover_contacts: str
    cover_phone: str
    cover_after_hours: str
    cover_emergency: str
    cover_enclosed: str
    cover_enclosed_hint: str
    cover_reviewed_by: str
    in_language: dict[str, str]   # after a handout's title on the cover when it is not in the cover's language
    email: EmailWords = field(metadata=NOT_ON_PAPER)
    reading: Reading | None = field(default=None, metadata=NOT_ON_PAPER)   # None: measured as English is

    def format_date(self, day: date, weekday: bool = True) -> str:
        pattern = self.long_date if weekday else self.plain_date
        return pattern.format(weekday=self.weekdays[day.weekday()], month=self.months[day.month - 1],
                              day=day.day, year=day.year)
