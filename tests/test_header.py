"""Page headers and footers read back: the patient's identifiers whole on every page, large print
large everywhere and in the clinic's colour, and each handout's furniture in its own language."""
from __future__ import annotations

import ctypes
import io
from datetime import date
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from pypdf import PdfReader

from handouts import content
from handouts import model
from handouts.render.document import Packet, render_packet
from pdfcheck import flat, text_runs

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
NAME = "Maximiliana Bartholomea Fitzgerald-Castellanos de la Vega Montgomery-O"
PATIENT = model.Patient(name=NAME, mrn="C-2099", dob=date(1950, 12, 17))
IDENTIFIERS = {"en": ["Patient: " + NAME, "MRN C-2099", "Born: December 17, 1950"],
               "es": ["Paciente: " + NAME, "Expediente C-2099", "Nacimiento: 17 de diciembre de 1950"]}


def handout(name: str) -> model.Handout:
    return content.load_handout(CONTENT / name)


def pages(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def clinic() -> model.Clinic:
    return content.load_clinic(CONTENT / "clinic.yaml")


@pytest.mark.parametrize("large_print", [False, True], ids=["standard", "large"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("language, name", [("en", "kyphoplasty-care-after.yaml"),
                                            ("es", "kyphoplasty-care-after.es.yaml")])
def test_a_long_name_and_the_whole_date_of_birth_are_on_every_page(clinic, large_print, paper, language, name):
    assert len(NAME) == 70
    packet = Packet((handout(name), handout(name.replace("care-after", "before"))), PATIENT, language, cover=True,
                    large_print=large_print)
    texts = pages(render_packet(packet, clinic, paper).data)
    assert len(texts) > 5
    for number, text in enumerate(texts, start=1):
        for identifier in IDENTIFIERS[language]:
            assert identifier in text, f"page {number}: {identifier!r} not in {text[:300]!r}"


def test_the_header_grows_for_a_name_that_wraps_and_the_body_moves_down(clinic):
    short = model.Patient(name="Ana Pérez", mrn="C-2099", dob=date(1950, 12, 17))
    first_lines = {}
    for patient in (short, PATIENT):
        data = render_packet(Packet((handout("kyphoplasty-before.yaml"),), patient, large_print=True), clinic).data
        runs = text_runs(io.BytesIO(data))[0]
        title = [y for text, size, _, _, y in runs if text.startswith("Balloon Kyphoplasty") and size >= 20]
        patient_lines = [y for text, _, _, _, y in runs if "C-2099" in text or NAME.split()[-1] in text]
        assert title and patient_lines
        assert min(patient_lines) > max(title)               # the body starts below the whole header
        first_lines[patient.name] = max(title)
    assert first_lines[NAME] < first_lines["Ana Pérez"]


def _large_print_packet(clinic: model.Clinic, language: str) -> bytes:
    names = ("kyphoplasty-care-after.yaml", "kyphoplasty-before.yaml") if language == "en" else \
        ("kyphoplasty-care-after.es.yaml", "kyphoplasty-before.es.yaml")
    packet = Packet(tuple(handout(name) for name in names), PATIENT, language, cover=True,
                    notes="Call us if the pain gets worse.", large_print=True)
    return render_packet(packet, clinic).data


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_text_on_a_large_print_page_is_at_least_14_pt(clinic, language):
    pages_runs = text_runs(io.BytesIO(_large_print_packet(clinic, language)))
    page_of = "Page " if language == "en" else "Página "
    for number, runs in enumerate(pages_runs, start=1):
        small = [(text, size) for text, size, _, _, _ in runs if size < 14]
        assert not small, f"page {number}: {small}"
        # The header and footer are on the page, so they were measured too.
        for piece in ("Riverside Spine Center", "C-2099", "1950"):
            assert any(piece in text for text, _, _, _, _ in runs), (number, piece)
    numbered = [runs for runs in pages_runs if any(text.startswith(page_of) for text, _, _, _, _ in runs)]
    assert len(pages_runs) - 2 <= len(numbered) < len(pages_runs)    # all but the cover's pages


def _fill_colors(data: bytes, needle: str, least: float) -> set[tuple[int, int, int]]:
    """The fill colour of the first character of NEEDLE wherever it is set at LEAST points or more (a
    title or a heading, not the page header or a checklist entry), on every page."""
    colors = set()
    document = pypdfium2.PdfDocument(data)
    try:
        for page in document:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            start = text.find(needle)
            while start >= 0:
                if pdfium_c.FPDFText_GetFontSize(textpage, start) < least:
                    start = text.find(needle, start + 1)
                    continue
                r, g, b, a = (ctypes.c_uint() for _ in range(4))
                pdfium_c.FPDFText_GetFillColor(textpage, start, *(ctypes.byref(v) for v in (r, g, b, a)))
                colors.add((r.value, g.value, b.value))
                start = text.find(needle, start + 1)
    finally:
        document.close()
    return colors


@pytest.mark.parametrize("large_print", [False, True], ids=["standard", "large"])
def test_headings_title_and_cover_keep_the_clinic_colour(clinic, large_print):
    purple = model.Clinic(name=clinic.name, phone=clinic.phone, color="#6b2c91")
    packet = Packet((handout("kyphoplasty-care-after.yaml"),), PATIENT, cover=True, large_print=large_print)
    data = render_packet(packet, purple).data
    for needle in ("Your care packet", "Prepared for", "How to reach us", "Balloon Kyphoplasty: Care After",
                   "What to expect", "When to call"):
        assert _fill_colors(data, needle, 22 if large_print else 16) == {(0x6b, 0x2c, 0x91)}, needle


def test_each_handout_has_its_own_language_in_header_and_footer_and_the_cover_says_which_is_english(clinic):
    english, spanish = handout("kyphoplasty-care-after.yaml"), handout("kyphoplasty-before.es.yaml")
    data = render_packet(Packet((english, spanish), PATIENT, "es", cover=True), clinic).data
    texts = pages(data)
    english_pages = [n for n, text in enumerate(texts) if "kyphoplasty-care-after" in text]
    spanish_pages = [n for n, text in enumerate(texts) if "kyphoplasty-before" in text]
    assert english_pages and spanish_pages and texts[0].startswith("Su paquete de cuidados")
    assert "Balloon Kyphoplasty: Care After (en inglés)" in texts[0]
    assert "Cifoplastia con balón: antes de su procedimiento (en" not in texts[0]
    for number, page in enumerate(english_pages, start=1):
        text = texts[page]
        assert f"Page {number} of {len(english_pages)}" in text and "version 1.0 · reviewed 2026-11-01" in text
        assert all(identifier in text for identifier in IDENTIFIERS["en"])
        assert not any(word in text for word in ("Página", "Paciente", "Expediente", "Nacimiento", "versión"))
    for number, page in enumerate(spanish_pages, start=1):
        text = texts[page]
        assert f"Página {number} de {len(spanish_pages)}" in text and "versión 1.0 · revisado 2026-11-01" in text
        assert all(identifier in text for identifier in IDENTIFIERS["es"])
