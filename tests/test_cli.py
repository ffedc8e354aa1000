"""The `handouts` command and `python generate.py`, as a clinic's staff would run them."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from handouts.cli import main
from handouts.content import load_handouts
from handouts.render.document import output_name
from pdfcheck import all_text

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"


def test_build_prints_path_pages_and_size_per_pdf(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(DATA / "all_blocks.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    pdf = out / "every-block.en.pdf"
    pages = len(PdfReader(pdf).pages)
    assert result.stdout == f"{pdf}  {pages} pages  {pdf.stat().st_size / 1024:.1f} KB\n"
    assert [p.name for p in out.iterdir()] == ["every-block.en.pdf"]   # no temporary file left behind


def test_build_a_folder_builds_every_handout_below_it_and_skips_the_clinic_profile(tmp_path):
    content = tmp_path / "content"
    (content / "more").mkdir(parents=True)
    shutil.copy(DATA / "all_blocks.yaml", content / "a.yaml")
    shutil.copy(DATA / "spine.png", content / "spine.png")
    (content / "more" / "b.yaml").write_text(
        "id: second\ntitle: Second\nkind: discharge\nlanguage: es\nsections:\n"
        "  - heading: Uno\n    blocks: [paragraph: Hola.]\n", encoding="utf-8")
    (content / "clinic.yaml").write_text("name: Folder Clinic\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(content), "-o", str(tmp_path / "out"),
                                       "--clinic", str(content / "clinic.yaml")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["every-block.en.pdf", "second.es.pdf"]
    reader = PdfReader(tmp_path / "out" / "second.es.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert reader.metadata.author == "Folder Clinic"


def test_a4_paper(tmp_path):
    result = CliRunner().invoke(main, ["build", str(DATA / "all_blocks.yaml"), "-o", str(tmp_path), "--paper", "a4"])
    assert result.exit_code == 0
    box = PdfReader(tmp_path / "every-block.en.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_check_writes_nothing_and_says_ok(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", str(DATA / "all_blocks.yaml"),
                                       "--clinic", str(REPO / "content" / "clinic.yaml")])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "1 handout OK"
    assert list(tmp_path.iterdir()) == []


def test_list_shows_a_table(tmp_path):
    result = CliRunner().invoke(main, ["list", str(DATA / "all_blocks.yaml")])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "ID           KIND     LANGUAGE  VERSION  REVIEWED    TITLE",
        "every-block  general  en        2.1      2026-10-01  Every Block: A Test Handout",
    ]


@pytest.mark.parametrize("arguments", [
    ["build"], ["build", "no-such-file.yaml"], ["build", "--paper", "a5", "x"], ["frobnicate"],
])
def test_usage_errors_exit_with_status_2(arguments):
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["list"]])
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(main, command + ["--help"])
    assert result.exit_code == 0
    assert re.search(r"Examples?:\n\s+handouts ", result.stdout), result.stdout


def test_an_unwritable_output_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["build", str(DATA / "all_blocks.yaml"), "-o", str(blocker / "out")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{blocker / 'out' / 'every-block.en.pdf'}: cannot write the PDF: ")
    assert "Traceback" not in result.output


def test_generate_py_builds_every_handout_in_content_into_out(tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "generate.py")], cwd=tmp_path, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": ""})
    assert result.returncode == 0, result.stderr
    expected = sorted(output_name(handout) for handout in load_handouts([REPO / "content"]))
    assert expected
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == expected
    assert len(result.stdout.splitlines()) == len(expected)
    for name in expected:
        assert PdfReader(tmp_path / "out" / name).metadata.author == "Riverside Spine Center"


# --- the clinic profile: the nearest clinic.yaml, from whatever folder the command runs ---------------
CALLS = """\
id: {id}
title: Who to call
kind: general
summary: Call us if you need help.
sections:
  - heading: Calls
    blocks:
      - paragraph: "Call {{{{ clinic.phone }}}}. After hours, call {{{{ clinic.after_hours_phone }}}}."
      - checklist: [Keep this sheet.]
"""
LAKESIDE = "name: Lakeside Clinic\nphone: 555-0101\nafter_hours_phone: 555-0199\n"
BLANK = "_" * 16


def no_clinic_warning(folder: Path) -> str:
    return (f"{folder}: warning: no clinic profile (clinic.yaml) in this folder or any folder above it, so clinic "
            "placeholders such as {{ clinic.phone }} print as write-in lines and no clinic name or logo heads the "
            "pages; put the clinic's clinic.yaml in this folder or one above it, or give a clinic profile")


def calls_handout(folder: Path, handout_id: str = "calls") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{handout_id}.yaml"
    path.write_text(CALLS.format(id=handout_id), encoding="utf-8")
    return path


@pytest.fixture
def elsewhere(tmp_path, monkeypatch) -> Path:
    """The command runs from a folder with no content/ in it, as from a nurse's home folder."""
    assert not [folder for folder in (tmp_path, *tmp_path.parents) if (folder / "clinic.yaml").exists()], \
        "a clinic.yaml above the test's folder would be found by every test here"
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.mark.parametrize("depth", [0, 2])
def test_build_from_another_folder_uses_the_clinic_yaml_beside_or_above_the_handout(tmp_path, elsewhere, depth):
    site = tmp_path / "site"
    handout = calls_handout(site.joinpath(*["handouts", "spine"][:depth]))
    (site / "clinic.yaml").write_text(LAKESIDE, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(handout), "-o", "out"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    text = all_text(elsewhere / "out" / "calls.en.pdf")
    assert "Lakeside Clinic" in text
    assert "Call 555-0101. After hours, call 555-0199." in text


def test_build_with_no_clinic_yaml_above_warns_and_prints_write_in_lines(tmp_path, elsewhere):
    handout = calls_handout(tmp_path / "handouts")
    result = CliRunner().invoke(main, ["build", str(handout), "-o", "out"])
    assert result.exit_code == 0, result.output
    assert result.stderr == no_clinic_warning(tmp_path / "handouts") + "\n"
    assert f"Call {BLANK}. After hours, call {BLANK}." in all_text(elsewhere / "out" / "calls.en.pdf")


def test_the_clinic_option_wins_over_a_nearer_clinic_yaml(tmp_path, elsewhere):
    handout = calls_handout(tmp_path / "site")
    (tmp_path / "site" / "clinic.yaml").write_text("name: Nearby Clinic\nphone: 555-0111\n", encoding="utf-8")
    chosen = tmp_path / "chosen.yaml"
    chosen.write_text(LAKESIDE, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(handout), "-o", "out", "--clinic", str(chosen)])
    assert (result.exit_code, result.stderr) == (0, "")
    text = all_text(elsewhere / "out" / "calls.en.pdf")
    assert "Lakeside Clinic" in text and "Call 555-0101." in text
    assert "Nearby" not in text and "555-0111" not in text


def test_handouts_built_together_each_get_their_own_nearest_clinic_yaml(tmp_path, elsewhere):
    content = tmp_path / "content"
    calls_handout(content, "main")
    calls_handout(content / "pediatrics", "kids")
    calls_handout(tmp_path / "loose", "loose")
    (content / "clinic.yaml").write_text(LAKESIDE, encoding="utf-8")
    (content / "pediatrics" / "clinic.yaml").write_text(
        "name: Lakeside Children's Clinic\nphone: 555-0202\nafter_hours_phone: 555-0299\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(content), str(tmp_path / "loose"), "-o", "out"])
    assert result.exit_code == 0, result.output
    assert result.stderr == no_clinic_warning(tmp_path / "loose") + "\n"
    main_text, kids_text, loose_text = (all_text(elsewhere / "out" / f"{name}.en.pdf")
                                        for name in ("main", "kids", "loose"))
    assert "Lakeside Clinic" in main_text and "Call 555-0101. After hours, call 555-0199." in main_text
    assert "Lakeside Children's Clinic" in kids_text and "Call 555-0202. After hours, call 555-0299." in kids_text
    assert f"Call {BLANK}. After hours, call {BLANK}." in loose_text and "Lakeside" not in loose_text


def test_check_follows_the_same_rule(tmp_path, elsewhere):
    site = tmp_path / "site"
    handout = calls_handout(site / "handouts")
    alone = CliRunner().invoke(main, ["check", str(handout)])
    assert alone.exit_code == 0, alone.output
    assert alone.stderr == no_clinic_warning(site / "handouts") + "\n"
    assert alone.stdout.splitlines()[-1] == "1 handout OK (1 warning)"
    strict = CliRunner().invoke(main, ["check", str(handout), "--strict"])
    assert strict.exit_code == 1
    assert strict.stderr.splitlines()[0] == no_clinic_warning(site / "handouts").replace(": warning: ", ": ", 1)

    # A profile above is read and validated: its typo is check's to report.
    (site / "clinic.yaml").write_text("name: Lakeside Clinic\nphnoe: 555-0101\n", encoding="utf-8")
    typo = CliRunner().invoke(main, ["check", str(handout)])
    assert typo.exit_code == 1
    assert typo.stderr.startswith(f"{site / 'clinic.yaml'}:2: expected a key of a clinic profile")
    (site / "clinic.yaml").write_text(LAKESIDE, encoding="utf-8")
    found = CliRunner().invoke(main, ["check", str(handout), "--strict"])
    assert (found.exit_code, found.stderr, found.stdout.splitlines()[-1]) == (0, "", "1 handout OK")


def test_every_clinic_profile_text_is_a_placeholder(tmp_path):
    (tmp_path / "clinic.yaml").write_text(
        LAKESIDE + "emergency_number: \"112\"\naddress: 12 Lake Road, Springfield\n"
                   "website: https://lakeside.example.org\n", encoding="utf-8")
    handout = tmp_path / "visit.yaml"
    handout.write_text(
        "id: visit\ntitle: Your visit\nkind: general\nsections:\n  - heading: Finding us\n    blocks:\n"
        "      - paragraph: \"{{ clinic.name }} is at {{ clinic.address }}. Read more at {{ clinic.website }}.\"\n"
        "      - paragraph: \"Phone {{ clinic.phone }}, after hours {{ clinic.after_hours_phone }}, "
        "emergencies {{ clinic.emergency_number }}.\"\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(handout), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    text = all_text(tmp_path / "out" / "visit.en.pdf")
    assert ("Lakeside Clinic is at 12 Lake Road, Springfield. Read more at https://lakeside.example.org." in text)
    assert "Phone 555-0101, after hours 555-0199, emergencies 112." in text
    links = [annotation.get_object()["/A"]["/URI"] for annotation in
             PdfReader(tmp_path / "out" / "visit.en.pdf").pages[0].get("/Annots") or ()]
    assert links == ["https://lakeside.example.org"]        # the website prints as a link, like any address
