"""Text the PDFs cannot show: a text and the fonts' coverage in; what is wrong with it, in words, out."""
from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Callable, Iterable

from ..errors import ContentError
from ..model import Text

# The characters of a text that no font has, each once (render.fonts.lacking). The use case passes it
# in: content never loads fonts, which only rendering may.
Lacking = Callable[[str], list[str]]


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
