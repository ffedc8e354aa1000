"""Page furniture: the clinic, the patient and each part's title and facts in; header and footer drawn on every page out."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .. import model
from . import styles
from .markup import draw_line, draw_text, text_width
from ..locales import Locale
from .styles import Geometry, Look

# A chunk is a run of words that should stay on one line, each word (text, bold); lines break
# between chunks first, and inside a chunk only when it is wider than a whole line.
Chunk = list[tuple[str, bool]]
Line = list[tuple[str, bool]]


@dataclass(frozen=True)
class PartLook:
    """What the header and footer say on the pages of one part (the cover, or one handout)."""

    title: str                   # right of the clinic name
    facts: list[str]             # footer: handout id, version, review date
    page_of: str | None          # "Page {page} of {total}", or None for no page number
    patient: list[Chunk]         # "Patient: Ana Pérez", "MRN A-1001", "Born: March 14, 1948", in the part's language


def patient_chunks(patient: model.Patient | None, locale: Locale, values: Mapping[str, str]) -> list[Chunk]:
    """The patient's name, MRN and date of birth with their labels in LOCALE; none without a patient."""
    if patient is None:
        return []
    name = model.fold_spaces(patient.name or styles.BLANK)
    chunks = [[(f"{locale.patient_label}:", False)] + [(word, True) for word in name.split(" ")]]
    if patient.mrn:
        chunks.append([(locale.mrn_label, False), (patient.mrn, False)])
    if values.get("patient.dob"):
        chunks.append([(f"{locale.born_label}:", False)] + [(word, False) for word in values["patient.dob"].split()])
    return chunks


def wrap(chunks: list[Chunk], width: float, size: float, separator: str) -> list[Line]:
    """CHUNKS set in lines no wider than WIDTH, SEPARATOR between chunks on one line; nothing is
    ever cut off, so a name or date too long for the line wraps onto the next."""
    lines: list[Line] = []
    line: Line = []
    used = 0.0

    def add(text: str, bold: bool, space: str) -> None:
        nonlocal line, used
        piece_width = text_width(space + text, size, bold) if line else text_width(text, size, bold)
        if line and used + piece_width > width:
            lines.append(line)
            line, used, piece_width = [], 0.0, text_width(text, size, bold)
        line.append((space + text if line else text, bold))
        used += piece_width

    for chunk in chunks:
        whole = " ".join(text for text, _ in chunk)
        whole_width = text_width(whole, size, any(bold for _, bold in chunk))
        room = width - used - (text_width(separator, size) if line else 0)
        if line and whole_width > room and whole_width <= width:
            lines.append(line)           # the chunk fits on a line of its own: start one
            line, used = [], 0.0
        for index, (word, bold) in enumerate(chunk):
            for part in _fitting_parts(word, width, size, bold):
                add(part, bold, (separator if index == 0 else " ") if line else "")
    if line:
        lines.append(line)
    return [_merged(line) for line in lines]


def _fitting_parts(word: str, width: float, size: float, bold: bool) -> list[str]:
    """WORD, in pieces no wider than WIDTH: only a word longer than a whole line is broken."""
    parts = [""]
    for character in word:
        if parts[-1] and text_width(parts[-1] + character, size, bold) > width:
            parts.append("")
        parts[-1] += character
    return parts


def _merged(line: Line) -> Line:
    """Neighbouring pieces of the same weight as one, so the line draws (and extracts) in few runs."""
    out: Line = []
    for text, bold in line:
        if out and out[-1][1] == bold:
            out[-1] = (out[-1][0] + text, bold)
        else:
            out.append((text, bold))
    return out


def fit(text: str, width: float, size: float, bold: bool = False) -> str:
    """TEXT shortened with an ellipsis until it fits WIDTH (only for the clinic name and the title)."""
    if text_width(text, size, bold) <= width:
        return text
    # The longest prefix that fits with its ellipsis, found by doubling then halving (widths only grow
    # with length): cutting a character at a time measured the whole title once per character, quadratic
    # in its length; this measures only prefixes up to twice what fits.
    fits, too_long = 0, 1
    while too_long < len(text) and text_width(text[:too_long] + "…", size, bold) <= width:
        fits, too_long = too_long, too_long * 2
    too_long = min(too_long, len(text))
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if text_width(text[:middle] + "…", size, bold) <= width:
            fits = middle
        else:
            too_long = middle
    return text[:fits].rstrip() + "…"


class Furniture:
    """Header and footer of every page: logo, clinic, title, the patient's lines; facts and page numbers.

    The patient's name, MRN and date of birth are never shortened: they wrap, and the header grows."""

    def __init__(self, clinic: model.Clinic, paper: str, parts: list[PartLook], look: Look = styles.STANDARD):
        self.look, self.parts, self.paper = look, parts, paper
        self.page_width, self.page_height = styles.PAPER_SIZES[paper]
        self.left, self.right = styles.MARGIN_SIDE, self.page_width - styles.MARGIN_SIDE
        self.accent = colors.HexColor(clinic.color) if clinic.color else styles.ACCENT
        self.rule_color = self.accent if clinic.color else styles.RULE
        self.logo, self.logo_size = None, (0.0, 0.0)
        if clinic.logo:
            stat = clinic.logo.stat()
            self.logo, self.logo_size = _logo(str(clinic.logo), stat.st_mtime_ns, stat.st_size)
        self.text_left = self.left + (self.logo_size[0] + styles.LOGO_GAP if self.logo is not None else 0)
        width = self.right - self.text_left
        size = look.header_size
        # The same on every page: shortened once, not once per page.
        name = model.fold_spaces(clinic.name) if clinic.name else ""
        self.clinic = fit(name, width * styles.HEADER_CLINIC_SHARE, size, True) if name else ""
        clinic_width = text_width(self.clinic, size, True) + 18 if self.clinic else 0.0
        self.titles = [fit(part.title, width - clinic_width, size) for part in parts]
        self.patient_lines = [wrap(part.patient, width, look.patient_size, "  ·  ") for part in parts]
        page_width = max((text_width(part.page_of.format(page=888, total=888), look.page_number_size, True)
                          for part in parts if part.page_of), default=0.0)
        facts_width = self.right - self.left - page_width - styles.FOOTER_PAGE_GAP
        self.facts = [wrap([[(word, False) for word in fact.split(" ")] for fact in part.facts], facts_width,
                           look.footer_size, " · ") for part in parts]
        # Every part's pages are laid out in the same frame: room for the tallest header and footer.
        patient_lines = max(len(lines) for lines in self.patient_lines)
        fact_lines = max(max(len(lines) for lines in self.facts), 1)
        self.geometry = Geometry(paper, styles.header_height(self.logo is not None, patient_lines, look),
                                 styles.footer_height(fact_lines, look))

    def draw_logo(self, canv: Canvas) -> None:
        if self.logo is not None:
            width, height = self.logo_size
            top = self.page_height - styles.MARGIN_TOP
            canv.drawImage(self.logo, self.left, top - height, width, height, mask="auto")

    def __call__(self, canv: Canvas, part: int, page: int, total: int, logo: bool = True) -> None:
        """Header and footer of page PAGE of TOTAL of part PART (the logo too unless LOGO is false)."""
        look, geometry = self.look, self.geometry
        top = self.page_height - styles.MARGIN_TOP
        header_y = top - look.header_size
        header_rule = top - geometry.header + styles.HEADER_BELOW_RULE
        footer_y = styles.MARGIN_BOTTOM + styles.FOOTER_DESCENT * look.footer_size
        footer_rule = styles.MARGIN_BOTTOM + geometry.footer - styles.FOOTER_ABOVE_RULE
        canv.saveState()
        if logo:
            self.draw_logo(canv)
        if self.clinic:
            draw_text(canv, self.text_left, header_y, self.clinic, look.header_size, bold=True, color=self.accent)
        draw_text(canv, self.right, header_y, self.titles[part], look.header_size, align="right", color=styles.MUTED)
        for number, line in enumerate(self.patient_lines[part], start=1):
            draw_line(canv, self.text_left, header_y - number * styles.patient_leading(look), line, look.patient_size)
        canv.setStrokeColor(self.rule_color)
        canv.setLineWidth(styles.RULE_WIDTH)
        canv.line(self.left, header_rule, self.right, header_rule)
        canv.line(self.left, footer_rule, self.right, footer_rule)
        facts = self.facts[part]
        for number, line in enumerate(facts):
            y = footer_y + (len(facts) - 1 - number) * styles.footer_leading(look)
            draw_line(canv, self.left, y, line, look.footer_size, color=styles.MUTED)
        page_of = self.parts[part].page_of
        if page_of:
            draw_text(canv, self.right, footer_y, page_of.format(page=page, total=total), look.page_number_size,
                      bold=True, align="right")
        canv.restoreState()


@lru_cache(maxsize=8)      # bounded, and locked by lru_cache itself: two threads may both read a new logo
def _logo(path: str, _modified: int, _size: int) -> tuple[ImageReader, tuple[float, float]]:
    """The logo at PATH, read once per process (per version of the file), and the size it prints at.

    A logo with more pixels than print at LOGO_DPI is scaled down first: it looks the same on paper,
    and every PDF embeds, and every page hashes, far less. The reader is shared by every render, in any
    thread, so it is decoded here, whole, and only ever read afterwards."""
    from PIL import Image
    # No warnings.catch_warnings() here: it swaps the process's warning filters for every thread at once.
    # The loader has refused a picture over its pixel limit, the one Pillow warns of.
    with Image.open(path) as image:
        image.load()
    pixels_wide, pixels_high = image.size
    width = min(styles.LOGO_HEIGHT * pixels_wide / pixels_high, styles.LOGO_MAX_WIDTH)
    size = (width, width * pixels_high / pixels_wide)
    wanted = (math.ceil(size[0] / 72 * styles.LOGO_DPI), math.ceil(size[1] / 72 * styles.LOGO_DPI))
    if pixels_wide > wanted[0]:
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA" if "transparency" in image.info or "A" in image.mode else "RGB")
        image = image.resize(wanted, Image.BOX)   # area average: flat colours stay flat
    reader = ImageReader(image)
    # ReportLab decodes a reader on its first use, resetting its mask before it sets it again: a
    # thread drawing the logo meanwhile would embed it without its transparency.
    reader.getSize()
    reader.getRGBData()
    if reader._dataA is not None:
        reader._dataA.getRGBData()
    return reader, size
