"""Spans of a paragraph tagged as elements of their own: links holding their words and annotations, read back."""
from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

import pikepdf
import pytest

import handouts
from handouts import blocks, model
from structure import read
from tagcheck import assert_parent_tree_matches, elements, failures, kids, long_handout, poppler_texts

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=None)
def clinic() -> model.Clinic:
    return handouts.load_clinic(REPO / "content" / "clinic.yaml")


def load(name: str) -> model.Handout:
    return handouts.load_handout(DATA / f"{name}.yaml")


def test_a_link_in_running_text_is_a_link_element_holding_its_words_and_every_annotation_drawn_for_it():
    pdf = handouts.render_handout(load("all_blocks"), clinic())
    long_address = next(match for match in re.findall(r"https://\S+", " ".join(
        text for block in load("all_blocks").sections[0].blocks for text in blocks.texts(block))) if "long" in match)
    words = ["".join(element.text.split()) for one in read(pdf.data) for root in one.elements
             for element in root.walk() if element.role == "Link"]
    assert words == [long_address, "https://example.org/kyphoplasty"]
    # The long address wraps: two annotations, one per line, both the one Link element's.
    document = pikepdf.open(io.BytesIO(pdf.data))
    held = [[str(kid.Obj.A.URI) for kid in kids(element) if isinstance(kid, pikepdf.Dictionary)
             and kid.get("/Type") == "/OBJR"] for element in elements(document) if element.S == "/Link"]
    assert held == [[long_address, long_address], ["https://example.org/kyphoplasty"]]
    paragraphs = [[kid.S if isinstance(kid, pikepdf.Dictionary) else "mcid" for kid in kids(element)]
                  for element in elements(document) if element.S == "/P"]
    # "A long address wraps: " then its link, in the paragraph; the QR code's printed address, all link.
    assert [kids for kids in paragraphs if "/Link" in kids] == [["mcid", "/Link"], ["/Link"]]


def assert_each_annotation_is_over_its_links_words(data: bytes) -> None:
    """Every link annotation is held by the Link element whose words (drawn with its marked-content
    ids, read by pdfium) lie under the annotation's rectangle, on the annotation's page."""
    document = pikepdf.open(io.BytesIO(data))
    pages = {page.objgen: number for number, page in enumerate(document.pages)}
    drawn = read(data)
    held = 0
    for link in (element for element in elements(document) if element.S == "/Link"):
        ids = {(pages[link.Pg.objgen], int(kid)) for kid in kids(link) if isinstance(kid, int)} | {
            (pages[kid.Pg.objgen], int(kid.MCID)) for kid in kids(link)
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR"}
        for kid in kids(link):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                page, (x1, y1, x2, y2) = pages[kid.Pg.objgen], [float(edge) for edge in kid.Obj.Rect]
                under = [item.text for item in drawn[page].objects if (page, item.mcid) in ids
                         and item.box[0] < x2 and item.box[2] > x1 and item.box[1] < y2 and item.box[3] > y1]
                assert under, f"no words of its Link under the annotation at {[x1, y1, x2, y2]} on page {page + 1}"
                held += 1
    assert held == sum(len(page.obj.get("/Annots", [])) for page in document.pages)


def test_two_links_to_one_address_in_a_paragraph_are_two_link_elements_each_with_its_annotation(tmp_path):
    source = (DATA / "all_blocks.yaml").read_text(encoding="utf-8").split("sections:")[0] + (
        "sections:\n  - heading: Twice\n    blocks:\n      - paragraph: \"Read www.example.org/care today,"
        " and www.example.org/care again tomorrow.\"\n")
    (tmp_path / "twice.yaml").write_text(source, encoding="utf-8")
    pdf = handouts.render_handout(handouts.load_handout(tmp_path / "twice.yaml"), clinic())
    assert failures(pdf.data) == []
    document = pikepdf.open(io.BytesIO(pdf.data))
    paragraph = next(element for element in elements(document) if element.S == "/P" and "/Link" in
                     [kid.get("/S") for kid in kids(element) if isinstance(kid, pikepdf.Dictionary)])
    shape = [str(kid.S) if isinstance(kid, pikepdf.Dictionary) else "mcid" for kid in kids(paragraph)]
    assert shape == ["mcid", "/Link", "mcid", "/Link", "mcid"]
    annotations = [[kid.Obj.objgen for kid in kids(link) if isinstance(kid, pikepdf.Dictionary)]
                   for link in kids(paragraph) if isinstance(link, pikepdf.Dictionary)]
    drawn = [annotation.objgen for page in document.pages for annotation in page.obj.get("/Annots", [])]
    assert annotations == [[drawn[0]], [drawn[1]]]


def test_two_long_links_that_wrap_each_hold_the_annotations_over_their_own_words(write):
    # The first ends on the line where the second begins: both have an annotation on that line.
    address = "https://example.org/a/very/long/path/that/keeps/going/and/going/without/any/spaces/at/all/so/it/must/wrap"
    path = write("two.yaml", long_handout(f'- paragraph: "See {address} or {address} now."'))
    pdf = handouts.render_handout(handouts.load_handout(path), clinic())
    assert failures(pdf.data) == []
    document = pikepdf.open(io.BytesIO(pdf.data))
    links = [element for element in elements(document) if element.S == "/Link"]
    assert [len([kid for kid in kids(link) if isinstance(kid, pikepdf.Dictionary)]) for link in links] == [2, 2]
    assert_each_annotation_is_over_its_links_words(pdf.data)
    # A word too long for a line is split without a space in it: each Link reads its address whole.
    assert poppler_texts(pdf.data, "Link") == [address, address]


@pytest.mark.parametrize("words", range(0, 24))
def test_a_line_that_ends_where_a_link_begins_keeps_the_space_between_the_words(write, words):
    # One more word each time moves the line break through "…and see www.example.org/walking for more."
    text = "Walk a little more each day. " * 3 + "Rest " * words + "and see www.example.org/walking for more."
    path = write("walk.yaml", long_handout(f'- paragraph: "{text}"'))
    pdf = handouts.render_handout(handouts.load_handout(path), clinic())
    paragraph = next(said for said in poppler_texts(pdf.data, "P") if "walking" in said)
    assert re.sub(" +", " ", paragraph).strip() == text
    assert poppler_texts(pdf.data, "Link") == ["www.example.org/walking"]


def test_a_link_broken_across_pages_is_one_link_element_with_its_words_and_annotations_on_both(write):
    # Sentences before the link push it down the page, one more each time, until its lines straddle
    # the page break; the page break's place depends on the fonts, so the right count is searched for.
    sentence = "Walk a little more each day, and rest when your back hurts. "
    address = "www.example.org/walking/every/day/and/rest/when/your/back/hurts/a/long/address"
    for count in range(5, 40):
        path = write(f"long-{count}.yaml", long_handout(
            f'- paragraph: "{sentence * count}See {address} for more. {sentence * 10}"'))
        pdf = handouts.render_handout(handouts.load_handout(path), large_print=True)
        document = pikepdf.open(io.BytesIO(pdf.data))
        pages = {page.objgen: number for number, page in enumerate(document.pages)}
        link = next(element for element in elements(document) if element.S == "/Link")
        marked = [pages[link.Pg.objgen] for kid in kids(link) if isinstance(kid, int)] + [
            pages[kid.Pg.objgen] for kid in kids(link) if isinstance(kid, pikepdf.Dictionary) and kid.Type == "/MCR"]
        if len(set(marked)) > 1:
            break
    else:
        raise AssertionError("no count of sentences put the link across a page break")
    assert failures(pdf.data) == []
    assert_parent_tree_matches(pdf.data)
    annotated = [pages[kid.Pg.objgen] for kid in kids(link) if isinstance(kid, pikepdf.Dictionary)
                 and kid.Type == "/OBJR"]
    drawn = [pages[page.objgen] for page in document.pages for _ in page.obj.get("/Annots", [])]
    assert sorted(annotated) == sorted(drawn) and len(set(annotated)) == 2        # every line's annotation
    assert_each_annotation_is_over_its_links_words(pdf.data)
    words = "".join(element.text for one in read(pdf.data) for root in one.elements for element in root.walk()
                    if element.role == "Link")
    assert "".join(words.split()) == address


@pytest.mark.parametrize("words", range(0, 12))
def test_a_title_in_another_language_ending_a_line_on_the_cover_keeps_its_space(write, words):
    # An English handout on a Spanish cover: its title a Span in English, "(en inglés)" the cover's.
    title = "Care after your back procedure" + " walk" * words
    path = write("care.yaml", long_handout("- paragraph: Rest.", title))
    pdf = handouts.render_packet([handouts.load_handout(path)], clinic(), cover=True, language="es")
    assert failures(pdf.data) == []
    entry = next(said for said in poppler_texts(pdf.data, "LBody") if "Care after" in said)
    assert re.sub(" +", " ", entry).strip() == f"{title} (en inglés)"
    assert [" ".join(said.split()) for said in poppler_texts(pdf.data, "Span")] == [title]


def test_the_stress_handout_is_pdf_ua_with_every_mark_owned_and_every_link_over_its_words():
    pdf = handouts.render_handout(load("stress"), clinic())
    assert failures(pdf.data) == []
    assert_parent_tree_matches(pdf.data)
    assert_each_annotation_is_over_its_links_words(pdf.data)
