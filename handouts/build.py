"""Building: handout paths and options in; validated handouts, or PDFs written to an output folder, out."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from . import fonts, loading, model
from .errors import ContentErrors
from .pdf import Written, output_name, render, write_atomically

DEFAULT_CLINIC = Path("content/clinic.yaml")


def default_clinic_path() -> Path | None:
    """content/clinic.yaml of the current folder when there is one; otherwise a generic handout."""
    return DEFAULT_CLINIC if DEFAULT_CLINIC.is_file() else None


def check(paths: Iterable[Path], clinic_path: Path | None = None) -> tuple[list[model.Handout], model.Clinic]:
    """Load and validate every handout and the clinic profile, raising every problem at once."""
    errors = []
    clinic = model.Clinic()
    try:
        clinic = loading.load_clinic(clinic_path)
    except ContentErrors as problems:
        errors += problems.errors
    handouts: list[model.Handout] = []
    try:
        handouts = loading.load_handouts(paths)
    except ContentErrors as problems:
        errors += problems.errors
    for handout in handouts:
        errors += fonts.missing(handout.texts(), handout.path)
    if clinic.path is not None:
        errors += fonts.missing(clinic.values().values(), clinic.path)
    if errors:
        raise ContentErrors(errors)
    return handouts, clinic


def build(paths: Iterable[Path], out_dir: Path, paper: str = "letter",
          clinic_path: Path | None = None) -> list[Written]:
    """Write one PDF per handout to OUT_DIR; nothing is written unless every input is valid."""
    handouts, clinic = check(paths, clinic_path)
    written = []
    for handout in handouts:
        rendered = render(handout, clinic, paper)
        target = out_dir / output_name(handout)
        write_atomically(target, rendered.data)
        written.append(Written(target, rendered.pages, len(rendered.data)))
    return written
