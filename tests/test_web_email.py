"""Email from the packet page against a real SMTP server (aiosmtpd on 127.0.0.1): sent, already sent, refused, deferred, never twice."""
from __future__ import annotations

import html
import json
import re

from aiosmtpd.controller import Controller
from starlette.testclient import TestClient

from handouts.delivery.smtp import SmtpSettings
from handouts.sending import EmailOptions
from test_email import Recorder, free_port
from test_web import errors_of, packet
from webkit import Clock, make_app, signed_in

SENDER = "Riverside Spine Center <handouts@riverside-spine.example.org>"
ADDRESS = "ana.perez@example.org"


def result_of(page: str) -> str:
    found = re.search(r'<div id="email-result">\s*<p class="result \w+">\s*(.*?)\s*</p>', page, re.S)
    return " ".join(html.unescape(found.group(1)).split()) if found else ""


def client_for(tmp_path, port: int) -> tuple[TestClient, str]:
    app = make_app(tmp_path / "instance", Clock(), smtp=SmtpSettings("127.0.0.1", port, timeout=5),
                   email=EmailOptions(SENDER, outbox=tmp_path / "ignored"))
    client = TestClient(app)
    return client, signed_in(client)


def test_a_packet_is_sent_once_and_is_the_packet_downloaded(tmp_path, smtp_server):
    server = smtp_server(Recorder())
    client, token = client_for(tmp_path, server.port)
    response = client.post("/packet/email", data=packet(token, email=ADDRESS))
    assert response.status_code == 200
    assert result_of(response.text) == "Sent: the mail server has taken the message."
    [message] = server.handler.to(ADDRESS)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content() == client.post("/packet/pdf", data=packet(token)).content
    assert "Ana Pérez" not in attachment.get_filename()
    again = client.post("/packet/email", data=packet(token, email=ADDRESS))
    assert result_of(again.text).startswith("Already sent: this same packet went to this address before")
    assert len(server.handler.to(ADDRESS)) == 1
    outbox = tmp_path / "instance" / "outbox"
    assert not (tmp_path / "ignored").exists()           # the outbox is the instance's, whatever the options say
    assert len(list((outbox / "sent").glob("A-1001-*.eml"))) == 1
    audit = [json.loads(line) for line in (tmp_path / "instance" / "audit.jsonl").read_text().splitlines()]
    assert [(entry["action"], entry.get("result")) for entry in audit if entry["action"] == "email"] == \
        [("email", "sent"), ("email", "already sent")]


def test_a_refused_address_is_said_and_kept_in_failed(tmp_path, smtp_server):
    server = smtp_server(Recorder(answers={ADDRESS: "550 5.1.1 <ana.perez@example.org>: no such user"}))
    client, token = client_for(tmp_path, server.port)
    response = client.post("/packet/email", data=packet(token, email=ADDRESS))
    said = result_of(response.text)
    assert said == ("Refused: the mail server will not take it (the server answered 550 5.1.1 <recipient>: "
                    "no such user). Check the address.")
    assert ADDRESS not in response.text.replace(f'value="{ADDRESS}"', "")      # only in the field, as typed
    assert len(list((tmp_path / "instance" / "outbox" / "failed").glob("*.eml"))) == 1


def test_a_server_that_is_down_defers_and_a_later_press_sends_it_once(tmp_path):
    port = free_port()
    client, token = client_for(tmp_path, port)
    response = client.post("/packet/email", data=packet(token, email=ADDRESS))
    said = result_of(response.text)
    assert said.startswith("Deferred: the mail server could not take it now (")
    assert said.endswith("It waits in the outbox; press Send by email again later.")
    assert len(list((tmp_path / "instance" / "outbox").glob("*.eml"))) == 1
    live = Controller(Recorder(), hostname="127.0.0.1", port=port)
    live.start()
    try:
        sent = client.post("/packet/email", data=packet(token, email=ADDRESS))
        assert result_of(sent.text) == "Sent: the mail server has taken the message."
        assert len(live.handler.received) == 1
        assert not list((tmp_path / "instance" / "outbox").glob("*.eml"))
    finally:
        live.stop()


def test_the_address_is_checked_as_the_manifest_checks_it(tmp_path, smtp_server):
    server = smtp_server(Recorder())
    client, token = client_for(tmp_path, server.port)
    empty = client.post("/packet/email", data=packet(token, email=""))
    assert errors_of(empty.text) == {"email": ["expected the patient's email address, found an empty field"]}
    bad = client.post("/packet/email", data=packet(token, email="ana.perez at example.org"))
    assert bad.status_code == 422
    assert list(errors_of(bad.text)) == ["email"]
    assert errors_of(bad.text)["email"][0].startswith("expected an email address such as name@example.org, or an "
                                                       "empty cell, found ")
    assert server.handler.received == []


def test_without_a_mail_server_the_page_has_no_email(tmp_path):
    client = TestClient(make_app(tmp_path / "instance", Clock()))
    token = signed_in(client)
    page = client.get("/").text
    assert "Email is not set up for this page." in page and "Send by email</button>" not in page
    response = client.post("/packet/email", data=packet(token, email=ADDRESS))
    assert response.status_code == 409
    assert "Email is not set up for this page" in response.text
