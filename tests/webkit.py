"""Helpers for the web page's tests: an app on a temporary instance, a signed-in client, a real server on loopback."""
from __future__ import annotations

import re
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.testclient import TestClient

from conftest import TODAY
from handouts.web.app import ServeOptions, create_app

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
USER, PASSWORD = "nurse1", "correct horse battery staple"
BOTH = "kyphoplasty-before;kyphoplasty-care-after"
# A fictional patient, as a nurse would type her in.
PATIENT = {"name": "Ana Pérez", "mrn": "A-1001", "dob": "1948-03-14", "procedure_date": "2026-12-03",
           "surgeon": "Dr. Lee", "levels": "T12 and L1", "followup_date": "2026-12-17",
           "followup_with": "Dr. Lee's nurse", "notes": "", "language": "en", "paper": "letter"}


class Clock:
    """A clock the tests move by hand: sessions and lockouts run on it, never on the machine's."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_app(instance: Path, clock: Clock | None = None, **options):
    options = {"content": CONTENT, "today": TODAY, **options}
    app = create_app(ServeOptions(instance=instance, clock=clock or Clock(), **options))
    if USER not in app.state.site.users.names():
        app.state.site.users.add(USER, PASSWORD)
    return app


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(client: TestClient, user: str = USER, password: str = PASSWORD):
    """Sign in through the form; returns the response to the post."""
    token = csrf_of(client.get("/signin").text)
    return client.post("/signin", data={"csrf": token, "username": user, "password": password},
                       follow_redirects=False)


def signed_in(client: TestClient) -> str:
    """Sign in and return the packet page's CSRF token."""
    assert sign_in(client).status_code == 303
    return csrf_of(client.get("/").text)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(app):
    """APP served by uvicorn on 127.0.0.1 in a thread, for a real browser; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, access_log=False, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
