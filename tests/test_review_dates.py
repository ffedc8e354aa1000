"""Review dates: content past its next_review date is flagged by check and refused by build and batch."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from click.testing import CliRunner

from conftest import TODAY
from handouts.cli import main

HANDOUT = """\
id: old-sheet
title: Old sheet
kind: discharge
version: "1.0"
reviewed: 2019-01-01
next_review: {next_review}
summary: Rest your back.
sections:
  - heading: Rest
    blocks:
      - checklist:
          items: [Rest your back.]
      - warning:
          level: caution
          text: Call us if the pain gets worse.
      - warning:
          level: emergency
          text: Call 911 if you cannot move your legs.
"""


def days_ago(day: str) -> int:
    return (TODAY - date.fromisoformat(day)).days


@pytest.mark.parametrize("today, refused", [("2026-11-29", False), ("2026-11-30", False), ("2026-12-01", True)])
def test_review_dates_are_judged_on_the_day_source_date_epoch_names(write, tmp_path, monkeypatch, today, refused):
    write("clinic.yaml", "name: Test Clinic\n")
    path = write("due.yaml", HANDOUT.format(next_review="2026-11-30"))
    day = datetime.fromisoformat(today).replace(tzinfo=timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(day.timestamp()) + 23 * 3600))    # late that day, in UTC
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == (1 if refused else 0), result.output
    assert ("found 2026-11-30, 1 day ago;" in result.stderr) == refused


def test_check_warns_about_a_passed_review_date_and_still_succeeds(write):
    write("clinic.yaml", "name: Test Clinic\n")       # else "no clinic profile" is a warning too
    path = write("old.yaml", HANDOUT.format(next_review="2020-01-01"))
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0
    assert result.stderr == (f"{path}:6: warning: next_review: expected a review date that has not passed, found "
                             f"2020-01-01, {days_ago('2020-01-01')} days ago; have the content reviewed, then update "
                             "reviewed and next_review\n")
    assert result.stdout.splitlines()[-1] == "1 handout OK (1 warning)"


def test_build_refuses_expired_content_unless_allowed(write, tmp_path):
    path = write("old.yaml", HANDOUT.format(next_review="2020-01-01"))
    out = tmp_path / "out"
    refused = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        f"{path}:6: next_review: expected a review date that has not passed, found 2020-01-01, "
        f"{days_ago('2020-01-01')} days ago; have the content reviewed, then update reviewed and next_review; "
        "or build anyway with --allow-expired",
        "1 problem in 1 file; no PDF written"]
    assert not out.exists()
    allowed = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--allow-expired"])
    assert allowed.exit_code == 0 and (out / "old-sheet.en.pdf").is_file()


def test_a_review_date_ahead_is_quiet(write, tmp_path):
    write("clinic.yaml", "name: Test Clinic\n")
    path = write("new.yaml", HANDOUT.format(next_review="2099-01-01"))
    checked = CliRunner().invoke(main, ["check", str(path)])
    assert (checked.stdout.splitlines()[-1], checked.stderr) == ("1 handout OK", "")
    assert CliRunner().invoke(main, ["build", str(path), "-o", str(tmp_path / "out")]).exit_code == 0


def test_batch_refuses_expired_content_before_making_any_packet(write, tmp_path):
    write("old.yaml", HANDOUT.format(next_review="2020-01-01"))
    manifest = tmp_path / "patients.csv"
    manifest.write_text("mrn,name,handouts\nA-1,Ana,old-sheet\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(manifest), "-o", str(out), "--content", str(tmp_path / "content"),
                                       "--jobs", "1"])
    assert result.exit_code == 1
    assert "next_review: expected a review date that has not passed" in result.stderr
    assert not out.exists()
    allowed = CliRunner().invoke(main, ["batch", str(manifest), "-o", str(out), "--content",
                                        str(tmp_path / "content"), "--jobs", "1", "--allow-expired"])
    assert allowed.exit_code == 0 and (out / "A-1.pdf").is_file()
