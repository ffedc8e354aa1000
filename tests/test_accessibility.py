"""Accessible copies: language, title, outline, reading order, links and alt text, read back from the PDFs."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pypdf.generic import ContentStream

from handouts import content
from handouts import blocks, model
from handouts.cli import main
from pdfcheck import all_text, assert_in_order

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("out")
    for path in (REPO / "content", DATA / "all_blocks.yaml"):
        result = CliRunner().invoke(main, ["build", str(path), "-o", str(folder),
                                           "--clinic", str(REPO / "content" / "clinic.yaml")])
        assert result.exit_code == 0, result.output
    return folder


@pytest.mark.parametrize("name, language, title", [
    ("kyphoplasty-care-after.es", "es", "Cifoplastia con balón: cuidados después del procedimiento"),
    ("kyphoplasty-before.es", "es", "Cifoplastia con balón: antes de su procedimiento"),
    ("kyphoplasty-care-after.en", "en", "Balloon Kyphoplasty: Care After"),
])
def test_language_title_shown_as_the_window_title_and_an_outline(out, name, language, title):
    reader = PdfReader(out / f"{name}.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == language
    assert reader.metadata.title == title
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert root["/PageMode"] == "/UseOutlines"
    handout = content.load_handout(REPO / "content" / f"{name.replace('.en', '')}.yaml")
    assert [entry.title for entry in reader.outline] == [str(section.heading) for section in handout.sections]


def test_spanish_text_keeps_its_accents_and_page_numbers(out):
    text = all_text(out / "kyphoplasty-care-after.es.pdf")
    for words in ("Cifoplastia con balón", "Página 1 de 5", "Cuándo llamar", "después", "EMERGENCIA", "PRECAUCIÓN"):
        assert words in text


@pytest.mark.parametrize("name", ["kyphoplasty-before", "kyphoplasty-care-after"])
def test_text_extracts_in_reading_order(out, name):
    handout = content.load_handout(REPO / "content" / f"{name}.yaml")
    values = content.load_clinic(REPO / "content" / "clinic.yaml").values()
    first_texts = [str(handout.title)]
    for section in handout.sections:
        first_texts.append(str(section.heading))
        first_texts += [model.plain(text, values, "________________") for text in
                        list(blocks.texts(section.blocks[0]))[:2]] if section.blocks else []
    assert_in_order(all_text(out / f"{name}.en.pdf"), [" ".join(text.split()) for text in first_texts])


def test_web_addresses_in_text_are_links(out):
    reader = PdfReader(out / "every-block.en.pdf")
    uris = [annotation.get_object()["/A"]["/URI"] for page in reader.pages
            for annotation in page.get("/Annots") or () if annotation.get_object()["/Subtype"] == "/Link"]
    long_address = ("https://example.org/a/very/long/path/that/keeps/going/and/going/without/any/spaces/at/all/"
                    "so/it/must/wrap/inside/the/frame")
    assert uris.count(long_address) == 2          # one link per printed line of the wrapped address
    assert "https://example.org/kyphoplasty" in uris


def test_pictures_carry_their_alt_text_as_invisible_text_where_they_are(out):
    reader = PdfReader(out / "every-block.en.pdf")
    page = next(page for page in reader.pages if "Pictures" in page.extract_text())
    text = page.extract_text()
    assert_in_order(" ".join(text.split()), ["Pictures", "Picture: A drawing of the spine", "The spine from the side"])
    operations = ContentStream(page.get_contents(), reader).operations
    modes = [operands[0] for operands, operator in operations if operator == b"Tr"]
    assert 3 in modes            # drawn invisible: read aloud, never printed over the picture
