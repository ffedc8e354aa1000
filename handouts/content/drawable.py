"""Text the PDFs cannot show or fit: a patient's text and the fonts' coverage in; what is wrong with it, in words, out."""
from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import ContentError
from ..model import Text

# The characters of a text that no font has, each once (render.fonts.lacking). The use case passes it
# in: content never loads fonts, which only rendering may.
Lacking = Callable[[str], list[str]]

MAX_NAME = 100
MAX_TEXT = 200
MAX_WORD = 30
MAX_NOTES_LINES = 6
MAX_NOTES = 500         # a box that still leaves the cover page room for its checklist
# These go into table cells: a word wider than a column cannot be laid out.
_IN_TABLES = ("surgeon", "levels", "followup_with")


def right_to_left(text: str) -> bool:
    """Whether TEXT holds Hebrew or Arabic, which would print backwards and unjoined."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def private_problem(text: str, lacking: Lacking) -> dict[str, str] | None:
    """What makes a patient's TEXT (a manifest cell, a patient setting) impossible to print, as expected,
    found and fix, said without showing any of it (code points would spell a name out); None if nothing."""
    unknown = lacking(text)
    if unknown:
        return {"expected": "characters the fonts can draw", "found": f"{len(unknown)} that no font here has",
                "fix": "write it in Latin, Greek or Cyrillic letters"}
    if right_to_left(text):
        return {"expected": "left-to-right text", "found": "right-to-left script (Hebrew or Arabic)",
                "fix": "right-to-left text is not supported yet"}
    return None


def right_to_left_problems(texts: Iterable[Text], path: Path | str) -> list[ContentError]:
    """A problem for each of TEXTS (a content file's) in a right-to-left script: refused rather than
    printed backwards."""
    return [ContentError(path, getattr(text, "line", 0), expected="left-to-right text",
                         found="right-to-left script (Hebrew or Arabic)",
                         fix="right-to-left handouts are not supported yet")
            for text in texts if right_to_left(text)]


def patient_text_problems(key: str, text: str, lacking: Lacking) -> Iterator[dict[str, str]]:
    """What is wrong with a patient's TEXT at KEY (name, surgeon, levels, followup_with or notes): its
    length, a word too long for a table cell, characters that cannot print. Counted, never shown."""
    if key == "name" and len(text) > MAX_NAME:
        yield {"expected": f"a name of at most {MAX_NAME} characters", "found": f"{len(text)}"}
    elif key not in ("name", "notes") and len(text) > MAX_TEXT:
        yield {"expected": f"at most {MAX_TEXT} characters", "found": f"{len(text)}"}
    elif key in _IN_TABLES and max(map(len, text.split()), default=0) > MAX_WORD:
        yield {"expected": f"words of at most {MAX_WORD} characters", "found": "a longer one",
               "fix": "put spaces between words"}
    if problem := private_problem(text, lacking):
        yield problem


def notes_problem(notes: str) -> dict[str, str] | None:
    """What keeps the care team's NOTES from fitting on a packet's first page, or None."""
    if len(notes) > MAX_NOTES:
        return {"expected": f"notes of at most {MAX_NOTES} characters, to fit on the first page",
                "found": f"{len(notes)}"}
    if len(notes.splitlines()) > MAX_NOTES_LINES:
        return {"expected": f"notes of at most {MAX_NOTES_LINES} lines, to fit on the first page",
                "found": f"{len(notes.splitlines())}"}
    return None
