"""The layout kit: one handout's placeholder values, page and look in; the parts block types lay themselves out with out."""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Mapping
from xml.sax.saxutils import escape

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether
from reportlab.platypus import PageBreak as PageBreakFlowable
from reportlab.platypus import Spacer
from reportlab.platypus import TableStyle

from . import fonts, styles
from .. import model
from ..errors import ContentError, ContentErrors
from ..locales import for_language
from .flowables import Box, MarkedItem
from .pieces import MarkedDrawing, MarkedTable, Picture, SignatureLine, WriteInLines
from .markup import Text, literal, para, text_width
from .styles import STANDARD, Geometry, Look
from .tags import Node

_LAST_PLACEHOLDER = re.compile(r"\{\{(?P<name>[^{}]*)\}\}\s*")


class Kit:
    """What a block type's layout asks for, by name: styles of the look, boxes, lists, tables, lines.

    Each part it makes is tagged with a new structure node under PARENT, in the order they are made."""

    def __init__(self, handout: model.Handout, values: Mapping[str, str], geometry: Geometry,
                 accent: str | None = None, look: Look = STANDARD, parent: Node | None = None):
        self.handout, self.values, self.geometry, self.accent, self.look = handout, values, geometry, accent, look
        self.locale = for_language(handout.language)
        self.parent = parent if parent is not None else Node("Sect")

    @contextmanager
    def under(self, node: Node) -> Iterator[Node]:
        """Parts made inside are tagged under NODE."""
        outer, self.parent = self.parent, node
        try:
            yield node
        finally:
            self.parent = outer

    def para(self, text: str, style, role: str = "P", tag: Node | None = None) -> Text:
        """TEXT with its placeholders filled, in STYLE (a style of the look, or its name), tagged ROLE (or TAG)."""
        style = getattr(self.look, style) if isinstance(style, str) else style
        return para(text, style, self.values, self.look.italic, tag if tag is not None else self.parent.add(role))

    def items(self, items: tuple[model.Item, ...], kind: str, style: str, level: int = 0) -> list[Flowable]:
        """The entries of a list of KIND (bullets, steps, checklist), sub-entries indented under each: a list
        (L) of entries (LI), each its label (Lbl: a number, or a checklist's box to tick) and body (LBody:
        the entry's words, then the list of its sub-entries)."""
        out: list[Flowable] = []
        with self.under(self.parent.add("L")) as listed:
            for number, entry in enumerate(items, start=1):
                marker, label = _marker(kind, level, number)
                item = listed.add("LI")
                label_tag = item.add("Lbl", actual=self.locale.tick_box if marker == "checkbox" else None) \
                    if marker in ("number", "checkbox") else None
                with self.under(item.add("LBody")) as body:
                    out.append(MarkedItem(marker, self.para(entry.text, style, tag=body), level, label, self.look,
                                          label_tag))
                    out += self.items(entry.items, kind, style, level + 1)
        return out

    def box(self, style_name: str, title: str | None, body: Callable[[], list[Flowable]]) -> Box:
        """A box of STYLE_NAME: a group (Div) of its title (H3) and what BODY() makes."""
        style = self.look.box_styles[style_name]
        with self.under(self.parent.add("Div")) as group:
            heading = group.add("H3") if title or style.label else None
            flowables = body()
        return Box(style, title, flowables, self.values, self.geometry.frame_height, self.locale, look=self.look,
                   tag=heading)

    def table(self, header: tuple[model.Text, ...], rows: tuple[tuple[model.Text, ...], ...]) -> Flowable:
        """A table whose header row repeats on each page, columns as wide as their words need."""
        look = self.look
        table_tag = self.parent.add("Table")
        header_row = table_tag.add("TR")
        cells = [[self.para(cell, look.table_header, tag=header_row.add("TH", scope="Column")) for cell in header]]
        for row in rows:
            cells_row = table_tag.add("TR")
            cells.append([self.para(cell, look.table_cell, tag=cells_row.add("TD")) for cell in row])
        table = MarkedTable(cells, colWidths=self._column_widths(header, rows), repeatRows=1, hAlign="LEFT")
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
        return table

    def _column_widths(self, header: tuple[model.Text, ...], rows: tuple[tuple[model.Text, ...], ...]
                       ) -> list[float]:
        """Each column at least as wide as its longest word, the rest shared by how much text it holds."""
        padding = 2 * (self.look.table_padding + 1) + 2
        size = self.look.table_cell.fontSize
        # plain() folds ordinary spaces only, so splitting on " " keeps "500 mg" (no-break space) one word.
        columns = [[(model.plain(cell, self.values, styles.BLANK), row == 0) for row, cell in enumerate(column)]
                   for column in zip(header, *rows)]
        least = [max(text_width(word, size, bold) for text, bold in column for word in text.split(" ")) + padding
                 for column in columns]
        wanted = [max(text_width(text, size, bold) for text, bold in column) + padding for column in columns]
        width = self.geometry.frame_width
        if sum(least) > width:
            # Squeezed columns would break words and doses mid-way ("5/32" + "5 mg"): refuse instead.
            raise ContentErrors([ContentError(
                self.handout.path, header[0].line,
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

    def write_in(self, label: str, lines: int) -> Flowable:
        """A label and LINES lines to write the answer on, kept together (no lines when the answer is known)."""
        label, answered = fill_in_label(label, self.values)
        parts: list[Flowable] = [self.para(label, self.look.fill_in_label)]
        if not answered:
            parts.append(WriteInLines(lines, self.look))
        return KeepTogether(parts)

    def signatures(self, roles: tuple[model.Text, ...]) -> Flowable:
        return KeepTogether([SignatureLine(self.para(role, self.look.line_label), self.locale.date_label, self.look,
                                           self.parent.add("P"))
                             for role in roles])

    def picture(self, src: Path, alt: str, width_inches: float | None, caption: str | None) -> Flowable:
        width = min(width_inches * inch if width_inches else styles.IMAGE_WIDTH, self.geometry.frame_width)
        described = model.plain(alt, self.values, "")
        picture = Picture(str(src), f"{self.locale.picture_label}: {described}", self.parent.add("Figure", alt=described),
                          width=width, height=width, kind="proportional", hAlign="LEFT")
        parts: list[Flowable] = [picture]
        if caption:
            parts.append(self.para(caption, self.look.caption))
        else:
            parts.append(Spacer(1, self.look.body.spaceAfter))
        return KeepTogether(parts)

    def qr(self, url: str, caption: str | None) -> Flowable:
        """A QR code of URL beside the address printed out (and its caption above it)."""
        side = styles.QR_SIDE
        # Most handouts have no QR code: ReportLab's graphics load only for the ones that do.
        from reportlab.graphics.barcode.qr import QrCodeWidget
        from reportlab.graphics.shapes import Drawing

        widget = QrCodeWidget(str(url))
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0],
                          initialFontName=fonts.MAIN)  # or renderPDF selects Helvetica
        drawing.add(widget)
        code = MarkedDrawing(drawing, self.parent.add("Figure", alt=f"{self.locale.qr_label} {url}"))
        text = [self.para(caption, self.look.body)] if caption else []
        # The printed address is typed in by patients: literal, never read for **emphasis**.
        link = f'<a href="{escape(url, {chr(34): "&quot;"})}" color="{styles.LINK_COLOR}">{literal(url)}</a>'
        text.append(Text(link, self.look.body, tag=self.parent.add("P").add("Link")))
        width = self.geometry.frame_width
        table = MarkedTable([[code, text]], colWidths=[side + styles.QR_GAP, width - side - styles.QR_GAP],
                              hAlign="LEFT")
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), styles.TABLE_FONT),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        table.spaceAfter = styles.BOX_SPACE_AFTER
        return table

    def page_break(self) -> Flowable:
        return PageBreakFlowable()


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


def fill_in_label(label: str, values: Mapping[str, str]) -> tuple[str, bool]:
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
