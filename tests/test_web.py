"""The staff web page's routes through Starlette's TestClient: sign-in, sessions, CSRF, headers, the packet and what is logged."""
from __future__ import annotations

import html
import io
import re

import pytest
from PIL import Image as PILImage
from pypdf import PdfReader
from starlette.testclient import TestClient

from pdfcheck import flat
from webkit import BOTH, PASSWORD, PATIENT, USER, make_app, sign_in, signed_in


def packet(token: str, **changes) -> dict:
    return {**PATIENT, "csrf": token, "handouts": BOTH, **changes}


def pdf_text(data: bytes) -> str:
    """The PDF's text as a reader gets it, white space folded."""
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def errors_of(page: str) -> dict[str, list[str]]:
    """Each field's problems as the page shows them beside it, by the field's id."""
    found: dict[str, list[str]] = {}
    for name, text in re.findall(r'<p class="field-error" id="e-([a-z_]+)-\d+"><span class="tag">Problem:</span> (.*?)</p>',
                                 page, re.S):
        found.setdefault(name, []).append(html.unescape(text))
    return found


# --- signing in ------------------------------------------------------------------------------------
def test_every_page_but_sign_in_sends_a_stranger_to_sign_in(client):
    for path in ("/", "/batch"):
        response = client.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/signin")
    response = client.post("/packet/preview", data={"csrf": "x"}, headers={"HX-Request": "true"},
                           follow_redirects=False)
    assert (response.status_code, response.headers["hx-redirect"]) == (401, "/signin")
    page = client.get("/signin")
    assert page.status_code == 200
    for label in ("User name", "Password"):
        assert f">{label}</label>" in page.text
    assert ">Sign in</button>" in page.text


def test_signing_in_sets_a_signed_http_only_strict_cookie_and_opens_the_packet_page(client):
    response = sign_in(client)
    assert (response.status_code, response.headers["location"]) == (303, "/")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie            # served over plain HTTP on loopback; see the HTTPS test
    page = client.get("/")
    assert page.status_code == 200 and "Make one patient's packet" in page.text and f"<strong>{USER}</strong>" in page.text


def test_the_cookie_is_secure_over_https(app):
    client = TestClient(app, base_url="https://testserver")
    assert "Secure" in sign_in(client).headers["set-cookie"]


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    response = sign_in(client, password="not the password")
    assert response.status_code == 401
    assert "The user name or password is not right." in response.text
    assert client.get("/", follow_redirects=False).status_code == 303
    unknown = sign_in(client, user="nobody")
    assert unknown.status_code == 401 and "The user name or password is not right." in unknown.text


def test_an_altered_cookie_is_no_session(client):
    sign_in(client)
    value = client.cookies["handouts_session"]
    body, _, signature = value.rpartition(".")
    client.cookies.set("handouts_session", body.replace("A", "B", 1) + "." + signature)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_five_failures_lock_the_user_for_a_minute_even_with_the_right_password(client, clock):
    for _ in range(5):
        assert sign_in(client, password="wrong password!").status_code == 401
    locked = sign_in(client)
    assert locked.status_code == 429
    assert "This user is locked for a minute after 5 failed sign-ins. Try again in 60 seconds." in locked.text
    clock.advance(59)
    assert sign_in(client).status_code == 429
    clock.advance(2)
    assert sign_in(client).status_code == 303


def test_four_failures_then_the_right_password_start_the_count_again(client):
    for _ in range(4):
        sign_in(client, password="wrong password!")
    assert sign_in(client).status_code == 303
    for _ in range(4):
        sign_in(client, password="wrong password!")
    assert sign_in(client).status_code == 303


def test_a_session_ends_after_15_idle_minutes_and_each_request_restarts_the_clock(client, clock):
    signed_in(client)
    clock.advance(14 * 60)
    assert client.get("/").status_code == 200          # still in: and this request restarts the idle clock
    clock.advance(14 * 60)
    assert client.get("/").status_code == 200
    clock.advance(15 * 60 + 1)
    response = client.get("/", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/signin")


def test_signing_out_ends_the_session(client):
    token = signed_in(client)
    response = client.post("/signout", data={"csrf": token}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/signin")
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert client.get("/", follow_redirects=False).status_code == 303


# --- CSRF and headers -----------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/packet/preview", "/packet/pdf", "/packet/email", "/batch", "/batch/download",
                                  "/signout"])
def test_a_post_without_the_sessions_csrf_token_gets_403(client, path):
    token = signed_in(client)
    for data in ({}, {"csrf": "guessed"}, {"csrf": token[:-1]}):
        response = client.post(path, data={**PATIENT, "handouts": BOTH, **data})
        assert response.status_code == 403, (path, data)
        assert "This form has expired or did not come from this site." in response.text
    assert client.post("/packet/preview", data=packet(token)).status_code == 200


def test_the_sign_in_form_needs_its_token_too(client):
    client.get("/signin")
    response = client.post("/signin", data={"username": USER, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403


def test_every_page_is_sent_with_the_security_headers_and_no_store(client):
    token = signed_in(client)
    responses = [client.get("/signin"), client.get("/"), client.get("/batch"),
                 client.post("/packet/preview", data=packet(token)), client.post("/packet/pdf", data=packet(token))]
    for response in responses:
        headers = response.headers
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
        policy = headers["content-security-policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    page = responses[1].text
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/htmx.min.js" defer>',
                                                 '<script src="/static/site.js" defer>']
    assert not re.search(r"<[^>]+\son[a-z]+=", page)       # no inline event handler either


def test_htmx_is_served_from_the_package_not_a_cdn(client):
    response = client.get("/static/htmx.min.js")
    assert response.status_code == 200 and response.text.startswith("var htmx=function()")
    assert "https://" not in client.get("/signin").text


# --- the packet ------------------------------------------------------------------------------------
def test_the_packet_page_labels_every_field(client):
    signed_in(client)
    page = client.get("/").text
    for label in ("Patient name", "MRN", "Date of birth", "Procedure date", "Surgeon", "Levels treated",
                  "Follow-up date", "Follow-up with", "Notes", "Language", "Large print", "Paper", "Cover page"):
        assert re.search(rf'<label for="f-[a-z_]+">{re.escape(label)}\b', page), label


def test_preview_shows_every_page_as_an_image_with_its_number_as_alt_text(client):
    token = signed_in(client)
    response = client.post("/packet/preview", data=packet(token), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<form id="packet-form"')       # the form alone, swapped in place
    pdf = PdfReader(io.BytesIO(client.post("/packet/pdf", data=packet(token)).content))
    count = len(pdf.pages)
    images = re.findall(r'<img src="(/preview/[A-Za-z0-9_-]+/\d+)" alt="([^"]+)" width="(\d+)" height="(\d+)"',
                        response.text)
    assert [alt for _, alt, _, _ in images] == [f"Page {n} of {count}" for n in range(1, count + 1)]
    for number, (address, _, width, height) in enumerate(images, start=1):
        assert address.endswith(f"/{number}")
        image = client.get(address)
        assert (image.status_code, image.headers["content-type"]) == (200, "image/jpeg")
        assert image.headers["cache-control"] == "no-store"
        with PILImage.open(io.BytesIO(image.content)) as opened:
            # A letter page 640 pixels wide, the size the page gave it before it came: nothing moves.
            assert opened.size == (int(width), int(height)) == (640, 829)
    assert client.get(images[0][0].rsplit("/", 1)[0] + f"/{count + 1}").status_code == 404


def test_a_preview_is_its_users_own_and_held_for_15_minutes(client, app, clock):
    token = signed_in(client)
    page = client.post("/packet/preview", data=packet(token)).text
    address = re.search(r'<img src="(/preview/[^"]+)"', page).group(1)
    other = TestClient(app)
    app.state.site.users.add("nurse2", "another long passphrase")
    sign_in(other, "nurse2", "another long passphrase")
    assert other.get(address).status_code == 404
    clock.advance(14 * 60)
    assert client.get(address).status_code == 200
    clock.advance(60 + 1)
    assert client.get(address).status_code == 404


def test_download_is_named_by_mrn_and_holds_the_patient(client):
    token = signed_in(client)
    response = client.post("/packet/pdf", data=packet(token, cover="yes"))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="A-1001.pdf"'
    text = pdf_text(response.content)
    for wanted in ("Ana Pérez", "A-1001", "December 17, 2026", "T12 and L1"):
        assert wanted in text, wanted


def test_the_handouts_come_in_the_order_chosen(client):
    token = signed_in(client)
    for order in (["kyphoplasty-before", "kyphoplasty-care-after"], ["kyphoplasty-care-after", "kyphoplasty-before"]):
        pdf = PdfReader(io.BytesIO(client.post("/packet/pdf", data=packet(token, handouts=";".join(order))).content))
        first_page = pdf.pages[0].extract_text()
        title = {"kyphoplasty-before": "Before Your Procedure", "kyphoplasty-care-after": "Care After"}
        assert title[order[0]] in first_page and title[order[1]] not in first_page, order


def test_the_packet_is_in_the_language_and_paper_chosen(client):
    token = signed_in(client)
    response = client.post("/packet/pdf", data=packet(token, language="es", paper="a4", large_print="yes"))
    pdf = PdfReader(io.BytesIO(response.content))
    assert round(float(pdf.pages[0].mediabox.width)) == 595          # A4
    assert "17 de diciembre de 2026" in pdf_text(response.content)


def test_worker_processes_make_the_same_packet_as_a_thread(tmp_path):
    """`serve` renders in one worker process per core, started with the app and ended with it."""
    threaded = TestClient(make_app(tmp_path / "one"))
    expected = threaded.post("/packet/pdf", data=packet(signed_in(threaded))).content
    app = make_app(tmp_path / "two", workers=2)
    with TestClient(app) as client:          # runs the app's start and end, as uvicorn does
        pool = app.state.site.renderer._pool
        workers = list(pool._processes.values())
        assert len(workers) == 2 and all(worker.is_alive() for worker in workers)
        token = signed_in(client)
        made = client.post("/packet/pdf", data=packet(token))
        assert made.content == expected
        shown = client.post("/packet/preview", data=packet(token, mrn="")).text
        assert errors_of(shown) == {"mrn": ["expected the patient's MRN, found an empty cell"]}
    assert app.state.site.renderer._pool is None and not any(worker.is_alive() for worker in workers)


def test_a_killed_worker_is_replaced_and_the_preview_still_comes(tmp_path):
    app = make_app(tmp_path / "instance", workers=2)
    with TestClient(app) as client:
        token = signed_in(client)
        first = list(app.state.site.renderer._pool._processes.values())
        first[0].kill()                         # as the kernel's out-of-memory killer would
        first[0].join(10)
        response = client.post("/packet/preview", data=packet(token))
        assert response.status_code == 200 and 'alt="Page 1 of ' in response.text
        again = list(app.state.site.renderer._pool._processes.values())
        assert not set(worker.pid for worker in again) & set(worker.pid for worker in first)
