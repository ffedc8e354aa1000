"""Inline text: content text and placeholder values in; Paragraph markup, and text drawn on a canvas, out."""
from __future__ import annotations

import re
from typing import Mapping
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from . import fonts, styles
from .. import model
from .tags import Node, marked, spanned

NO_BREAK = "\u00a0"
SPAN_CALLBACK = "handouts_span"       # the canvas's callback told where a span of a paragraph begins and ends
_SPAN = re.compile(f'<onDraw name="{SPAN_CALLBACK}" label="\\+(\\w+) ?([^"]*)"/>')


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
        quoted = escape(target, {chr(34): "&quot;"})
        parts.append(span(f'<a href="{quoted}" color="{styles.LINK_COLOR}">{literal(address)}</a>', "Link"))
        position = match.end()
    parts.append(literal(text[position:]))
    return "".join(parts)


def literal(text: str) -> str:
    """TEXT escaped for Paragraph markup, with characters Noto Sans lacks set in the fallback font."""
    return "".join(escape(chunk) if family == fonts.MAIN else f'<font face="{family}">{escape(chunk)}</font>'
                   for family, chunk in fonts.runs(text))


def span(shown: str, role: str, language: str = "") -> str:
    """SHOWN (markup) as a span of a paragraph tagged as an element of its own: a Link (SHOWN holding
    one <a> tag), or a Span in another LANGUAGE."""
    return (f'<onDraw name="{SPAN_CALLBACK}" label="+{role} {language}"/>{shown}'
            f'<onDraw name="{SPAN_CALLBACK}" label="-"/>')


class Text(Paragraph):
    """A paragraph drawn as the content of its structure node, TAG; the parts it splits into stay that
    node's, and its spans (links, words in another language) are elements in it."""

    marks_itself = True

    def __init__(self, text, style=None, *args, tag: Node | None = None, **kwargs):
        super().__init__(text, style, *args, **kwargs)
        self.tag = tag
        self.spans = [Node(role, lang=language or None) for role, language in _SPAN.findall(text)] \
            if text and SPAN_CALLBACK in text else []

    def drawOn(self, canvas, x, y, _sW=0):
        with spanned(canvas, self.tag, self.spans) if self.spans and self.tag else marked(canvas, self.tag):
            super().drawOn(canvas, x, y, _sW)

    def split(self, available_width, available_height):
        parts = super().split(available_width, available_height)
        for part in parts:
            part.tag, part.spans = self.tag, self.spans
        return parts


def para(text: str, style, values: Mapping[str, str], italic: bool = True, tag: Node | None = None) -> Text:
    return Text(markup(text, values, italic), style, tag=tag)


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
