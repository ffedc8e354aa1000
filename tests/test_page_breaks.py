"""Page breaks read back from the PDF, line by line: a heading is never the last line of a page, a
warning box never splits, a checklist splits only with two entries first, a table repeats its header."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from handouts import content
from handouts import model
from handouts.render import styles
from handouts.render.document import render
from pdfcheck import body_lines

HEAD = "id: breaks\ntitle: Page Breaks\nkind: general\nsections:\n"
LOREM = ("Rest your back and take short walks around the house. Ask your care team which chores are safe. "
         "Sit in a firm chair with a straight back. ")
FIRST_BLOCKS = {
    "checklist": "      - checklist:\n          title: Bring these things\n          items:\n"
                 + "".join(f"            - Checklist entry {n}\n" for n in range(1, 7)),
    "emergency warning": "      - warning:\n          level: emergency\n          title: Get help now if\n"
                         "          items:\n" + "".join(f"            - Warning entry {n}\n" for n in range(1, 6)),
    "note": f"      - note: \"{LOREM * 2}\"\n",
    "table": "      - table:\n          header: [Medicine, When to take it]\n          rows:\n"
             + "".join(f"            - [Medicine {n}, Morning and night with food]\n" for n in range(1, 9)),
    "steps": "      - steps:\n" + "".join(f"          - Step number {n} of the list.\n" for n in range(1, 9)),
    "long paragraph": f"      - paragraph: \"{LOREM * 4}\"\n",
    "qr code": "      - qr: {url: \"https://example.org/video\", caption: Watch the video}\n",
    "write-in lines": "      - fill_in:\n          - {label: Questions for your team, lines: 5}\n",
}
HEADINGS = ["Start", "Target heading", "After"]


def handout_file(tmp_path: Path, lead: int, first_block: str) -> Path:
    """A handout whose "Target heading" comes after LEAD one-line paragraphs, its section opening with FIRST_BLOCK."""
    start = "".join(f"      - paragraph: Line {n}.\n" for n in range(1, lead + 1)) or "      - paragraph: Line.\n"
    text = (HEAD + f"  - heading: Start\n    blocks:\n{start}"
            + f"  - heading: Target heading\n    blocks:\n{first_block}      - paragraph: {LOREM}\n"
            + f"  - heading: After\n    blocks:\n      - paragraph: {LOREM}\n")
    path = tmp_path / f"breaks-{lead}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def pages_of_lines(path: Path, paper: str) -> list[list[str]]:
    """The body lines of each page of PATH's generic PDF on PAPER, top to bottom."""
    data = render(content.load_handout(path), model.Clinic(), paper).data
    return body_lines(io.BytesIO(data), styles.Geometry(paper, styles.header_height(False, 0)))


# One-line paragraphs in steps of one line, over more than a page: every room the heading can meet.
@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("first_block", FIRST_BLOCKS)
def test_a_heading_is_never_the_last_line_of_a_page(tmp_path, paper, first_block):
    for lead in range(0, 27):
        pages = pages_of_lines(handout_file(tmp_path, lead, FIRST_BLOCKS[first_block]), paper)
        for number, lines in enumerate(pages[:-1], start=1):
            assert lines and lines[-1] not in HEADINGS, \
                f"{lead} lines before: page {number} ends with the heading {lines[-1]!r}"


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_warning_box_that_fits_on_a_page_moves_whole(tmp_path, paper):
    entries = [f"Warning entry {n}" for n in range(1, 6)]
    for lead in range(0, 27):
        pages = pages_of_lines(handout_file(tmp_path, lead, FIRST_BLOCKS["emergency warning"]), paper)
        holding = [number for number, lines in enumerate(pages) if any(line in entries for line in lines)]
        assert len(holding) == 1, f"{lead} lines before: the warning's entries are on pages {holding}"
        lines = pages[holding[0]]
        assert "EMERGENCY: Get help now if" in lines and all(entry in lines for entry in entries)
        assert not [line for page in pages for line in page if "(continued)" in line], f"{lead} lines before"


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_checklist_splits_only_with_its_title_and_two_entries_first(tmp_path, paper):
    entries = [f"Checklist entry {n}" for n in range(1, 7)]
    splits = 0
    for lead in range(0, 27):
        pages = pages_of_lines(handout_file(tmp_path, lead, FIRST_BLOCKS["checklist"]), paper)
        holding = sorted({number for number, lines in enumerate(pages) for line in lines if line in entries})
        assert len(holding) in (1, 2), f"{lead} lines before: entries on pages {holding}"
        if len(holding) == 1:
            assert "Bring these things" in pages[holding[0]]
            continue
        splits += 1
        first, second = holding
        assert second == first + 1
        assert "Bring these things" in pages[first]
        assert sum(entry in pages[first] for entry in entries) >= 2, f"{lead} lines before: fewer than two entries"
        assert pages[second][0] == "Bring these things (continued)", f"{lead} lines before: {pages[second][:2]}"
    assert splits, "no lead made the checklist start at the foot of a page: the sweep tests nothing"


def test_a_box_taller_than_a_page_splits_and_repeats_its_title(tmp_path):
    items = [f"Medicine number {n} with its dose and time of day" for n in range(1, 61)]
    path = tmp_path / "tall.yaml"
    path.write_text(HEAD + "  - heading: Medicines\n    blocks:\n      - checklist:\n          title: Medicines to bring\n"
                    "          items:\n" + "".join(f"            - {item}\n" for item in items), encoding="utf-8")
    pages = pages_of_lines(path, "letter")
    assert len(pages) >= 2
    assert "Medicines to bring" in pages[0] and not [line for line in pages[0] if "(continued)" in line]
    for lines in pages[1:]:
        assert lines[0] == "Medicines to bring (continued)"
    assert sorted(line for lines in pages for line in lines if line in items) == sorted(items)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_table_repeats_its_header_row_at_the_top_of_every_page(tmp_path, paper):
    path = tmp_path / "table.yaml"
    rows = "".join(f"            - [Medicine {n}, \"{n} mg\", Morning and night]\n" for n in range(1, 71))
    path.write_text(HEAD + "  - heading: Your medicines\n    blocks:\n      - table:\n"
                    "          header: [Name, Dose, When to take it]\n          rows:\n" + rows, encoding="utf-8")
    pages = pages_of_lines(path, paper)
    assert len(pages) >= 2
    assert pages[0][:4] == ["Page Breaks", "Your medicines", "Name Dose When to take it", "Medicine 1 1 mg Morning and night"]
    for number, lines in enumerate(pages[1:], start=2):
        assert lines[0] == "Name Dose When to take it" and lines[1].startswith("Medicine "), (number, lines[:2])
    medicines = [line.split(" ")[1] for lines in pages for line in lines if line.startswith("Medicine ")]
    assert medicines == [str(n) for n in range(1, 71)]


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_checklist_never_splits_a_task_from_the_details_under_it(tmp_path, paper):
    block = ("      - checklist:\n          title: Incision care\n          items:\n"
             + "".join(f"            - Task number {n}\n" for n in range(1, 5))
             + "            - text: Look for signs of infection, such as\n              items:\n"
             + "".join(f"                - Detail number {n}\n" for n in range(1, 4)))
    splits = 0
    for lead in range(0, 27):
        pages = pages_of_lines(handout_file(tmp_path, lead, block), paper)
        together = {"Look for signs of infection, such as"} | {f"Detail number {n}" for n in range(1, 4)}
        holding = {number for number, lines in enumerate(pages) for line in lines if line in together}
        assert len(holding) == 1, f"{lead} lines before: a task and its details on pages {sorted(holding)}"
        splits += any(line == "Incision care (continued)" for lines in pages for line in lines)
    assert splits, "no lead split the checklist: the sweep tests nothing"


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_checklist_of_long_entries_starts_at_the_foot_of_a_page_only_with_two_whole_entries(tmp_path, paper):
    # Entries of four lines each: a quarter of a page holds the title and one whole entry, not two.
    block = ("      - checklist:\n          title: Bring these things\n          items:\n"
             + "".join(f"            - \"Checklist entry {n}: {LOREM * 2}End{n}.\"\n" for n in range(1, 5)))
    splits = 0
    for lead in range(0, 27):
        pages = pages_of_lines(handout_file(tmp_path, lead, block), paper)
        first = next(lines for lines in pages if any(line.startswith("Checklist entry 1:") for line in lines))
        if not any(line.endswith("End4.") for line in first):
            splits += 1
            ends = [n for n in range(1, 5) if any(line.endswith(f"End{n}.") for line in first)]
            assert len(ends) >= 2, f"{lead} lines before: the checklist starts with whole entries {ends} only"
    assert splits, "no lead split the checklist: the sweep tests nothing"
