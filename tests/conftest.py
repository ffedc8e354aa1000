"""Shared fixtures: content written to temporary folders, and PDFs read back."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


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
