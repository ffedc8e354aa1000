"""Large print: the same content at 18 pt and up, read back from the PDFs."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts import content
from handouts import blocks, model
from handouts.render import styles
from handouts.cli import main
from pdfcheck import all_text, fonts, squares, text_runs

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CLINIC = REPO / "content" / "clinic.yaml"


def build(path: Path, out: Path, *options: str) -> Path:
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--clinic", str(CLINIC), *options])
    assert result.exit_code == 0, result.output
    return out


def body_runs(pdf: Path) -> list[tuple[str, float, str, float, float]]:
    """Runs of text inside the frame: everything but the header and footer, and the alt text drawn
    invisible over pictures (no one sees its size)."""
    geometry = styles.Geometry("letter", styles.header_height(True, False))
    top = geometry.frame_y + geometry.frame_height
    return [run for page in text_runs(pdf) for run in page
            if geometry.frame_y <= run[4] <= top and not run[0].startswith("Picture: ")]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    build(REPO / "content", out)
    build(REPO / "content", out, "--large-print")
    build(DATA / "all_blocks.yaml", out)
    build(DATA / "all_blocks.yaml", out, "--large-print")
    return out


@pytest.mark.parametrize("name", ["kyphoplasty-before.en", "kyphoplasty-care-after.en", "kyphoplasty-before.es",
                                  "kyphoplasty-care-after.es", "every-block.en"])
def test_every_body_text_is_at_least_18_pt_and_headings_at_least_22(built, name):
    large = built / f"{name}.large.pdf"
    runs = body_runs(large)
    assert runs and min(size for _, size, _, _, _ in runs) >= 18
    handout = content.load_handout(REPO / "content" / f"{name.split('.')[0]}{'.es' if '.es' in name else ''}.yaml"
                                   if name != "every-block.en" else DATA / "all_blocks.yaml")
    headings = {model.plain(section.heading, {}, "") for section in handout.sections}
    sizes = {text.strip(): size for text, size, _, _, _ in runs}
    assert all(sizes[heading] >= 22 for heading in headings if heading in sizes)
    assert sum(heading in sizes for heading in headings) >= len(headings) - 1     # one may wrap onto two lines
    # The standard copy is the smaller one: the option is what made the difference.
    assert min(size for _, size, _, _, _ in body_runs(built / f"{name}.pdf")) < 18


def test_lines_are_spaced_at_least_1_3_times_the_type_size(built):
    for page in text_runs(built / "kyphoplasty-care-after.en.large.pdf"):
        baselines = sorted({y for _, size, _, _, y in page if size == 18}, reverse=True)
        gaps = [upper - lower for upper, lower in zip(baselines, baselines[1:])]
        gaps = [gap for gap in gaps if gap > 2]     # a marker and its text sit within 2 pt of one baseline
        assert gaps and min(gaps) >= 1.3 * 18


def test_large_print_has_no_italics_the_emphasis_is_bold(built):
    standard = {font["name"] for font in fonts(built / "every-block.en.pdf")}
    large = {font["name"] for font in fonts(built / "every-block.en.large.pdf")}
    assert any("Italic" in name for name in standard)
    assert not any("Italic" in name for name in large)
    italic_words = [(text, font) for text, _, font, _, _ in body_runs(built / "every-block.en.large.pdf")
                    if "italic words" in text]
    assert italic_words and all(font.endswith("Bold") for _, font in italic_words)


def test_tick_boxes_are_at_least_16_pt_one_per_task(built):
    handout = content.load_handout(REPO / "content" / "kyphoplasty-before.yaml")
    tasks = sum(len(block.items) for section in handout.sections for block in section.blocks
                if isinstance(block, model.Checklist))
    sides = [side for page in squares(built / "kyphoplasty-before.en.large.pdf") for side in page]
    assert len(sides) == tasks and min(sides) >= 16


def test_the_same_content_in_both_sizes(built):
    for name in ("kyphoplasty-before.en", "kyphoplasty-care-after.en"):
        handout = content.load_handout(REPO / "content" / f"{name.split('.')[0]}.yaml")
        values = content.load_clinic(CLINIC).values()
        large = all_text(built / f"{name}.large.pdf")
        for text in blocks.handout_texts(handout):
            assert " ".join(model.plain(text, values, styles.BLANK).split()) in large


def test_large_print_has_its_own_file_name_beside_the_standard_one(built):
    assert (built / "kyphoplasty-care-after.en.pdf").is_file()
    assert (built / "kyphoplasty-care-after.en.large.pdf").is_file()


def test_a_manifest_row_asks_for_large_print(tmp_path):
    manifest = tmp_path / "patients.csv"
    manifest.write_text("mrn,name,handouts,large_print\n"
                        "L-1,Ana Test,kyphoplasty-care-after,yes\n"
                        "L-2,Bo Test,kyphoplasty-care-after,no\n"
                        "L-3,Cy Test,kyphoplasty-care-after,\n"
                        "L-4,Di Test,kyphoplasty-care-after,maybe\n", encoding="utf-8")
    out = tmp_path / "packets"
    result = CliRunner().invoke(main, ["batch", str(manifest), "-o", str(out), "--content", str(REPO / "content"),
                                       "--jobs", "1"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{manifest}:5: large_print: expected yes or no (or an empty cell for no), found another value"]
    assert min(size for _, size, _, _, _ in body_runs(out / "L-1.pdf")) >= 18
    assert min(size for _, size, _, _, _ in body_runs(out / "L-2.pdf")) < 18
    assert min(size for _, size, _, _, _ in body_runs(out / "L-3.pdf")) < 18
    assert not (out / "L-4.pdf").exists()
