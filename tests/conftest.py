"""Shared fixtures: content written to temporary folders, and PDFs read back."""
from __future__ import annotations

import os
import textwrap
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
# The day every command judges review dates on, never the machine's clock, so the suite passes on any
# date; the commands read it from SOURCE_DATE_EPOCH (set for the whole run, subprocesses included).
TODAY = date(2026, 12, 1)


def pytest_configure(config):
    os.environ["SOURCE_DATE_EPOCH"] = str(int(datetime(TODAY.year, TODAY.month, TODAY.day,
                                                       tzinfo=timezone.utc).timestamp()))


def pytest_addoption(parser):
    parser.addoption("--regen-reference", action="store_true", default=False,
                     help="Rewrite tests/reference/*.pdf from the current engine (look at them before committing).")


@pytest.fixture
def regen_reference(request) -> bool:
    return request.config.getoption("--regen-reference")


@pytest.fixture
def write(tmp_path):
    """write(name, text) -> path of a file in a temporary content folder (text is dedented)."""
    def write_file(name: str, text: str | bytes) -> Path:
        path = tmp_path / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path
    return write_file


@pytest.fixture
def smtp_server():
    """smtp_server(handler, **controller_options) -> a started aiosmtpd Controller on 127.0.0.1 (the
    email tests' real SMTP server; the handler keeps what it accepts)."""
    from aiosmtpd.controller import Controller
    from test_email import free_port
    started = []

    def start(handler, hostname: str = "127.0.0.1", **options) -> Controller:
        controller = Controller(handler, hostname=hostname, port=free_port(hostname), **options)
        controller.start()
        started.append(controller)
        return controller

    yield start
    for controller in started:
        controller.stop()


# --- the staff web page -------------------------------------------------------------------------------
@pytest.fixture
def clock():
    """The web page's clock, moved by hand: sessions, lockouts and held previews run on it."""
    from webkit import Clock
    return Clock()


@pytest.fixture
def app(tmp_path, clock):
    """The staff page on a temporary instance, with its user added (tests/webkit.py)."""
    from webkit import make_app
    return make_app(tmp_path / "instance", clock)


@pytest.fixture
def client(app):
    from starlette.testclient import TestClient
    return TestClient(app)


@pytest.fixture
def printer(tmp_path):
    """A two-sided IPP Everywhere printer on loopback (ippeveprinter), stopped after the test."""
    from printers import IppEvePrinter
    started = IppEvePrinter(tmp_path / "printer")
    yield started
    started.close()


@pytest.fixture
def simplex_printer(tmp_path):
    """A one-sided one, beside it."""
    from printers import IppEvePrinter
    started = IppEvePrinter(tmp_path / "simplex", duplex=False, name="Simplex Printer")
    yield started
    started.close()
