"""Layout: flowables and a page geometry in; pages of placed flowables out (drawn later, reused across patients)."""
from __future__ import annotations

import io
import os
import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate
from reportlab.platypus.doctemplate import LayoutError

from . import fonts, styles
from .. import blocks, model
from ..errors import ContentError, ContentErrors
from .styles import Geometry


# A laid-out page: what goes where, in drawing order. ("draw", flowable, x, y, slack) puts a
# wrapped flowable at (x, y); ("outline", key, title, level) marks the page in the outline;
# ("structure", node) begins a part's section of the structure tree.
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


def lay_out(flowables: list[Flowable], geometry: Geometry, path: Path | str) -> list[Page]:
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


def draw_pages(canv: Canvas, part: int, pages: list[Page], outline: tuple[str, str, int] | None) -> None:
    """Draw laid-out PAGES as part PART, the first page marked in the outline as OUTLINE."""
    for number, page in enumerate(pages):
        canv.part_index = part
        for entry in ([("outline", *outline)] if outline and number == 0 else []) + page:
            if entry[0] == "outline":
                _, key, title, level = entry
                canv.bookmarkPage(key)
                canv.addOutlineEntry(title, key, level=level, closed=False)
            elif entry[0] == "structure":
                if getattr(canv, "tagger", None) is not None:
                    canv.tagger.parts.append(entry[1])
            else:
                _, flowable, x, y, slack = entry
                flowable.drawOn(canv, x, y, _sW=slack)
        canv.showPage()


class LayoutCache:
    """Laid-out handouts kept for the next packets: a handout's pages read the same for every
    patient whose values it prints are the same (most personalization sits in the header and footer),
    and laying out is most of the work of a packet.

    Bounded, and safe from many threads: a render takes a layout out while it draws it (a ReportLab
    flowable holds the canvas it is drawing on), so no two renders draw the same flowables at once; a
    render that meanwhile needs the same layout lays out its own copy, and the one put back last stays."""

    def __init__(self, size: int = 16):
        self.size = size
        self._lock = threading.Lock()
        self._held: OrderedDict[tuple, tuple[model.Handout, list[Page]]] = OrderedDict()
        self._placeholders: dict[int, tuple[model.Handout, tuple[str, ...]]] = {}

    def placeholders(self, handout: model.Handout) -> tuple[str, ...]:
        """The placeholder names HANDOUT prints, in a fixed order."""
        with self._lock:
            held = self._placeholders.get(id(handout))
        if held is None or held[0] is not handout:
            names = sorted({name for text in blocks.handout_texts(handout) for name in model.placeholder_names(text)})
            held = (handout, tuple(names))
            with self._lock:
                if len(self._placeholders) >= 4 * self.size:
                    self._placeholders.clear()
                self._placeholders[id(handout)] = held
        return held[1]

    @contextmanager
    def pages(self, handout: model.Handout, key: tuple, lay_out: Callable[[], list[Page]]) -> Iterator[list[Page]]:
        """HANDOUT's pages for KEY, from the cache or else LAY_OUT(), for the render's own use until the
        `with` ends."""
        # Keyed by id() and checked by identity: a handout is a tree of frozen data, slow to hash.
        key = (id(handout), *key)
        with self._lock:
            held = self._held.pop(key, None)
        pages = held[1] if held is not None and held[0] is handout else lay_out()
        yield pages
        # Put back only when drawn without an error: a draw that failed may leave its flowables half way.
        with self._lock:
            self._held[key] = (handout, pages)
            while len(self._held) > self.size:
                self._held.popitem(last=False)


cache = LayoutCache()
if hasattr(os, "register_at_fork"):
    # A batch worker forked while another thread of a server held the lock would wait for it forever.
    os.register_at_fork(after_in_child=lambda: setattr(cache, "_lock", threading.Lock()))
