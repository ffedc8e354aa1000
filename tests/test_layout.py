"""Rendered PDFs read back: text in order, fonts, margins, page furniture, and how blocks break across pages."""
from __future__ import annotations

from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from handouts.cli import main
from pdfcheck import BASE14, all_text, assert_in_order, char_boxes, fonts, page_size, page_texts

DATA = Path(__file__).parent / "data"
INCH = 72
CLINIC = "name: Test Clinic\nphone: 555-0100\nafter_hours_phone: 555-0199\n"
HEAD = "id: layout\ntitle: Layout Test\nkind: general\nversion: \"3\"\nreviewed: 2026-01-02\nsections:\n"


@pytest.fixture
def build(tmp_path, write):
    """build(yaml_text or path, paper) -> path of the PDF the CLI wrote."""
    clinic = write("clinic.yaml", CLINIC)

    def run(source: str | Path, paper: str = "letter", *options: str) -> Path:
        path = source if isinstance(source, Path) else write("handout.yaml", source)
        out = tmp_path / "out"
        result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--paper", paper,
                                           "--clinic", str(clinic), *options])
        assert result.exit_code == 0, result.output
        [pdf] = [line.split()[0] for line in result.stdout.splitlines()]
        return Path(pdf)
    return run


def sections(*bodies: str) -> str:
    return HEAD + "".join(f"  - heading: {heading}\n    blocks:\n{blocks}" for heading, blocks in bodies)


def test_every_block_renders_and_reads_back_in_order(build):
    pdf = build(DATA / "all_blocks.yaml")
    assert_in_order(all_text(pdf), [
        "Every Block: A Test Handout", "Summary first: bold words and italic words stay clear.",
        "Paragraphs and placeholders", "Call Test Clinic at 555-0100.",
        'Signs print as typed: <b>not bold</b> & 5 < 6 > 4, "quoted".',
        "Keep your blood sugar ≥ 70 and ≤ 180. Your surgeon: ________________.",
        "Lists", "First bullet", "Second bullet", "Nested bullet", "Deeper bullet", "Deepest bullet",
        "1.", "Step one", "2.", "Step two", "a.", "Step two a", "b.", "Step two b", "3.", "Step three",
        "Boxes", "Before you leave", "Ride home arranged", "Medicines list given", "Plain check item",
        "CAUTION: Call your care team if", "You have a fever",
        "URGENT: Urgent risks", "Talk to your doctor about these risks.",
        "EMERGENCY: Get help right away if", "Call 911. Do not drive yourself.", "You have chest pain",
        "A plain note.", "Note title", "A titled note.",
        "Table", "What", "How long", "Procedure", "About 1 hour per fracture", "Recovery room", "About 1 hour",
        "Writing", "Follow-up date", "Questions to ask", "Patient", "Date", "Nurse", "Date",
        "Pictures", "The spine from the side", "Watch the video", "https://example.org/kyphoplasty",
        "After the page break.",
    ])


def test_header_and_footer_on_every_page(build):
    pdf = build(DATA / "all_blocks.yaml")
    texts = page_texts(pdf)
    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert "Test Clinic" in text
        assert "Every Block: A Test Handout" in text
        assert f"Page {number} of {len(texts)}" in text
        assert "every-block · version 2.1 · reviewed 2026-10-01" in text


def test_metadata_and_outline(build):
    reader = PdfReader(build(DATA / "all_blocks.yaml"))
    assert reader.metadata.title == "Every Block: A Test Handout"
    assert reader.metadata.author == "Test Clinic"
    assert reader.metadata.subject == "general"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]
    assert [entry.title for entry in reader.outline] == [
        "Paragraphs and placeholders", "Lists", "Boxes", "Table", "Writing", "Pictures"]


def test_fonts_are_embedded_truetype_and_never_base14(build):
    found = fonts(build(DATA / "all_blocks.yaml"))
    names = {font["name"] for font in found}
    assert not names & BASE14
    assert all(font["embedded"] for font in found), found
    assert names == {"NotoSans-Regular", "NotoSans-Bold", "NotoSans-BoldItalic", "DejaVuSans"}


@pytest.mark.parametrize("source", ["all_blocks.yaml", "stress.yaml"])
@pytest.mark.parametrize("paper, size", [("letter", (612, 792)), ("a4", (595.28, 841.89))])
def test_nothing_is_drawn_outside_the_margins(build, source, paper, size):
    pdf = build(DATA / source, paper)
    width, height = page_size(pdf)
    assert (round(width, 2), round(height, 2)) == size
    margin = 0.75 * INCH
    for number, chars in enumerate(char_boxes(pdf), start=1):
        assert chars
        for char, left, bottom, right, top in chars:
            assert margin <= left and right <= width - margin, (number, char, left, right)
            assert margin <= bottom and top <= height - margin, (number, char, bottom, top)


def test_the_same_input_gives_the_same_bytes(build, tmp_path):
    first = build(DATA / "all_blocks.yaml").read_bytes()
    second = build(DATA / "all_blocks.yaml").read_bytes()
    assert first == second


def _paths(pdf: Path, page_index: int) -> list[tuple[float, float, float, float]]:
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page = document[page_index]
        return [obj.get_bounds() for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=3)]
    finally:
        document.close()


def test_checkboxes_are_drawn_squares_big_enough_to_tick(build):
    pdf = build(sections(("Check", "      - checklist: [One, Two, Three]\n")))
    assert "☐" not in all_text(pdf)
    squares = [(l, b, r, t) for l, b, r, t in _paths(pdf, 0) if 10 <= r - l <= 20 and abs((r - l) - (t - b)) < 0.5]
    assert len(squares) == 3


def test_write_in_lines_are_at_least_a_third_of_an_inch_apart(build):
    pdf = build(sections(("Notes", "      - fill_in:\n          - {label: Questions, lines: 4}\n")))
    lines = sorted(b for l, b, r, t in _paths(pdf, 0) if r - l > 5 * INCH and t - b < 2)
    body_lines = lines[1:-1]          # the footer rule (lowest) and header rule (highest) are not write-in lines
    assert len(body_lines) == 4
    assert all(upper - lower >= 0.3 * INCH for lower, upper in zip(body_lines, body_lines[1:]))


def test_a_generic_handout_prints_write_in_lines_for_missing_values(build):
    pdf = build(sections(("Visit", "      - paragraph: \"Your visit is on {{ followup.date }} with {{ followup.with }}.\"\n")))
    assert "Your visit is on ________________ with ________________." in all_text(pdf)


def _rules(pdf: Path) -> list[float]:
    """The heights of the long horizontal lines on page 1: header rule, write-in lines, footer rule."""
    return sorted(b for l, b, r, t in _paths(pdf, 0) if r - l > 5 * INCH and t - b < 2)


def test_a_write_in_label_ending_in_a_placeholder_prints_one_line_or_the_answer(build):
    source = sections(("Visit", "      - fill_in:\n          - \"Follow-up date: {{ followup.date }}\"\n"
                                "          - {label: \"Ask {{ followup.with }} these questions\", lines: 2}\n"))
    generic = build(source)
    assert "Follow-up date: Ask ________________ these questions" in all_text(generic)
    assert len(_rules(generic)) == 2 + 1 + 2         # the rules, one line for the date, two for questions
    personal = build(source, "letter", "--set", "patient.mrn=W-1", "--set", "followup.date=2026-12-04",
                     "--set", "followup.with=Dr. Lee")
    assert "Follow-up date: Friday, December 4, 2026 Ask Dr. Lee these questions" in all_text(personal)
    assert len(_rules(personal)) == 2 + 0 + 2        # the date is filled in: nothing to write on


def test_header_metadata_and_outline_show_text_as_it_reads_not_as_typed(build):
    pdf = build(DATA / "stress.yaml")
    reader = PdfReader(pdf)
    title = "Care After for ________________: a title long enough to need shortening in the page header of every single page"
    assert reader.metadata.title == title
    assert [entry.title for entry in reader.outline] == ["Signs, links and long words for ________________"]
    header = [line.split("Test Clinic ", 1)[-1] for line in page_texts(pdf)[0].splitlines() if line.endswith("…")]
    assert len(header) == 1 and header[0].startswith("Care After for ___") and title.startswith(header[0][:-1])


def test_printed_addresses_are_literal_and_no_break_spaces_hold(build):
    pdf = build(DATA / "stress.yaml")
    lines = [line.strip() for text in page_texts(pdf) for line in text.splitlines()]
    assert "https://example.org/a*b*c" in lines
    assert not [line for line in lines if line.endswith((" 500", " 6"))], "a number was split from its unit"


def test_signature_roles_wrap_under_their_line(build):
    pdf = build(DATA / "stress.yaml")
    assert "Parent or legal guardian of the patient named above, if the patient is younger than 18 years old" \
        in all_text(pdf)


def test_pdf_files_get_the_usual_permissions(build):
    import os
    mask = os.umask(0o022)
    try:
        pdf = build(DATA / "all_blocks.yaml")
    finally:
        os.umask(mask)
    assert oct(pdf.stat().st_mode & 0o777) == oct(0o644)
