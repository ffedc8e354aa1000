"""The public Python API, used as a server or a script would: what it returns, what it refuses, what it leaves alone."""
from __future__ import annotations

import importlib
import io
import os
import pkgutil
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

import handouts
from handouts.cli import main

REPO = Path(__file__).resolve().parent.parent
CARE_AFTER = REPO / "content" / "kyphoplasty-care-after.yaml"
BEFORE = REPO / "content" / "kyphoplasty-before.yaml"
CLINIC = REPO / "content" / "clinic.yaml"
PATIENT = handouts.Patient(name="Zelda Apitest", mrn="C-2041", dob=date(1950, 12, 17),
                           procedure_date=date(2026, 12, 3), surgeon="Dr. Rivera")


def pages_text(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_a_handout_rendered_for_a_patient_names_them_on_every_page_and_prints_nothing(capsys):
    rendered = handouts.render_handout(handouts.load_handout(CARE_AFTER), handouts.load_clinic(CLINIC), PATIENT,
                                       paper="a4", large_print=True)
    pages = pages_text(rendered.data)
    assert len(pages) == rendered.pages > 1
    assert all("Patient: Zelda Apitest" in page and "MRN C-2041" in page for page in pages)
    assert PdfReader(io.BytesIO(rendered.data)).pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)
    assert capsys.readouterr() == ("", "")


def test_the_command_line_writes_the_same_bytes_the_api_returns(tmp_path):
    result = CliRunner().invoke(main, ["build", str(CARE_AFTER), "-o", str(tmp_path), "--clinic", str(CLINIC),
                                       "--set", "patient.name=Zelda Apitest", "--set", "patient.mrn=C-2041",
                                       "--set", "patient.dob=1950-12-17", "--set", "procedure.date=2026-12-03",
                                       "--set", "procedure.surgeon=Dr. Rivera"])
    assert result.exit_code == 0, result.output
    written = (tmp_path / "C-2041.kyphoplasty-care-after.en.pdf").read_bytes()
    rendered = handouts.render_handout(handouts.load_handout(CARE_AFTER), handouts.load_clinic(CLINIC), PATIENT)
    assert rendered.data == written


def test_a_packet_has_its_cover_first_then_each_handout_in_the_order_given():
    before, care = handouts.load_handout(BEFORE), handouts.load_handout(CARE_AFTER)
    rendered = handouts.render_packet([care, before], handouts.load_clinic(CLINIC), PATIENT, cover=True,
                                      language="es", notes="Llame antes de tomar warfarina.")
    text = " ".join(pages_text(rendered.data))
    cover = text.index("Su paquete de cuidados")
    notes = text.index("Llame antes de tomar warfarina.")
    care_title, before_title = text.index(str(care.title)), text.index(str(before.title), cover + 200)
    assert cover < notes < care_title < before_title


def test_no_clinic_is_a_generic_profile_with_write_in_lines():
    text = " ".join(pages_text(handouts.render_handout(handouts.load_handout(CARE_AFTER)).data))
    assert "Riverside" not in text
    assert "________________" in text


@pytest.mark.parametrize("call, message", [
    (lambda h: handouts.render_handout(h, paper="legal"), "paper: expected one of letter, a4, found 'legal'"),
    (lambda h: handouts.render_packet([]), "handouts: expected at least one handout, found none"),
    (lambda h: handouts.render_packet([h], language="!!"),
     "language: expected a language tag such as en or es-MX, found '!!'"),
])
def test_arguments_a_caller_gets_wrong_are_refused_with_what_was_expected(call, message):
    with pytest.raises(ValueError) as raised:
        call(handouts.load_handout(CARE_AFTER))
    assert str(raised.value) == message


@pytest.mark.parametrize("patient, notes, message", [
    (handouts.Patient(surgeon="Dr. " + "Abcdefghij" * 6), None,
     "procedure.surgeon: expected words of at most 30 characters, found a longer one; put spaces between words"),
    (handouts.Patient(name="\U00013000 Apitest"), None,
     "patient.name: expected characters the fonts can draw, found 1 that no font here has; "
     "write it in Latin, Greek or Cyrillic letters"),
    (None, "Llame " * 100, "notes: expected notes of at most 500 characters, to fit on the first page, found 600"),
    (None, "\u05e9\u05dc\u05d5\u05dd", "notes: expected left-to-right text, found right-to-left script (Hebrew or "
     "Arabic); right-to-left text is not supported yet"),
])
def test_a_patient_s_text_is_held_to_the_manifest_s_rules_and_never_repeated(patient, notes, message):
    with pytest.raises(handouts.SettingError) as raised:
        handouts.render_packet([handouts.load_handout(CARE_AFTER)], patient=patient, notes=notes)
    assert str(raised.value).endswith(message)
    assert "Apitest" not in str(raised.value) and "Llame" not in str(raised.value)


def test_a_folder_given_as_a_handout_is_a_content_error_and_leaves_no_file_open():
    open_before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        with pytest.raises(handouts.ContentErrors) as raised:
            handouts.load_handout(REPO / "content")
    assert str(raised.value.errors[0]) == f"{REPO / 'content'}:1: expected a regular file, found a folder; " \
                                          "name a file saved on disk"
    assert len(os.listdir("/proc/self/fd")) == open_before


def test_a_content_error_is_raised_with_its_fields_and_one_line_message(write):
    path = write("bad.yaml", """
        id: bad
        title: Bad
        kind: discharge
        sections:
          - heading: Care
            blocks:
              - warning: {level: danger, text: Call us.}
        """)
    with pytest.raises(handouts.ContentErrors) as raised:
        handouts.load_handout(path)
    [error] = raised.value.errors
    assert (error.path, error.line) == (path, 7)
    assert str(error) == (f"{path}:7: expected a warning level: one of caution, urgent, emergency, "
                          "found text 'danger'")


def test_a_batch_runs_from_python_and_reports_each_row(tmp_path):
    manifest = tmp_path / "patients.csv"
    manifest.write_text("mrn,name,handouts\nB-1,Zelda Batchtest,kyphoplasty-care-after\n"
                        "B-2,Yara Batchtest,kyphoplasty-recovery\n", encoding="utf-8")
    options = handouts.BatchOptions(out_dir=tmp_path / "packets", content=REPO / "content", today=date(2026, 12, 1))
    rows = []
    summary = handouts.run_batch(manifest, options, on_row=rows.append)
    assert (summary.written, summary.failed) == (1, 1)
    assert [(row.line, row.status) for row in rows] == [(2, "written"), (3, "failed")]
    [error] = rows[1].errors            # the library's own error, fields and all, for a caller to word
    assert isinstance(error, handouts.ContentError) and (error.line, error.key) == (3, "handouts")
    assert "kyphoplasty-care-after" in error.fix and "Yara" not in str(error)
    assert "Zelda Batchtest" in pages_text((tmp_path / "packets" / "B-1.pdf").read_bytes())[0]


def test_import_loads_neither_reportlab_nor_click_and_rendering_never_loads_click():
    script = ("import sys, pathlib, handouts\n"
              "first = 'reportlab' in sys.modules, 'click' in sys.modules\n"
              "handouts.render_handout(handouts.load_handout(pathlib.Path(sys.argv[1])))\n"
              "print(first, 'reportlab' in sys.modules, 'click' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script, str(CARE_AFTER)], capture_output=True, text=True,
                            cwd=REPO, check=True)
    assert result.stdout.split() == ["(False,", "False)", "True", "False"]


def test_every_public_name_is_there_and_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Use from Python"):readme.index("## Code layout")]
    assert set(handouts.__all__) == set(handouts._PUBLIC) | {"__version__"}
    for name in handouts.__all__:
        assert getattr(handouts, name) is not None
    for name in ("load_handout", "load_handouts", "load_clinic", "render_handout", "render_packet", "run_batch",
                 "build", "check", "send_packets", "ContentErrors", "HandoutError"):
        assert f"`{name}" in section, name


def test_public_names_stay_what_they_are_once_every_module_is_imported():
    """A submodule named like a public function would replace it on the package when first imported."""
    for module in pkgutil.walk_packages(handouts.__path__, "handouts."):
        if module.name != "handouts.__main__":          # that one runs the command
            importlib.import_module(module.name)
    for name, where in handouts._PUBLIC.items():
        assert getattr(handouts, name) is getattr(importlib.import_module(f"handouts.{where}"), name), name
    assert callable(handouts.build) and callable(handouts.check) and callable(handouts.run_batch)


def test_the_readme_example_runs_as_written(tmp_path, monkeypatch):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Use from Python"):readme.index("## Code layout")]
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    for folder in ("content", "examples"):
        os.symlink(REPO / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert pages_text((tmp_path / "C-2041.pdf").read_bytes())[0].count("Ana Example") == 1
    assert sorted(path.name for path in (tmp_path / "packets").glob("*.pdf"))[:2] == ["A-1001.pdf", "A-1002.pdf"]
