"""Handouts: YAML files and folders in; validated Handout models out, or every problem in every file."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Iterable

from yaml.nodes import MappingNode, Node, ScalarNode

from . import limits
from .. import blocks, model
from ..errors import ContentError, ContentErrors, NoHandoutsFound
from .reader import Reader, did_you_mean, start_reader
from .yamlsource import STR, compose, describe, node_line

# Files that live beside handouts in a content folder but are not handouts themselves.
NOT_HANDOUTS = frozenset({"clinic.yaml", "clinic.yml", "jargon.yaml", "jargon.yml"})
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SOURCE_HASH = re.compile(r"[0-9a-f]{16}")


def read_block(reader: Reader, node: Node) -> model.Block | None:
    if not isinstance(node, MappingNode) or not node.value:
        reader.wrong(node, f"a block: a mapping with one key ({', '.join(blocks.BY_NAME)})")
        return None
    names = []
    for key_node, _ in node.value:
        name = key_node.value if isinstance(key_node, ScalarNode) else describe(key_node)
        if name not in blocks.BY_NAME:
            reader.error(key_node, expected=f"a block type ({', '.join(blocks.BY_NAME)})",
                         found=f"'{name}'", fix=did_you_mean(str(name), blocks.BY_NAME))
        names.append(name)
    known = [name for name in names if name in blocks.BY_NAME]
    if len(set(known)) < len(known):
        twice = next(name for name in known if known.count(name) > 1)
        reader.error(node, expected="each key once", found=f"'{twice}' twice in one block",
                     fix="start the second one with '- ' to make it a block of its own")
        return None
    if len(names) > 1 and len(known) > 1:
        reader.error(node, expected="one block type per block",
                     found=f"{len(known)} ({', '.join(known)})",
                     fix="put each in its own list entry starting with '- '")
        return None
    if len(names) != 1 or not known:
        return None
    return blocks.BY_NAME[known[0]].read(reader, node.value[0][1])


def read_handout(reader: Reader, node: Node) -> model.Handout | None:
    fields = reader.mapping(node, "a handout", required=("id", "title", "kind", "sections"),
                            optional=("language", "version", "reviewed", "next_review", "summary",
                                      "source_hash"))
    if fields is None:
        return None
    get = fields.get
    handout_id = reader.pattern(get("id"), "an id of lowercase letters, digits and dashes", _ID,
                                "kyphoplasty-care-after") if "id" in fields else None
    title = reader.text(get("title"), "a title (text)") if "title" in fields else None
    kind = reader.choice(get("kind"), "a kind", model.KINDS) if "kind" in fields else None
    language = reader.pattern(get("language"), "a language tag (BCP 47)", model.LANGUAGE, "en or es-MX") \
        if "language" in fields else "en"
    version = None
    if "version" in fields:
        # 1.0 unquoted is a number to YAML, and would print as "1.0" or "1" depending on luck.
        if isinstance(get("version"), ScalarNode) and get("version").tag == STR:
            version = reader.text(get("version"), "a version as text")
        else:
            reader.wrong(get("version"), "a version as text", fix='put it in quotes, e.g. version: "1.0"')
    reviewed = reader.date(get("reviewed"), "a review date") if "reviewed" in fields else None
    next_review = reader.date(get("next_review"), "a next review date") if "next_review" in fields else None
    summary = reader.text(get("summary"), "a summary (text)") if "summary" in fields else None
    source_hash = reader.pattern(get("source_hash"), "the hash of the English file (16 hex digits)",
                                 _SOURCE_HASH, "3f2a9c0d1b7e4a56") if "source_hash" in fields else None
    sections = _sections(reader, get("sections")) if "sections" in fields else ()
    if reader.errors or None in (handout_id, title, kind, language):
        return None
    return model.Handout(path=reader.path, id=handout_id, title=title, kind=kind, sections=sections,
                         language=language, version=version,
                         reviewed=reviewed, next_review=next_review, summary=summary,
                         next_review_line=node_line(get("next_review")) if next_review else 0,
                         source_hash=model.Text(source_hash, node_line(get("source_hash"))) if source_hash else None)

def _sections(reader: Reader, node: Node) -> tuple[model.Section, ...]:
    out = []
    for entry in reader.sequence(node, "sections") or ():
        fields = reader.mapping(entry, "a section", required=("heading", "blocks"))
        if not fields:
            continue
        heading = reader.text(fields["heading"], "a heading (text)") if "heading" in fields else None
        blocks = []
        if "blocks" in fields:
            for block_node in reader.sequence(fields["blocks"], "blocks") or ():
                block = read_block(reader, block_node)
                if block is not None:
                    blocks.append(block)
        if heading is not None:
            out.append(model.Section(heading, tuple(blocks)))
    return tuple(out)


def is_handout_file(path: Path) -> bool:
    return path.suffix in (".yaml", ".yml") and path.name not in NOT_HANDOUTS


def discover(paths: Iterable[Path]) -> list[Path]:
    """Handout files named by PATHs: files as given, folders searched for *.yaml below them."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            matches = sorted(p for p in path.rglob("*") if p.is_file() and is_handout_file(p))
            if not matches:
                raise NoHandoutsFound(path)
            found += matches
        else:
            found.append(path)
    # By the file itself, the first name given kept: one file named twice (relative and absolute, or
    # through a link) is one handout, not a duplicate of itself.
    unique: dict[str, Path] = {}
    for path in found:
        unique.setdefault(os.path.realpath(path), path)
    return list(unique.values())


def load_handout(path: Path) -> model.Handout:
    root, source = compose(path, "a handout (id, title, kind, sections)")
    reader = start_reader(path, source, root, limits.MAX_BODY)
    handout = read_handout(reader, root)
    if reader.errors:
        raise ContentErrors(sorted(reader.errors, key=lambda error: error.line))
    return handout


def load_handouts(paths: Iterable[Path]) -> list[model.Handout]:
    """Every handout below PATHs, or ContentErrors with every problem in every file."""
    handouts, errors = [], []
    for path in discover(paths):
        try:
            handouts.append(load_handout(path))
        except ContentErrors as problems:
            errors += problems.errors
    seen: dict[tuple[str, str], model.Handout] = {}
    for handout in handouts:
        key = (handout.id, handout.language.lower())
        if key in seen:
            errors.append(ContentError(handout.path, 1, expected=f"one handout with id '{handout.id}' "
                                       f"in language '{handout.language}'",
                                       found=f"a second one (the first is {seen[key].path})",
                                       fix="give one of them another id"))
        seen.setdefault(key, handout)
    if errors:
        raise ContentErrors(errors)
    return handouts


def source_hash(path: Path) -> str:
    """What a translation records of the English file it was made from: 16 hex digits of its SHA-256,
    line endings folded so a checkout on Windows does not make every translation stale."""
    data = path.read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()[:16]
