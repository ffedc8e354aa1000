"""Manifests as Excel and scheduling systems really save them: every encoding and line end, cells that slid
into the wrong columns, huge cells and empty exports; never a patient's name or date in any output."""
from __future__ import annotations

import codecs
import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main
from pdfcheck import page_texts

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
BEFORE = "kyphoplasty-before"
NAMES = ("José Pérez", "Trần Văn Đức", "Zoë Müller")
SAVE_AS = "in Excel use Save As > 'CSV UTF-8'"


def run(path: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["batch", str(path), "-o", str(out), "--content", str(CONTENT), "--jobs", "1",
                                     *extra])


def report_rows(out: Path) -> list[dict]:
    with (out / "batch-report.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def assert_private(result, out: Path, *secrets: str) -> None:
    """No name, date of birth or part of either in what the batch printed or wrote about the rows."""
    written = (out / "batch-report.csv").read_text(encoding="utf-8") if (out / "batch-report.csv").exists() else ""
    for text in (result.stdout, result.stderr, written, " ".join(p.name for p in out.glob("*"))):
        for secret in secrets:
            assert secret not in text


def patients(separator: str = ",", line_end: str = "\n", names=NAMES) -> str:
    lines = [separator.join(("mrn", "name", "dob", "handouts"))]
    lines += [separator.join((f"A-{n}", name, f"19{40 + n}-03-14", BEFORE)) for n, name in enumerate(names, 1)]
    return line_end.join(lines) + line_end


# --- item 2: a cell's value is shown only for columns that are not health information ---------------
def test_a_missing_comma_is_counted_and_the_name_is_never_shown(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text(f"mrn,name,dob,handouts\nA-1001Ana Pérez,1948-03-14,{BEFORE}\nA-1002,Bo Lind,1950-01-02,{BEFORE}\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    result = run(path, out)
    assert result.exit_code == 1
    assert result.stderr == f"{path}:2: expected 4 cells, one per column, found 3; put ',' between every two cells\n"
    assert [(r["row"], r["mrn"], r["status"]) for r in report_rows(out)] == [("2", "", "failed"),
                                                                            ("3", "A-1002", "written")]
    assert_private(result, out, "Ana", "Pérez", "A-1001Ana", "1948")


def test_rows_separated_otherwise_than_the_header_are_told_so_without_their_cells(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text("mrn,name,dob,handouts\n" + patients(";").split("\n", 1)[1], encoding="utf-8")
    out = tmp_path / "out"
    result = run(path, out)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:{line}: expected 4 cells separated by ',', as in the header row, found 1: this row separates its "
        f"cells with ';'; use the same separator in every row ({SAVE_AS})" for line in (2, 3, 4)]
    assert [r["mrn"] for r in report_rows(out)] == ["", "", ""]
    assert_private(result, out, *NAMES, "1941", "1942", "1943", "José", "Pérez")


def test_an_invalid_mrn_is_described_by_length_and_kind_of_character_never_shown(tmp_path):
    # The comma left out sits between MRN and name, and the optional dob is last: the cells slide left
    # without leaving a required column empty, so each column's check sees another column's value.
    path = tmp_path / "patients.csv"
    path.write_text(f"mrn,name,handouts,dob\nA-1001Ana Pérez,{BEFORE},1948-03-14\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(path, out)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:2: mrn: expected an MRN of letters, digits and dashes, at most 20 characters, found 15 characters, "
        "with a space and a letter outside A-Z; it names the packet file, so nothing else is allowed",
        f"{path}:2: handouts: expected ids of handouts in the content folder, found an entry that is not an id of "
        "lowercase letters, digits and dashes; run 'handouts list' to see them"]
    assert report_rows(out)[0]["mrn"] == ""
    assert_private(result, out, "Ana", "Pérez", "1948")


def test_values_that_fail_their_check_are_never_shown_and_dates_of_care_never(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text("mrn,name,handouts,language,paper,large_print,procedure_date,followup_date\n"
                    f"A-1,Ana Pérez,{BEFORE},Ana Pérez,Pérez,Ana,2026-12-01,2026-11-30\n"
                    f"A-2,Bo Lind,{BEFORE},en,letter,no,1948-13-14,\n"
                    f"A-3,Cy Lind,Kyphoplasty-Before;{BEFORE}x,en,,,,\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(path, out)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:2: followup_date: expected a follow-up on or after the procedure date, found one before it",
        f"{path}:2: language: expected a language code such as en or es, found another value",
        f"{path}:2: paper: expected paper: letter or a4, found another value",
        f"{path}:2: large_print: expected yes or no (or an empty cell for no), found another value",
        f"{path}:3: procedure_date: expected a date as YYYY-MM-DD, found a value that is not a date; "
        "for example 2026-12-03 (in Excel, format the column as text)",
        f"{path}:4: handouts: expected ids of handouts in the content folder, found an entry that is not an id of "
        f"lowercase letters, digits and dashes; did you mean '{BEFORE}'?",
        f"{path}:4: handouts: expected ids of handouts in the content folder, found '{BEFORE}x'; "
        f"did you mean '{BEFORE}'?"]
    assert [r["mrn"] for r in report_rows(out)] == ["A-1", "A-2", "A-3"]     # valid MRNs are shown
    assert_private(result, out, "Ana", "Pérez", "2026-11-30", "2026-12-01", "1948-13-14")


def test_an_unknown_column_is_named_by_its_place_not_its_text(tmp_path):
    # A header line that swallowed a patient's row (its line break lost) holds their name as a column.
    path = tmp_path / "patients.csv"
    path.write_text(f"mrn,name,handouts,surgoen,Ana Pérez\nA-1,Bo Lind,{BEFORE},,\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(path, out)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{path}:1: warning: column 4 has an unknown name and is ignored; did you mean 'surgeon'?",
        f"{path}:1: warning: column 5 has an unknown name and is ignored; columns are mrn, name, handouts, dob, "
        "email, language, procedure_date, surgeon, levels, followup_date, followup_with, notes, paper, large_print"]
    assert_private(result, out, "Ana", "Pérez", "ana pérez")


# --- item 3: Excel's other "Save As" flavours ---------------------------------------------------------
# UTF-8 with and without a byte-order mark, LF and CR LF: tests/test_batch.py (they were read before).
FLAVOURS = {
    "Unicode Text (UTF-16 LE with a mark, tabs)": codecs.BOM_UTF16_LE + patients("\t", "\r\n").encode("utf-16-le"),
    "UTF-16 BE with a mark": codecs.BOM_UTF16_BE + patients(",", "\r\n").encode("utf-16-be"),
    "CSV (Macintosh): CR alone ends lines": patients(",", "\r").encode("utf-8"),
    "semicolons, CR alone, UTF-8 mark": codecs.BOM_UTF8 + patients(";", "\r").encode("utf-8"),
}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_every_unicode_flavour_and_line_end_prints_every_name_as_written(tmp_path, flavour):
    path = tmp_path / "patients.csv"
    path.write_bytes(FLAVOURS[flavour])
    out = tmp_path / "out"
    result = run(path, out)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert [(r["row"], r["mrn"], r["status"]) for r in report_rows(out)] == [
        ("2", "A-1", "written"), ("3", "A-2", "written"), ("4", "A-3", "written")]
    for n, name in enumerate(NAMES, 1):
        assert f"Patient: {name}" in page_texts(out / f"A-{n}.pdf")[0]
    assert_private(result, out, *NAMES)


def test_windows_1252_is_read_with_a_warning_that_names_it(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_bytes(patients(",", "\r\n", names=("Bo Lind", "José Pérez", "Zoë Müller")).encode("cp1252"))
    out = tmp_path / "out"
    result = run(path, out)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"{path}:3: warning: the file is not UTF-8 text (first on this line), so it is read as Windows-1252, as "
        f"Excel's 'CSV (Comma delimited)' saves it; if a letter looks wrong, {SAVE_AS}, or give the file's encoding\n")
    assert "Patient: José Pérez" in page_texts(out / "A-2.pdf")[0]
    assert "Patient: Zoë Müller" in page_texts(out / "A-3.pdf")[0]
    assert_private(result, out, "José", "Zoë")


def test_letters_lost_to_question_marks_in_a_save_are_a_row_error(tmp_path):
    path = tmp_path / "patients.csv"
    # What Excel's "CSV (Comma delimited)" writes for letters Windows-1252 cannot hold: "Tr?n V?n ??c".
    path.write_bytes(patients(",", "\r\n").encode("cp1252", errors="replace"))
    out = tmp_path / "out"
    result = run(path, out)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:2: warning: the file is not UTF-8 text (first on this line), so it is read as Windows-1252, as "
        f"Excel's 'CSV (Comma delimited)' saves it; if a letter looks wrong, {SAVE_AS}, or give the file's encoding",
        f"{path}:3: name: expected letters as written, found 4 '?' where the file's encoding could not hold a "
        f"letter; {SAVE_AS}, then run the batch again"]
    assert [(r["mrn"], r["status"]) for r in report_rows(out)] == [
        ("A-1", "written"), ("A-2", "failed"), ("A-3", "written")]
    assert not (out / "A-2.pdf").exists()
    assert_private(result, out, "Tr?n", "V?n", "??c", "Trần")


def test_the_encoding_option_overrides_the_guess(tmp_path):
    # UTF-16 without a byte-order mark cannot be told from its bytes: it is refused until named.
    path = tmp_path / "patients.csv"
    path.write_bytes(patients(",", "\r\n").encode("utf-16-le"))
    out = tmp_path / "out"
    refused = run(path, out)
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[0] == (
        f"{path}:1: expected text (CSV), found NUL bytes, as in UTF-16 saved without a byte-order mark; "
        f"{SAVE_AS}, or give the file's encoding")
    read = run(path, out, "--encoding", "utf-16-le")
    assert (read.exit_code, read.stderr) == (0, ""), read.output
    assert "Patient: Trần Văn Đức" in page_texts(out / "A-2.pdf")[0]
    # A Windows-1252 file named as such: no warning.
    latin = tmp_path / "latin.csv"
    latin.write_bytes(patients(",", "\n", names=("José Pérez",)).encode("cp1252"))
    named = run(latin, tmp_path / "out2", "--encoding", "cp1252")
    assert (named.exit_code, named.stderr) == (0, ""), named.output


def test_an_unknown_encoding_name_is_a_usage_error(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text(patients(), encoding="utf-8")
    for command in (["batch", str(path), "-o", str(tmp_path / "out")],
                    ["email", str(path), "--smtp-host", "127.0.0.1", "--from", "a@example.org", "--dry-run",
                     "--packets", str(tmp_path / "out"), "--outbox", str(tmp_path / "outbox")]):
        result = CliRunner().invoke(main, [*command, "--content", str(CONTENT), "--encoding", "base64"])
        assert result.exit_code == 2
        assert result.stderr.splitlines()[-1] == (
            "Error: Invalid value for '--encoding': expected an encoding such as utf-8, cp1252 or utf-16, "
            "found 'base64'")
    assert not (tmp_path / "out").exists()


def test_email_reads_a_manifest_in_the_encoding_given(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_bytes(f"mrn,name,email,handouts\nA-1,José Pérez,jose@example.org,{BEFORE}\n".encode("cp1252"))
    result = CliRunner().invoke(main, ["email", str(path), "--packets", str(tmp_path / "packets"), "--content",
                                       str(CONTENT), "--jobs", "1", "--smtp-host", "127.0.0.1",
                                       "--from", "handouts@example.org", "--outbox", str(tmp_path / "outbox"),
                                       "--dry-run", "--encoding", "cp1252"],
                                env={"HANDOUTS_SMTP_PASSWORD": None, "HANDOUTS_SMTP_CAFILE": None})
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert "Patient: José Pérez" in page_texts(tmp_path / "packets" / "A-1.pdf")[0]


# --- item 11: huge cells and empty exports -----------------------------------------------------------
def test_a_one_megabyte_cell_is_a_row_error_at_its_line(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text(f"mrn,name,handouts,notes\nA-1,Ana Pérez,{BEFORE},{'x' * 1_000_000}\n"
                    f'A-2,Bo Lind,{BEFORE},"{"y" * 50_000}"\nA-3,Cy Lind,{BEFORE},\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run(path, out)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:2: expected a row of at most 100,000 characters, found 1,000,033; "
        "a cell holds at most 10,000 characters",
        f"{path}:3: notes: expected at most 10,000 characters in a cell, found 50,000"]
    assert [(r["row"], r["status"]) for r in report_rows(out)] == [("2", "failed"), ("3", "failed"), ("4", "written")]
    assert_private(result, out, "Ana", "Bo Lind", "xxxx", "yyyy")


@pytest.mark.parametrize("text", ["mrn,name,handouts\n", "\ufeffmrn,name,handouts\r\n\r\n,,\r\n"])
def test_a_header_without_rows_is_a_problem_not_a_silent_success(tmp_path, text):
    path = tmp_path / "patients.csv"
    path.write_text(text, encoding="utf-8")
    result = run(path, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:1: expected a row per patient, found none; export the list again, with its patients' rows",
        "1 problem in 1 file; no PDF written"]
    assert result.stdout == ""
