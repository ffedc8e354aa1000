"""Flowables: paragraphs and content pieces in; the ReportLab flowables that draw list entries, boxes and keep headings with what follows out."""
from __future__ import annotations

import math
from contextlib import nullcontext
from typing import Mapping

from reportlab.platypus import Flowable, KeepTogether
from reportlab.platypus import Paragraph
from reportlab.platypus import Table as TableFlowable
from reportlab.platypus.flowables import CondPageBreak

from . import styles
from ..locales import ENGLISH, Locale
from .markup import Text, draw_text, literal, markup
from .styles import STANDARD, BoxStyle, Look
from .tags import Node, artifact, marked, repeated


CHECKBOX_ALIGNED = styles.CHECKBOX_SIZE     # the tick box size that sits on the baseline as drawn


# --- custom flowables ------------------------------------------------------------------------------
class MarkedItem(Flowable):
    """A list entry: a marker drawn as a shape or number, and its paragraph indented beside it.

    A number or tick box is the content of LABEL_TAG (the entry's Lbl); a bullet is an artifact."""

    def __init__(self, marker: str | None, paragraph: Paragraph, level: int, label: str = "", look: Look = STANDARD,
                 label_tag: Node | None = None):
        super().__init__()
        self.marker, self.paragraph, self.level, self.label, self.look = marker, paragraph, level, label, look
        self.label_tag = label_tag
        self.indent = level * look.indent_step + look.marker_width
        self.style = paragraph.style

    def wrap(self, available_width, available_height):
        self.width = available_width
        _, self.height = self.paragraph.wrap(available_width - self.indent, available_height)
        return self.width, self.height

    def split(self, available_width, available_height):
        parts = self.paragraph.split(available_width - self.indent, available_height)
        if len(parts) < 2:
            return []
        first = MarkedItem(self.marker, parts[0], self.level, self.label, self.look, self.label_tag)
        return [first] + [MarkedItem(None, part, self.level, look=self.look) for part in parts[1:]]

    def getSpaceAfter(self):
        return self.style.spaceAfter

    def getSpaceBefore(self):
        return self.style.spaceBefore

    def draw(self):
        # The marker is drawn before the text so that "1." extracts ahead of its step.
        if self.marker:
            self._draw_marker()
        self.paragraph.drawOn(self.canv, self.indent, 0)

    def _draw_marker(self):
        canv, size = self.canv, self.style.fontSize
        blpara = self.paragraph.blPara
        first = blpara if blpara.kind == 0 else blpara.lines[0]
        baseline = self.height - getattr(first, "ascent", size)   # as Paragraph.drawPara places line one
        look = self.look
        x = self.level * look.indent_step
        if self.marker == "number":
            with marked(canv, self.label_tag):
                draw_text(canv, x + look.marker_width - 6, baseline, self.label, size, bold=True, align="right")
            return
        # A tick box is its label's content, which says "Box to tick" in words (its actual text): a label
        # with no content of its own is dropped by readers that go by what a page draws.
        with marked(canv, self.label_tag) if self.marker == "checkbox" and self.label_tag else artifact(canv):
            self._draw_shape(x, baseline, size)

    def _draw_shape(self, x: float, baseline: float, size: float) -> None:
        canv, look = self.canv, self.look
        canv.saveState()
        canv.setStrokeColor(styles.INK)
        canv.setFillColor(styles.INK)
        if self.marker == "checkbox":
            side = look.checkbox_size
            canv.setLineWidth(look.checkbox_line)
            # A box taller than the standard one grows downwards as much as upwards around the first line.
            canv.rect(x, baseline - 2.5 - (side - CHECKBOX_ALIGNED) / 2, side, side, stroke=1, fill=0)
        else:
            middle = baseline + size * 0.33
            radius = look.bullet_radius
            if self.marker == "bullet":
                canv.circle(x + radius + 2, middle, radius, stroke=0, fill=1)
            elif self.marker == "circle":
                canv.setLineWidth(1)
                canv.circle(x + radius + 2, middle, radius, stroke=1, fill=0)
            else:
                canv.setLineWidth(1.3)
                canv.line(x + 1, middle, x + 2 * radius + 3, middle)
        canv.restoreState()


# Boxes of tasks or notes may start at the foot of a page rather than leave a third of it empty;
# warning boxes move whole, so a warning is never read in halves.
EARLY_SPLIT_BOXES = frozenset({"checklist", "note", "care_team"})
EARLY_SPLIT_ROOM = 1 / 4     # of the page height: at least this much room left to start a box there
EARLY_SPLIT_ENTRIES = 2      # and room for at least this many of its entries


class Box(Flowable):
    """A bordered box with a title; moves whole to the next page, and splits only when taller than one
    (or, for a checklist or note, when a quarter of the page is left for its title and two entries).

    A split box repeats its title marked "(continued)" in the handout's language. The title is the
    content of TAG (its heading) the first time, and an artifact when repeated; the box's shapes are artifacts."""

    def __init__(self, style: BoxStyle, title: str | None, body: list[Flowable], values: Mapping[str, str],
                 max_height: float, locale: Locale = ENGLISH, continued: bool = False, look: Look = STANDARD,
                 tag: Node | None = None):
        super().__init__()
        self.box_style, self.title_text, self.body = style, title, body
        self.values, self.max_height, self.locale, self.continued = values, max_height, locale, continued
        self.look, self.tag = look, tag
        shown = markup(title, values, look.italic) if title else ""
        if continued:
            shown = f"{shown} {literal(locale.continued)}".strip()
        label = f"<b>{literal(locale.labels[style.label])}:</b>" if style.label else ""
        self.title = Text(f"{label} {shown}".strip(), look.box_title, tag=tag) if shown or label else None

    @property
    def inset(self) -> float:
        return self.box_style.padding + self.box_style.border_width

    def _title_indent(self) -> float:
        return self.look.icon_size + 8 if self.box_style.icon else 0

    def wrap(self, available_width, available_height):
        """Wraps the title and body once; draw() places them with these heights."""
        self.width = available_width
        inner = available_width - 2 * self.inset
        self.title_height = self.title_text_height = 0.0
        if self.title is not None:
            _, self.title_text_height = self.title.wrap(inner - self._title_indent(), 10_000)
            self.title_height = max(self.title_text_height, self.look.icon_size if self.box_style.icon else 0) \
                + self.look.box_title.spaceAfter
        self.heights = [flowable.wrap(inner, 10_000)[1] for flowable in self.body]
        self.gaps = [flowable.getSpaceAfter() for flowable in self.body[:-1]] + [0]
        self.height = 2 * self.inset + self.title_height + sum(self.heights) + sum(self.gaps)
        return self.width, self.height

    def getSpaceAfter(self):
        return styles.BOX_SPACE_AFTER

    @property
    def splits_early(self) -> bool:
        return self.box_style.name in EARLY_SPLIT_BOXES

    def split(self, available_width, available_height):
        self.wrap(available_width, available_height)
        early = self.splits_early and available_height >= self.max_height * EARLY_SPLIT_ROOM
        if self.height <= self.max_height and not early:
            return []          # fits on a fresh page: move it whole
        room = available_height - 2 * self.inset - self.title_height
        inner = available_width - 2 * self.inset
        used, first, partial = 0.0, [], False
        rest = list(self.body)
        while rest:
            flowable = rest[0]
            _, h = flowable.wrap(inner, 10_000)
            if used + h <= room:
                first.append(rest.pop(0))
                used += h + flowable.getSpaceAfter()
                continue
            parts = flowable.split(inner, room - used) if room - used > 0 else []
            if len(parts) >= 2:
                first.append(parts[0])
                rest[0:1] = parts[1:]
                partial = True
            break
        # An entry under a task is a detail of it ("such as: pain, pus"): it goes with its task.
        while first and rest and getattr(rest[0], "level", 0) > 0 and getattr(rest[0], "marker", None):
            rest.insert(0, first.pop())
        whole = len(first) - partial     # the start of an entry is not an entry that fits
        if not first or not rest or (self.height <= self.max_height and whole < EARLY_SPLIT_ENTRIES):
            return []
        return [Box(self.box_style, self.title_text, first, self.values, self.max_height, self.locale, self.continued,
                    self.look, self.tag),
                Box(self.box_style, self.title_text, rest, self.values, self.max_height, self.locale, True, self.look,
                    self.tag)]

    def draw(self):
        canv, style = self.canv, self.box_style
        with artifact(canv):
            self._draw_frame()
        top = self.height - self.inset
        if self.title is not None:
            if style.icon:
                with artifact(canv):
                    _draw_icon(canv, style, self.inset, top - self.look.icon_size, self.look.icon_size)
            text_height = self.title_text_height
            offset = max(0.0, (self.look.icon_size - text_height) / 2) if style.icon else 0
            with repeated(canv) if self.continued else nullcontext():
                self.title.drawOn(canv, self.inset + self._title_indent(), top - text_height - offset)
            top -= self.title_height
        for flowable, height, gap in zip(self.body, self.heights, self.gaps):
            flowable.drawOn(canv, self.inset, top - height)
            top -= height + gap

    def _draw_frame(self) -> None:
        canv, style = self.canv, self.box_style
        half = style.border_width / 2
        canv.saveState()
        if style.fill is not None:
            canv.setFillColor(style.fill)
        canv.setStrokeColor(style.border)
        canv.setLineWidth(style.border_width)
        canv.roundRect(half, half, self.width - 2 * half, self.height - 2 * half, styles.BOX_RADIUS,
                       stroke=1 if style.border_width else 0, fill=1 if style.fill is not None else 0)
        canv.restoreState()


def _draw_icon(canv, style: BoxStyle, x: float, y: float, size: float) -> None:
    """A filled shape with a white '!': triangle, circle or octagon, so the level reads in grey too."""
    cx, cy = x + size / 2, y + size / 2
    canv.saveState()
    canv.setFillColor(style.border)
    path = canv.beginPath()
    if style.icon == "triangle":
        path.moveTo(x, y + 1)
        path.lineTo(x + size, y + 1)
        path.lineTo(cx, y + size)
        path.close()
        canv.drawPath(path, stroke=0, fill=1)
        cy -= 2.5 * size / styles.ICON_SIZE
    elif style.icon == "circle":
        canv.circle(cx, cy, size / 2, stroke=0, fill=1)
    else:
        radius = size / 2 / math.cos(math.pi / 8)
        for corner in range(8):
            angle = math.pi / 8 + corner * math.pi / 4
            point = (cx + radius * math.cos(angle) * 0.93, cy + radius * math.sin(angle) * 0.93)
            path.moveTo(*point) if corner == 0 else path.lineTo(*point)
        path.close()
        canv.drawPath(path, stroke=0, fill=1)
    # The "!" is drawn as shapes, not text, so the box reads "CAUTION: ..." when extracted or read aloud.
    canv.setFillColor(styles.WHITE)
    scale = size / styles.ICON_SIZE
    canv.roundRect(cx - 1.4 * scale, cy - 2.5 * scale, 2.8 * scale, 9 * scale, 1.2 * scale, stroke=0, fill=1)
    canv.circle(cx, cy - 5.8 * scale, 1.6 * scale, stroke=0, fill=1)
    canv.restoreState()


class KeepHeadingWithNext(CondPageBreak):
    """Starts a new page unless the heading and the start of what follows it both fit: whenever the
    block after a heading would move to the next page, the heading moves with it."""

    def __init__(self, heading: Paragraph, following: Flowable | None, max_height: float, look: Look = STANDARD):
        super().__init__(0)
        self.look = look
        self.heading, self.following, self.max_height = heading, following, max_height

    def wrap(self, available_width, available_height):
        _, heading_height = self.heading.wrap(available_width, available_height)
        need = heading_height + self.heading.getSpaceBefore() + self.heading.getSpaceAfter()
        at_top = available_height >= self.max_height - 1      # a new page would not give more room
        if not at_top and (need > available_height or self.following is not None
                           and not self._starts(available_width, available_height - need)):
            need = available_height + 1
        self.height = need
        return super().wrap(available_width, available_height)

    def _starts(self, width: float, room: float) -> bool:
        """Whether the block after the heading begins on this page, given ROOM under the heading."""
        following = self.following
        room -= following.getSpaceBefore()
        if room <= 0:
            return False
        if isinstance(following, TableFlowable):
            following.wrapOn(self.canv, width, 10_000)
            # A table starts with its header and first row, or not at all.
            return sum(following._rowHeights[:2]) <= room
        if isinstance(following, KeepTogether):
            following.wrapOn(self.canv, width, 10_000)
            height = following._H          # its wrap answers "huge" on purpose
            return height <= room if height <= self.max_height else room >= 3.5 * self.look.body.leading
        _, height = following.wrapOn(self.canv, width, room)
        if height <= room:
            return True
        # Enough of a splittable block to start it under the heading (three lines), if it splits here at all.
        return room >= 3.5 * self.look.body.leading and len(following.splitOn(self.canv, width, room)) >= 2
