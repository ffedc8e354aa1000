"""Building: handout paths and options in; validated handouts, or PDFs written to an output folder, out (`build`, `check`)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from .render import fonts
from . import blocks, content, model
from .delivery import outputs
from .content.drawable import right_to_left_problems
from .errors import ContentError, ContentErrors, ContentWarning, HandoutWarning, NoClinicProfile, Worded
from .locales import base_language
from .packets import check_patient, render_handout
from .render.document import Rendered, Written, output_name

if TYPE_CHECKING:
    from .content import readability

CLINIC_FILE = "clinic.yaml"


def nearest_clinic(folder: Path) -> Path | None:
    """The clinic.yaml in FOLDER or in the nearest folder above it, up to the filesystem root; None if none."""
    # abspath, not resolve: "above" is above the folder as it was named, even when a link leads elsewhere.
    start = Path(os.path.abspath(folder))
    for candidate in (start, *start.parents):
        if (candidate / CLINIC_FILE).is_file():
            return _as_named(candidate / CLINIC_FILE)
    return None


def _as_named(path: Path) -> Path:
    """PATH relative to the current folder when it is below it, the way paths are typed and shown."""
    try:
        return path.relative_to(os.path.abspath(os.curdir))
    except ValueError:
        return path


def no_clinic_profile(folder: Path) -> NoClinicProfile:
    """The warning for FOLDER, where no clinic profile was found in it or above it."""
    return NoClinicProfile(
        Path(os.path.abspath(folder)),
        message=f"no clinic profile ({CLINIC_FILE}) in this folder or any folder above it, so clinic "
                "placeholders such as {{ clinic.phone }} print as write-in lines and no clinic name or logo "
                "heads the pages",
        fix=f"put the clinic's {CLINIC_FILE} in this folder or one above it, or give a clinic profile")


def clinic_paths(files: Iterable[Path],
                 clinic_path: Path | None) -> tuple[dict[Path, Path | None], list[HandoutWarning]]:
    """The clinic profile of each handout file: CLINIC_PATH when given, else the nearest clinic.yaml in
    the handout's folder or above it; and a warning for each folder where there is none."""
    files = list(files)
    if clinic_path is not None:
        return dict.fromkeys(files, clinic_path), []
    nearest: dict[Path, Path | None] = {}
    for folder in dict.fromkeys(file.parent for file in files):
        nearest[folder] = nearest_clinic(folder)
    warnings: list[HandoutWarning] = [no_clinic_profile(folder) for folder, found in nearest.items() if found is None]
    return {file: nearest[file.parent] for file in files}, warnings


def overdue(handouts: Iterable[model.Handout], today: date | None = None,
            warning: bool = False) -> list[ContentError] | list[ContentWarning]:
    """A problem (or WARNING) for each handout whose next review date has passed by TODAY (the
    machine's date when None)."""
    today = today or date.today()
    fix = "have the content reviewed, then update reviewed and next_review"
    # Only as a problem is there a way past it, and only the caller knows what that way is called.
    finding, fix = (ContentWarning, fix) if warning else (ContentError, Worded(fix + "; or build anyway with "
                                                                                     "{allow_expired}"))
    return [finding(handout.path, handout.next_review_line, key="next_review",
                    expected="a review date that has not passed",
                    found=f"{handout.next_review.isoformat()}, {_days_ago(today - handout.next_review)}", fix=fix)
            for handout in handouts if handout.next_review and handout.next_review < today]


@dataclass(frozen=True)
class Loaded:
    """Validated handouts, each with the clinic profile it is made for."""
    handouts: list[model.Handout]
    clinics: dict[Path, model.Clinic]        # by handout path
    warnings: list[HandoutWarning]           # folders without a clinic profile

    def clinic(self, handout: model.Handout) -> model.Clinic:
        return self.clinics[handout.path]


def _days_ago(passed: timedelta) -> str:
    return "1 day ago" if passed.days == 1 else f"{passed.days} days ago"


def load(paths: Iterable[Path], clinic_path: Path | None, allow_expired: bool = True,
         today: date | None = None) -> tuple[list[model.Handout], model.Clinic]:
    """Every handout and the clinic profile at CLINIC_PATH (None: a generic one), validated; every
    problem raised at once. Content past its review date on TODAY is a problem unless ALLOW_EXPIRED."""
    handouts, clinics = _load(content.discover(paths), [clinic_path], allow_expired, today)
    return handouts, clinics[clinic_path]


def load_each(paths: Iterable[Path], clinic_path: Path | None, allow_expired: bool = True,
              today: date | None = None) -> Loaded:
    """Every handout and its clinic profile, validated (every problem raised at once): CLINIC_PATH for
    all when given, else each handout's nearest clinic.yaml, with a warning for a folder that has none."""
    files = content.discover(paths)
    profiles, warnings = clinic_paths(files, clinic_path)
    handouts, clinics = _load(files, list(profiles.values()), allow_expired, today)
    return Loaded(handouts, {handout.path: clinics[profiles[handout.path]] for handout in handouts}, warnings)


def _undrawable(texts: Iterable[model.Text], path: Path) -> list[ContentError]:
    """A problem for each character of TEXTS (a handout's, a clinic profile's) that no font has, and for
    each text in a right-to-left script."""
    texts = list(texts)
    return fonts.missing(texts, path) + right_to_left_problems(texts, path)


def _load(files: list[Path], profiles: list[Path | None],
          allow_expired: bool, today: date | None) -> tuple[list[model.Handout], dict[Path | None, model.Clinic]]:
    """The handouts of FILES and the clinic profiles at PROFILES, by path; every problem raised at once."""
    errors = []
    clinics: dict[Path | None, model.Clinic] = {}
    for path in dict.fromkeys(profiles):
        try:
            clinics[path] = content.load_clinic(path)
        except ContentErrors as problems:
            errors += problems.errors
            continue
        if path is not None:
            errors += _undrawable(clinics[path].values().values(), path)
    handouts: list[model.Handout] = []
    try:
        handouts = content.load_handouts(files)
    except ContentErrors as problems:
        errors += problems.errors
    for handout in handouts:
        errors += _undrawable(blocks.handout_texts(handout), handout.path)
    if not allow_expired:
        errors += overdue(handouts, today)
    if errors:
        raise ContentErrors(errors)
    return handouts, clinics


def _render_all(loaded: Loaded, paper: str, patient: model.Patient | None = None,
                large_print: bool = False) -> list[Rendered]:
    """Every PDF in memory, so that problems only layout finds (a row taller than a page) stop the run
    before anything is written."""
    rendered, errors = [], []
    for handout in loaded.handouts:
        try:
            rendered.append(render_handout(handout, loaded.clinic(handout), patient, paper=paper,
                                           large_print=large_print))
        except ContentErrors as problems:
            errors += problems.errors
    if errors:
        raise ContentErrors(errors)
    return rendered


@dataclass(frozen=True)
class Checked:
    handouts: list[model.Handout]
    levels: list[readability.Level]
    warnings: list[HandoutWarning]
    problems: list[ContentError]       # found after layout (a reading level over the limit): the report still prints


def check(paths: Iterable[Path], clinic_path: Path | None = None, paper: str = "letter",
          limits: readability.Limits | None = None, jargon_path: Path | None = None,
          today: date | None = None) -> Checked:
    """Validate and lay out every handout without writing anything (raising every problem at once),
    then measure each one's reading level and look for jargon, missing structure, stale translations
    and passed review dates. The jargon list is JARGON_PATH, or jargon.yaml beside each handout; the
    clinic profile is CLINIC_PATH, or each handout's nearest clinic.yaml (a warning where there is none)."""
    # Only check measures reading levels: build and batch start without loading the measures.
    from .content import readability
    limits = limits or readability.Limits()
    loaded = load_each(paths, clinic_path)
    _render_all(loaded, paper)
    handouts = loaded.handouts
    jargon = _jargon_lists(handouts, jargon_path)
    levels = [readability.measure(handout) for handout in handouts]
    findings = loaded.warnings + overdue(handouts, today, warning=True) + stale_translations(handouts)
    for handout, level in zip(handouts, levels):
        findings += readability.structure_findings(handout)
        findings += readability.jargon_findings(handout, jargon.get(handout.path.parent))
        findings += readability.level_findings(level, limits)
    return Checked(handouts, levels, [finding for finding in findings if isinstance(finding, HandoutWarning)],
                   [finding for finding in findings if not isinstance(finding, HandoutWarning)])


def _jargon_lists(handouts: list[model.Handout], jargon_path: Path | None) -> dict[Path, model.Jargon]:
    """The jargon list for each folder of HANDOUTS: JARGON_PATH for all, or each folder's jargon.yaml."""
    folders = dict.fromkeys(handout.path.parent for handout in handouts)
    lists, errors = {}, []
    loaded: dict[Path, model.Jargon] = {}
    for folder in folders:
        path = jargon_path or folder / "jargon.yaml"
        if not path.is_file():
            continue
        try:
            if path not in loaded:
                loaded[path] = content.load_jargon(path)
            lists[folder] = loaded[path]
        except ContentErrors as problems:
            errors += problems.errors
    if errors:
        raise ContentErrors(errors)
    return lists


def stale_translations(handouts: list[model.Handout]) -> list[ContentWarning]:
    """A warning for each translation whose English source has changed since it was made (or that
    does not say which English it was made from)."""
    english = {handout.id: handout for handout in handouts if base_language(handout.language) == "en"}
    findings = []
    for handout in handouts:
        source = english.get(handout.id)
        if source is None or source is handout:
            continue
        current = content.source_hash(source.path)
        fix = f"check it against {source.path}, then set source_hash: \"{current}\""
        if handout.source_hash is None:
            findings.append(ContentWarning(handout.path, handout.title.line, key="source_hash",
                                         expected="the hash of the English file it was translated from",
                                         found="none", fix=fix))
        elif handout.source_hash != current:
            findings.append(ContentWarning(handout.path, handout.source_hash.line, key="source_hash",
                                         expected=f"a translation of the current {source.path}",
                                         found=f"one made from an earlier version ({handout.source_hash}; "
                                               f"now {current})", fix=fix))
    return findings


def build(paths: Iterable[Path], out_dir: Path, paper: str = "letter", clinic_path: Path | None = None,
          patient: model.Patient | None = None, allow_expired: bool = False,
          large_print: bool = False, on_warning: Callable[[HandoutWarning], None] | None = None,
          today: date | None = None) -> list[Written]:
    """Write one PDF per handout to OUT_DIR, personalized for PATIENT when given, in LARGE_PRINT when
    asked; nothing is written unless every input is valid and, unless ALLOW_EXPIRED, within its review date.
    The clinic profile is CLINIC_PATH, or each handout's nearest clinic.yaml; ON_WARNING hears of each
    folder that has none once the PDFs are written (a failed build has only its problems to tell)."""
    loaded = load_each(paths, clinic_path, allow_expired, today)
    if patient is not None:
        check_patient(patient)
    targets = [out_dir / output_name(handout, patient, large_print) for handout in loaded.handouts]
    inputs = outputs.files_read(loaded.handouts, loaded.clinics.values())
    for target in targets:
        outputs.refuse_clash(target, "the PDF", inputs, "choose another folder")
    outputs.remove_stale(out_dir)        # a killed build's temporary files
    written = []
    for target, pdf in zip(targets, _render_all(loaded, paper, patient, large_print)):
        outputs.write_atomically(target, pdf.data)
        written.append(Written(target, pdf.pages, len(pdf.data)))
    for warning in loaded.warnings:
        if on_warning is not None:
            on_warning(warning)
    return written
