"""PDF writing: a Handout, a clinic profile and paper size in; PDF bytes (or a file, written atomically) out."""
from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate
from reportlab.platypus.doctemplate import LayoutError

from . import __version__, fonts, model, styles
from .errors import ContentError, ContentErrors, OutputError
from .flowables import draw_text, story, text_width
from .styles import Geometry


@dataclass(frozen=True)
class Rendered:
    data: bytes
    pages: int


@dataclass(frozen=True)
class Written:
    path: Path
    pages: int
    size: int


class _DeferredCanvas(Canvas):
    """Holds every page until the end, so header and footer can say "Page X of Y"."""

    def __init__(self, *args, decorate: Callable[[Canvas, int, int], None], **kwargs):
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict] = []
        self._decorate = decorate

    def showPage(self):
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            self._decorate(self, self._pageNumber, total)
            super().showPage()
        self.page_count = total
        super().save()


class _HandoutDoc(BaseDocTemplate):
    source_line = 1

    def handle_flowable(self, flowables):
        # Remember where in the YAML the block being placed came from, for a block that cannot fit.
        if flowables:
            self.source_line = getattr(flowables[0], "source_line", self.source_line)
        super().handle_flowable(flowables)

    def afterFlowable(self, flowable):
        outline = getattr(flowable, "outline", None)
        if outline:
            key, title = outline
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=0, closed=False)


def _fit(text: str, width: float, size: float, bold: bool = False) -> str:
    """TEXT shortened with an ellipsis until it fits WIDTH."""
    if text_width(text, size, bold) <= width:
        return text
    while text and text_width(text + "…", size, bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _decorator(handout: model.Handout, clinic: model.Clinic, geometry: Geometry, values: Mapping[str, str]):
    header, footer, number = styles.HEADER_SIZE, styles.FOOTER_SIZE, styles.PAGE_NUMBER_SIZE
    left, right = geometry.frame_x, geometry.frame_x + geometry.frame_width
    header_y = geometry.page_height - styles.MARGIN_TOP - header
    header_rule = header_y - styles.HEADER_RULE_GAP
    footer_y = styles.MARGIN_BOTTOM + 0.3 * footer     # descenders stay inside the margin
    footer_rule = footer_y + number + styles.FOOTER_RULE_GAP
    title = model.plain(handout.title, values, styles.BLANK)
    clinic_name = model.fold_spaces(clinic.name) if clinic.name else ""
    facts = [handout.id]
    if handout.version:
        facts.append(f"version {handout.version}")
    if handout.reviewed:
        facts.append(f"reviewed {handout.reviewed.isoformat()}")
    # The same on every page: shortened once, not once per page.
    shown_clinic = _fit(clinic_name, geometry.frame_width * styles.HEADER_CLINIC_SHARE, header, True) \
        if clinic_name else ""
    clinic_width = text_width(shown_clinic, header, True) if shown_clinic else 0.0
    shown_title = _fit(title, geometry.frame_width - clinic_width - 18, header)
    shown_facts = _fit(" · ".join(facts), geometry.frame_width * styles.FOOTER_FACTS_SHARE, footer)

    def decorate(canv: Canvas, page: int, total: int) -> None:
        canv.saveState()
        if shown_clinic:
            draw_text(canv, left, header_y, shown_clinic, header, bold=True, color=styles.ACCENT)
        draw_text(canv, right, header_y, shown_title, header, align="right", color=styles.MUTED)
        canv.setStrokeColor(styles.RULE)
        canv.setLineWidth(styles.RULE_WIDTH)
        canv.line(left, header_rule, right, header_rule)
        canv.line(left, footer_rule, right, footer_rule)
        draw_text(canv, left, footer_y, shown_facts, footer, color=styles.MUTED)
        draw_text(canv, right, footer_y, f"Page {page} of {total}", number, bold=True, align="right")
        canv.restoreState()

    return decorate


def render(handout: model.Handout, clinic: model.Clinic, paper: str = "letter",
           values: Mapping[str, str] | None = None) -> Rendered:
    """The PDF of HANDOUT as bytes; VALUES adds to (and overrides) the clinic's placeholder values."""
    fonts.register()
    geometry = Geometry(paper)
    merged = {**clinic.values(), **(values or {})}
    buffer = io.BytesIO()
    doc = _HandoutDoc(buffer, pagesize=(geometry.page_width, geometry.page_height),
                      leftMargin=geometry.frame_x, rightMargin=geometry.frame_x,
                      topMargin=styles.MARGIN_TOP + styles.HEADER_HEIGHT, bottomMargin=geometry.frame_y,
                      title=model.plain(handout.title, merged, styles.BLANK),
                      author=model.fold_spaces(clinic.name or ""),
                      subject=handout.kind,
                      creator=f"handouts {__version__}", lang=handout.language, invariant=1,
                      initialFontName=fonts.MAIN)
    frame = Frame(geometry.frame_x, geometry.frame_y, geometry.frame_width, geometry.frame_height,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")

    def first_page(canv, _doc):
        canv.setViewerPreference("DisplayDocTitle", "true")
        canv.showOutline()

    doc.addPageTemplates([PageTemplate("page", [frame], onPage=first_page)])
    canvases: list[_DeferredCanvas] = []

    def make_canvas(*args, **kwargs):
        canvases.append(_DeferredCanvas(*args, decorate=_decorator(handout, clinic, geometry, merged), **kwargs))
        return canvases[-1]

    flowables = story(handout, merged, geometry)
    try:
        doc.build(flowables, canvasmaker=make_canvas)
    except LayoutError:
        raise ContentErrors([ContentError(
            handout.path, doc.source_line, expected="a block that fits on one page",
            found="one that is taller than a page and cannot be split (a long table cell, picture or box entry)",
            fix="split it into shorter paragraphs, rows or entries")]) from None
    return Rendered(buffer.getvalue(), canvases[-1].page_count)


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
        os.chmod(temporary, 0o666 & ~_umask())    # mkstemp makes it private; give it the usual mode
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(path, error.strerror or str(error)) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def output_name(handout: model.Handout) -> str:
    return f"{handout.id}.{handout.language}.pdf"
