"""Fonts: the TrueType files in fonts/ in; registered ReportLab names and per-character fallback runs out."""
from __future__ import annotations

import os
import re
import threading
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from types import MappingProxyType
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
    """A TrueType font that can start a document with the same characters in its first subsets.

    ReportLab numbers characters in the order a document first uses them, so two packets normally
    embed different subsets. Packets that start from one shared list embed byte-identical subsets,
    which a print file then stores once; characters beyond the list go into later subsets. The list
    is the document's own (see shared_subsets), never the font's: every thread and every caller of the
    process draws with this one registered font object."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._subsetting = threading.Lock()

    def addObjects(self, doc):
        # Making a subset reads the font file through the face's one shared read position: two PDFs
        # saved at once from two threads would read at each other's positions (an IndexError, or worse,
        # a subset with the wrong glyphs and no error). One subset of a face is made at a time.
        with self._subsetting:
            super().addObjects(doc)
        _without_unused_codes(doc, self.face.name)

    def splitString(self, text, doc, encoding="utf-8"):
        shared = getattr(doc, _SHARED, None)
        mine = shared.get(self.fontName, "") if shared else ""
        if mine and doc not in self.state:
            state = self.state[doc] = TTFont.State(self._asciiReadable, self)
            super().splitString(mine, doc, encoding)
            state.nextCode = (state.nextCode + 255) & ~255
        return super().splitString(text, doc, encoding)


def _without_unused_codes(doc, face_name: bytes) -> None:
    """The ToUnicode maps of DOC's subsets of the face FACE_NAME, without the codes no character has.

    ReportLab maps every code of a subset it does not use to U+0000, which says the text there is a
    NUL character (PDF/UA-1 forbids it); a code with no entry is simply not text."""
    marker = b"+" + face_name
    for name, stream in doc.idToObject.items():
        if not name.startswith("toUnicodeCMap:") or marker not in name.encode("latin-1", "replace"):
            continue
        content, removed = _UNUSED.subn("", stream.content)
        if removed:
            count = _COUNT.search(content)
            stream.content = f"{content[:count.start(1)]}{int(count[1]) - removed}{content[count.end(1):]}"


_UNUSED = re.compile(r"^<[0-9A-F]{2}> <0000>\n", re.MULTILINE)
_COUNT = re.compile(r"^(\d+) beginbfchar$", re.MULTILINE)


# The attribute of a ReportLab PDFDocument that holds its shared subsets: set per document, so one
# caller's batch never changes what another's single handout embeds.
_SHARED = "handouts_shared_subsets"


def share_subsets(doc, characters: str) -> None:
    """Make the PDF document DOC (a canvas's _doc) embed CHARACTERS in the same first subsets as every
    other document given the same CHARACTERS (each face takes the ones the fallback chain draws with it)."""
    if characters:
        setattr(doc, _SHARED, _subsets(characters))


@lru_cache(maxsize=4)     # one batch's characters, asked for again by every packet of the batch
def _subsets(characters: str) -> MappingProxyType:
    register()
    ordered = sorted(set(characters) - _IGNORED)
    by_face = {}
    for family, faces in FAMILIES.items():
        mine = "".join(char for char in ordered if family_for(char) == family)
        by_face.update(dict.fromkeys(faces, mine))
    return MappingProxyType(by_face)


# Registration is process-wide by nature (ReportLab keeps one font registry per process): it happens
# once per face, under this lock, so two threads never register a face twice or read a half-made family.
_registering = threading.Lock()
_registered: set[str] = set()


def _new_lock() -> None:
    global _registering
    _registering = threading.Lock()
    for name in pdfmetrics.getRegisteredFontNames():
        font = pdfmetrics.getFont(name)
        if isinstance(font, _SharedSubsetFont):
            font._subsetting = threading.Lock()


if hasattr(os, "register_at_fork"):
    # A batch worker forked while another thread of a server held the lock would wait for it forever.
    os.register_at_fork(after_in_child=_new_lock)
# The italic faces are read when emphasis first asks for them (large print and most handouts never do).
_LATER = {MAIN_ITALIC, MAIN_BOLD_ITALIC}


def register(family: str = MAIN, italic: bool = False) -> None:
    """Register FAMILY's faces once per process (with its italics when ITALIC); later calls are free.
    The fallback family is registered only when a character first needs it: it is the larger half to read."""
    wanted = family + ("/italic" if italic else "")
    if wanted in _registered:      # added only once the family is whole: no lock needed to read it
        return
    with _registering:
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
        pdfmetrics.registerFontFamily(family, normal=faces[0], bold=faces[1], italic=faces[2], boldItalic=faces[3])
        _registered.add(wanted)


@lru_cache(maxsize=len(FAMILIES))     # bounded: one entry per family
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
    """One error per character in TEXTS that no font of the chain has (content, so it may be shown)."""
    return [ContentError(path, getattr(text, "line", 0),
                         expected=f"characters that {' or '.join(FAMILY_NAMES.values())} can draw",
                         found=f"'{char}' (U+{ord(char):04X})" if char.isprintable() else
                         f"the control character U+{ord(char):04X}",
                         fix="replace it with a character the fonts have")
            for text in texts for char in lacking(text)]


def lacking(text: str) -> list[str]:
    """The characters of TEXT that no font of the chain has, each once."""
    return [char for char in dict.fromkeys(text) if family_for(char) is None]
