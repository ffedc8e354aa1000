"""The two kyphoplasty PDFs against reviewed references in tests/reference/, compared after normalising.

Regenerate only on purpose: `python -m pytest tests/test_reference.py --regen-reference`, then render
the new PDFs to PNG and look at every page before committing them."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from handouts import content
from handouts.render.document import output_name, render

REPO = Path(__file__).resolve().parent.parent
REFERENCE = Path(__file__).parent / "reference"
HANDOUTS = ["kyphoplasty-before.yaml", "kyphoplasty-care-after.yaml"]
VOLATILE = {"/Producer", "/Creator", "/CreationDate", "/ModDate"}


def normalise(data: bytes) -> dict:
    """What a reader sees, without what changes between library versions: metadata, then per page the
    text and the drawing operators (decompressed)."""
    reader = PdfReader(io.BytesIO(data))
    return {
        "metadata": {key: str(value) for key, value in (reader.metadata or {}).items() if key not in VOLATILE},
        "outline": [entry.title for entry in reader.outline],
        "pages": [(page.extract_text(), page.get_contents().get_data()) for page in reader.pages],
    }


@pytest.mark.parametrize("name", HANDOUTS)
def test_kyphoplasty_pdf_matches_its_reference(name, regen_reference):
    handout = content.load_handout(REPO / "content" / name)
    clinic = content.load_clinic(REPO / "content" / "clinic.yaml")
    data = render(handout, clinic).data
    reference = REFERENCE / output_name(handout)
    if regen_reference:
        reference.write_bytes(data)
    assert reference.exists(), f"no reference for {name}: run pytest --regen-reference and look at it"
    expected, actual = normalise(reference.read_bytes()), normalise(data)
    assert actual["metadata"] == expected["metadata"]
    assert actual["outline"] == expected["outline"]
    assert len(actual["pages"]) == len(expected["pages"]), "page count changed"
    for number, (now, before) in enumerate(zip(actual["pages"], expected["pages"]), start=1):
        assert now[0] == before[0], f"text of page {number} changed"
        assert now[1] == before[1], (f"drawing of page {number} changed: render both PDFs to PNG and compare; "
                                     "if intended, rerun with --regen-reference")
