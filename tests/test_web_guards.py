"""The staff page under attack and mishap: guesses sent at once, copied cookies, odd tokens, a 500, a busy mail server, stale content."""
from __future__ import annotations

import http.client
import json
import logging
import re
import shutil
import threading
import urllib.parse
from datetime import datetime

import pytest
from starlette.testclient import TestClient

from handouts.delivery.smtp import SmtpSettings
from handouts.sending import EmailOptions
from test_email import Recorder
from test_web import errors_of, packet
from webkit import CONTENT, PASSWORD, USER, Clock, csrf_of, make_app, served, sign_in, signed_in


def audit(tmp_path) -> list[dict]:
    return [json.loads(line) for line in (tmp_path / "instance" / "audit.jsonl").read_text().splitlines()]


# --- sign-in ----------------------------------------------------------------------------------------
def test_forty_guesses_sent_at_once_get_five_checked_and_the_right_password_is_locked_out(tmp_path):
    app = make_app(tmp_path / "instance")
    with served(app) as url:
        port = int(url.rsplit(":", 1)[1])

        def guess(password: str) -> int:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/signin")
            response = connection.getresponse()
            page, cookie = response.read().decode(), response.getheader("set-cookie").split(";")[0]
            body = urllib.parse.urlencode({"csrf": csrf_of(page), "username": USER, "password": password})
            connection.request("POST", "/signin", body, {"Cookie": cookie,
                                                         "Content-Type": "application/x-www-form-urlencoded"})
            return connection.getresponse().status
        statuses: list[int] = []
        start = threading.Barrier(40)

        def send(number: int) -> None:
            start.wait()
            statuses.append(guess(f"wrong guess number {number}"))
        threads = [threading.Thread(target=send, args=(number,)) for number in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(statuses).count(401) == 5 and statuses.count(429) == 35
        assert guess(PASSWORD) == 429
    assert [entry["action"] for entry in audit(tmp_path)].count("sign-in refused") == 41


def test_names_no_user_could_have_are_neither_counted_nor_logged(client, app, tmp_path):
    for number in range(20):
        sign_in(client, user=f"{number}" + "x" * 5000, password="a password typed in the wrong box")
    assert app.state.site.lockout._tries == {}
    assert {entry["user"] for entry in audit(tmp_path)} == {"-"}


def test_a_sign_in_page_left_open_too_long_comes_back_ready(client, clock):
    token = csrf_of(client.get("/signin").text)
    clock.advance(15 * 60 + 1)
    response = client.post("/signin", data={"csrf": token, "username": USER, "password": PASSWORD})
    assert response.status_code == 403
    assert "The sign-in page had been open too long. Sign in again." in response.text
    assert sign_in(client).status_code == 303          # with the fresh token the page came back with


# --- sessions ----------------------------------------------------------------------------------------
def test_a_copied_cookie_opens_nothing_after_sign_out(client):
    token = signed_in(client)
    copied = client.cookies["handouts_session"]
    client.post("/signout", data={"csrf": token})
    thief = TestClient(client.app)
    thief.cookies.set("handouts_session", copied)
    assert thief.get("/", follow_redirects=False).status_code == 303
    assert thief.post("/packet/pdf", data=packet(token), follow_redirects=False).status_code == 303


def test_a_new_password_or_removal_ends_the_users_sessions(client, app):
    signed_in(client)
    app.state.site.users.add(USER, "a brand new passphrase")
    assert client.get("/", follow_redirects=False).status_code == 303
    assert sign_in(client, password="a brand new passphrase").status_code == 303
    app.state.site.users.remove(USER)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_session_ends_after_12_hours_however_busy(client, clock):
    signed_in(client)
    for _ in range(12 * 4):
        clock.advance(14 * 60)
        if client.get("/", follow_redirects=False).status_code != 200:
            break
    assert 11 * 3600 < clock.now - Clock().now <= 12 * 3600 + 14 * 60


@pytest.mark.parametrize("token, cookie", [("é", None), ("ü" * 30, None), ("x", "abc.\u00e9"), ("x", "é.é")])
def test_odd_tokens_and_cookies_are_refused_not_a_crash(client, token, cookie):
    client.get("/signin")
    # Sent as the bytes a browser would send: a cookie planted by a sibling site can hold anything.
    headers = [(b"cookie", f"handouts_session={cookie}".encode())] if cookie is not None else []
    response = client.post("/signin", data={"csrf": token, "username": USER, "password": PASSWORD}, headers=headers)
    assert response.status_code == 403
    assert client.get("/static/site.css", headers=headers).status_code == 200


def test_a_500_carries_the_headers_and_its_log_line_only_the_errors_type(client, app, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="handouts.web")
    token = signed_in(client)

    async def broken(*args, **kwargs):
        raise RuntimeError("Ana Pérez")          # as if an error's message held what the form held
    monkeypatch.setattr(app.state.site.renderer, "make", broken)
    response = TestClient(client.app, raise_server_exceptions=False, cookies=client.cookies).post(
        "/packet/preview", data=packet(token))
    assert response.status_code == 500
    assert response.headers["x-frame-options"] == "DENY" and response.headers["cache-control"] == "no-store"
    assert "content-security-policy" in response.headers
    assert "POST /packet/preview 500" in caplog.text and "error=RuntimeError" in caplog.text
    assert "Pérez" not in caplog.text


# --- the packet --------------------------------------------------------------------------------------
def test_a_handout_given_in_another_language_is_said_as_the_batch_says_it(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "kyphoplasty-before.es.yaml").unlink()
    client = TestClient(make_app(tmp_path / "instance", content=content))
    token = signed_in(client)
    page = client.post("/packet/preview", data=packet(token, language="es")).text
    note = "kyphoplasty-before has no 'es' version; the 'en' one is used"
    assert f'<span class="tag">Note:</span> {note}' in page.replace("&#39;", "'")
    assert f"Note: {note}." in page.replace("&#39;", "'")           # and with the pages, as they are shown


def test_content_past_its_review_date_is_refused_on_the_day_not_at_start(tmp_path):
    clock = Clock(datetime(2027, 10, 31, 12).timestamp())          # the day before next_review: 2027-11-01
    client = TestClient(make_app(tmp_path / "one", clock, today=None))
    token = signed_in(client)
    assert client.post("/packet/pdf", data=packet(token)).status_code == 200
    clock.advance(2 * 24 * 3600)
    token = signed_in(client)
    shown = errors_of(client.post("/packet/preview", data=packet(token)).text)["handouts"]
    assert shown == [f"{name}: expected a review date that has not passed, found 2027-11-01, 1 day ago; have the "
                     "content reviewed, then update reviewed and next_review; or build anyway with the page's option "
                     "to allow expired content (ask whoever runs the page)"
                     for name in ("kyphoplasty-before.yaml", "kyphoplasty-care-after.yaml")]
    allowed = TestClient(make_app(tmp_path / "two", clock, today=None, allow_expired=True))
    assert allowed.post("/packet/pdf", data=packet(signed_in(allowed))).status_code == 200


# --- email ------------------------------------------------------------------------------------------
def test_a_second_send_while_one_is_under_way_is_told_to_wait(tmp_path, smtp_server):
    server = smtp_server(Recorder())
    app = make_app(tmp_path / "instance", smtp=SmtpSettings("127.0.0.1", server.port, timeout=5),
                   email=EmailOptions("handouts@riverside-spine.example.org"))
    client = TestClient(app)
    token = signed_in(client)
    with app.state.site.email_lock:            # another nurse's message going out
        response = client.post("/packet/email", data=packet(token, email="ana.perez@example.org"))
    assert response.status_code == 503
    assert "another message is being sent from this page just now" in response.text
    assert server.handler.received == []


def test_an_email_that_cannot_go_is_audited(tmp_path, smtp_server):
    server = smtp_server(Recorder())            # offers no STARTTLS, which these settings require
    app = make_app(tmp_path / "instance", smtp=SmtpSettings("127.0.0.1", server.port, tls="starttls", timeout=5),
                   email=EmailOptions("handouts@riverside-spine.example.org"))
    client = TestClient(app)
    response = client.post("/packet/email", data=packet(signed_in(client), email="ana.perez@example.org"))
    assert response.status_code == 503 and "Not sent: " in response.text
    assert [(entry["action"], entry.get("result"), entry.get("mrn")) for entry in audit(tmp_path)][-1] == \
        ("email", "not sent: mail server", "A-1001")
    assert not re.search(r"ana\.perez", (tmp_path / "instance" / "audit.jsonl").read_text())


def test_a_success_clears_the_failures_before_it_not_the_guesses_still_running(app, clock):
    lockout = app.state.site.lockout
    for _ in range(4):
        assert lockout.begin(USER) == 0            # four guesses under way
    assert lockout.begin(USER) == 0                # and the nurse's own attempt
    lockout.end(USER, True)
    for _ in range(4):
        lockout.end(USER, False)
    assert lockout.begin(USER) == 0                # four failures counted after her success: one more may try
    lockout.end(USER, False)
    assert lockout.begin(USER) == 60


def test_an_attempt_that_fails_to_check_is_still_ended(client, app, monkeypatch):
    def broken(name, password):
        raise OSError("the users file could not be read")
    monkeypatch.setattr(app.state.site.users, "check", broken)
    failing = TestClient(client.app, raise_server_exceptions=False)
    for _ in range(6):
        failing.get("/signin")
        assert sign_in(failing).status_code == 500
    monkeypatch.undo()
    assert sign_in(client).status_code == 303          # six errors are not six failures: never locked


def test_an_unreadable_users_file_is_a_500_with_the_headers(client, app, tmp_path):
    signed_in(client)
    (tmp_path / "instance" / "users.json").write_text("{ not json")
    response = TestClient(client.app, raise_server_exceptions=False, cookies=client.cookies).get("/")
    assert response.status_code == 500 and response.headers["x-frame-options"] == "DENY"


def test_the_batch_page_judges_review_dates_on_the_day_too(tmp_path):
    clock = Clock(datetime(2027, 10, 31, 12).timestamp())
    client = TestClient(make_app(tmp_path / "instance", clock, today=None))
    token = signed_in(client)
    upload = {"manifest": ("list.csv", b"mrn,name,handouts\nA-1,Ana,kyphoplasty-before\n")}
    assert client.post("/batch", data={"csrf": token}, files=upload).status_code == 200
    clock.advance(2 * 24 * 3600)
    token = signed_in(client)
    response = client.post("/batch", data={"csrf": token}, files=upload)
    assert response.status_code == 422
    assert "next_review: expected a review date that has not passed, found 2027-11-01, 1 day ago" in response.text
