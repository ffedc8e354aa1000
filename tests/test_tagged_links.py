"""Spans of a paragraph tagged as elements of their own: links holding their words and annotations, read back."""
from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

import pikepdf

import handouts
from handouts import blocks, model
from structure import read
from tagcheck import elements, failures, kids

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
