"""`handouts batch` and one-patient builds, as a discharge nurse and a clinic's IT staff would run them."""
from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from conftest import TODAY
from handouts.cli import main
from pdfcheck import all_text, flat, page_texts

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "patients.csv"
HEADER = "mrn,name,dob,language,handouts,procedure_date,followup_date,notes"
CARE = "kyphoplasty-care-after"
BEFORE = "kyphoplasty-before"


@pytest.fixture
def clinic_dir(tmp_path) -> Path:
    """A copy of the repository's content folder, clinic profile and logo included."""
    target = tmp_path / "content"
    shutil.copytree(REPO / "content", target)
    return target


def manifest(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "patients.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join((header,) + rows) + "\n", encoding="utf-8")
    return path


def run(manifest_path: Path, content: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["batch", str(manifest_path), "-o", str(out), "--content", str(content),
                                     "--clinic", str(content / "clinic.yaml"), "--jobs", "1", *extra])


def report(out: Path, name: str = "batch-report.csv") -> list[dict]:
    with (out / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


# --- bad rows --------------------------------------------------------------------------------------
def test_each_bad_row_is_reported_with_its_line_and_the_other_rows_are_still_made(tmp_path, clinic_dir):
    path = manifest(tmp_path,
                    f"A-1,Ana Good,1948-03-14,en,{CARE},2026-12-01,2026-12-03,",
                    f"A-2,,1948-03-14,en,{CARE},,,",
                    "A-3,Cai Unknown,1948-03-14,en,kyphoplasty-recovery,,,",
                    f"A-4,Dee Date,1948-03-14,en,{CARE},2026-12-01,2026-13-03,",
                    f"../../etc/x,Eve Path,1948-03-14,en,{CARE},,,",
                    f"a-1,Fay Twice,1948-03-14,en,{CARE},,,",
                    f"A-7,Gus Good,1950-01-02,en,{BEFORE};{CARE},,,")
    out = tmp_path / "out"
    result = run(path, clinic_dir, out)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:3: name: expected the patient's name, found an empty cell",
        f"{path}:4: handouts: expected ids of handouts in the content folder, found 'kyphoplasty-recovery'; "
        "did you mean 'kyphoplasty-care-after'?",
        f"{path}:5: followup_date: expected a date as YYYY-MM-DD, found a value that is not a date; "
        "for example 2026-12-03 (in Excel, format the column as text)",
        f"{path}:6: mrn: expected an MRN of letters, digits and dashes, at most 20 characters, "
        "found 11 characters, with '.' and '/'; it names the packet file, so nothing else is allowed",
        f"{path}:7: mrn: expected an MRN not used on an earlier row, found 'a-1' again (first on line 2); "
        "give each patient one row, listing all their handouts in it",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["A-1.pdf", "A-7.pdf", "batch-report.csv"]
    assert not (tmp_path / "etc").exists()
    rows = report(out)
    assert [(r["row"], r["mrn"], r["status"], r["file"]) for r in rows] == [
        ("2", "A-1", "written", "A-1.pdf"), ("3", "A-2", "failed", ""), ("4", "A-3", "failed", ""),
        ("5", "A-4", "failed", ""), ("6", "", "failed", ""), ("7", "a-1", "failed", ""),
        ("8", "A-7", "written", "A-7.pdf")]
    assert rows[1]["error"] == result.stderr.splitlines()[0]
    assert rows[0]["pages"] == str(len(PdfReader(out / "A-1.pdf").pages))
    assert "2 packets written, 0 unchanged, 5 failed;" in result.stdout


def test_a_manifest_without_a_required_column_stops_before_anything_is_written(tmp_path, clinic_dir):
    path = manifest(tmp_path, "A-1,Ana,1948-03-14", header="mrn,name,dob")
    result = run(path, clinic_dir, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{path}:1: expected a header row with the columns mrn, name, handouts, found no handouts column; "
        "the first row names the columns")
    assert not (tmp_path / "out").exists()


def test_an_unknown_column_is_a_warning_and_the_row_is_made(tmp_path, clinic_dir):
    path = manifest(tmp_path, f"A-1,Ana,{CARE},x", header="mrn,name,handouts,surgoen")
    result = run(path, clinic_dir, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{path}:1: warning: column 4 has an unknown name and is ignored; did you mean 'surgeon'?\n"
    assert (tmp_path / "out" / "A-1.pdf").is_file()


def test_a_missing_translation_falls_back_to_english_with_a_warning(tmp_path, clinic_dir):
    (clinic_dir / f"{CARE}.es.yaml").unlink(missing_ok=True)
    path = manifest(tmp_path, f"A-1,Ana,,es,{CARE},,,")
    result = run(path, clinic_dir, tmp_path / "out")
    assert result.exit_code == 0
    assert result.stderr == (f"{path}:2: warning: language: {CARE} has no 'es' version; "
                             "the 'en' one is used\n")
    packet = tmp_path / "out" / "A-1.pdf"
    assert "Balloon Kyphoplasty: Care After" in all_text(packet)
    # An English handout's header is in English too, not Spanish labels around English instructions.
    assert "Patient: Ana" in page_texts(packet)[0] and "Paciente" not in all_text(packet)


def _no_translation(path: Path, line: int, handout_id: str = CARE) -> str:
    return f"{path}:{line}: warning: language: {handout_id} has no 'es' version; the 'en' one is used"


def _listed_twice(path: Path, line: int) -> str:
    return f"{path}:{line}: warning: handouts: a handout listed twice is printed once"


def _by_row(output: str, path: Path) -> list[tuple[str, list[str]]]:
    """("row N  MRN  status", the messages printed just before that -v line), in the order printed."""
    rows, messages = [], []
    for line in output.splitlines():
        if line.startswith(f"{path}:"):
            messages.append(line)
        elif line.startswith("row "):
            rows.append((" ".join(line.split()[:4]), messages))
            messages = []
    assert not messages, f"messages after the last row: {messages}"
    return rows


def test_a_row_given_english_for_want_of_a_translation_shows_its_warning_on_its_own_report_row(tmp_path, clinic_dir):
    (clinic_dir / f"{CARE}.es.yaml").unlink()
    path = manifest(tmp_path, f"A-1,Ana,,en,{CARE},,,", f"A-2,Bo,,es,{CARE},,,", f"A-3,Cy,,es,{BEFORE},,,",
                    f"A-4,Di,,es,{CARE};{CARE},,,")
    out = tmp_path / "out"
    result = run(path, clinic_dir, out, "-v")
    assert result.exit_code == 0, result.output
    assert _by_row(result.output, path) == [
        ("row 2 A-1 written", []), ("row 3 A-2 written", [_no_translation(path, 3)]), ("row 4 A-3 written", []),
        ("row 5 A-4 written", [_listed_twice(path, 5), _no_translation(path, 5)])]
    assert [(r["row"], r["status"], r["error"], r["warnings"]) for r in report(out)] == [
        ("2", "written", "", ""), ("3", "written", "", _no_translation(path, 3)), ("4", "written", "", ""),
        ("5", "written", "", f"{_listed_twice(path, 5)} | {_no_translation(path, 5)}")]


def test_warnings_and_errors_stay_on_their_own_rows_in_every_run_with_workers(tmp_path, clinic_dir):
    # Workers finish rows in an order that changes from run to run; what is printed and reported must not.
    (clinic_dir / f"{CARE}.es.yaml").unlink()
    where = tmp_path / "patients.csv"
    rows, expected = [], []
    for n in range(1, 17):       # row 12 (n 11) fails, with a warning of its own; rows 6 and 12 list a handout twice
        line, language = n + 1, "es" if n in (1, 4, 5, 9, 10, 16) else "en"
        handouts = [BEFORE, CARE] if n % 3 == 0 else [CARE, CARE] if n in (5, 11) else [CARE]
        followup = "2026-13-03" if n == 11 else ""
        rows.append(f"W-{n},Pat {n},,{language},{';'.join(handouts)},,{followup},")
        warnings = [_listed_twice(where, line)] if n in (5, 11) else []
        if language == "es":
            warnings.append(_no_translation(where, line))
        expected.append((line, f"W-{n}", "failed" if n == 11 else "written", warnings))
    path = manifest(tmp_path, *rows)
    assert path == where
    out = tmp_path / "out"
    command = [sys.executable, "-m", "handouts", "batch", str(path), "-o", str(out), "--content", str(clinic_dir),
               "--clinic", str(clinic_dir / "clinic.yaml"), "--jobs", "2", "--force", "-v"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    runs = []
    for _ in range(10):
        # One pipe for both streams, as a log gets them: a message must come just before its own row's line.
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                              cwd=tmp_path, timeout=300)
        assert done.returncode == 1, done.stdout
        printed = [line for line in done.stdout.splitlines() if not line.endswith("packets per second)")]
        runs.append((printed, (out / "batch-report.csv").read_text(encoding="utf-8")))
    assert all(each == runs[0] for each in runs[1:]), "every run prints and reports the same"
    printed = _by_row("\n".join(runs[0][0]), path)
    assert [row for row, _ in printed] == [f"row {line} {mrn} {status}" for line, mrn, status, _ in expected]
    for (row, messages), (line, _, status, warnings) in zip(printed, expected):
        assert messages[:len(warnings)] == warnings, row
        errors = messages[len(warnings):]
        assert [message.split(": ")[1] for message in errors] == (["followup_date"] if status == "failed" else [])
        assert all(message.startswith(f"{path}:{line}: ") for message in messages), row
    assert [(r["row"], r["mrn"], r["status"], r["warnings"]) for r in report(out)] == [
        (str(line), mrn, status, " | ".join(warnings)) for line, mrn, status, warnings in expected]
    assert [r["error"] for r in report(out)] == [
        " | ".join(messages[len(warnings):]) for (_, messages), (_, _, _, warnings) in zip(printed, expected)]


# --- what a packet holds ---------------------------------------------------------------------------
def test_csv_with_a_byte_order_mark_excel_quoting_and_windows_line_endings(tmp_path, clinic_dir):
    text = ("\ufeffmrn,name,handouts,notes\r\n"
            f'A-1,"O\'Brien, Seán ""Jack""",{CARE},"Line one, with a comma\r\nLine two"\r\n'
            f"A-2,Zoë Müller,{BEFORE};{CARE},\r\n")
    path = tmp_path / "excel.csv"
    path.write_bytes(text.encode("utf-8"))
    out = tmp_path / "out"
    result = run(path, clinic_dir, out)
    assert result.exit_code == 0, result.output
    first = page_texts(out / "A-1.pdf")[0]
    assert "Patient: O'Brien, Seán \"Jack\"" in first
    assert "Line one, with a comma" in first and "Line two" in first
    assert [(r["row"], r["mrn"]) for r in report(out)] == [("2", "A-1"), ("4", "A-2")]   # row 2 spans two lines


@pytest.mark.parametrize("name", ["Renée Lefèvre", "José Ñúñez", "Jürgen Müller", "Mary-Kate D'Angelo",
                                  "Nguyễn Thị Ánh", "Trần Văn Đức"])
def test_names_with_accents_apostrophes_and_vietnamese_letters_print_as_written(tmp_path, clinic_dir, name):
    path = manifest(tmp_path, f'A-1,"{name}",1950-01-02,en,{CARE},,,')
    out = tmp_path / "out"
    assert run(path, clinic_dir, out, "--cover").exit_code == 0
    texts = page_texts(out / "A-1.pdf")
    assert all(f"Patient: {name}" in text for text in texts), "the name heads every page"
    assert name in flat(texts[0].split("Prepared for")[1])
    assert "\ufffd" not in all_text(out / "A-1.pdf")


def test_the_cover_page_names_the_patient_the_clinic_numbers_and_a_checklist_of_the_handouts(tmp_path, clinic_dir):
    path = manifest(tmp_path, f"A-9,Ana Pérez,1948-03-14,en,{CARE};{BEFORE},2026-12-01,2026-12-03,Call Maria.")
    out = tmp_path / "out"
    assert run(path, clinic_dir, out, "--cover").exit_code == 0
    packet = out / "A-9.pdf"
    cover = flat(page_texts(packet)[0])
    for expected in ["Your care packet", "Prepared for Ana Pérez", "MRN: A-9", "Born: March 14, 1948",
                     "Notes from your care team Call Maria.", "Clinic phone: (555) 010-4400",
                     "After hours: (555) 010-4499", "Emergency: 911", "In this packet",
                     "Balloon Kyphoplasty: Care After Balloon Kyphoplasty: Before Your Procedure",
                     "Reviewed with the patient by"]:
        assert expected in cover
    reader = PdfReader(packet)
    assert [entry.title for entry in reader.outline if not isinstance(entry, list)] == [
        "Your care packet", "Balloon Kyphoplasty: Care After", "Balloon Kyphoplasty: Before Your Procedure"]


def test_each_handout_of_a_packet_starts_a_page_numbers_its_own_pages_and_has_an_outline_entry(tmp_path, clinic_dir):
    path = manifest(tmp_path, f"A-1,Ana,1948-03-14,en,{BEFORE};{CARE},2026-12-01,2026-12-03,")
    out = tmp_path / "out"
    assert run(path, clinic_dir, out).exit_code == 0
    reader = PdfReader(out / "A-1.pdf")
    texts = [page.extract_text() for page in reader.pages]
    before = [text for text in texts if "kyphoplasty-before ·" in text]
    after = [text for text in texts if "kyphoplasty-care-after ·" in text]
    assert len(before) + len(after) == len(texts)
    assert [f"Page {n} of {len(before)}" in text for n, text in enumerate(before, 1)] == [True] * len(before)
    assert [f"Page {n} of {len(after)}" in text for n, text in enumerate(after, 1)] == [True] * len(after)
    assert after[0].startswith("Balloon Kyphoplasty: Care After")
    entries = reader.outline
    assert [reader.get_destination_page_number(e) for e in entries if not isinstance(e, list)] == [0, len(before)]
    assert "Tuesday, December 1, 2026" in all_text(out / "A-1.pdf")
    assert "Thursday, December 3, 2026" in all_text(out / "A-1.pdf")


def test_a_yaml_manifest_works_like_a_csv_one(tmp_path, clinic_dir):
    path = tmp_path / "patients.yaml"
    path.write_text(f"- mrn: A-1\n  name: Ana Pérez\n  handouts: [{CARE}]\n  followup_date: 2026-12-03\n"
                    f"- mrn: A-2\n  name: ''\n  handouts: {CARE}\n", encoding="utf-8")
    result = run(path, clinic_dir, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == f"{path}:5: name: expected the patient's name, found an empty cell\n"
    assert "Thursday, December 3, 2026" in all_text(tmp_path / "out" / "A-1.pdf")


# --- print file ------------------------------------------------------------------------------------
def test_duplex_pads_every_packet_to_an_even_page_count_in_the_print_file(tmp_path, clinic_dir):
    rows = [f"A-{n},Pat {n},1950-01-02,en,{handouts},,," for n, handouts in
            enumerate([CARE, BEFORE, f"{BEFORE};{CARE}", CARE], start=1)]
    out = tmp_path / "out"
    result = run(manifest(tmp_path, *rows), clinic_dir, out, "--cover", "--print-file", str(tmp_path / "print.pdf"),
                 "--duplex")
    assert result.exit_code == 0, result.output
    counts = [len(PdfReader(out / f"A-{n}.pdf").pages) for n in range(1, 5)]
    assert any(count % 2 for count in counts), "the fixture needs an odd packet to pad"
    printed = PdfReader(tmp_path / "print.pdf")
    texts = [page.extract_text() for page in printed.pages]
    assert len(texts) == sum(count + count % 2 for count in counts)
    start = 0
    for number, count in enumerate(counts, start=1):
        assert start % 2 == 0, "every packet starts on the front of a sheet"
        assert f"Patient: Pat {number}" in texts[start]
        if count % 2:
            assert texts[start + count].strip() == ""
        start += count + count % 2
    assert [entry.title for entry in printed.outline] == ["A-1", "A-2", "A-3", "A-4"]


def test_the_print_file_stores_shared_fonts_once(tmp_path, clinic_dir):
    rows = [f"A-{n},Pat {n},1950-01-02,en,{CARE},,," for n in range(1, 7)]
    out = tmp_path / "out"
    assert run(manifest(tmp_path, *rows), clinic_dir, out, "--print-file", str(tmp_path / "print.pdf")).exit_code == 0

    def font_files(path: Path) -> int:
        reader = PdfReader(path)
        found = set()
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                found.add(font.get_object()["/FontDescriptor"].get_object().raw_get("/FontFile2").idnum)
        return len(found)

    assert font_files(tmp_path / "print.pdf") == font_files(out / "A-1.pdf")
    size = (tmp_path / "print.pdf").stat().st_size
    assert size < sum((out / f"A-{n}.pdf").stat().st_size for n in range(1, 7)) * 0.6


# --- reruns ----------------------------------------------------------------------------------------
def test_a_rerun_skips_unchanged_packets_and_rebuilds_changed_ones(tmp_path, clinic_dir):
    rows = [f"A-1,Ana,1948-03-14,en,{CARE},,2026-12-03,", f"A-2,Bo,1950-01-02,en,{CARE},,,"]
    path = manifest(tmp_path, *rows)
    out = tmp_path / "out"
    assert run(path, clinic_dir, out).exit_code == 0
    first = {n: (out / f"A-{n}.pdf").stat().st_mtime_ns for n in (1, 2)}
    second = run(path, clinic_dir, out)
    assert "0 packets written, 2 unchanged, 0 failed;" in second.stdout
    assert [r["status"] for r in report(out)] == ["unchanged", "unchanged"]
    assert [r["pages"] for r in report(out)] == [str(len(PdfReader(out / f"A-{n}.pdf").pages)) for n in (1, 2)]
    manifest(tmp_path, rows[0].replace("2026-12-03", "2026-12-04"), rows[1])
    assert run(path, clinic_dir, out).exit_code == 0
    assert [r["status"] for r in report(out)] == ["written", "unchanged"]
    assert "Friday, December 4, 2026" in all_text(out / "A-1.pdf")
    assert (out / "A-2.pdf").stat().st_mtime_ns == first[2]
    with (clinic_dir / "clinic.yaml").open("a", encoding="utf-8") as profile:
        profile.write("# edited\n")
    assert [r["status"] for r in (run(path, clinic_dir, out), report(out))[1]] == ["written", "written"]
    assert [r["status"] for r in (run(path, clinic_dir, out, "--force"), report(out))[1]] == ["written", "written"]


def test_a_batch_whose_worker_is_killed_leaves_only_whole_pdfs_and_a_rerun_finishes_it(tmp_path, clinic_dir):
    rows = [f"K-{n:03d},Pat {n},1950-01-02,en,{BEFORE};{CARE},,," for n in range(120)]
    path = manifest(tmp_path, *rows)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "handouts", "batch", str(path), "-o", str(out), "--content", str(clinic_dir),
               "--clinic", str(clinic_dir / "clinic.yaml"), "--jobs", "2"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    batch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=env)
    deadline = time.monotonic() + 60
    while not (out.is_dir() and len(list(out.glob("*.pdf"))) >= 4) and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = [child for task in Path(f"/proc/{batch.pid}/task").iterdir()
               for child in (task / "children").read_text().split()]
    assert workers, "the batch should be running worker processes"
    os.kill(int(workers[0]), signal.SIGKILL)
    _, stderr = batch.communicate(timeout=120)
    assert batch.returncode == 1
    assert "the worker process making this packet stopped" in stderr.decode()
    made = sorted(out.glob("*.pdf"))
    assert 4 <= len(made) < len(rows)
    for pdf in made:
        reader = PdfReader(pdf, strict=True)
        assert len(reader.pages) > 0 and "Page 1 of" in reader.pages[0].extract_text()
    statuses = {r["mrn"]: r["status"] for r in report(out)}
    assert "failed" in statuses.values()
    rerun = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=300, env=env)
    assert rerun.returncode == 0, rerun.stderr
    final = report(out)
    assert len(final) == len(rows) and {r["status"] for r in final} <= {"written", "unchanged"}
    assert sum(r["status"] == "unchanged" for r in final) == len(made)
    assert len(list(out.glob("*.pdf"))) == len(rows)


# --- health information and sharding ---------------------------------------------------------------
def test_no_patient_name_appears_in_output_or_file_names_unless_verbose(tmp_path, clinic_dir):
    out = tmp_path / "out"
    result = run(EXAMPLE, clinic_dir, out, "--cover", "--print-file", str(tmp_path / "print.pdf"), "--duplex")
    assert result.exit_code == 1     # the example has three bad rows on purpose
    with EXAMPLE.open(encoding="utf-8-sig", newline="") as file:
        names = [row["name"] for row in csv.DictReader(file) if row["name"]]
    assert len(names) >= 20
    written = "\n".join(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    logged = result.stdout + result.stderr + (out / "batch-report.csv").read_text(encoding="utf-8")
    for name in names:
        for part in [name] + [word for word in name.replace(",", " ").split() if len(word) > 3]:
            assert part not in logged and part not in written, part
    assert "21 packets written, 0 unchanged, 3 failed;" in result.stdout
    verbose = run(EXAMPLE, clinic_dir, out, "-v")
    assert "Ana Pérez" in verbose.stdout


def test_shards_together_cover_every_row_exactly_once(tmp_path, clinic_dir):
    rows = [f"S-{n},Pat {n},1950-01-02,en,{CARE},,," for n in range(12)] + [f"S-3,Again,1950-01-02,en,{CARE},,,"]
    path = manifest(tmp_path, *rows)
    out = tmp_path / "out"
    seen = []
    for k in (1, 2, 3):
        run(path, clinic_dir, out, "--shard", f"{k}/3")
        seen += [(r["row"], r["mrn"], r["status"]) for r in report(out, f"batch-report-{k}-of-3.csv")]
    assert sorted(int(row) for row, _, _ in seen) == list(range(2, 2 + len(rows)))
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(f"S-{n}.pdf" for n in range(12))
    assert [status for row, _, status in seen if row == str(len(rows) + 1)] == ["failed"]  # the duplicate is caught
    assert sum(1 for r in seen if r[2] == "written") == 12


@pytest.mark.parametrize("shard", ["0/3", "4/3", "x", "1/0"])
def test_a_bad_shard_is_a_usage_error(tmp_path, clinic_dir, shard):
    result = run(manifest(tmp_path, f"A-1,Ana,,en,{CARE},,,"), clinic_dir, tmp_path / "out", "--shard", shard)
    assert result.exit_code == 2
    assert "expected K/N with 1 <= K <= N" in result.stderr


# --- one patient with build --set ------------------------------------------------------------------
def test_build_with_set_personalizes_every_page_and_keeps_blanks_for_the_rest(tmp_path, clinic_dir):
    result = CliRunner().invoke(main, [
        "build", str(clinic_dir / f"{CARE}.yaml"), "-o", str(tmp_path / "out"), "--clinic", str(clinic_dir / "clinic.yaml"),
        "--set", "patient.name=Ana Pérez", "--set", "patient.mrn=A-1001", "--set", "patient.dob=1948-03-14",
        "--set", "followup.date=2026-12-03"])
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "out" / f"A-1001.{CARE}.en.pdf"
    assert "Ana" not in result.stdout and [p.name for p in (tmp_path / "out").iterdir()] == [pdf.name]
    texts = page_texts(pdf)
    assert all("Patient: Ana Pérez · MRN A-1001 · Born: March 14, 1948" in flat(text) for text in texts)
    text = flat(" ".join(texts))
    assert "Your next visit is on Thursday, December 3, 2026 with ________________." in text


@pytest.mark.parametrize("setting, message", [
    ("patient.nmae=Ana", "--set patient.nmae: expected a placeholder name, found 'patient.nmae'; "
                         "did you mean 'patient.name'?"),
    ("patient.dob=1948-02-30", "--set patient.dob: expected a date as YYYY-MM-DD, found a value that is not a date; "
                               "for example 2026-12-03"),
    ("clinic.phone=555", "--set clinic.phone: expected a placeholder name, found 'clinic.phone'; "
                         "clinic details come from the clinic profile (--clinic)"),
    ("patient.mrn=../x", "--set patient.mrn: expected an MRN of letters, digits and dashes, at most 20 characters, "
                         "found '../x'"),
])
def test_a_bad_setting_is_a_clear_error_and_writes_nothing(tmp_path, clinic_dir, setting, message):
    result = CliRunner().invoke(main, ["build", str(clinic_dir / f"{CARE}.yaml"), "-o", str(tmp_path / "out"),
                                       "--set", setting])
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert not (tmp_path / "out").exists()


# --- the clinic profile ----------------------------------------------------------------------------
def test_batch_uses_the_nearest_clinic_yaml_above_the_content_folder_and_warns_when_there_is_none(
        tmp_path, clinic_dir, monkeypatch):
    site = clinic_dir.parent
    for name in ("clinic.yaml", "riverside-logo.png"):      # the profile one folder above the content
        (clinic_dir / name).rename(site / name)
    (site / "elsewhere").mkdir()
    monkeypatch.chdir(site / "elsewhere")
    path = manifest(tmp_path, f"A-1,Ana,1948-03-14,en,{CARE},,,")
    command = ["batch", str(path), "-o", str(tmp_path / "out"), "--content", str(clinic_dir), "--jobs", "1",
               "--cover", "--force"]
    found = CliRunner().invoke(main, command)
    assert (found.exit_code, found.stderr) == (0, ""), found.output
    text = all_text(tmp_path / "out" / "A-1.pdf")
    assert "Riverside Spine Center" in text and "(555) 010-4400" in text

    (site / "clinic.yaml").unlink()
    none = CliRunner().invoke(main, command)
    assert none.exit_code == 0, none.output
    assert none.stderr.splitlines() == [
        f"{clinic_dir}: warning: no clinic profile (clinic.yaml) in this folder or any folder above it, so clinic "
        "placeholders such as {{ clinic.phone }} print as write-in lines and no clinic name or logo heads the "
        "pages; put the clinic's clinic.yaml in this folder or one above it, or give a clinic profile"]
    assert "Riverside Spine Center" not in all_text(tmp_path / "out" / "A-1.pdf")


def test_the_clinic_logo_and_colour_head_every_page(tmp_path, clinic_dir):
    result = CliRunner().invoke(main, ["build", str(clinic_dir / f"{CARE}.yaml"), "-o", str(tmp_path),
                                       "--clinic", str(clinic_dir / "clinic.yaml")])
    assert result.exit_code == 0
    reader = PdfReader(tmp_path / f"{CARE}.en.pdf")
    for page in reader.pages:
        assert len(page.images) == 1
        assert "Riverside Spine Center" in page.extract_text()


@pytest.mark.parametrize("line, message", [
    ('color: "#ffdd00"', "color: expected a colour with contrast at least 4.5:1 on white paper, "
                         "found #ffdd00 (1.3:1); choose a darker shade"),
    ("color: blue", "expected a colour as #RRGGBB, found text 'blue'; for example color: \"#1f4e79\" (in quotes)"),
    ("logo: missing.png", "expected an image file at {dir}/missing.png, found no such file; "
                          "paths are relative to the YAML file"),
])
def test_a_bad_clinic_logo_or_colour_is_reported_at_its_line(write, tmp_path, line, message):
    clinic = write("clinic.yaml", f"name: Test Clinic\n{line}\n")
    handout = REPO / "content" / f"{CARE}.yaml"
    result = CliRunner().invoke(main, ["build", str(handout), "--clinic", str(clinic), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    expected = message.format(dir=clinic.parent)
    assert result.stderr.splitlines()[0] == f"{clinic}:2: {expected}".replace(f"{clinic}:2: color: ", f"{clinic}:2: ")
    assert not (tmp_path / "out").exists()


def test_a_spanish_row_gets_the_spanish_handouts_with_dates_and_page_numbers_in_spanish(tmp_path, clinic_dir):
    path = manifest(tmp_path, f"A-1,Ana Pérez,1948-03-14,es,{CARE},2026-12-01,2026-12-03,")
    out = tmp_path / "out"
    result = run(path, clinic_dir, out, "--cover")
    assert (result.exit_code, result.stderr) == (0, "")
    reader = PdfReader(out / "A-1.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "es"
    texts = [flat(page.extract_text()) for page in reader.pages]
    assert "Su paquete de cuidados" in texts[0] and "Nacimiento: 14 de marzo de 1948" in texts[0]
    assert "Cifoplastia con balón: cuidados después" in texts[1]
    assert all("Paciente: Ana Pérez" in text for text in texts)
    assert "jueves 3 de diciembre de 2026" in " ".join(texts)
    assert f"Página 1 de {len(texts) - 1}" in texts[1] and "PRECAUCIÓN:" in " ".join(texts)


def test_a_progress_bar_shows_on_a_terminal_and_not_in_a_log(tmp_path, clinic_dir):
    import pty
    path = manifest(tmp_path, *[f"P-{n},Pat {n},,en,{CARE},,," for n in range(3)])
    command = [sys.executable, "-m", "handouts", "batch", str(path), "-o", str(tmp_path / "out"),
               "--content", str(clinic_dir), "--clinic", str(clinic_dir / "clinic.yaml"), "--jobs", "1"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower, env=env)
    os.close(follower)
    process.wait(timeout=120)
    terminal = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        terminal += chunk
    os.close(leader)
    assert b"] 3/3 rows" in terminal
    logged = subprocess.run(command + ["--force"], capture_output=True, text=True, env=env, timeout=120)
    assert logged.returncode == 0 and "rows" not in logged.stderr and "[" not in logged.stderr


def test_excel_csv_variants_semicolons_and_a_latin1_row(tmp_path, clinic_dir):
    path = tmp_path / "semi.csv"
    path.write_bytes(b"mrn;name;handouts\r\nA-1;Ana P\xe9rez;kyphoplasty-care-after\r\n"
                     b'A-2;Bo;"kyphoplasty-before;kyphoplasty-care-after"\r\n')
    out = tmp_path / "out"
    result = run(path, clinic_dir, out)
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"{path}:2: warning: the file is not UTF-8 text (first on this line), so it is read "
                             "as Windows-1252, as Excel's 'CSV (Comma delimited)' saves it; if a letter looks "
                             "wrong, in Excel use Save As > 'CSV UTF-8', or give the file's encoding\n")
    assert sorted(p.name for p in out.glob("*.pdf")) == ["A-1.pdf", "A-2.pdf"]
    assert "Patient: Ana Pérez" in page_texts(out / "A-1.pdf")[0]
    assert "Balloon Kyphoplasty: Before Your Procedure" in all_text(out / "A-2.pdf")


def test_a_name_the_fonts_cannot_draw_is_refused_without_spelling_it_out(tmp_path, clinic_dir):
    path = manifest(tmp_path, f"A-1,王小明,,en,{CARE},,,")
    result = run(path, clinic_dir, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == (f"{path}:2: name: expected characters the fonts can draw, found 3 that no font here "
                             "has; write it in Latin, Greek or Cyrillic letters\n")
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_a_stray_quote_is_reported_at_its_line_and_the_rows_after_it_are_still_made(tmp_path, clinic_dir):
    rows = [f'E-1,"Ana,{CARE}'] + [f"E-{n},Pat {n},{CARE}" for n in range(2, 16)]
    path = manifest(tmp_path, *rows, header="mrn,name,handouts")
    out = tmp_path / "out"
    result = run(path, clinic_dir, out)
    assert result.exit_code == 1
    assert result.stderr == (f"{path}:2: expected a closing quote for the one opened on this line, found none; "
                             "remove the stray quote, or close it\n")
    assert [(r["row"], r["status"]) for r in report(out)] == [("2", "failed")] + [
        (str(n + 1), "written") for n in range(2, 16)]


def test_cells_that_slid_into_the_wrong_columns_are_one_error_that_shows_no_cell(tmp_path, clinic_dir):
    path = manifest(tmp_path, f"K-1,Smith, Robert,{BEFORE}", header="mrn,name,handouts")
    result = run(path, clinic_dir, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == (f"{path}:2: expected at most 3 cells, one per column, found 4; "
                             "put a cell that holds ',' inside double quotes\n")
    assert "Robert" not in (tmp_path / "out" / "batch-report.csv").read_text(encoding="utf-8")


def test_the_clinic_profile_defaults_to_the_one_in_the_content_folder(tmp_path, clinic_dir):
    path = manifest(tmp_path, f"A-1,Ana,,en,{CARE},,,")
    result = CliRunner().invoke(main, ["batch", str(path), "-o", str(tmp_path / "out"), "--content",
                                       str(clinic_dir), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "Call Riverside Spine Center at (555) 010-4400" in flat(all_text(tmp_path / "out" / "A-1.pdf"))


@pytest.mark.parametrize("settings, message", [
    (["patient.name=Ana Pérez"], "--set patient.mrn: expected the patient's MRN with any other --set, found none; "
                                 "add --set patient.mrn=...; the file is named after it"),
    (["Ana Pérez"], "--set: expected NAME=VALUE, found text without '='; for example --set patient.mrn=A-1001"),
    (["patient.name=王芳", "patient.mrn=A-1"], "--set patient.name: expected characters the fonts can draw, "
                                               "found 2 that no font here has; write it in Latin, Greek or Cyrillic letters"),
])
def test_a_set_mistake_never_repeats_the_name(tmp_path, clinic_dir, settings, message):
    arguments = ["build", str(clinic_dir / f"{CARE}.yaml"), "-o", str(tmp_path / "out")]
    for setting in settings:
        arguments += ["--set", setting]
    result = CliRunner().invoke(main, arguments)
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("row, message", [
    (f"CON,Ana,{CARE},T1", "mrn: expected an MRN that can name a file on every system, found 'CON'; "
                           "Windows reserves CON, PRN, AUX, NUL, COM1-9 and LPT1-9"),
    (f"L-1,Ana,{CARE},{'X' * 200}", "levels: expected words of at most 30 characters, found a longer one; "
                                    "put spaces between words"),
])
def test_values_that_would_break_a_file_name_or_a_table_are_row_errors(tmp_path, clinic_dir, row, message):
    path = manifest(tmp_path, row, header="mrn,name,handouts,levels")
    result = run(path, clinic_dir, tmp_path / "out")
    assert (result.exit_code, result.stderr) == (1, f"{path}:2: {message}\n")
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_a_manifest_value_never_runs_as_a_formula_when_the_report_is_opened(tmp_path, clinic_dir):
    path = manifest(tmp_path, f'"=HYPERLINK(""http://x"",""y"")",Ana,{CARE}', header="mrn,name,handouts")
    run(path, clinic_dir, tmp_path / "out")
    # An MRN that fails its check is never copied into the report, formula or not.
    assert report(tmp_path / "out")[0]["mrn"] == ""
    assert "HYPERLINK" not in (tmp_path / "out" / "batch-report.csv").read_text(encoding="utf-8")


def test_yaml_that_breaks_after_some_rows_keeps_those_rows_and_reports_the_line(tmp_path, clinic_dir):
    path = tmp_path / "late.yaml"
    path.write_text(f"- mrn: Y-1\n  name: Ana\n  handouts: {CARE}\n- mrn: Y-2\n  name: \"Bo\n  handouts: x\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    result = run(path, clinic_dir, out)
    assert result.exit_code == 1
    assert result.stderr == (f"{path}:5: the YAML cannot be read here (found unexpected end of stream); "
                             "fix it and run the batch again; rows after it were not read\n")
    assert [(r["mrn"], r["status"]) for r in report(out)] == [("Y-1", "written"), ("", "failed")]


def test_the_print_file_may_not_sit_among_the_packets(tmp_path, clinic_dir):
    out = tmp_path / "out"
    result = run(manifest(tmp_path, f"A-1,Ana,,en,{CARE},,,"), clinic_dir, out, "--print-file", str(out / "print.pdf"))
    assert result.exit_code == 1
    assert result.stderr == (f"{out / 'print.pdf'}: cannot write the PDF: the print file must not be in the packets "
                             "folder; put it beside that folder\n")
    assert not out.exists()


def test_a_logo_too_large_to_decode_for_every_packet_is_refused(write, tmp_path):
    from PIL import Image
    clinic = write("clinic.yaml", "name: Test Clinic\nlogo: big.png\n")
    Image.new("RGB", (2400, 300), "navy").save(clinic.parent / "big.png")
    result = CliRunner().invoke(main, ["build", str(REPO / "content" / f"{CARE}.yaml"), "--clinic", str(clinic),
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"{clinic}:2: expected a logo at most 2000 pixels on its longest side, "
                                             "found 2400×300; save a smaller copy; 600 pixels wide is plenty")


def test_notes_with_more_lines_than_the_cover_holds_are_a_row_error(tmp_path, clinic_dir):
    notes = "\n".join(f"Note {n}" for n in range(7))
    path = manifest(tmp_path, f'A-1,Ana,{CARE},"{notes}"', header="mrn,name,handouts,notes")
    result = run(path, clinic_dir, tmp_path / "out", "--cover")
    assert (result.exit_code, result.stderr) == (
        1, f"{path}:2: notes: expected notes of at most 6 lines, to fit on the first page, found 7\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_the_library_refuses_a_named_pipe_as_the_manifest_without_opening_it(tmp_path, clinic_dir):
    """run_batch called directly, without the command's check of its argument."""
    from handouts.batch import BatchOptions, run_batch
    from handouts.errors import ContentErrors
    pipe = tmp_path / "patients.csv"
    os.mkfifo(pipe)
    # A writer that never writes nor closes: a reader that opens the pipe waits on it forever.
    writer = os.open(pipe, os.O_RDWR | os.O_NONBLOCK)
    outcome: list[BaseException | object] = []

    def batch() -> None:
        try:
            outcome.append(run_batch(pipe, BatchOptions(out_dir=tmp_path / "out", content=clinic_dir, today=TODAY)))
        except BaseException as error:          # noqa: BLE001 - handed to the test's thread below
            outcome.append(error)

    thread = threading.Thread(target=batch, daemon=True)
    thread.start()
    thread.join(30)
    os.close(writer)
    assert not thread.is_alive(), "run_batch is still waiting on the pipe"
    assert len(outcome) == 1 and isinstance(outcome[0], ContentErrors), outcome
    assert [str(error) for error in outcome[0].errors] == [
        f"{pipe}:1: expected a regular file, found a named pipe (FIFO); name a file saved on disk"]
    assert not (tmp_path / "out").exists()
