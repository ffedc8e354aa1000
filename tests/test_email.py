"""`handouts email` against a real SMTP server (aiosmtpd on 127.0.0.1), as a clinic's staff would run it."""
from __future__ import annotations

import asyncio
import io
import json
import os
import re
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from pypdf import PdfReader
from pypdf import PasswordType

from handouts.cli import main
from handouts.delivery.outbox import Outbox
from pdfcheck import flat
from tlscert import make_certificates

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
SENDER = "handouts@riverside-spine.example.org"
CLINIC_FROM = f"Riverside Spine Center <{SENDER}>"
HEADER = "mrn,name,dob,email,language,handouts"
ANA = "A-1,Ana Pérez,1948-03-14,ana.perez@example.org,en,kyphoplasty-care-after"
JOSE = "A-2,José Ramírez Núñez,1946-01-30,Jose.Ramirez@example.org,es,kyphoplasty-before;kyphoplasty-care-after"
MARY = "A-3,Mary Brown,1953-09-17,,en,kyphoplasty-before"
ZOE = "A-4,Zoë Brontë,,zoe.bronte@example.org,en,kyphoplasty-care-after"
ROWS = (ANA, JOSE, MARY, ZOE)
NAMES = ("Ana Pérez", "José Ramírez Núñez", "Mary Brown", "Zoë Brontë")
ADDRESSES = ("ana.perez@example.org", "Jose.Ramirez@example.org", "zoe.bronte@example.org")


# --- the server -------------------------------------------------------------------------------------
@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    tls: bool


class Recorder:
    """An aiosmtpd handler that keeps what it accepts; ANSWERS replies to RCPT for some recipients, and
    DROPS closes the connection instead of answering the end of DATA, a number of times per recipient."""

    def __init__(self, answers: dict[str, str] | None = None, drops: dict[str, int] | None = None):
        self.answers = answers or {}
        self.drops = Counter(drops or {})
        self.received: list[Received] = []
        self.attempts: Counter = Counter()
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.attempts[address] += 1
        if address in self.answers:
            return self.answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        recipient = envelope.rcpt_tos[0]
        if self.drops[recipient] > 0:
            self.drops[recipient] -= 1
            server.transport.close()
            return "250 never heard"
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        tls = server.transport.get_extra_info("ssl_object") is not None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, tls))
        return "250 OK queued"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret-for-tests")

    def to(self, address: str) -> list[EmailMessage]:
        return [got.message for got in self.received if got.recipients == [address]]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def built_packets(tmp_path_factory) -> Path:
    """The packets of ROWS, made once; each test copies them, and the command finds them unchanged."""
    folder = tmp_path_factory.mktemp("built")
    manifest = write_manifest(folder, *ROWS)
    result = CliRunner().invoke(main, ["batch", str(manifest), "-o", str(folder / "packets"), "--content",
                                       str(CONTENT), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return folder / "packets"


@pytest.fixture
def packets(tmp_path, built_packets) -> Path:
    shutil.copytree(built_packets, tmp_path / "packets")
    return tmp_path / "packets"


@pytest.fixture
def certificates(tmp_path) -> tuple[Path, ssl.SSLContext]:
    ca, certificate, key = make_certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    return ca, context


def write_manifest(folder: Path, *rows: str) -> Path:
    path = folder / "patients.csv"
    path.write_text("\n".join((HEADER,) + rows) + "\n", encoding="utf-8")
    return path


def send(manifest: Path, server_port: int, *extra: str, env: dict | None = None, host: str = "127.0.0.1"):
    folder = manifest.parent
    return CliRunner().invoke(main, ["email", str(manifest), "--packets", str(folder / "packets"),
                                     "--content", str(CONTENT), "--jobs", "1", "--smtp-host", host,
                                     "--smtp-port", str(server_port), "--from", SENDER,
                                     "--outbox", str(folder / "outbox"), "--retry-wait", "0", *extra],
                              env={"HANDOUTS_SMTP_PASSWORD": None, "HANDOUTS_SMTP_CAFILE": None, **(env or {})})


def files(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir() if entry.is_file() and not entry.name.startswith("."))


def eml(outbox: Path, mrn: str, state: str = "") -> Path:
    found = list((outbox / state).glob(f"{mrn}-*.eml"))
    assert len(found) == 1, found
    return found[0]


def attachment(message: EmailMessage) -> tuple[str, bytes]:
    parts = list(message.iter_attachments())
    assert len(parts) == 1
    assert parts[0].get_content_type() == "application/pdf"
    return parts[0].get_filename(), parts[0].get_content()


def body(message: EmailMessage, kind: str = "plain") -> str:
    """The text or HTML part as a reader sees it (SMTP's CRLF line ends as newlines)."""
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


def pdf_text(data: bytes, password: str | None = None) -> str:
    reader = PdfReader(io.BytesIO(data))
    if password is not None:
        assert reader.decrypt(password) != PasswordType.NOT_DECRYPTED
    return flat(" ".join(page.extract_text() or "" for page in reader.pages))


def summary_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(("Email:", "Dry run:")))


# --- what a patient receives ------------------------------------------------------------------------
def test_each_row_with_an_address_gets_one_message_with_its_packet_attached(tmp_path, packets, smtp_server):
    server = Recorder()
    controller = smtp_server(server)
    path = write_manifest(tmp_path, *ROWS)
    result = send(path, controller.port, "--reply-to", "Front desk <desk@riverside-spine.example.org>")
    assert result.exit_code == 0, result.output
    assert [got.recipients for got in server.received] == [[address] for address in ADDRESSES]
    assert {got.sender for got in server.received} == {SENDER}

    ana = server.to("ana.perez@example.org")[0]
    assert ana["From"] == CLINIC_FROM
    assert ana["To"] == "ana.perez@example.org"
    assert ana["Reply-To"] == "Front desk <desk@riverside-spine.example.org>"
    assert ana["Subject"] == "Your care instructions from Riverside Spine Center"
    assert re.fullmatch(r"<[0-9a-f]{24}@riverside-spine\.example\.org>", ana["Message-ID"])
    assert parsedate_to_datetime(ana["Date"]).tzinfo is not None
    text = body(ana)
    assert text.startswith("Hello Ana Pérez,\n")
    for fact in ("Kyphoplasty-instructions.pdf", "  - Balloon Kyphoplasty: Care After", "(555) 010-4400",
                 "After hours, call (555) 010-4499.", "In an emergency, call 911."):
        assert fact in text
    assert "password" not in text
    html = body(ana, "html")
    assert "<p>Hello Ana Pérez,</p>" in html and "<li>Balloon Kyphoplasty: Care After</li>" in html
    name, data = attachment(ana)
    assert name == "Kyphoplasty-instructions.pdf"
    assert data == (packets / "A-1.pdf").read_bytes()          # the packet as 'handouts batch' made it
    assert "Ana Pérez" in pdf_text(data)

    jose = server.to("Jose.Ramirez@example.org")[0]
    assert jose["Subject"] == "Sus instrucciones de cuidado de Riverside Spine Center"
    assert body(jose).startswith("Hola, José Ramírez Núñez:\n")
    assert "<li>Cifoplastia con balón: antes de su procedimiento</li>" in body(jose, "html")
    assert attachment(jose)[0] == "Kyphoplasty-instrucciones.pdf"
    assert "José Ramírez Núñez" in pdf_text(attachment(jose)[1])
    assert len({got.message["Message-ID"] for got in server.received}) == 3

    assert "row 4  A-3  skipped: no email address" in result.stdout.splitlines()
    assert summary_line(result.stdout).startswith(
        "Email: 3 sent, 0 already sent, 1 skipped, 0 temporary failures, 0 permanent failures, 0 row errors; "
        "3 messages in ")
    for secret in NAMES + ADDRESSES:
        assert secret not in result.output and secret.lower() not in result.output.lower()

    outbox = tmp_path / "outbox"
    assert files(outbox) == ["sent.log"]
    sent = files(outbox / "sent")
    assert [re.sub(r"-[0-9a-f]{12}\.eml$", "", name) for name in sent] == ["A-1", "A-2", "A-4"]
    for name in sent:
        assert stat.S_IMODE((outbox / "sent" / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((outbox / "sent.log").stat().st_mode) == 0o600
    log = (outbox / "sent.log").read_text(encoding="utf-8")
    assert len(log.splitlines()) == 3 and '"mrn": "A-1"' in log and ana["Message-ID"] in log
    assert not any(secret.lower() in log.lower() for secret in NAMES + ADDRESSES)


def test_an_encrypted_attachment_opens_with_the_date_of_birth_only(tmp_path, packets, smtp_server):
    server = Recorder()
    controller = smtp_server(server)
    path = write_manifest(tmp_path, *ROWS)
    result = send(path, controller.port, "--encrypt")
    assert result.exit_code == 1
    # Zoë's row has no date of birth: an error, found before anything is sent, and never sent unencrypted.
    assert result.stderr.splitlines() == [
        f"{path}:5: dob: expected a date of birth: with --encrypt it is the packet's password, found an empty "
        "cell; fill it in, or give this patient the packet another way; it is never sent unencrypted"]
    assert [got.recipients for got in server.received] == [["ana.perez@example.org"], ["Jose.Ramirez@example.org"]]
    assert not list((tmp_path / "outbox").rglob("A-4-*"))

    ana = server.to("ana.perez@example.org")[0]
    _, data = attachment(ana)
    assert PdfReader(io.BytesIO(data)).is_encrypted
    for wrong in ("", "19480315", "14031948", "A-1"):
        assert PdfReader(io.BytesIO(data)).decrypt(wrong) == PasswordType.NOT_DECRYPTED
    assert "Ana Pérez" in pdf_text(data, password="19480314")
    text = body(ana)
    assert "protected with a password: your date of birth as eight digits" in text
    assert "19480314" not in text and "19480314" not in body(ana, "html")
    assert "José Ramírez Núñez" in pdf_text(attachment(server.to("Jose.Ramirez@example.org")[0])[1], "19460130")
    assert summary_line(result.stdout).startswith("Email: 2 sent, 0 already sent, 1 skipped, 0 temporary failures, "
                                                  "0 permanent failures, 1 row errors;")


def test_every_row_problem_is_reported_before_connecting(tmp_path, packets):
    small, large = (packets / "A-1.pdf").stat().st_size, (packets / "A-2.pdf").stat().st_size
    limit = (small + large) // 2
    assert small < limit < large
    path = write_manifest(tmp_path, ANA, JOSE, MARY, ZOE.replace("zoe.bronte@", "zoë.brontë@"),
                          'A-5,Bo Comma,1950-01-01,"bo,comma@example.org",en,kyphoplasty-care-after')
    port = free_port()          # nothing listens there
    result = send(path, port, "--max-size", str(limit / 1_000_000))
    assert result.exit_code == 1
    waiting = eml(tmp_path / "outbox", "A-1")
    assert result.stderr.splitlines() == [
        f"{path}:3: handouts: expected a packet of at most {round(limit / 1000)} KB to attach, found "
        f"{round(large / 1000)} KB; send fewer handouts in one message, or raise --max-size if the mail server "
        "takes larger messages",
        f"{path}:5: email: expected one address such as name@example.org, found letters outside plain ASCII; "
        "correct it in the manifest",
        f"{path}:6: email: expected one address such as name@example.org, found more than one address; "
        "correct it in the manifest",
        f"{path}:2: email: MRN A-1 not sent: cannot connect to 127.0.0.1:{port}: Connection refused (3 attempts); "
        f"it waits in {waiting}: run the command again to send it",
    ]
    assert files(tmp_path / "outbox") == [waiting.name]
    assert files(tmp_path / "outbox" / "sent") == files(tmp_path / "outbox" / "failed") == []
    assert summary_line(result.stdout).startswith("Email: 0 sent, 0 already sent, 1 skipped, 1 temporary failures, "
                                                  "0 permanent failures, 3 row errors;")


# --- when the server does not take a message --------------------------------------------------------
BUSY = "451 4.3.0 Mailbox busy, try again later"
UNKNOWN = "550 5.1.1 <Jose.Ramirez@example.org>: Recipient address rejected: no such user"


def test_451_stays_in_the_outbox_after_three_attempts_and_550_moves_to_failed(tmp_path, packets, smtp_server):
    server = Recorder(answers={"ana.perez@example.org": BUSY, "Jose.Ramirez@example.org": UNKNOWN})
    controller = smtp_server(server)
    path = write_manifest(tmp_path, *ROWS)
    result = send(path, controller.port)
    assert result.exit_code == 1
    outbox = tmp_path / "outbox"
    waiting, refused = eml(outbox, "A-1"), eml(outbox, "A-2", "failed")
    assert result.stderr.splitlines() == [
        # The server's reply is shown with the address taken out: it is health information.
        f"{path}:3: email: MRN A-2 not sent: the server answered 550 5.1.1 <recipient>: Recipient address "
        f"rejected: no such user; it is in {refused}: correct the address in the manifest, or move the file "
        "back into the outbox to try it again as it is",
        f"{path}:2: email: MRN A-1 not sent: the server answered 451 4.3.0 Mailbox busy, try again later "
        f"(3 attempts); it waits in {waiting}: run the command again to send it",
    ]
    assert server.attempts == {"ana.perez@example.org": 3, "Jose.Ramirez@example.org": 1,
                               "zoe.bronte@example.org": 1}
    assert [got.recipients for got in server.received] == [["zoe.bronte@example.org"]]
    assert files(outbox) == [waiting.name, "sent.log"]
    assert files(outbox / "failed") == [refused.name, refused.name + ".reply.txt"]
    assert (outbox / "failed" / (refused.name + ".reply.txt")).read_text(encoding="utf-8") == (
        "the server answered " + UNKNOWN + "\n")
    assert [name[:3] for name in files(outbox / "sent")] == ["A-4"]
    assert summary_line(result.stdout).startswith(
        "Email: 1 sent, 0 already sent, 1 skipped, 1 temporary failures, 1 permanent failures, 0 row errors;")


def test_a_rerun_after_failures_delivers_the_rest_exactly_once(tmp_path, packets, smtp_server):
    server = Recorder(answers={"ana.perez@example.org": BUSY, "Jose.Ramirez@example.org": UNKNOWN})
    controller = smtp_server(server)
    path = write_manifest(tmp_path, *ROWS)
    assert send(path, controller.port).exit_code == 1

    server.answers.clear()            # the mailbox is free again; the unknown address is still wrong
    second = send(path, controller.port)
    assert second.exit_code == 1
    refused = eml(tmp_path / "outbox", "A-2", "failed")
    assert second.stderr.splitlines() == [
        f"{path}:3: email: MRN A-2 not sent: earlier, the server answered 550 5.1.1 <recipient>: Recipient "
        f"address rejected: no such user; it is in {refused}: correct the address in the manifest, or move the "
        "file back into the outbox to try it again as it is"]
    assert summary_line(second.stdout).startswith(
        "Email: 1 sent, 1 already sent, 1 skipped, 0 temporary failures, 1 permanent failures, 0 row errors;")

    write_manifest(tmp_path, ANA, JOSE.replace("Jose.Ramirez@", "jose.ramirez.nunez@"), MARY, ZOE)
    third = send(path, controller.port)
    assert third.exit_code == 0, third.output
    fourth = send(path, controller.port)
    assert fourth.exit_code == 0
    assert summary_line(fourth.stdout).startswith("Email: 0 sent, 3 already sent, 1 skipped, 0 temporary failures")

    delivered = Counter(recipient for got in server.received for recipient in got.recipients)
    assert delivered == {"zoe.bronte@example.org": 1, "ana.perez@example.org": 1,
                         "jose.ramirez.nunez@example.org": 1}
    assert files(tmp_path / "outbox") == ["sent.log"]
    assert len((tmp_path / "outbox" / "sent.log").read_text(encoding="utf-8").splitlines()) == 3


def test_a_connection_dropped_mid_message_once_is_retried_in_the_same_run(tmp_path, packets, smtp_server):
    server = Recorder(drops={"ana.perez@example.org": 1})
    controller = smtp_server(server)
    path = write_manifest(tmp_path, *ROWS)
    result = send(path, controller.port)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert server.attempts["ana.perez@example.org"] == 2
    assert Counter(got.recipients[0] for got in server.received) == {address: 1 for address in ADDRESSES}


def test_a_connection_dropped_every_time_waits_in_the_outbox_and_the_rerun_sends_it_once(tmp_path, packets,
                                                                                        smtp_server):
    server = Recorder(drops={"Jose.Ramirez@example.org": 3})
    controller = smtp_server(server)
    path = write_manifest(tmp_path, *ROWS)
    first = send(path, controller.port)
    assert first.exit_code == 1
    waiting = eml(tmp_path / "outbox", "A-2")
    assert first.stderr.splitlines() == [
        f"{path}:3: email: MRN A-2 not sent: the connection closed before the server accepted the message "
        f"(3 attempts); it waits in {waiting}: run the command again to send it"]
    assert summary_line(first.stdout).startswith("Email: 2 sent, 0 already sent, 1 skipped, 1 temporary failures")
    assert [got.recipients[0] for got in server.received] == ["ana.perez@example.org", "zoe.bronte@example.org"]

    second = send(path, controller.port)
    assert second.exit_code == 0, second.output
    assert summary_line(second.stdout).startswith("Email: 1 sent, 2 already sent, 1 skipped, 0 temporary failures")
    assert Counter(got.recipients[0] for got in server.received) == {address: 1 for address in ADDRESSES}
    jose = server.to("Jose.Ramirez@example.org")[0]
    assert "José Ramírez Núñez" in pdf_text(attachment(jose)[1])
    assert files(tmp_path / "outbox") == ["sent.log"]


# --- TLS and passwords ------------------------------------------------------------------------------
PASSWORD = {"HANDOUTS_SMTP_PASSWORD": "s3cret-for-tests"}


def test_starttls_with_a_self_signed_certificate_and_a_login(tmp_path, packets, smtp_server, certificates):
    ca, context = certificates
    server = Recorder()
    controller = smtp_server(server, tls_context=context, require_starttls=True, authenticator=server.authenticate)
    path = write_manifest(tmp_path, *ROWS)

    untrusted = send(path, controller.port, "--starttls", "--smtp-user", "clinic", env=PASSWORD)
    assert untrusted.exit_code == 1
    assert re.fullmatch(
        rf"127\.0\.0\.1:{controller.port}: the server's certificate cannot be trusted \([^)]+\); give the "
        r"certificate authority that signed it with --cafile \(or HANDOUTS_SMTP_CAFILE\); "
        rf"3 waiting in {re.escape(str(tmp_path / 'outbox'))}\n", untrusted.stderr)
    assert server.received == [] and server.logins == []
    assert len(files(tmp_path / "outbox")) == 3

    trusted = send(path, controller.port, "--starttls", "--smtp-user", "clinic",
                   env={**PASSWORD, "HANDOUTS_SMTP_CAFILE": str(ca)})
    assert trusted.exit_code == 0, trusted.output
    assert server.logins == [(b"clinic", b"s3cret-for-tests")]
    assert [got.tls for got in server.received] == [True, True, True]
    assert "s3cret" not in trusted.output


def test_ssl_connects_with_implicit_tls(tmp_path, packets, smtp_server, certificates):
    ca, context = certificates
    server = Recorder()
    controller = smtp_server(server, ssl_context=context)
    path = write_manifest(tmp_path, *ROWS)
    result = send(path, controller.port, "--ssl", "--cafile", str(ca))
    assert result.exit_code == 0, result.output
    assert [got.tls for got in server.received] == [True, True, True]


def _other_address() -> str | None:
    """An IPv4 address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))       # no packet is sent: this only picks the outgoing address
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_a_password_goes_over_a_plain_connection_only_to_this_machine(tmp_path, packets, smtp_server):
    server = Recorder()
    local = smtp_server(server, auth_require_tls=False, authenticator=server.authenticate)
    path = write_manifest(tmp_path, *ROWS)
    result = send(path, local.port, "--smtp-user", "clinic", env=PASSWORD)
    assert result.exit_code == 0, result.output
    assert server.logins == [(b"clinic", b"s3cret-for-tests")]

    host = _other_address()
    if host is None:
        pytest.skip("this machine has no address other than loopback")
    remote_server = Recorder()
    remote = smtp_server(remote_server, hostname=host, auth_require_tls=False, authenticator=remote_server.authenticate)
    (tmp_path / "outbox" / "sent.log").unlink()       # as if these had not been sent yet
    result = send(path, remote.port, "--smtp-user", "clinic", env=PASSWORD, host=host)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{host}:{remote.port}: refusing to send the password over a connection without TLS; use a server that "
        "offers STARTTLS, or --ssl; only a server on this machine (127.0.0.1, localhost) may take a password "
        f"without TLS; 3 waiting in {tmp_path / 'outbox'}\n")
    assert remote_server.logins == [] and remote_server.received == []


def test_smtp_user_without_a_password_in_the_environment_stops_before_anything(tmp_path, smtp_server):
    server = Recorder()
    controller = smtp_server(server)
    path = write_manifest(tmp_path, *ROWS)
    result = send(path, controller.port, "--smtp-user", "clinic")
    assert result.exit_code == 1
    assert result.stderr == (
        "--smtp-user: expected the password in the environment variable HANDOUTS_SMTP_PASSWORD, found none; "
        "set it in the environment (never on the command line, where other users and the shell history see it)\n")
    assert not (tmp_path / "packets").exists() and not (tmp_path / "outbox").exists()


def test_the_clinic_yaml_above_the_content_folder_names_the_sender_from_any_folder(tmp_path, monkeypatch):
    site = tmp_path / "site"
    shutil.copytree(CONTENT, site / "handouts")
    for name in ("clinic.yaml", "riverside-logo.png"):
        (site / "handouts" / name).rename(site / name)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    path = write_manifest(tmp_path, ANA)
    result = CliRunner().invoke(main, ["email", str(path), "--packets", str(tmp_path / "packets"), "--content",
                                       str(site / "handouts"), "--jobs", "1", "--smtp-host", "127.0.0.1",
                                       "--from", SENDER, "--outbox", str(tmp_path / "outbox"), "--dry-run"],
                                env={"HANDOUTS_SMTP_PASSWORD": None, "HANDOUTS_SMTP_CAFILE": None})
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    written = BytesParser(policy=policy.default).parsebytes(eml(tmp_path / "outbox", "A-1").read_bytes())
    assert written["From"] == CLINIC_FROM
    assert "(555) 010-4400" in body(written)


def test_help_has_an_example_and_starttls_with_ssl_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["email", "--help"])
    assert result.exit_code == 0
    assert re.search(r"Example.*:\n\s+handouts email ", result.stdout), result.stdout
    path = write_manifest(tmp_path, *ROWS)
    result = send(path, 465, "--starttls", "--ssl")
    assert result.exit_code == 2
    assert "Error: --starttls and --ssl: give one (--ssl for a port that starts with TLS)" in result.stderr


# --- a dry run --------------------------------------------------------------------------------------
def test_dry_run_writes_the_messages_and_sends_nothing(tmp_path, packets, smtp_server):
    server = Recorder()
    controller = smtp_server(server)
    path = write_manifest(tmp_path, *ROWS)
    result = send(path, controller.port, "--dry-run")
    assert result.exit_code == 0, result.output
    assert server.received == [] and server.attempts == {}
    outbox = tmp_path / "outbox"
    queued = files(outbox)
    assert [re.sub(r"-[0-9a-f]{12}\.eml$", "", name) for name in queued] == ["A-1", "A-2", "A-4"]
    for name in queued:
        assert stat.S_IMODE((outbox / name).stat().st_mode) == 0o600
    written = BytesParser(policy=policy.default).parsebytes((outbox / queued[0]).read_bytes())
    assert written["To"] == "ana.perez@example.org"
    assert "Ana Pérez" in pdf_text(attachment(written)[1])
    assert summary_line(result.stdout).startswith(f"Dry run: 3 messages written to {outbox}, none sent;")

    sent = send(path, controller.port)
    assert sent.exit_code == 0, sent.output
    assert [got.message["Message-ID"] for got in server.received][0] == written["Message-ID"]
    assert files(outbox) == ["sent.log"] and files(outbox / "sent") == queued


def test_a_second_run_on_the_same_outbox_at_once_is_refused(tmp_path, packets, smtp_server):
    server = Recorder()
    controller = smtp_server(server)
    path = write_manifest(tmp_path, *ROWS)
    with Outbox(tmp_path / "outbox"):          # the first run, still sending
        result = send(path, controller.port)
    assert result.exit_code == 1
    assert result.stderr == (f"{tmp_path / 'outbox'}: another 'handouts email' is sending from this outbox; wait "
                             "for it to finish (two runs at once could send a packet twice)\n")
    assert server.received == []


# --- stopped by a signal ----------------------------------------------------------------------------
class SlowRecorder(Recorder):
    """A server that takes a moment over each message, so a run of a few dozen is still sending when
    the test's signal comes. Nothing is timed: the wait only keeps the run going."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def many_rows(count: int) -> list[str]:
    return [f"S-{n:03d},Pat {n},1950-01-01,p{n}@example.org,en,kyphoplasty-care-after" for n in range(count)]


def email_process(manifest: Path, port: int) -> subprocess.Popen:
    folder = manifest.parent
    env = {key: value for key, value in os.environ.items() if not key.startswith("HANDOUTS_SMTP")}
    return subprocess.Popen([sys.executable, "-m", "handouts", "email", str(manifest), "--packets",
                             str(folder / "packets"), "--content", str(CONTENT), "--jobs", "1", "--smtp-host",
                             "127.0.0.1", "--smtp-port", str(port), "--from", SENDER, "--outbox",
                             str(folder / "outbox"), "--retry-wait", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=folder,
                            env={**env, "PYTHONPATH": str(REPO)}, start_new_session=True)


def wait_for(process: subprocess.Popen, folder: Path, pattern: str) -> None:
    """Until a file matching PATTERN is in FOLDER; at most a minute, and not past the process's end."""
    deadline = time.monotonic() + 60
    while not (folder.is_dir() and any(folder.glob(pattern))):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"nothing matching {pattern} in {folder} after a minute"
        time.sleep(0.01)


def logged(outbox: Path) -> list[str]:
    return [json.loads(line)["file"] for line in (outbox / "sent.log").read_text(encoding="utf-8").splitlines()]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
@pytest.mark.parametrize("stop, to_group, while_doing", [
    (signal.SIGINT, True, "sending"),       # Ctrl-C at a terminal: the whole process group gets it
    (signal.SIGTERM, False, "sending"),     # docker stop, Kubernetes: the main process only
    (signal.SIGTERM, False, "packets"),     # before any message is written
], ids=["SIGINT-group-sending", "SIGTERM-main-sending", "SIGTERM-main-packets"])
def test_sigint_and_sigterm_stop_between_messages_and_the_rerun_sends_the_rest_once(tmp_path, smtp_server, stop,
                                                                                   to_group, while_doing):
    count = 40
    server = SlowRecorder()
    controller = smtp_server(server)
    path = write_manifest(tmp_path, *many_rows(count))
    outbox = tmp_path / "outbox"
    run = email_process(path, controller.port)
    try:
        if while_doing == "sending":
            wait_for(run, outbox / "sent", "*.eml")
        else:
            wait_for(run, tmp_path / "packets", "*.pdf")
        (os.killpg if to_group else os.kill)(run.pid, stop)
        stdout, stderr = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    sent = files(outbox / "sent")
    messages = "message" if len(sent) == 1 else "messages"
    listed = f"; {outbox / 'sent.log'} lists every message sent" if sent else ""
    assert (run.returncode, stderr.splitlines()) == (128 + stop, [
        f"Stopped by {stop.name}: {len(sent)} {messages} sent before the stop{listed}; "
        "run the command again to send the rest"]), stdout
    if while_doing == "sending":
        assert 0 < len(sent) < count
        assert f"Email: {len(sent)} sent, " in stdout
    else:
        assert sent == [] and files(outbox) == [] and server.received == []
    # Every message the server took is in sent/ and logged: none is half-way.
    assert len(server.received) == len(sent) and sorted(logged(outbox) if sent else []) == sent
    assert [part for folder in (outbox, outbox / "sent", tmp_path / "packets")
            for part in folder.glob(".*.part")] == []

    again = email_process(path, controller.port)
    stdout, stderr = again.communicate(timeout=300)
    assert (again.returncode, stderr) == (0, ""), stdout
    addresses = Counter(address for got in server.received for address in got.recipients)
    assert addresses == Counter({f"p{n}@example.org": 1 for n in range(count)})
    assert sorted(logged(outbox)) == files(outbox / "sent") and len(files(outbox / "sent")) == count
