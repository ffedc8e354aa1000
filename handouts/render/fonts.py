"""Fonts: the TrueType files in fonts/ in; registered ReportLab names and per-character fallback runs out."""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Iterable

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..errors import ContentError, FontFileMissing
from ..model import Text

FONT_DIR = Path(__file__).resolve().parents[2] / "fonts"

MAIN, MAIN_BOLD, MAIN_ITALIC, MAIN_BOLD_ITALIC = "NotoSans", "NotoSans-Bold", "NotoSans-Italic", "NotoSans-BoldItalic"
FALLBACK, FALLBACK_BOLD = "DejaVuSans", "DejaVuSans-Bold"

# family -> (regular, bold, italic, bold italic); DejaVu has no italic of its own here, and its
# signs (≥, ✓, ⚠) read the same upright.
FAMILIES = {
    MAIN: (MAIN, MAIN_BOLD, MAIN_ITALIC, MAIN_BOLD_ITALIC),
    FALLBACK: (FALLBACK, FALLBACK_BOLD, FALLBACK, FALLBACK_BOLD),
}
FAMILY_NAMES = {MAIN: "Noto Sans", FALLBACK: "DejaVu Sans"}
FILES = {MAIN: "NotoSans-Regular.ttf", FALLBACK: "DejaVuSans.ttf"}
# Characters that never need a glyph: layout whitespace collapses before drawing.
_IGNORED = frozenset(" \t\r\n\u00a0")


class _SharedSubsetFont(TTFont):
    """A TrueType font that can start every document with the same characters in its first subsets.

    ReportLab numbers characters in the order a document first uses them, so two packets normally
    embed different subsets. Packets that start from one shared list embed byte-identical subsets,
    which a print file then stores once; characters beyond the list go into later subsets."""

    shared = ""

    def splitString(self, text, doc, encoding="utf-8"):
        if self.shared and doc not in self.state:
            state = self.state[doc] = TTFont.State(self._asciiReadable, self)
            super().splitString(self.shared, doc, encoding)
            state.nextCode = (state.nextCode + 255) & ~255
        return super().splitString(text, doc, encoding)


def share_subsets(characters: str) -> None:
    """Every document rendered after this in this process embeds CHARACTERS in the same subsets
    (each face takes the ones the fallback chain draws with it); "" turns it off."""
    register()
    ordered = sorted(set(characters) - _IGNORED)
    for family, faces in FAMILIES.items():
        mine = "".join(char for char in ordered if family_for(char) == family)
        for name in dict.fromkeys(faces):
            if name in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.getFont(name).shared = mine


_registered: set[str] = set()
# The italic faces are read when emphasis first asks for them (large print and most handouts never do).
_LATER = {MAIN_ITALIC, MAIN_BOLD_ITALIC}


def register(family: str = MAIN, italic: bool = False) -> None:
    """Register FAMILY's faces once per process (with its italics when ITALIC); later calls are free.
    The fallback family is registered only when a character first needs it: it is the larger half to read."""
    wanted = family + ("/italic" if italic else "")
    if wanted in _registered:
        return
    faces = FAMILIES[family]
    for name in dict.fromkeys(faces):
        if (name in _LATER) != italic or name in pdfmetrics.getRegisteredFontNames():
            continue
        path = FONT_DIR / FILES.get(name, f"{name}.ttf")
        if not path.is_file():
            raise FontFileMissing(path)
        pdfmetrics.registerFont(_SharedSubsetFont(name, str(path)))
        if italic:
            pdfmetrics.getFont(name).shared = pdfmetrics.getFont(faces[0]).shared
    pdfmetrics.registerFontFamily(family, normal=faces[0], bold=faces[1], italic=faces[2], boldItalic=faces[3])
    _registered.add(wanted)


@lru_cache(maxsize=None)
def _coverage(family: str) -> frozenset[int]:
    register(family)
    return frozenset(pdfmetrics.getFont(family).face.charToGlyph)


def family_for(char: str) -> str | None:
    """The first family of the fallback chain that has CHAR, or None."""
    if char in _IGNORED:
        return MAIN
    code = ord(char)
    for family in FAMILIES:
        if code in _coverage(family):
            return family
    return None


def runs(text: str) -> list[tuple[str, str]]:
    """TEXT split into (family, substring) runs, each drawn from the first family that has it."""
    # Grouped, then joined once: growing each run a character at a time was quadratic in its length.
    return [(family, "".join(chars)) for family, chars in groupby(text, key=lambda char: family_for(char) or MAIN)]


def face(family: str, bold: bool = False, italic: bool = False) -> str:
    return FAMILIES[family][int(bold) + 2 * int(italic)]


def missing(texts: Iterable[Text], path: Path | str) -> list[ContentError]:
    """One error per character in TEXTS that no font of the chain has."""
    errors = []
    for text in texts:
        for char in dict.fromkeys(text):
            if family_for(char) is None:
                errors.append(ContentError(
                    path, getattr(text, "line", 0),
                    expected=f"characters that {' or '.join(FAMILY_NAMES.values())} can draw",
                    found=f"'{char}' (U+{ord(char):04X})" if char.isprintable() else
                    f"the control character U+{ord(char):04X}",
                    fix="replace it with a character the fonts have"))
    return errors


def right_to_left(texts: Iterable[Text], path: Path | str) -> list[ContentError]:
    """Hebrew or Arabic would print backwards and unjoined: refuse it rather than mislead."""
    errors = []
    for text in texts:
        if any(unicodedata.bidirectional(char) in ("R", "AL") for char in text):
            errors.append(ContentError(path, getattr(text, "line", 0), expected="left-to-right text",
                                       found="right-to-left script (Hebrew or Arabic)",
                                       fix="right-to-left handouts are not supported yet"))
    return errors


def lacking(text: str) -> list[str]:
    """The characters of TEXT that no font of the chain has, each once."""
    return [char for char in dict.fromkeys(text) if family_for(char) is None]
