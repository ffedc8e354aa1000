"""Rendered PDFs read back: text in order, fonts, margins, page furniture, and how blocks break across pages."""
from __future__ import annotations

from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from handouts.cli import main
from pdfcheck import BASE14, all_text, assert_in_order, char_boxes, flat, fonts, page_size, page_texts

DATA = Path(__file__).parent / "data"
INCH = 72
CLINIC = "name: Test Clinic\nphone: 555-0100\nafter_hours_phone: 555-0199\n"
HEAD = "id: layout\ntitle: Layout Test\nkind: general\nversion: \"3\"\nreviewed: 2026-01-02\nsections:\n"
LOREM = ("Rest your back and take short walks around the house. Ask your care team which chores are safe. "
         "Sit in a firm chair with a straight back. ")


@pytest.fixture
def build(tmp_path, write):
    """build(yaml_text or path, paper) -> path of the PDF the CLI wrote."""
    clinic = write("clinic.yaml", CLINIC)

    def run(source: str | Path, paper: str = "letter") -> Path:
        path = source if isinstance(source, Path) else write("handout.yaml", source)
        out = tmp_path / "out"
        result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--paper", paper,
                                           "--clinic", str(clinic)])
        assert result.exit_code == 0, result.output
        [pdf] = [line.split()[0] for line in result.stdout.splitlines()]
        return Path(pdf)
    return run


def sections(*bodies: str) -> str:
    return HEAD + "".join(f"  - heading: {heading}\n    blocks:\n{blocks}" for heading, blocks in bodies)


def filler(lines: int) -> str:
    return f"      - paragraph: \"{LOREM * max(1, lines // 2)}\"\n" if lines else ""


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


def _body_lines(text: str) -> list[str]:
    """A page's body lines: the header and footer are drawn last, so they come last."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[:lines.index("Test Clinic")] if "Test Clinic" in lines else lines


@pytest.mark.parametrize("lead", range(0, 40, 3))
def test_a_heading_is_never_the_last_thing_on_a_page(build, lead):
    headings = [f"Heading number {n}" for n in range(1, 9)]
    pdf = build(sections(("Start", filler(lead) or "      - paragraph: Start.\n"),
                         *((h, filler(5 + (i * 7) % 11)) for i, h in enumerate(headings))))
    for number, text in enumerate(page_texts(pdf), start=1):
        body = _body_lines(text)
        assert body and body[-1] not in headings + ["Start"], f"page {number} ends with heading {body[-1]!r}"


def _pages_of(pdf: Path, needles: list[str]) -> dict[str, set[int]]:
    texts = [flat(text) for text in page_texts(pdf)]
    return {needle: {number for number, text in enumerate(texts, start=1) if needle in text} for needle in needles}


@pytest.mark.parametrize("lead", range(0, 60, 4))
def test_a_warning_box_that_fits_on_a_page_is_never_split_and_a_checklist_only_with_two_entries_first(build, lead):
    items = [f"Checklist entry {n}" for n in range(1, 8)]
    warning = [f"Warning entry {n}" for n in range(1, 6)]
    pdf = build(sections(
        ("Start", filler(lead) or "      - paragraph: Start.\n"),
        ("Boxes", "      - checklist:\n          title: Bring these things\n          items:\n"
                  + "".join(f"            - {item}\n" for item in items)
                  + filler(lead % 9)
                  + "      - warning:\n          level: emergency\n          title: Get help now if\n"
                  + "          items:\n" + "".join(f"            - {item}\n" for item in warning))))
    pages = _pages_of(pdf, ["Bring these things", "Bring these things (continued)", "EMERGENCY: Get help now if"]
                      + items + warning)
    assert all(len(pages[item]) == 1 for item in items + warning), pages
    assert {page for item in warning for page in pages[item]} == pages["EMERGENCY: Get help now if"]
    checklist_pages = sorted({page for item in items for page in pages[item]})
    assert checklist_pages == sorted(pages["Bring these things"])
    if len(checklist_pages) == 2:
        first, second = checklist_pages
        assert second == first + 1 and pages["Bring these things (continued)"] == {second}
        assert sum(1 for item in items if pages[item] == {first}) >= 2


def test_a_box_taller_than_a_page_splits_and_repeats_its_title(build):
    items = [f"Medicine number {n} with its dose and time of day" for n in range(1, 61)]
    pdf = build(sections(("Medicines", "      - checklist:\n          title: Medicines to bring\n          items:\n"
                          + "".join(f"            - {item}\n" for item in items))))
    texts = [flat(text) for text in page_texts(pdf)]
    assert len(texts) >= 2
    assert "Medicines to bring" in texts[0] and "(continued)" not in texts[0]
    for text in texts[1:]:
        assert "Medicines to bring (continued)" in text
    assert all(sum(text.count(item + " ") + text.endswith(item) for text in texts) == 1 for item in items)


def test_table_header_repeats_on_every_page(build):
    rows = "".join(f"            - [Medicine {n}, \"{n} mg\", Morning and night]\n" for n in range(1, 71))
    pdf = build(sections(("Your medicines", "      - table:\n          header: [Name, Dose, When to take it]\n"
                          "          rows:\n" + rows)))
    texts = page_texts(pdf)
    assert len(texts) >= 2
    for text in texts:
        assert "Name Dose When to take it" in flat(text)
    assert_in_order(" ".join(flat(t) for t in texts), [f"Medicine {n} " for n in range(1, 71)])


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


@pytest.mark.parametrize("following", ["table", "qr", "page_break"])
@pytest.mark.parametrize("lead", range(20, 44, 2))
def test_a_heading_stays_with_a_table_qr_or_break_that_follows_it(build, following, lead):
    block = {
        "table": "      - table:\n          header: [Medicine name and strength, When and how to take it]\n"
                 "          rows:\n            - [Acetaminophen 500 mg tablets, Two tablets every six hours with "
                 "food and a full glass of water]\n            - [a, b]\n",
        "qr": "      - qr: {url: \"https://example.org/video\", caption: Watch the video}\n",
        "page_break": "      - page_break: true\n      - paragraph: After the break.\n",
    }[following]
    pdf = build(sections(("Start", filler(lead)), ("Target heading", block)))
    for number, text in enumerate(page_texts(pdf), start=1):
        body = _body_lines(text)
        assert body and body[-1] != "Target heading", f"page {number} ends with the heading"


def test_pdf_files_get_the_usual_permissions(build):
    import os
    mask = os.umask(0o022)
    try:
        pdf = build(DATA / "all_blocks.yaml")
    finally:
        os.umask(mask)
    assert oct(pdf.stat().st_mode & 0o777) == oct(0o644)
