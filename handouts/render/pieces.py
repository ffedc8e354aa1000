"""Pieces: pictures, drawings, tables and lines in; flowables that draw them tagged (content or artifact) out."""
from __future__ import annotations

from reportlab.platypus import Flowable
from reportlab.platypus import Image as ImageFlowable
from reportlab.platypus import Paragraph
from reportlab.platypus import Table as TableFlowable

from . import fonts, styles
from ..locales import ENGLISH
from .markup import Text, literal
from .styles import STANDARD, Look
from .tags import Node, TableMarks, artifact, marked


class Picture(ImageFlowable):
    """An image drawn as the content of its Figure, TAG, whose alt text a screen reader reads; the alt
    text is also drawn over it as invisible text, so text extraction finds it where the picture is."""

    marks_itself = True

    def __init__(self, filename: str, alt: str, tag: Node | None = None, **options):
        super().__init__(filename, **options)
        self.alt_text, self.tag = alt, tag

    def draw(self):
        with marked(self.canv, self.tag):
            self._draw_with_text()

    def _draw_with_text(self):
        super().draw()
        text = self.canv.beginText(0, self.drawHeight - styles.ALT_TEXT_SIZE)
        text.setTextRenderMode(3)      # invisible: neither filled nor stroked
        for family, chunk in fonts.runs(self.alt_text):
            text.setFont(fonts.face(family), styles.ALT_TEXT_SIZE)
            text.textOut(chunk)
        self.canv.drawText(text)


class MarkedDrawing(Flowable):
    """A drawing (a QR code) drawn as the content of its node, TAG (a Figure with alt text)."""

    marks_itself = True

    def __init__(self, drawing: Flowable, tag: Node | None):
        super().__init__()
        self.drawing, self.tag = drawing, tag

    def wrap(self, available_width, available_height):
        self.width, self.height = self.drawing.wrap(available_width, available_height)
        return self.width, self.height

    def draw(self):
        with marked(self.canv, self.tag):
            self.drawing.drawOn(self.canv, 0, 0)


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
        with artifact(self.canv):
            self.canv.setStrokeColor(styles.MUTED)
            self.canv.setLineWidth(styles.WRITE_IN_LINE)
            for index in range(self.count):
                y = self.height - (index + 1) * self.look.write_in_spacing + 2
                self.canv.line(0, y, self.width, y)

    def getSpaceAfter(self):
        return self.look.body.spaceAfter


class SignatureLine(Flowable):
    """A signature line with the role (wrapped) under it, and a shorter date line beside it."""

    def __init__(self, role: Paragraph, date_label: str = ENGLISH.date_label, look: Look = STANDARD,
                 date_tag: Node | None = None):
        super().__init__()
        self.role, self.look = role, look
        self.date = Text(literal(date_label), look.line_label, tag=date_tag)

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
        with artifact(canv):
            canv.setStrokeColor(styles.INK)
            canv.setLineWidth(1)
            canv.line(0, line_y, sign_width, line_y)
            canv.line(date_x, line_y, self.width, line_y)
        self.role.drawOn(canv, 0, 0)
        self.date.drawOn(canv, date_x, self.role_height - self.date.height)

    def getSpaceAfter(self):
        return self.look.body.spaceAfter


class MarkedTable(TableFlowable):
    """A table whose cells are tagged and whose shapes are artifacts; a part split off after the first
    repeats the header rows, drawn as artifacts there."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("renderCB", TableMarks())
        super().__init__(*args, **kwargs)

    def split(self, available_width, available_height):
        parts = super().split(available_width, available_height)
        repeats = self._renderCB.repeats
        for index, part in enumerate(parts):
            part._renderCB = TableMarks(repeats if index == 0 else part.repeatRows)
        return parts
