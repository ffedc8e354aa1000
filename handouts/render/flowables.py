"""Flowables: a Handout and placeholder values in; the ReportLab story (a list of flowables) out."""
from __future__ import annotations

import math
import re
from typing import Callable, Mapping
from xml.sax.saxutils import escape

from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether
from reportlab.platypus import Image as ImageFlowable
from reportlab.platypus import PageBreak as PageBreakFlowable
from reportlab.platypus import Paragraph, Spacer
from reportlab.platypus import Table as TableFlowable
from reportlab.platypus import TableStyle
from reportlab.platypus.flowables import CondPageBreak

from . import fonts, styles
from .. import model
from ..errors import ContentError, ContentErrors
from ..locales import ENGLISH, Locale, base_language, for_language
from .styles import STANDARD, BoxStyle, Geometry, Look


NO_BREAK = "\u00a0"
CHECKBOX_ALIGNED = styles.CHECKBOX_SIZE     # the tick box size that sits on the baseline as drawn


# --- text ----------------------------------------------------------------------------------------
def markup(text: str, values: Mapping[str, str], italic: bool = True) -> str:
    """TEXT as Paragraph markup: emphasis and placeholders applied, everything else escaped; *emphasis*
    in bold unless ITALIC.

    Content is never parsed as markup; the only tags here are the ones written below."""
    parts = []
    for span in model.spans(text):
        if span.placeholder is not None:
            value = values.get(span.placeholder)
            content = model.fold_spaces(str(value)) if value else styles.BLANK
            if span.placeholder.endswith(("phone", "number")):
                content = content.replace(" ", NO_BREAK)     # "(555)" and "010-4499" on one line
            piece = _linked(content)      # a clinic website placeholder is a link too
        else:
            piece = _linked(span.text)
        if span.bold:
            piece = f"<b>{piece}</b>"
        if span.italic and italic:
            fonts.register(italic=True)
            piece = f"<i>{piece}</i>"
        elif span.italic:
            piece = f"<b>{piece}</b>"
        parts.append(piece)
    return model.fold_spaces("".join(parts))


_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]']")


def _linked(text: str) -> str:
    """TEXT as literal markup, with every web address a link (a screen reader and a click both follow it)."""
    parts, position = [], 0
    for match in _URL.finditer(text):
        address = match.group(0)
        target = address if "://" in address else f"https://{address}"
        parts.append(literal(text[position:match.start()]))
        parts.append(f'<a href="{escape(target, {chr(34): "&quot;"})}" color="{styles.LINK_COLOR}">'
                     f"{literal(address)}</a>")
        position = match.end()
    parts.append(literal(text[position:]))
    return "".join(parts)


def literal(text: str) -> str:
    """TEXT escaped for Paragraph markup, with characters Noto Sans lacks set in the fallback font."""
    return "".join(escape(chunk) if family == fonts.MAIN else f'<font face="{family}">{escape(chunk)}</font>'
                   for family, chunk in fonts.runs(text))


def para(text: str, style, values: Mapping[str, str], italic: bool = True) -> Paragraph:
    return Paragraph(markup(text, values, italic), style)


def draw_text(canv, x: float, y: float, text: str, size: float, bold: bool = False,
              align: str = "left", color=styles.INK) -> float:
    """Draw TEXT on the canvas run by run through the font chain; returns its width."""
    return draw_line(canv, x, y, [(text, bold)], size, align, color)


def draw_line(canv, x: float, y: float, pieces: list[tuple[str, bool]], size: float, align: str = "left",
              color=styles.INK) -> float:
    """Draw (text, bold) PIECES as one line in one text object, so it extracts as one line; returns its width."""
    runs = [(fonts.face(family, bold), chunk) for text, bold in pieces for family, chunk in fonts.runs(text)]
    width = sum(canv.stringWidth(chunk, name, size) for name, chunk in runs)
    if align == "right":
        x -= width
    elif align == "center":
        x -= width / 2
    canv.setFillColor(color)
    line = canv.beginText(x, y)
    for name, chunk in runs:
        line.setFont(name, size)
        line.textOut(chunk)
    canv.drawText(line)
    return width


def text_width(text: str, size: float, bold: bool = False) -> float:
    return sum(stringWidth(chunk, fonts.face(family, bold), size) for family, chunk in fonts.runs(text))


# --- custom flowables ------------------------------------------------------------------------------
class MarkedItem(Flowable):
    """A list entry: a marker drawn as a shape or number, and its paragraph indented beside it."""

    def __init__(self, marker: str | None, paragraph: Paragraph, level: int, label: str = "", look: Look = STANDARD):
        super().__init__()
        self.marker, self.paragraph, self.level, self.label, self.look = marker, paragraph, level, label, look
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
        first = MarkedItem(self.marker, parts[0], self.level, self.label, self.look)
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
        canv.saveState()
        canv.setStrokeColor(styles.INK)
        canv.setFillColor(styles.INK)
        if self.marker == "checkbox":
            side = look.checkbox_size
            canv.setLineWidth(look.checkbox_line)
            # A box taller than the standard one grows downwards as much as upwards around the first line.
            canv.rect(x, baseline - 2.5 - (side - CHECKBOX_ALIGNED) / 2, side, side, stroke=1, fill=0)
        elif self.marker == "number":
            draw_text(canv, x + look.marker_width - 6, baseline, self.label, size, bold=True, align="right")
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

    A split box repeats its title marked "(continued)" in the handout's language."""

    def __init__(self, style: BoxStyle, title: str | None, body: list[Flowable], values: Mapping[str, str],
                 max_height: float, locale: Locale = ENGLISH, continued: bool = False, look: Look = STANDARD):
        super().__init__()
        self.box_style, self.title_text, self.body = style, title, body
        self.values, self.max_height, self.locale, self.continued = values, max_height, locale, continued
        self.look = look
        shown = markup(title, values, look.italic) if title else ""
        if continued:
            shown = f"{shown} {literal(locale.continued)}".strip()
        label = f"<b>{literal(locale.labels[style.label])}:</b>" if style.label else ""
        self.title = Paragraph(f"{label} {shown}".strip(), look.box_title) if shown or label else None

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
                    self.look),
                Box(self.box_style, self.title_text, rest, self.values, self.max_height, self.locale, True, self.look)]

    def draw(self):
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
        top = self.height - self.inset
        if self.title is not None:
            if style.icon:
                _draw_icon(canv, style, self.inset, top - self.look.icon_size, self.look.icon_size)
            text_height = self.title_text_height
            offset = max(0.0, (self.look.icon_size - text_height) / 2) if style.icon else 0
            self.title.drawOn(canv, self.inset + self._title_indent(), top - text_height - offset)
            top -= self.title_height
        for flowable, height, gap in zip(self.body, self.heights, self.gaps):
            flowable.drawOn(canv, self.inset, top - height)
            top -= height + gap


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


class Picture(ImageFlowable):
    """An image with its alt text drawn over it as invisible text: untagged PDFs have no other place for
    it, and screen readers and text extraction then read it where the picture is."""

    def __init__(self, filename: str, alt: str, **options):
        super().__init__(filename, **options)
        self.alt_text = alt

    def draw(self):
        super().draw()
        text = self.canv.beginText(0, self.drawHeight - styles.ALT_TEXT_SIZE)
        text.setTextRenderMode(3)      # invisible: neither filled nor stroked
        for family, chunk in fonts.runs(self.alt_text):
            text.setFont(fonts.face(family), styles.ALT_TEXT_SIZE)
            text.textOut(chunk)
        self.canv.drawText(text)


class WriteInLines(Flowable):
    """Empty ruled lines to write on."""

    def __init__(self, count: int, look: Look = STANDARD):
        super().__init__()
        self.count, self.look = count, look

    def wrap(self, available_width, available_height):
        self.width = available_width
        self.height = self.count * self.look.write_in_spacing
        return self.width, self.height

    def draw(self):
        self.canv.setStrokeColor(styles.MUTED)
        self.canv.setLineWidth(styles.WRITE_IN_LINE)
        for index in range(self.count):
            y = self.height - (index + 1) * self.look.write_in_spacing + 2
            self.canv.line(0, y, self.width, y)

    def getSpaceAfter(self):
        return self.look.body.spaceAfter


class SignatureLine(Flowable):
    """A signature line with the role (wrapped) under it, and a shorter date line beside it."""

    def __init__(self, role: Paragraph, date_label: str = ENGLISH.date_label, look: Look = STANDARD):
        super().__init__()
        self.role, self.look = role, look
        self.date = Paragraph(literal(date_label), look.line_label)

    def _widths(self) -> tuple[float, float]:
        sign_width = self.width * styles.SIGNATURE_SHARE
        return sign_width, sign_width + styles.SIGNATURE_DATE_GAP

    def wrap(self, available_width, available_height):
        self.width = available_width
        sign_width, date_x = self._widths()
        _, self.role_height = self.role.wrap(sign_width, available_height)
        self.date.wrap(self.width - date_x, available_height)
        self.height = styles.SIGNATURE_GAP + 3 + self.role_height
        return self.width, self.height

    def draw(self):
        canv = self.canv
        sign_width, date_x = self._widths()
        line_y = self.role_height + 3
        canv.setStrokeColor(styles.INK)
        canv.setLineWidth(1)
        canv.line(0, line_y, sign_width, line_y)
        canv.line(date_x, line_y, self.width, line_y)
        self.role.drawOn(canv, 0, 0)
        self.date.drawOn(canv, date_x, self.role_height - self.date.height)

    def getSpaceAfter(self):
        return self.look.body.spaceAfter


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


# --- one function per block type -------------------------------------------------------------------
class _Context:
    def __init__(self, handout: model.Handout, values: Mapping[str, str], geometry: Geometry,
                 accent: str | None = None, look: Look = STANDARD):
        self.handout, self.values, self.geometry, self.accent, self.look = handout, values, geometry, accent, look
        self.locale = for_language(handout.language)

    def para(self, text: str, style) -> Paragraph:
        return para(text, style, self.values, self.look.italic)


def _marker(kind: str, level: int, number: int) -> tuple[str, str]:
    """The marker shape and label of entry NUMBER at LEVEL of a list of KIND."""
    if kind == "steps" and level == 0:
        return "number", f"{number}."
    if kind == "steps" and level == 1:
        return "number", f"{chr(ord('a') + (number - 1) % 26)}."
    if kind == "checklist":
        # Only the tasks get a box; entries under a task are details of it, bulleted one level up.
        return ("checkbox", "") if level == 0 else _marker("bullets", level - 1, number)
    return ("bullet", "circle", "dash")[min(level, 2)], ""


def _items(items, context: _Context, kind: str, style, level: int = 0) -> list[Flowable]:
    out: list[Flowable] = []
    for number, entry in enumerate(items, start=1):
        marker, label = _marker(kind, level, number)
        out.append(MarkedItem(marker, context.para(entry.text, style), level, label, context.look))
        out += _items(entry.items, context, kind, style, level + 1)
    return out


def _paragraph(block: model.Paragraph, context: _Context) -> list[Flowable]:
    return [context.para(block.text, context.look.body)]


def _bullets(block: model.Bullets, context: _Context) -> list[Flowable]:
    return _items(block.items, context, "bullets", context.look.item)


def _steps(block: model.Steps, context: _Context) -> list[Flowable]:
    return _items(block.items, context, "steps", context.look.item)


def _box(style_name: str, title: str | None, body: list[Flowable], context: _Context) -> Box:
    return Box(context.look.box_styles[style_name], title, body, context.values, context.geometry.frame_height,
               context.locale, look=context.look)


def _checklist(block: model.Checklist, context: _Context) -> list[Flowable]:
    body = _items(block.items, context, "checklist", context.look.checklist_item)
    return [_box("checklist", block.title, body, context)]


def _warning(block: model.Warning, context: _Context) -> list[Flowable]:
    body: list[Flowable] = []
    if block.text:
        body.append(context.para(block.text, context.look.box_text))
    body += _items(block.items, context, "bullets", context.look.item)
    return [_box(block.level, block.title, body, context)]


def _note(block: model.Note, context: _Context) -> list[Flowable]:
    return [_box("note", block.title, [context.para(block.text, context.look.box_text)], context)]


def _table(block: model.Table, context: _Context) -> list[Flowable]:
    look = context.look
    header = [context.para(cell, look.table_header) for cell in block.header]
    rows = [[context.para(cell, look.table_cell) for cell in row] for row in block.rows]
    table = TableFlowable([header] + rows, colWidths=_column_widths(block, context), repeatRows=1, hAlign="LEFT")
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), styles.TABLE_FONT),
        ("FONTSIZE", (0, 0), (-1, -1), look.table_cell.fontSize),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), styles.ACCENT),
        ("GRID", (0, 0), (-1, -1), look.table_grid, styles.RULE),
        ("BOX", (0, 0), (-1, -1), look.table_border, styles.ACCENT),
        ("TOPPADDING", (0, 0), (-1, -1), look.table_padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), look.table_padding + 1),
        ("LEFTPADDING", (0, 0), (-1, -1), look.table_padding + 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), look.table_padding + 1),
    ]
    commands += [("BACKGROUND", (0, r), (-1, r), styles.TABLE_STRIPE) for r in range(2, len(rows) + 1, 2)]
    table.setStyle(TableStyle(commands))
    table.spaceAfter = styles.BOX_SPACE_AFTER
    return [table]


def _column_widths(block: model.Table, context: _Context) -> list[float]:
    """Each column at least as wide as its longest word, the rest shared by how much text it holds."""
    padding = 2 * (context.look.table_padding + 1) + 2
    size = context.look.table_cell.fontSize
    # plain() folds ordinary spaces only, so splitting on " " keeps "500 mg" (no-break space) one word.
    columns = [[(model.plain(cell, context.values, styles.BLANK), row == 0) for row, cell in enumerate(column)]
               for column in zip(block.header, *block.rows)]
    least = [max(text_width(word, size, bold) for text, bold in column for word in text.split(" ")) + padding
             for column in columns]
    wanted = [max(text_width(text, size, bold) for text, bold in column) + padding for column in columns]
    width = context.geometry.frame_width
    if sum(least) > width:
        # Squeezed columns would break words and doses mid-way ("5/32" + "5 mg"): refuse instead.
        raise ContentErrors([ContentError(
            context.handout.path, block.header[0].line,
            expected=f"columns whose longest words fit across the page ({width / inch:.1f} in)",
            found=f"{len(columns)} columns needing {sum(least) / inch:.1f} in",
            fix="use fewer columns, or shorter words in the narrowest ones")])
    spare = width - sum(least)
    extra = [max(want - need, 0) for want, need in zip(wanted, least)]
    if sum(extra) <= spare:
        extra = [more + (spare - sum(extra)) / len(extra) for more in extra]
    else:
        extra = [spare * more / sum(extra) for more in extra]
    return [need + more for need, more in zip(least, extra)]


def _fill_in(block: model.FillIn, context: _Context) -> list[Flowable]:
    out: list[Flowable] = []
    for field in block.fields:
        label, answered = _fill_in_label(field.label, context.values)
        parts: list[Flowable] = [context.para(label, context.look.fill_in_label)]
        if not answered:
            parts.append(WriteInLines(field.lines, context.look))
        out.append(KeepTogether(parts))
    return out


_LAST_PLACEHOLDER = re.compile(r"\{\{(?P<name>[^{}]*)\}\}\s*")


def _fill_in_label(label: str, values: Mapping[str, str]) -> tuple[str, bool]:
    """The label as printed, and whether it holds its answer: a placeholder that ends a label is the
    answer, printed when known (no lines to write on), and otherwise left to the write-in lines alone
    (no short blank in the label as well)."""
    start = label.rfind("{{")      # a search from the end: no backtracking over a long label
    trailing = _LAST_PLACEHOLDER.fullmatch(label, start) if start >= 0 else None
    if trailing is None:
        return label, False
    if values.get(trailing["name"].strip()):
        return label, True
    return label[:trailing.start()].rstrip(), False


def _signature(block: model.Signature, context: _Context) -> list[Flowable]:
    return [KeepTogether([SignatureLine(context.para(role, context.look.line_label), context.locale.date_label,
                                        context.look)
                          for role in block.roles])]


def _image(block: model.Image, context: _Context) -> list[Flowable]:
    width = min(block.width * inch if block.width else styles.IMAGE_WIDTH, context.geometry.frame_width)
    picture = Picture(str(block.src), f"{context.locale.picture_label}: {model.plain(block.alt, context.values, '')}",
                      width=width, height=width, kind="proportional", hAlign="LEFT")
    parts: list[Flowable] = [picture]
    if block.caption:
        parts.append(context.para(block.caption, context.look.caption))
    else:
        parts.append(Spacer(1, context.look.body.spaceAfter))
    return [KeepTogether(parts)]


def _qr(block: model.QR, context: _Context) -> list[Flowable]:
    side = styles.QR_SIDE
    # Most handouts have no QR code: ReportLab's graphics load only for the ones that do.
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(str(block.url))
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0],
                      initialFontName=fonts.MAIN)  # or renderPDF selects Helvetica
    drawing.add(widget)
    # The printed address is typed in by patients: literal, never read for **emphasis**.
    link = f'<a href="{escape(block.url, {chr(34): "&quot;"})}" color="{styles.LINK_COLOR}">{literal(block.url)}</a>'
    text = [Paragraph(link, context.look.body)]
    if block.caption:
        text.insert(0, context.para(block.caption, context.look.body))
    width = context.geometry.frame_width
    table = TableFlowable([[drawing, text]], colWidths=[side + styles.QR_GAP, width - side - styles.QR_GAP],
                          hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), styles.TABLE_FONT),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    table.spaceAfter = styles.BOX_SPACE_AFTER
    return [table]


def _page_break(block: model.PageBreak, context: _Context) -> list[Flowable]:
    return [PageBreakFlowable()]


BLOCK_FLOWABLES: dict[type, Callable[[object, _Context], list[Flowable]]] = {
    model.Paragraph: _paragraph,
    model.Bullets: _bullets,
    model.Steps: _steps,
    model.Checklist: _checklist,
    model.Warning: _warning,
    model.Note: _note,
    model.Table: _table,
    model.FillIn: _fill_in,
    model.Signature: _signature,
    model.Image: _image,
    model.QR: _qr,
    model.PageBreak: _page_break,
}


def story(handout: model.Handout, values: Mapping[str, str], geometry: Geometry, accent: str | None = None,
          outline_prefix: str = "", outline_level: int = 0, look: Look = STANDARD) -> list[Flowable]:
    """The flowables of HANDOUT, in reading order, with placeholders filled from VALUES.

    Section headings become outline entries at OUTLINE_LEVEL, keyed under OUTLINE_PREFIX."""
    fonts.register()
    context = _Context(handout, values, geometry, accent, look)
    out: list[Flowable] = [context.para(handout.title, styles.accented(look.title, accent))]
    if handout.summary:
        out.append(_box("summary", None, [context.para(handout.summary, look.summary)], context))
    heading_style = styles.accented(look.heading, accent)
    for number, section in enumerate(handout.sections, start=1):
        heading = context.para(section.heading, heading_style)
        heading.outline = (f"{outline_prefix}section-{number}", model.plain(section.heading, values, styles.BLANK),
                           outline_level)
        heading.source_line = section.heading.line
        blocks = []
        for block in section.blocks:
            for flowable in BLOCK_FLOWABLES[type(block)](block, context):
                flowable.source_line = next(model.block_texts(block), section.heading).line
                blocks.append(flowable)
        while blocks and isinstance(blocks[0], PageBreakFlowable):
            out.append(blocks.pop(0))      # a break at the top of a section goes before its heading
        if any(isinstance(block, model.Signature) for block in section.blocks) \
                and not any(isinstance(flowable, PageBreakFlowable) for flowable in blocks):
            # What is signed stays on the page of its signature lines.
            out.append(KeepTogether([heading] + blocks))
            continue
        out += [KeepHeadingWithNext(heading, blocks[0] if blocks else None, geometry.frame_height, look), heading]
        out += blocks
    return out


def notes_box(notes: str, geometry: Geometry, locale: Locale, look: Look = STANDARD) -> Box:
    """The care team's notes for this patient, typed by staff: printed as written, never read as markup."""
    paragraphs = [Paragraph(literal(model.fold_spaces(line)), look.box_text)
                  for line in notes.splitlines() if line.strip()]
    return Box(look.box_styles["care_team"], locale.notes_title, paragraphs, {}, geometry.frame_height, locale,
               look=look)


def _enclosed(handout: model.Handout, values: Mapping[str, str], locale: Locale) -> str:
    """A handout's title on the cover, saying its language when it is not the cover's ("… (in English)")."""
    title = model.plain(handout.title, values, styles.BLANK)
    language = base_language(handout.language)
    if language == base_language(locale.tag):
        return title
    return f"{title} ({locale.in_language.get(language, handout.language)})"


def cover(handouts: list[model.Handout], patient: model.Patient, clinic: model.Clinic, values: Mapping[str, str],
          geometry: Geometry, locale: Locale, accent: str | None = None, notes: str | None = None,
          look: Look = STANDARD) -> list[Flowable]:
    """A first page for the nurse and the patient: whose packet, how to reach the clinic, and a
    checklist of the enclosed handouts to tick while going over each one."""
    def line(*pairs: tuple[str, str | None]) -> Paragraph:
        # A phone number or date breaks across lines only between label and value, never inside.
        shown = [f"{literal(label)}: <b>{literal(model.fold_spaces(value).replace(' ', NO_BREAK)) if value else styles.BLANK}</b>"
                 for label, value in pairs]
        return Paragraph("&nbsp;&nbsp;&nbsp;&nbsp;".join(shown), look.item)

    heading = styles.accented(look.heading, accent)
    out: list[Flowable] = [Paragraph(literal(locale.cover_title), styles.accented(look.title, accent)),
                           Paragraph(literal(locale.cover_patient), heading),
                           Paragraph(literal(model.fold_spaces(patient.name or "")) or styles.BLANK, look.cover_name),
                           line((locale.mrn_label, patient.mrn), (locale.born_label, values.get("patient.dob")))]
    if notes:
        out.append(notes_box(notes, geometry, locale, look))
    out.append(Paragraph(literal(locale.cover_contacts), heading))
    out.append(line((locale.cover_phone, clinic.phone), (locale.cover_after_hours, clinic.after_hours_phone),
                    (locale.cover_emergency, clinic.emergency_number)))
    checklist = [Paragraph(literal(locale.cover_enclosed_hint), look.box_text)]
    checklist += [MarkedItem("checkbox", Paragraph(literal(_enclosed(handout, values, locale)), look.checklist_item),
                             0, look=look)
                  for handout in handouts]
    out.append(Box(look.box_styles["checklist"], locale.cover_enclosed, checklist, {}, geometry.frame_height,
                   locale, look=look))
    out.append(SignatureLine(Paragraph(literal(locale.cover_reviewed_by), look.line_label), locale.date_label,
                             look))
    return out
