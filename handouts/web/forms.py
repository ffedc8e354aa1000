"""The packet form: posted fields in; the checked packet request, or each field's problems in the manifest's words, out."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from .. import model
from ..catalogue import Catalogue, choose
from ..content.manifest import check_cells
from ..render.fonts import lacking

# Each field: its form name (the manifest's column), and its label on the page.
LABELS = {
    "handouts": "Handouts", "name": "Patient name", "mrn": "MRN", "dob": "Date of birth",
    "procedure_date": "Procedure date", "surgeon": "Surgeon", "levels": "Levels treated",
    "followup_date": "Follow-up date", "followup_with": "Follow-up with", "notes": "Notes",
    "language": "Language", "large_print": "Large print", "paper": "Paper", "cover": "Cover page", "email": "Email",
}
TEXTS = ("name", "mrn", "dob", "procedure_date", "surgeon", "levels", "followup_date", "followup_with", "notes",
         "email")
# What the library's messages name, as this page names it.
WORDS = {"list": "search the list of handouts on this page", "email": "the Email field",
         "allow_expired": "the page's option to allow expired content (ask whoever runs the page)",
         "dob": "the Date of birth field", "handouts": "the handouts chosen", "from": "the sender set for this page",
         "duplex": "the 'Both sides of the paper' tick", "printer": "the printer set for this page"}
LANGUAGE_NAMES = {"en": "English", "es": "Español (Spanish)"}


@dataclass
class PacketForm:
    """What was posted, as typed (to show again), and what came of checking it."""

    values: dict[str, str] = field(default_factory=dict)
    chosen: list[str] = field(default_factory=list)
    cover: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)   # worth knowing, not stopping: by field
    request: model.PacketRequest | None = None

    @property
    def ok(self) -> bool:
        return self.request is not None and not self.errors

    def add_error(self, name: str, text: str) -> None:
        self.errors.setdefault(name, []).append(text)


def read_packet_form(posted: Mapping[str, str], picked: list[str], catalogue: Catalogue,
                     need_email: bool = False) -> PacketForm:
    """The form POSTED (PICKED: the ticked handout ids, used when no order came with them), checked as a
    manifest row of the same cells is: the same rules, the same words, each message by its field."""
    form = PacketForm(values={name: posted.get(name, "") for name in TEXTS})
    form.values["language"] = posted.get("language", "") or "en"
    form.values["paper"] = posted.get("paper", "") or "letter"
    form.values["large_print"] = "yes" if posted.get("large_print") else "no"
    form.cover = bool(posted.get("cover"))
    ordered = [part.strip() for part in posted.get("handouts", "").split(";") if part.strip()]
    if picked:
        # The ticks decide what is in; the order kept beside them (by the page's script) decides where.
        # Without the script the order can lag the ticks: a handout ticked since goes last, one unticked goes.
        ordered = [handout_id for handout_id in ordered if handout_id in picked] + picked
    form.chosen = list(dict.fromkeys(ordered))
    cells = {**form.values, "handouts": ";".join(form.chosen)}
    if not need_email:
        cells["email"] = ""        # a typo in an address unused by a preview must not stop it
    row = check_cells(cells, catalogue.by_id, lacking=lacking)
    for error in row.errors:
        if error.key == "handouts" and not form.chosen:
            continue               # said below in the page's words: there is no cell to fill here
        form.add_error(error.key or "handouts", error.detail(WORDS))
    if not form.chosen:
        form.add_error("handouts", "expected at least one handout, found none; tick one or more in the list")
    if need_email and not form.values["email"].strip():
        form.add_error("email", "expected the patient's email address, found an empty field")
    # In the page's order, top to bottom: the summary of problems reads as the form does.
    form.errors = {name: form.errors[name] for name in LABELS if name in form.errors}
    form.request = row.request if not form.errors else None
    if form.request is not None:
        # As `handouts batch` says it: a handout given in another language than the one asked for.
        found: list = []
        choose(row, catalogue, found)
        for warning in found:
            form.warnings.setdefault(warning.key or "handouts", []).append(warning.message)
    return form


def handout_rows(catalogue: Catalogue) -> list[dict]:
    """One entry per handout id, for the list to choose from: title, id, kind and languages."""
    values = catalogue.clinic.values()
    rows = []
    for handout_id, versions in sorted(catalogue.by_id.items()):
        first = versions.get("en") or next(iter(versions.values()))
        rows.append({"id": handout_id, "title": model.plain(first.title, values, ""), "kind": first.kind,
                     "languages": sorted(versions)})
    return rows


def titles(catalogue: Catalogue, request: model.PacketRequest) -> tuple[str, ...]:
    values = catalogue.clinic.values()
    return tuple(model.plain(catalogue.pick(handout_id, request.language).title, values, "")
                 for handout_id in request.handouts)
