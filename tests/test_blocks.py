"""Block types are declared once: every stage (reading, layout, reading level, fonts) finds a block type by its one declaration."""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import get_args

from pypdf import PdfReader

import handouts
from handouts import blocks, model
from handouts.blocks.kind import BlockType
from handouts.content import readability


def test_every_block_of_the_model_is_declared_once_with_a_name_a_reader_and_a_layout():
    assert set(blocks.BY_MODEL) == set(get_args(model.Block))
    assert len(blocks.TYPES) == len(blocks.BY_NAME) == len(blocks.BY_MODEL)
    for kind in blocks.TYPES:
        assert callable(kind.read) and callable(kind.texts) and callable(kind.lay_out)
        assert kind.role in ("P", "L", "Div", "Table", "Form", "Figure") or kind.name == "page_break"


@dataclass(frozen=True)
class Callout:
    text: model.Text


def _read_callout(reader, node):
    text = reader.text(node, "callout text")
    return Callout(text) if text else None


CALLOUT = BlockType("callout", Callout, _read_callout, texts=lambda block: iter((block.text,)),
                    lay_out=lambda block, kit: [kit.box("note", None, lambda: [kit.para(block.text, "box_text")])],
                    role="Div", reading=lambda block: iter((block.text,)))


def test_a_new_block_type_declared_in_one_place_is_read_laid_out_and_measured(monkeypatch, write):
    monkeypatch.setitem(blocks.BY_NAME, "callout", CALLOUT)
    monkeypatch.setitem(blocks.BY_MODEL, Callout, CALLOUT)
    path = write("callout.yaml", """
        id: callout-test
        title: A callout
        kind: general
        sections:
          - heading: Something to know
            blocks:
              - callout: Keep the dressing dry for two days.
        """)
    handout = handouts.load_handout(path)
    assert handout.sections[0].blocks == (Callout(model.Text("Keep the dressing dry for two days.", 7)),)
    pdf = handouts.render_handout(handout)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Keep the dressing dry for two days." in " ".join(text.split())
    assert [str(sentence.text) for sentence in readability.measure(handout).sentences] == \
        ["Keep the dressing dry for two days."]


def test_an_unknown_block_type_names_the_declared_ones_in_their_order(write):
    path = write("unknown.yaml", """
        id: unknown-test
        title: Unknown
        kind: general
        sections:
          - heading: Care
            blocks:
              - callout: Keep the dressing dry.
        """)
    try:
        handouts.load_handout(path)
    except handouts.ContentErrors as raised:
        [error] = raised.errors
    assert error.line == 7
    assert error.expected == "a block type (" + ", ".join(kind.name for kind in blocks.TYPES) + ")"
    assert error.expected.startswith("a block type (paragraph, bullets, steps, checklist, warning, note, table")
