"""Rendering for callers: handouts, a patient, a clinic, paper and print size in; one checked PDF (bytes and pages) out."""
from __future__ import annotations

from typing import Sequence

from . import model
from .content.drawable import notes_problem, patient_text_problems
from .errors import SettingError
from .render import fonts
from .render.document import Packet, Rendered
from .render.document import render_packet as _render

PAPERS = ("letter", "a4")
# The patient's texts as the setting that names them, for a message that never repeats the text itself.
PATIENT_TEXTS = (("patient.name", "name"), ("procedure.surgeon", "surgeon"), ("procedure.levels", "levels"),
                  ("followup.with", "followup_with"))


def render_handout(handout: model.Handout, clinic: model.Clinic | None = None,
                   patient: model.Patient | None = None, *, paper: str = "letter",
                   large_print: bool = False) -> Rendered:
    """The PDF of one HANDOUT for CLINIC (None: a generic profile, with write-in lines for its details),
    personalized for PATIENT when given; PAPER is "letter" or "a4".

    Safe to call from many threads at once; the same arguments always give the same bytes."""
    return render_packet([handout], clinic, patient, paper=paper, large_print=large_print,
                         language=handout.language)


def render_packet(handouts: Sequence[model.Handout], clinic: model.Clinic | None = None,
                  patient: model.Patient | None = None, *, paper: str = "letter", large_print: bool = False,
                  language: str | None = None, cover: bool = False, notes: str | None = None) -> Rendered:
    """One PDF of HANDOUTS in order, each starting a page and numbering its own pages, for PATIENT.

    LANGUAGE (default: the first handout's) is that of the cover, the notes and the labels outside a
    handout; COVER adds a first page listing the handouts to go over; NOTES, the care team's words for
    this patient, print in a box as typed. Raises ContentErrors for what only layout finds (a table
    row taller than a page) and SettingError for a patient's text or notes that cannot be printed
    (see check_patient)."""
    if paper not in PAPERS:
        raise ValueError(f"paper: expected one of {', '.join(PAPERS)}, found {paper!r}")
    if not handouts:
        raise ValueError("handouts: expected at least one handout, found none")
    if language is not None and not model.LANGUAGE.fullmatch(language):
        raise ValueError(f"language: expected a language tag such as en or es-MX, found {language!r}")
    check_patient(patient or model.Patient(), notes)
    packet = Packet(tuple(handouts), patient, language or handouts[0].language, cover, notes, large_print)
    return _render(packet, clinic or model.Clinic(), paper)


def check_patient(patient: model.Patient, notes: str | None = None) -> None:
    """Raise SettingError for a patient's text (or the care team's NOTES) that cannot be printed: too
    long, a word too long for a table cell, characters no font here can draw, or a right-to-left script.
    Checked as a manifest's cells are, and said the same way: naming the field, never the text."""
    for setting, field in PATIENT_TEXTS:
        value = getattr(patient, field)
        if value and (problem := next(patient_text_problems(field, value, fonts.lacking), None)):
            raise SettingError(setting, **problem)
    if notes and (problem := notes_problem(notes) or next(patient_text_problems("notes", notes, fonts.lacking), None)):
        raise SettingError("notes", **problem)
