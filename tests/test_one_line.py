"""One line per problem, always: control characters in an echoed value are shown escaped, letters such
as é are not, and a line number is never 0."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from handouts.cli import main
from handouts.errors import ContentError, DeliveryError, NotSent

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
CARE = "kyphoplasty-care-after"
SECTION = "id: x\ntitle: A title\nkind: general\nsections:\n  - heading: H\n    blocks:\n"


def test_a_qr_address_with_tab_cr_and_lf_is_one_line_with_escapes(tmp_path):
    path = tmp_path / "handout.yaml"
    path.write_text(SECTION + '      - qr: {url: "a\\tb\\rc\\nd é\\a"}\n', encoding="utf-8")
    for command in (["build", "-o", str(tmp_path / "out")], ["check"]):
        result = CliRunner().invoke(main, [command[0], str(path), *command[1:]])
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"{path}:7: expected an https:// URL without spaces, found 'a\\tb\\rc\\nd é\\x07'",
            "1 problem in 1 file; no PDF written"]
    assert not (tmp_path / "out").exists()


def test_from_with_crlf_is_one_line(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text(f"mrn,name,email,handouts\nA-1,Ana Test,ana@example.org,{CARE}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["email", str(path), "--packets", str(tmp_path / "packets"), "--content",
                                       str(CONTENT), "--jobs", "1", "--smtp-host", "127.0.0.1",
                                       "--from", "x\r\nBcc: y", "--outbox", str(tmp_path / "outbox"), "--dry-run"],
                                env={"HANDOUTS_SMTP_PASSWORD": None, "HANDOUTS_SMTP_CAFILE": None})
    assert (result.exit_code, result.stderr) == (1, (
        "--from: expected an address such as handouts@clinic.example.org, or "
        "'Clinic name <handouts@clinic.example.org>', found 'x\\r\\nBcc: y'\n"))
    assert not (tmp_path / "outbox").exists() or not list((tmp_path / "outbox").rglob("*.eml"))


def test_a_set_value_with_a_line_break_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["build", str(CONTENT / f"{CARE}.yaml"), "-o", str(tmp_path / "out"),
                                       "--set", "patient.mrn=A-1\r\nB"])
    assert (result.exit_code, result.stderr) == (1, (
        "--set patient.mrn: expected an MRN of letters, digits and dashes, at most 20 characters, "
        "found 'A-1\\r\\nB'\n"))


def test_a_shard_with_a_line_break_is_a_one_line_usage_error(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text(f"mrn,name,handouts\nA-1,Ana Test,{CARE}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(path), "-o", str(tmp_path / "out"), "--content", str(CONTENT),
                                       "--shard", "x\n/2"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for --shard: expected K/N with 1 <= K <= N, such as 2/4, found 'x\\n/2'")


def test_a_windows_1252_yaml_manifest_is_reported_at_its_line_on_one_line(tmp_path):
    path = tmp_path / "patients.yaml"
    path.write_bytes(f"- mrn: A-1\n  handouts: {CARE}\n  name: Ana Pérez\n".encode("cp1252"))
    result = CliRunner().invoke(main, ["batch", str(path), "-o", str(tmp_path / "out"), "--content", str(CONTENT),
                                       "--jobs", "1"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:3: expected UTF-8 text, found bytes in another encoding; save the file as UTF-8, "
        "then run the batch again; rows after it were not read",
        "1 problem in 1 file; no PDF written"]
    assert "Ana" not in result.output


def test_a_control_character_in_a_yaml_manifest_is_reported_at_its_line(tmp_path):
    path = tmp_path / "patients.yaml"
    path.write_bytes(f"- mrn: A-1\r\n  handouts: {CARE}\r\n  name: Ana\r\n  notes: ring\x07\r\n".encode())
    result = CliRunner().invoke(main, ["batch", str(path), "-o", str(tmp_path / "out"), "--content", str(CONTENT),
                                       "--jobs", "1"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:4: expected printable text, found the control character U+0007; delete it (it is invisible in "
        "most editors), then run the batch again; rows after it were not read",
        "1 problem in 1 file; no PDF written"]


def test_messages_built_from_values_are_one_line_and_never_at_line_0():
    assert str(ContentError("m.csv", 0, expected="a file", found="none")) == "m.csv:1: expected a file, found none"
    assert str(ContentError("m.csv", 2, key="notes", message="x\u2028y\x85z é")) == (
        "m.csv:2: notes: x\\u2028y\\x85z é")
    # A server's reply of several lines comes joined with line breaks.
    reply = DeliveryError("4.2.1 Mailbox busy\ntry again later", code=451)
    assert str(reply) == "the server answered 451 4.2.1 Mailbox busy\\ntry again later"
    assert str(NotSent("m.csv", 2, "A-1", str(reply), "out/outbox/A-1.eml", temporary=True, attempts=3)) == (
        "m.csv:2: email: MRN A-1 not sent: the server answered 451 4.2.1 Mailbox busy\\ntry again later "
        "(3 attempts); it waits in out/outbox/A-1.eml: run the command again to send it")
