"""The catalogue: the content folder and clinic profile in; their handouts by id and language, with digests, out."""
from __future__ import annotations

import hashlib
import string
from pathlib import Path

from . import blocks, locales, model
from .building import load, nearest_clinic, no_clinic_profile
from .content.manifest import Row
from .errors import ContentWarning, HandoutWarning


class Catalogue:
    """Loaded handouts by id and language, and a digest of each one's files for rerun checks."""

    def __init__(self, handouts: list[model.Handout], clinic: model.Clinic, warnings: list[HandoutWarning] | None = None):
        self.by_id: dict[str, dict[str, model.Handout]] = {}
        for handout in handouts:
            self.by_id.setdefault(handout.id, {})[handout.language.lower()] = handout
        self.clinic = clinic
        self.warnings = warnings or []      # no clinic profile found: told before the first row
        self._digests: dict[Path, str] = {}
        self.clinic_digest = _digest_files([p for p in (clinic.path, clinic.logo) if p])

    def pick(self, handout_id: str, language: str) -> model.Handout:
        """The handout in LANGUAGE, else its base language, else English, else any."""
        versions = self.by_id[handout_id]
        language = language.lower()
        for wanted in (language, locales.base_language(language), "en"):
            if wanted in versions:
                return versions[wanted]
        return next(iter(versions.values()))

    def digest(self, handout: model.Handout) -> str:
        if handout.path not in self._digests:
            pictures = [block.src for section in handout.sections for block in section.blocks
                        if isinstance(block, model.Image)]
            self._digests[handout.path] = _digest_files([handout.path, *pictures])
        return self._digests[handout.path]

    def characters(self) -> str:
        """Every character the packets of this batch share: content, clinic, the engine's own words."""
        texts = [text for versions in self.by_id.values() for handout in versions.values()
                 for text in blocks.handout_texts(handout)]
        texts += [str(value) for value in self.clinic.values().values()]
        return "".join(texts) + locales.all_words() + string.printable + "·…"


def load_catalogue(options) -> Catalogue:
    """The handouts of OPTIONS.content and the clinic profile, validated: OPTIONS.clinic_path, else the
    nearest clinic.yaml in the content folder or above it (a warning when there is none)."""
    clinic_path = options.clinic_path or nearest_clinic(options.content)
    handouts, clinic = load([options.content], clinic_path, options.allow_expired, options.today)
    return Catalogue(handouts, clinic, [] if clinic_path else [no_clinic_profile(options.content)])


def _digest_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.name).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def choose(row: Row, catalogue: Catalogue, warnings: list) -> list[model.Handout]:
    """The handouts of ROW's request, each in its language when there is one (else a warning in WARNINGS)."""
    chosen = []
    for handout_id in row.request.handouts:
        handout = catalogue.pick(handout_id, row.request.language)
        if locales.base_language(handout.language) != locales.base_language(row.request.language):
            warnings.append(ContentWarning(row.path, row.line, key="language", message=f"{handout_id} has no "
                                           f"'{row.request.language}' version; the '{handout.language}' one is used"))
        chosen.append(handout)
    return chosen
