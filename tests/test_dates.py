"""Dates as US and European scheduling systems export them (12/4/2026, 4.12.2026), with `--date-order`,
in `batch`, `email` and `build --set`; and every refusal as one exact line."""
from __future__ import annotations

import io
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from handouts.cli import main
from pdfcheck import all_text, flat

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
CARE = "kyphoplasty-care-after"
HEADER = "mrn,name,dob,email,handouts,procedure_date,followup_date"
ORDER_FIX = "give the date order: MDY (month/day/year) or DMY (day/month/year)"
ASK_ORDER = f"to read dates with '/', {ORDER_FIX}"
VISIT = "Your next visit is on Friday, December 4, 2026 with ________________."


def manifest(folder: Path, *rows: str) -> Path:
    path = folder / "patients.csv"
    path.write_text("\n".join((HEADER,) + rows) + "\n", encoding="utf-8")
    return path


def batch(path: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["batch", str(path), "-o", str(out), "--content", str(CONTENT),
                                     "--jobs", "1", *extra])


def email(path: Path, *extra: str):
    folder = path.parent
    return CliRunner().invoke(main, ["email", str(path), "--packets", str(folder / "packets"), "--content",
                                     str(CONTENT), "--jobs", "1", "--smtp-host", "127.0.0.1",
                                     "--from", "handouts@riverside-spine.example.org",
                                     "--outbox", str(folder / "outbox"), "--dry-run", *extra],
                              env={"HANDOUTS_SMTP_PASSWORD": None, "HANDOUTS_SMTP_CAFILE": None})


def build(out: Path, *extra: str):
    return CliRunner().invoke(main, ["build", str(CONTENT / f"{CARE}.yaml"), "-o", str(out), *extra])


# --- batch ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("order, dob, procedure, followup", [
    ("MDY", "3/14/1948", "12/1/2026", "12/4/2026"),
    ("DMY", "14.3.1948", "1.12.2026", "4.12.2026"),
    ("dmy", "14/03/1948", "01/12/2026", "2026-12-04"),      # any case; ISO is read with either order
])
def test_batch_reads_dates_in_the_order_given(tmp_path, order, dob, procedure, followup):
    path = manifest(tmp_path, f"A-1,Ana Test,{dob},,{CARE},{procedure},{followup}")
    result = batch(path, tmp_path / "out", "--date-order", order)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    text = flat(all_text(tmp_path / "out" / "A-1.pdf"))
    assert "Born: March 14, 1948" in text
    assert VISIT in text


def test_a_slash_date_without_the_date_order_is_refused_with_what_to_give(tmp_path):
    path = manifest(tmp_path, f"A-1,Ana Test,3/14/1948,,{CARE},12.1.2026,2026-12-04",
                    f"A-2,Bo Test,1950-01-02,,{CARE},,12/4/2026")
    result = batch(path, tmp_path / "out")
    assert result.exit_code == 1
    # A patient's dates are health information: described, never shown.
    assert result.stderr.splitlines() == [
        f"{path}:2: dob: expected a date as YYYY-MM-DD, found a date with '/'; {ASK_ORDER}",
        f"{path}:2: procedure_date: expected a date as YYYY-MM-DD, found a date with '.'; "
        f"to read dates with '.', {ORDER_FIX}",
        f"{path}:3: followup_date: expected a date as YYYY-MM-DD, found a date with '/'; {ASK_ORDER}",
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["batch-report.csv"]


@pytest.mark.parametrize("order", [[], ["--date-order", "MDY"]])
def test_a_two_digit_year_is_refused_whatever_the_order(tmp_path, order):
    path = manifest(tmp_path, f"A-1,Ana Test,3/14/48,,{CARE},,12/4/26")
    result = batch(path, tmp_path / "out", *order)
    assert result.exit_code == 1
    fix = "write the year with four digits (26 could be 1926 or 2026)" + ("" if order else f"; {ORDER_FIX}")
    assert result.stderr.splitlines() == [
        f"{path}:2: dob: expected a date with a four-digit year, found a date with a two-digit year; {fix}",
        f"{path}:2: followup_date: expected a date with a four-digit year, found a date with a two-digit year; "
        f"{fix}",
    ]


def test_an_impossible_date_names_the_order_it_was_read_in(tmp_path):
    path = manifest(tmp_path, f"A-1,Ana Test,13/4/1950,,{CARE},2/29/2026,12/4/2026",
                    f"A-2,Bo Test,1950-01-02,,{CARE},,4/31/2026")
    result = batch(path, tmp_path / "out", "--date-order", "MDY")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:2: dob: expected a date in month/day/year order (MDY), found a date with a month over 12; "
        "if the day comes first in these dates, give the date order DMY",
        f"{path}:2: procedure_date: expected a date in month/day/year order (MDY), found a date with a day past "
        "the end of its month",
        f"{path}:3: followup_date: expected a date in month/day/year order (MDY), found a date with a day past "
        "the end of its month",
    ]
    result = batch(path, tmp_path / "out", "--date-order", "DMY")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:2: procedure_date: expected a date in day/month/year order (DMY), found a date with a month "
        "over 12; if the month comes first in these dates, give the date order MDY",
        f"{path}:3: followup_date: expected a date in day/month/year order (DMY), found a date with a month "
        "over 12; if the month comes first in these dates, give the date order MDY",
    ]


def test_a_bad_date_order_is_a_usage_error(tmp_path):
    result = batch(manifest(tmp_path, f"A-1,Ana Test,,,{CARE},,"), tmp_path / "out", "--date-order", "YMD")
    assert result.exit_code == 2
    assert "Error: Invalid value for '--date-order': 'YMD' is not one of" in result.stderr


# --- email ------------------------------------------------------------------------------------------
def test_email_reads_dates_in_the_order_given(tmp_path):
    path = manifest(tmp_path, f"A-1,Ana Test,3/14/1948,ana@example.org,{CARE},12/1/2026,12/4/2026")
    result = email(path, "--date-order", "MDY", "--encrypt")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    [queued] = (tmp_path / "outbox").glob("A-1-*.eml")
    message = BytesParser(policy=policy.default).parsebytes(queued.read_bytes())
    [part] = message.iter_attachments()
    reader = PdfReader(io.BytesIO(part.get_content()))
    assert reader.decrypt("19480314")         # the password is the date of birth read month first
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    assert VISIT in text


def test_email_refuses_a_slash_date_without_the_date_order(tmp_path):
    path = manifest(tmp_path, f"A-1,Ana Test,1948-03-14,ana@example.org,{CARE},,12/4/2026")
    result = email(path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:2: followup_date: expected a date as YYYY-MM-DD, found a date with '/'; {ASK_ORDER}"]
    assert not list((tmp_path / "outbox").glob("*.eml"))


# --- build --set ------------------------------------------------------------------------------------
@pytest.mark.parametrize("order, dob, followup", [("MDY", "3/14/1948", "12/4/2026"),
                                                  ("DMY", "14.3.1948", "4.12.2026")])
def test_set_reads_dates_in_the_order_given(tmp_path, order, dob, followup):
    result = build(tmp_path / "out", "--date-order", order, "--set", "patient.name=Ana Test",
                   "--set", "patient.mrn=A-1", "--set", f"patient.dob={dob}", "--set", f"followup.date={followup}")
    assert result.exit_code == 0, result.output
    text = flat(all_text(tmp_path / "out" / f"A-1.{CARE}.en.pdf"))
    assert "Born: March 14, 1948" in text
    assert VISIT in text


@pytest.mark.parametrize("extra, message", [
    (["--set", "followup.date=12/4/2026"],
     f"--set followup.date: expected a date as YYYY-MM-DD, found '12/4/2026'; {ASK_ORDER}"),
    (["--set", "patient.dob=3/14/1948"],
     f"--set patient.dob: expected a date as YYYY-MM-DD, found a date with '/'; {ASK_ORDER}"),
    (["--date-order", "MDY", "--set", "procedure.date=12/1/26"],
     "--set procedure.date: expected a date with a four-digit year, found '12/1/26'; "
     "write the year with four digits (26 could be 1926 or 2026)"),
    (["--date-order", "MDY", "--set", "patient.dob=13/4/1950"],
     "--set patient.dob: expected a date in month/day/year order (MDY), found a date with a month over 12; "
     "if the day comes first in these dates, give the date order DMY"),
    (["--date-order", "DMY", "--set", "followup.date=4/13/2026"],
     "--set followup.date: expected a date in day/month/year order (DMY), found '4/13/2026': there is no month 13; "
     "if the month comes first in these dates, give the date order MDY"),
    (["--date-order", "MDY", "--set", "procedure.date=2/29/2026"],
     "--set procedure.date: expected a date in month/day/year order (MDY), found '2/29/2026': "
     "February 2026 has 28 days"),
    (["--date-order", "DMY", "--set", "followup.date=31.4.2026"],
     "--set followup.date: expected a date in day/month/year order (DMY), found '31.4.2026': April has 30 days"),
    (["--date-order", "DMY", "--set", "followup.date=soon"],
     "--set followup.date: expected a date as YYYY-MM-DD or day/month/year (DMY), found 'soon'; "
     "for example 2026-12-03 or 3/12/2026"),
])
def test_set_refuses_a_date_it_cannot_read_with_one_line(tmp_path, extra, message):
    result = build(tmp_path / "out", "--set", "patient.mrn=A-1", *extra)
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert not (tmp_path / "out").exists()


# --- a handout's own dates ---------------------------------------------------------------------------
@pytest.mark.parametrize("written", ['"20261101"', '"2026-W44-7"', '"2026-02-30"', '"1/11/2026"'])
def test_a_handout_reads_its_dates_as_yyyy_mm_dd_exactly_as_the_manifest_does(tmp_path, written):
    """Python also reads 20261101 and 2026-W44-7 as ISO dates; a handout, like a manifest, takes only YYYY-MM-DD."""
    path = tmp_path / f"{CARE}.yaml"
    text = (CONTENT / f"{CARE}.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("reviewed: 2026-11-01", f"reviewed: {written}", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--clinic", str(CONTENT / "clinic.yaml")])
    line = text.splitlines().index("reviewed: 2026-11-01") + 1
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"{path}:{line}: expected a review date as YYYY-MM-DD, found text "
                                             f"'{written.strip(chr(34))}'; for example 2026-11-01")
