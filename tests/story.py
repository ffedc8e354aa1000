"""Flowables turned into (type, style, text) tuples, so a story can be compared before any PDF exists."""
from __future__ import annotations

from reportlab.platypus import Image, KeepTogether, PageBreak, Paragraph, Spacer, Table

from handouts.render.flowables import Box, KeepHeadingWithNext, MarkedItem
from handouts.render.pieces import SignatureLine, WriteInLines


def _text(paragraph: Paragraph) -> str:
    return " ".join(paragraph.getPlainText().split())


def describe(flowables) -> list[tuple[str, str, str]]:
    out = []
    for flowable in flowables:
        if isinstance(flowable, (KeepHeadingWithNext, Spacer)):
            continue
        if isinstance(flowable, Paragraph):
            out.append(("paragraph", flowable.style.name, _text(flowable)))
        elif isinstance(flowable, MarkedItem):
            label = f"{flowable.label} " if flowable.label else ""
            out.append((f"{flowable.marker}", f"level {flowable.level}", label + _text(flowable.paragraph)))
        elif isinstance(flowable, Box):
            title = _text(flowable.title) if flowable.title is not None else ""
            out.append((f"box:{flowable.box_style.name}", "box_title", title))
            out += [(kind, style, text) for kind, style, text in describe(flowable.body)]
            out.append(("end box", "", ""))
        elif isinstance(flowable, Table):
            for row in flowable._cellvalues:
                cells = [_text(cell) if isinstance(cell, Paragraph) else
                         " ".join(_text(p) for p in cell) if isinstance(cell, list) else type(cell).__name__
                         for cell in row]
                out.append(("row", row[0].style.name if isinstance(row[0], Paragraph) else "", " | ".join(cells)))
        elif isinstance(flowable, KeepTogether):
            out += describe(flowable._content)
        elif isinstance(flowable, WriteInLines):
            out.append(("write-in", "", f"{flowable.count} lines"))
        elif isinstance(flowable, SignatureLine):
            out.append(("signature", "", _text(flowable.role)))
        elif isinstance(flowable, Image):
            out.append(("image", "", flowable.alt_text))
        elif isinstance(flowable, PageBreak):
            out.append(("page break", "", ""))
        else:
            raise AssertionError(f"no description for {type(flowable).__name__}")
    return out
