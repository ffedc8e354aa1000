"""PDF writing: handouts (one, or a patient's packet), a clinic profile and paper size in; PDF bytes (or a file, written atomically) out."""
from __future__ import annotations

import io
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from collections import Counter, OrderedDict
from functools import lru_cache
from typing import Callable, Mapping

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate
from reportlab.platypus.doctemplate import LayoutError

from . import __version__, fonts, model, styles
from .errors import ContentError, ContentErrors, OutputError
from .flowables import cover, draw_line, draw_text, notes_box, story, text_width
from .locales import Locale, for_language
from .styles import Geometry

# Streams are compressed already; ASCII85 on top of that only makes every PDF a quarter larger.
rl_config.useA85 = 0


@dataclass(frozen=True)
class Rendered:
    data: bytes
    pages: int


@dataclass(frozen=True)
class Written:
    path: Path
    pages: int
    size: int


@dataclass(frozen=True)
class Packet:
    """What one PDF holds: handouts in order, and optionally whose they are, a cover and notes."""

    handouts: tuple[model.Handout, ...]
    patient: model.Patient | None = None
    language: str = "en"          # of the cover, the notes and the header labels outside a handout
    cover: bool = False
    notes: str | None = None
    large_print: bool = False


class _DeferredCanvas(Canvas):
    """Holds every page until the end, so header and footer can say "Page X of Y" for each part."""

    def __init__(self, *args, decorate: Callable[[Canvas, int, int, int], None], **kwargs):
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict] = []
        self._decorate = decorate
        self.part_index = 0
        self._page_bookmarks: list[tuple[str, dict]] = []

    def bookmarkPage(self, key, **where):
        # A bookmark points at the page being written, which here happens only in save().
        self._page_bookmarks.append((key, where))

    def showPage(self):
        self._held_pages.append(dict(self.__dict__))
        self._page_bookmarks = []
        self._startPage()

    def save(self):
        parts = [state["part_index"] for state in self._held_pages]
        totals = Counter(parts)
        seen: Counter = Counter()
        for state, part in zip(self._held_pages, parts):
            self.__dict__.update(state)
            seen[part] += 1
            self._decorate(self, part, seen[part], totals[part])
            for key, where in state["_page_bookmarks"]:
                super().bookmarkPage(key, **where)
            super().showPage()
        self.page_count = len(parts)
        super().save()


# A laid-out page: what goes where, in drawing order. ("draw", flowable, x, y, slack) puts a
# wrapped flowable at (x, y); ("outline", key, title, level) marks the page in the outline.
Page = list[tuple]


class _LayoutCanvas(Canvas):
    """Collects the pages of a layout instead of drawing them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages: list[Page] = []
        self.entries: Page = []

    def showPage(self):
        self.pages.append(self.entries)
        self.entries = []

    def save(self):
        pass


class _LayoutFrame(Frame):
    """A frame that notes where each flowable goes instead of drawing it there."""

    def _add(self, flowable, canv, trySplit=0):
        # Frame._add decides the place and then calls flowable.drawOn: catch that call.
        flowable.drawOn = lambda canvas, x, y, _sW=0: canvas.entries.append(("draw", flowable, x, y, _sW))
        try:
            return super()._add(flowable, canv, trySplit)
        finally:
            del flowable.drawOn

    add = _add


class _LayoutDoc(BaseDocTemplate):
    source_line = 1
    source_path: Path | str = ""

    def handle_flowable(self, flowables):
        # Remember where in the YAML the block being placed came from, for a block that cannot fit.
        if flowables:
            self.source_line = getattr(flowables[0], "source_line", self.source_line)
            self.source_path = getattr(flowables[0], "source_path", self.source_path)
        super().handle_flowable(flowables)

    def afterFlowable(self, flowable):
        outline = getattr(flowable, "outline", None)
        if outline:
            self.canv.entries.append(("outline", *outline))


def _lay_out(flowables: list[Flowable], geometry: Geometry, path: Path | str) -> list[Page]:
    """The pages FLOWABLES fill, without drawing anything; a block too tall for a page is a
    problem at its line in PATH."""
    doc = _LayoutDoc(io.BytesIO(), pagesize=(geometry.page_width, geometry.page_height),
                     leftMargin=geometry.frame_x, rightMargin=geometry.frame_x,
                     topMargin=styles.MARGIN_TOP + geometry.header, bottomMargin=geometry.frame_y,
                     invariant=1, initialFontName=fonts.MAIN)
    frame = _LayoutFrame(geometry.frame_x, geometry.frame_y, geometry.frame_width, geometry.frame_height,
                         leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame])])
    try:
        doc.build(flowables, canvasmaker=_LayoutCanvas)
    except LayoutError:
        raise ContentErrors([ContentError(
            doc.source_path or path, doc.source_line, expected="a block that fits on one page",
            found="one that is taller than a page and cannot be split (a long table cell, picture or box entry)",
            fix="split it into shorter paragraphs, rows or entries")]) from None
    return doc.canv.pages


def _draw_pages(canv: _DeferredCanvas, part: int, pages: list[Page], outline: tuple[str, str, int] | None) -> None:
    """Draw laid-out PAGES as part PART, the first page marked in the outline as OUTLINE."""
    for number, page in enumerate(pages):
        canv.part_index = part
        for entry in ([("outline", *outline)] if outline and number == 0 else []) + page:
            if entry[0] == "outline":
                _, key, title, level = entry
                canv.bookmarkPage(key)
                canv.addOutlineEntry(title, key, level=level, closed=False)
            else:
                _, flowable, x, y, slack = entry
                flowable.drawOn(canv, x, y, _sW=slack)
        canv.showPage()


class _LayoutCache:
    """Laid-out handouts kept for the next packets: a handout's pages read the same for every
    patient whose values it prints are the same (most personalization sits in the header and footer),
    and laying out is most of the work of a packet."""

    def __init__(self, size: int = 16):
        self.size = size
        self._held: OrderedDict[tuple, tuple[model.Handout, list[Page]]] = OrderedDict()
        self._placeholders: dict[int, tuple[model.Handout, tuple[str, ...]]] = {}

    def placeholders(self, handout: model.Handout) -> tuple[str, ...]:
        """The placeholder names HANDOUT prints, in a fixed order."""
        held = self._placeholders.get(id(handout))
        if held is None or held[0] is not handout:
            names = sorted({name for text in handout.texts() for name in model.placeholder_names(text)})
            if len(self._placeholders) >= 4 * self.size:
                self._placeholders.clear()
            held = self._placeholders[id(handout)] = (handout, tuple(names))
        return held[1]

    def pages(self, handout: model.Handout, key: tuple, lay_out: Callable[[], list[Page]]) -> list[Page]:
        # Keyed by id() and checked by identity: a handout is a tree of frozen data, slow to hash.
        key = (id(handout), *key)
        held = self._held.get(key)
        if held is not None and held[0] is handout:
            self._held.move_to_end(key)
            return held[1]
        pages = lay_out()
        self._held[key] = (handout, pages)
        if len(self._held) > self.size:
            self._held.popitem(last=False)
        return pages


_layouts = _LayoutCache()


def _fit(text: str, width: float, size: float, bold: bool = False) -> str:
    """TEXT shortened with an ellipsis until it fits WIDTH."""
    if text_width(text, size, bold) <= width:
        return text
    while text and text_width(text + "…", size, bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


@dataclass(frozen=True)
class _PartLook:
    title: str                   # right of the header
    facts: str                   # left of the footer
    page_of: str | None          # "Page {page} of {total}", or None for no page number


class _Decoration:
    """Header and footer of every page: logo, clinic, title, patient line; facts and page numbers."""

    def __init__(self, clinic: model.Clinic, geometry: Geometry, patient_line: list[tuple[str, bool]],
                 parts: list[_PartLook]):
        self.geometry, self.parts = geometry, parts
        self.left, self.right = geometry.frame_x, geometry.frame_x + geometry.frame_width
        self.accent = colors.HexColor(clinic.color) if clinic.color else styles.ACCENT
        self.rule_color = self.accent if clinic.color else styles.RULE
        top = geometry.page_height - styles.MARGIN_TOP
        self.header_y = top - styles.HEADER_SIZE
        self.patient_y = self.header_y - styles.PATIENT_LINE_GAP
        self.header_rule = geometry.page_height - styles.MARGIN_TOP - geometry.header + styles.HEADER_BELOW_RULE
        self.footer_y = styles.MARGIN_BOTTOM + 0.3 * styles.FOOTER_SIZE     # descenders stay inside the margin
        self.footer_rule = self.footer_y + styles.PAGE_NUMBER_SIZE + styles.FOOTER_RULE_GAP
        self.logo, self.logo_size = None, (0.0, 0.0)
        text_left = self.left
        if clinic.logo:
            stat = clinic.logo.stat()
            self.logo, self.logo_size = _logo(str(clinic.logo), stat.st_mtime_ns, stat.st_size)
            text_left += self.logo_size[0] + styles.LOGO_GAP
        self.text_left = text_left
        width = self.right - text_left
        # The same on every page: shortened once, not once per page.
        name = model.fold_spaces(clinic.name) if clinic.name else ""
        self.clinic = _fit(name, width * styles.HEADER_CLINIC_SHARE, styles.HEADER_SIZE, True) if name else ""
        clinic_width = text_width(self.clinic, styles.HEADER_SIZE, True) + 18 if self.clinic else 0.0
        self.titles = [_fit(part.title, width - clinic_width, styles.HEADER_SIZE) for part in parts]
        self.facts = [_fit(part.facts, geometry.frame_width * styles.FOOTER_FACTS_SHARE, styles.FOOTER_SIZE)
                      for part in parts]
        self.patient_line = _fit_pieces(patient_line, width, styles.PATIENT_SIZE)

    def __call__(self, canv: Canvas, part: int, page: int, total: int) -> None:
        look = self.parts[part]
        header, footer = styles.HEADER_SIZE, styles.FOOTER_SIZE
        canv.saveState()
        if self.logo is not None:
            width, height = self.logo_size
            top = self.geometry.page_height - styles.MARGIN_TOP
            canv.drawImage(self.logo, self.left, top - height, width, height, mask="auto")
        if self.clinic:
            draw_text(canv, self.text_left, self.header_y, self.clinic, header, bold=True, color=self.accent)
        draw_text(canv, self.right, self.header_y, self.titles[part], header, align="right", color=styles.MUTED)
        if self.patient_line:
            draw_line(canv, self.text_left, self.patient_y, self.patient_line, styles.PATIENT_SIZE)
        canv.setStrokeColor(self.rule_color)
        canv.setLineWidth(styles.RULE_WIDTH)
        canv.line(self.left, self.header_rule, self.right, self.header_rule)
        canv.line(self.left, self.footer_rule, self.right, self.footer_rule)
        draw_text(canv, self.left, self.footer_y, self.facts[part], footer, color=styles.MUTED)
        if look.page_of:
            draw_text(canv, self.right, self.footer_y, look.page_of.format(page=page, total=total),
                      styles.PAGE_NUMBER_SIZE, bold=True, align="right")
        canv.restoreState()


@lru_cache(maxsize=8)
def _logo(path: str, _modified: int, _size: int) -> tuple[ImageReader, tuple[float, float]]:
    """The logo at PATH, read once per process (per version of the file), and the size it prints at.

    A logo with more pixels than print at LOGO_DPI is scaled down first: it looks the same on paper,
    and every PDF embeds, and every page hashes, far less."""
    from PIL import Image
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
    return ImageReader(image), size


def _fit_pieces(pieces: list[tuple[str, bool]], width: float, size: float) -> list[tuple[str, bool]]:
    """(text, bold) pieces of one line, the last ones shortened or dropped until the line fits WIDTH."""
    out, used = [], 0.0
    for text, bold in pieces:
        room = width - used
        piece = _fit(text, room, size, bold) if room > text_width("…", size, bold) else ""
        if piece:
            out.append((piece, bold))
            used += text_width(piece, size, bold)
        if piece != text:
            break
    return out


def _patient_line(patient: model.Patient | None, locale: Locale, values: Mapping[str, str]) -> list[tuple[str, bool]]:
    """"Patient: Ana Pérez · MRN A-1001 · Born March 14, 1948" as (text, bold) pieces; none without a patient."""
    if patient is None:
        return []
    pieces = [(f"{locale.patient_label}: ", False), (model.fold_spaces(patient.name or styles.BLANK), True)]
    if patient.mrn:
        pieces.append((f"  ·  {locale.mrn_label} {patient.mrn}", False))
    if values.get("patient.dob"):
        pieces.append((f"  ·  {locale.born_label}: {values['patient.dob']}", False))
    return pieces


def _facts(handout: model.Handout, locale: Locale) -> str:
    facts = [handout.id]
    if handout.version:
        facts.append(f"{locale.version_label} {handout.version}")
    if handout.reviewed:
        facts.append(f"{locale.reviewed_label} {handout.reviewed.isoformat()}")
    return " · ".join(facts)


def placeholder_values(clinic: model.Clinic, patient: model.Patient | None, language: str) -> dict[str, str]:
    """Every placeholder value for a handout in LANGUAGE: the clinic's, then the patient's (dates in words)."""
    locale = for_language(language)
    patient_values = patient.values(locale.format_date) if patient else {}
    return {**clinic.values(), **patient_values}


def render(handout: model.Handout, clinic: model.Clinic, paper: str = "letter",
           patient: model.Patient | None = None, large_print: bool = False) -> Rendered:
    """The PDF of one HANDOUT as bytes, personalized for PATIENT when given."""
    return render_packet(Packet((handout,), patient, handout.language, large_print=large_print), clinic, paper)


def render_packet(packet: Packet, clinic: model.Clinic, paper: str = "letter", keywords: str = "") -> Rendered:
    """The PDF of PACKET as bytes: each handout starts a page and numbers its own pages.

    A lone handout without a cover lists its sections at the top of the outline; in a packet each
    handout is an outline entry with its sections under it."""
    fonts.register()
    locale = for_language(packet.language)
    geometry = Geometry(paper, styles.header_height(clinic.logo is not None, packet.patient is not None))
    packet_values = placeholder_values(clinic, packet.patient, packet.language)
    lone = len(packet.handouts) == 1 and not packet.cover
    look = styles.look(packet.large_print)
    parts: list[tuple[list[Page], tuple[str, str, int] | None]] = []
    looks: list[_PartLook] = []
    if packet.cover:
        flowables = cover(list(packet.handouts), packet.patient or model.Patient(), clinic, packet_values,
                          geometry, locale, clinic.color, packet.notes, look)
        parts.append((_lay_out(flowables, geometry, packet.handouts[0].path), ("cover", locale.cover_title, 0)))
        looks.append(_PartLook(locale.cover_title, packet.patient.mrn if packet.patient and packet.patient.mrn
                               else "", None))
    for handout in packet.handouts:
        values = placeholder_values(clinic, packet.patient, handout.language)
        title = model.plain(handout.title, values, styles.BLANK)
        part = len(looks)
        notes = packet.notes if packet.notes and not packet.cover and part == 0 else None

        def lay_out(handout=handout, values=values, part=part, notes=notes) -> list[Page]:
            flowables: list[Flowable] = [notes_box(notes, geometry, locale, look)] if notes else []
            for flowable in story(handout, values, geometry, clinic.color, outline_prefix=f"part-{part}-",
                                  outline_level=0 if lone else 1, look=look):
                flowable.source_path = handout.path
                flowables.append(flowable)
            return _lay_out(flowables, geometry, handout.path)

        printed = tuple(values.get(name) for name in _layouts.placeholders(handout))
        key = (part, lone, geometry, packet.large_print, clinic.color, notes, packet.language if notes else None,
               printed)
        parts.append((_layouts.pages(handout, key, lay_out), None if lone else (f"part-{part}", title, 0)))
        handout_locale = for_language(handout.language)
        looks.append(_PartLook(title, _facts(handout, handout_locale), handout_locale.page_of))

    first = packet.handouts[0]
    titles = [look.title for look in looks[1 if packet.cover else 0:]]
    decoration = _Decoration(clinic, geometry, _patient_line(packet.patient, locale, packet_values), looks)
    buffer = io.BytesIO()
    canv = _DeferredCanvas(buffer, decorate=decoration, pagesize=(geometry.page_width, geometry.page_height),
                           invariant=1, initialFontName=fonts.MAIN,
                           lang=packet.language if not lone else first.language)
    canv.setAuthor(model.fold_spaces(clinic.name or ""))
    canv.setTitle(titles[0] if lone else f"{locale.cover_title}: {'; '.join(titles)}")
    canv.setSubject(first.kind if lone else ", ".join(dict.fromkeys(h.kind for h in packet.handouts)))
    canv.setCreator(f"handouts {__version__}")
    canv.setKeywords(keywords)
    canv.setViewerPreference("DisplayDocTitle", "true")
    canv.showOutline()
    for part, (pages, outline) in enumerate(parts):
        _draw_pages(canv, part, pages, outline)
    canv.save()
    return Rendered(buffer.getvalue(), canv.page_count)


def write_atomically(path: Path, data: bytes) -> None:
    """Write DATA to PATH through a temporary file in the same folder, so no reader sees half a PDF."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    except OSError as error:
        raise OutputError(path, error.strerror or str(error)) from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, file_mode())    # mkstemp makes it private; give it the usual mode
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(path, error.strerror or str(error)) from None


def file_mode() -> int:
    """The mode a newly created file gets under this process's umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def output_name(handout: model.Handout, patient: model.Patient | None = None, large_print: bool = False) -> str:
    """<id>.<language>.pdf (<id>.<language>.large.pdf in large print), with the MRN in front for one
    patient's copy (never the name)."""
    prefix = f"{patient.mrn}." if patient is not None and patient.mrn else ""
    return f"{prefix}{handout.id}.{handout.language}{'.large' if large_print else ''}.pdf"
