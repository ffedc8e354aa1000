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
from handouts.loading import load_handouts
from handouts.pdf import output_name

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
    result = CliRunner().invoke(main, ["check", str(DATA / "all_blocks.yaml")])
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
