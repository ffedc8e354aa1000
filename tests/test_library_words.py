"""The library raises and reports; the CLI chooses the words: no library message names a flag, warnings are
their own type, and what is only reported is never an exception."""
from __future__ import annotations

import ast
import re
import smtplib
import ssl
from datetime import date
from pathlib import Path

import click
import pytest

from handouts import sending
from handouts.batch import BatchOptions
from handouts.building import check, load
from handouts.cli import FLAGS, main
from handouts.content import patient_from_settings
from handouts.delivery.smtp import SmtpMailer, SmtpSettings
from handouts.delivery.printfile import PrintFile
from handouts.errors import (OPTIONS, ContentError, ContentErrors, ContentWarning, HandoutError, HandoutWarning,
                             NoClinicProfile, NotSent, PathError, PrintFileError, Told)
from handouts.packets import check_patient
from handouts.model import Patient

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
LIBRARY = REPO / "handouts"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def commands() -> set[str]:
    """Every command of `handouts`."""
    return set(main.commands)


def flags() -> set[str]:
    """Every flag of every `handouts` command."""
    return {name for command in main.commands.values() for parameter in command.params
            if isinstance(parameter, click.Option) for name in parameter.opts if name.startswith("--")}


def assert_neutral_and_flagged(told: Told, flag: str) -> None:
    """TOLD names no flag in the library's words (str), and FLAG in the command's."""
    assert not FLAG.search(str(told)), str(told)
    assert flag in told.text(FLAGS), told.text(FLAGS)


# --- no flag in the library -------------------------------------------------------------------------
def _messages(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module (its f-strings' parts too), less its docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


# The command's own modules: options in, one library call, words out. Everything else is the library.
CLI_MODULES = ("cli.py", "cli_options.py", "cli_web.py", "cli_print.py")


def test_no_library_module_writes_a_flag_into_a_message():
    found = [f"{path.relative_to(REPO)}:{line}: {text!r}" for path in sorted(LIBRARY.rglob("*.py"))
             if path.name not in CLI_MODULES for line, text in _messages(path) if FLAG.search(text)]
    assert found == []


def test_every_option_the_library_names_is_a_flag_of_the_command_or_its_environment():
    known = flags()
    for option in OPTIONS:
        word = FLAGS[option]
        command = re.search(r"'handouts (\w+)'", word)
        assert word in known if word.startswith("--") else \
            "HANDOUTS_SMTP_" in word or "environment" in word or (command and command[1] in commands()) or \
            re.fullmatch(r"the manifest's \w+ column", word), option


@pytest.mark.parametrize("settings, flag", [
    (["patient.nmae=Ana"], "--set"), (["patient.mrn"], "--set"), (["clinic.phone=555"], "--clinic"),
    (["patient.name=Ana"], "--set"),
])
def test_a_bad_setting_names_the_option_in_neutral_words(settings, flag):
    with pytest.raises(HandoutError) as raised:
        patient_from_settings(settings)
    assert_neutral_and_flagged(raised.value, flag)


def test_a_patients_right_to_left_name_is_refused_as_a_manifest_cell_is():
    with pytest.raises(HandoutError) as raised:
        check_patient(Patient(name="שלום", mrn="A-1"))
    assert raised.value.text(FLAGS) == ("--set patient.name: expected left-to-right text, found right-to-left "
                                        "script (Hebrew or Arabic); right-to-left text is not supported yet")
    assert str(raised.value).startswith("setting patient.name: expected left-to-right text")


def test_a_packet_the_print_file_cannot_read_says_force_in_neutral_words(tmp_path):
    print_file = PrintFile(tmp_path / "print.pdf")
    with pytest.raises(PrintFileError) as raised:
        print_file.add(b"not a PDF", "A-1")
    print_file.abort()
    assert_neutral_and_flagged(raised.value, "--force")
    assert str(raised.value).endswith("; rerun with the force option")


def test_expired_content_says_allow_expired_in_neutral_words():
    with pytest.raises(ContentErrors) as raised:
        load([CONTENT], CONTENT / "clinic.yaml", allow_expired=False, today=date(2100, 1, 1))
    assert_neutral_and_flagged(raised.value, "--allow-expired")
    assert {error.fix.options for error in raised.value.errors} == {("allow_expired",)}


def email_options(tmp_path: Path, **given) -> tuple:
    manifest = tmp_path / "m.csv"
    manifest.write_text("mrn,name,dob,email,handouts\nA-1,Ana Test,,ana@example.org,kyphoplasty-before\n",
                        encoding="utf-8")
    batch = BatchOptions(out_dir=tmp_path / "packets", content=CONTENT, clinic_path=CONTENT / "clinic.yaml",
                         today=date(2026, 12, 1))
    options = sending.EmailOptions(**{"sender": "handouts@example.org", "outbox": tmp_path / "outbox",
                                      "dry_run": True, **given})
    return manifest, batch, options


@pytest.mark.parametrize("given, smtp, flag", [
    ({"sender": "not an address"}, {}, "--from"),
    ({"reply_to": "nowhere"}, {}, "--reply-to"),
    ({"subject": "two\nlines"}, {}, "--subject"),
    ({}, {"user": "clinic"}, "HANDOUTS_SMTP_PASSWORD"),
])
def test_an_email_option_that_cannot_work_is_named_in_neutral_words(tmp_path, given, smtp, flag):
    manifest, batch, options = email_options(tmp_path, **given)
    with pytest.raises(HandoutError) as raised:
        sending.send_packets(manifest, batch, options, SmtpSettings("127.0.0.1", 25, **smtp))
    assert_neutral_and_flagged(raised.value, flag)


def test_row_problems_are_told_as_objects_the_caller_words(tmp_path):
    manifest, batch, options = email_options(tmp_path, encrypt=True, max_size_mb=0.001)
    told = []
    sending.send_packets(manifest, batch, options, SmtpSettings("127.0.0.1", 25), on_problem=told.append)
    assert_neutral_and_flagged(told[0], "--encrypt")
    assert_neutral_and_flagged(told[1], "--max-size")


def test_a_ca_file_that_cannot_be_used_is_named_in_neutral_words(tmp_path):
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    with pytest.raises(HandoutError) as raised:
        SmtpMailer(SmtpSettings("127.0.0.1", 25, cafile=str(tmp_path / "ca.pem")))
    assert_neutral_and_flagged(raised.value, "--cafile")


def _tls_error(kind: type, **attributes) -> ssl.SSLError:
    """An ssl error with the attributes the ssl module sets on the ones it raises."""
    error = kind("TLS failed")
    for name, value in attributes.items():
        setattr(error, name, value)
    return error


class _Server:
    """Stands in for smtplib.SMTP: offers no STARTTLS, and fails as FAILURES say."""

    failures: dict = {}

    def __init__(self, *args, **kwargs):
        if "connect" in self.failures:
            raise self.failures["connect"]

    def ehlo(self):
        pass

    def has_extn(self, name):
        return False

    def login(self, user, password):
        raise self.failures["login"]

    def sendmail(self, sender, recipients, data):
        raise self.failures["send"]

    def close(self):
        pass

    quit = close


@pytest.mark.parametrize("host, tls, user, failures, flags_named", [
    ("127.0.0.1", "starttls", None, {}, ["--ssl"]),
    ("mail.example.org", "auto", "clinic", {}, ["--ssl"]),
    ("127.0.0.1", "auto", "clinic", {"login": smtplib.SMTPAuthenticationError(535, b"no")},
     ["--smtp-user", "HANDOUTS_SMTP_PASSWORD"]),
    ("127.0.0.1", "auto", "clinic", {"login": smtplib.SMTPNotSupportedError()}, ["--smtp-user"]),
    ("127.0.0.1", "auto", None, {"send": smtplib.SMTPSenderRefused(550, b"no", "a@example.org")},
     ["--from", "--smtp-user"]),
    ("127.0.0.1", "auto", None, {"connect": _tls_error(ssl.SSLError, reason="WRONG_VERSION_NUMBER")}, ["--smtp-port", "--ssl"]),
    ("127.0.0.1", "auto", None, {"connect": _tls_error(ssl.SSLCertVerificationError,
                                                           verify_message="unable to get local issuer certificate")},
     ["--cafile", "HANDOUTS_SMTP_CAFILE"]),
], ids=["no-starttls", "password-in-clear", "login-refused", "no-login", "sender-refused", "tls-failed",
        "untrusted"])
def test_a_mail_server_that_cannot_be_used_is_named_in_neutral_words(monkeypatch, host, tls, user, failures,
                                                                       flags_named):
    monkeypatch.setattr(smtplib, "SMTP", _Server)
    monkeypatch.setattr(_Server, "failures", failures)
    mailer = SmtpMailer(SmtpSettings(host, 25, tls, user, "secret" if user else None))
    with pytest.raises(HandoutError) as raised:
        mailer.send(b"message", "a@example.org", "b@example.org")
    for flag in flags_named:
        assert_neutral_and_flagged(raised.value, flag)


# --- warnings and results are not errors ------------------------------------------------------------
def test_warnings_are_their_own_type_and_count_as_problems_only_when_asked(tmp_path):
    folder = tmp_path / "no-profile"
    folder.mkdir()
    (folder / "a.yaml").write_bytes((CONTENT / "kyphoplasty-before.yaml").read_bytes())
    checked = check([folder], today=date(2100, 1, 1))
    assert checked.warnings and all(isinstance(warning, HandoutWarning) for warning in checked.warnings)
    assert not any(isinstance(warning, BaseException) for warning in checked.warnings)
    kinds = {type(warning) for warning in checked.warnings}
    assert NoClinicProfile in kinds and ContentWarning in kinds
    for warning in checked.warnings:
        problem = warning.as_problem()
        assert isinstance(problem, (ContentError, PathError))
        assert str(problem) == str(warning).replace("warning: ", "", 1)
    with pytest.raises(TypeError):
        raise checked.warnings[0]


def test_a_message_not_sent_is_a_result_reported_not_an_exception():
    assert not isinstance(NotSent("m.csv", 2, "A-1", "refused", "failed/A-1.eml", temporary=False), BaseException)
