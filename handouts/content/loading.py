"""Loading: YAML files on disk in, validated Handout and Clinic models out (or every problem of a file at once)."""
from __future__ import annotations

import copy
import hashlib
import math
import difflib
import os
import re
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import limits
from .. import model
from .dates import BadDate, parse_date
from ..errors import ContentError, ContentErrors, NoHandoutsFound, SettingError

# Files that live beside handouts in a content folder but are not handouts themselves.
NOT_HANDOUTS = frozenset({"clinic.yaml", "clinic.yml", "jargon.yaml", "jargon.yml"})
MAX_ITEM_DEPTH = 3
# Aliases are composed as shared nodes; expanding them is where a "billion laughs" file would hang,
# so the expanded tree is counted against a budget far above any real handout before it is walked.
MAX_EXPANDED_VALUES = 20_000
MAX_EXPANDED_CHARACTERS = 1_000_000
MAX_NESTING = 40
MAX_URL_LENGTH = 400
MAX_FILL_IN_LINES = 10
MIN_CONTRAST = 4.5
MAX_LOGO_PIXELS = 2000
_JARGON_LANGUAGES = ("en", "es")

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SOURCE_HASH = re.compile(r"[0-9a-f]{16}")
_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
# PyYAML counts these as line breaks and editors do not; as spaces, every later line number matches the editor's.
_YAML_ONLY_BREAKS = str.maketrans({"\u2028": " ", "\u2029": " ", "\u0085": " "})
_MERGE = "tag:yaml.org,2002:merge"
# `- paragraph: **Rest** ...` or `{{ clinic.name }} is ...` unquoted: YAML sees an alias or a mapping.
_STARTS_AS_YAML_SYNTAX = re.compile(r"^\s*(?:-\s+)?[\w-]+:\s+(?:\*\*|\{\{|@|`|%|&\S*\s)|^\s*-\s+(?:\*\*|\{\{|@|`|%)")
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"


class _Loader(yaml.SafeLoader):
    """Safe loader whose alias nodes keep the alias's own position, for error lines."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            target = super().compose_node(parent, index)
            alias = copy.copy(target)
            alias.start_mark = event.start_mark
            alias.alias_of = event.anchor
            return alias
        return super().compose_node(parent, index)


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def describe(node: Node | None) -> str:
    """How a YAML value reads in an error message: 'a list', "text 'abc'", 'the number 3'."""
    if node is None:
        return "nothing"
    if isinstance(node, MappingNode):
        return "a mapping" if node.value else "an empty mapping"
    if isinstance(node, SequenceNode):
        return "a list" if node.value else "an empty list"
    tag, value = node.tag, node.value
    if tag == _STR:
        if not value.strip():
            return "an empty value"
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"text '{_printable(short)}'"
    if tag.endswith(":null"):
        return "an empty value"
    if tag.endswith(":bool"):
        return f"{value} (a yes/no value)"
    if tag.endswith(":int") or tag.endswith(":float"):
        return f"the number {value}"
    if tag.endswith(":timestamp"):
        return f"the date {value}"
    return f"'{value}'"


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else f"U+{ord(char):04X}" for char in text)


def _did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _one_of(choices: Iterable[str]) -> str:
    return "one of " + ", ".join(choices)


def _constructed(node: Node, *tags: str) -> object:
    """The value of a number scalar as YAML means it (0x10, 1_000, .inf), or None."""
    if not (isinstance(node, ScalarNode) and node.tag.endswith(tags)):
        return None
    try:
        if node.tag.endswith(":int"):
            value = _SCALARS.construct_yaml_int(node)
        else:
            value = _SCALARS.construct_yaml_float(node)
    except (ValueError, yaml.YAMLError):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


_SCALARS = yaml.SafeLoader("")


class _Reader:
    """Walks one file's YAML nodes, building model objects and collecting every problem."""

    def __init__(self, path: Path, source: str):
        self.path = path
        self.source = source
        self.errors: list[ContentError] = []

    # --- reporting -------------------------------------------------------------------------
    def error(self, node_or_line: Node | int, **fields) -> None:
        line = node_or_line if isinstance(node_or_line, int) else _line(node_or_line)
        self.errors.append(ContentError(self.path, line, **fields))

    def wrong(self, node: Node, expected: str, fix: str | None = None) -> None:
        if fix is None and isinstance(node, ScalarNode) and node.tag not in (_STR, _NULL) and "text" in expected:
            fix = "put it in quotes to use it as text"
        if fix is None and self.source.startswith("{{", node.start_mark.index):
            fix = "YAML reads an unquoted {{ as a mapping: put the whole text in quotes"
        self.error(node, expected=expected, found=describe(node), fix=fix)

    # --- generic shapes ----------------------------------------------------------------------
    def mapping(self, node: Node, what: str, required: tuple[str, ...] = (),
                optional: tuple[str, ...] = ()) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.wrong(node, f"{what} (a mapping of keys)")
            return None
        allowed = required + optional
        found: dict[str, Node] = {}
        key_lines: dict[str, int] = {}
        merged = False
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged = True
                self.error(key_node, expected=f"the keys of {what} written out", found="a merge key (<<)",
                           fix="merge keys are not supported; copy the keys in")
                continue
            if not (isinstance(key_node, ScalarNode) and key_node.tag == _STR):
                self.wrong(key_node, f"a key name in {what}")
                continue
            name = key_node.value
            if name in key_lines:
                self.error(key_node, expected="each key once",
                           found=f"'{name}' again (first on line {key_lines[name]})",
                           fix="remove one of them")
                continue
            key_lines[name] = _line(key_node)
            if name not in allowed:
                self.error(key_node, expected=f"a key of {what} ({', '.join(allowed)})",
                           found=f"'{name}'", fix=_did_you_mean(name, allowed))
                continue
            found[name] = value_node
        if merged:
            return None     # what the merge would have brought in is unknown: no guessing at missing keys
        for name in required:
            if name not in key_lines:
                self.error(node, expected=f"'{name}' in {what}", found="no such key")
        return found

    def sequence(self, node: Node, what: str) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.wrong(node, f"{what} (a list)")
            return None
        if not node.value:
            self.error(node, expected=f"{what} with at least one entry", found="an empty list")
            return None
        return list(node.value)

    def text(self, node: Node, what: str = "text", numbers_ok: bool = False) -> model.Text | None:
        if isinstance(node, ScalarNode) and numbers_ok and node.tag.endswith((":int", ":float")):
            return model.Text(node.value, _line(node))
        if not (isinstance(node, ScalarNode) and node.tag == _STR) or not node.value.strip():
            self.wrong(node, what)
            return None
        self.check_placeholders(node)
        return model.Text(node.value.strip(), _line(node))

    def check_placeholders(self, node: ScalarNode) -> None:
        for span in model.spans(node.value):
            if span.placeholder is None and ("{{" in span.text or "}}" in span.text):
                brace = "{{" if "{{" in span.text else "}}"
                self.error(self.line_of(node, brace), expected="a placeholder written {{ name }}",
                           found=f"a lone '{brace}'", fix="close it, or remove the braces")
            if span.placeholder is not None and span.placeholder not in model.PLACEHOLDERS:
                close = difflib.get_close_matches(span.placeholder, model.PLACEHOLDERS, n=1, cutoff=0.6)
                fix = f"did you mean {{{{ {close[0]} }}}}?" if close else \
                    "see docs/content-format.md for the list"
                self.error(self.line_of(node, span.text), expected="a known placeholder such as {{ clinic.phone }}",
                           found=span.text, fix=fix)

    def line_of(self, node: Node, fragment: str) -> int:
        """The line of FRAGMENT inside a (possibly multi-line) scalar, found in the raw source."""
        start, end = node.start_mark.index, node.end_mark.index
        offset = self.source.find(fragment, start, end)
        if offset < 0:
            return _line(node)
        return _line(node) + self.source.count("\n", start, offset)

    def integer(self, node: Node, what: str, low: int, high: int) -> int | None:
        value = _constructed(node, ":int")
        if isinstance(value, int):
            if low <= value <= high:
                return value
            self.error(node, expected=f"{what} from {low} to {high}", found=str(value))
            return None
        self.wrong(node, f"{what} (a whole number from {low} to {high})")
        return None

    def number(self, node: Node, what: str, low: float, high: float) -> float | None:
        value = _constructed(node, ":int", ":float")
        if isinstance(value, (int, float)):
            if low <= value <= high:
                return value
            self.error(node, expected=f"{what} from {low:g} to {high:g}", found=node.value)
            return None
        self.wrong(node, f"{what} (a number from {low:g} to {high:g})")
        return None

    def choice(self, node: Node, what: str, choices: tuple[str, ...]) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == _STR and node.value in choices:
            return node.value
        fix = _did_you_mean(node.value, choices) if isinstance(node, ScalarNode) else None
        self.error(node, expected=f"{what}: {_one_of(choices)}", found=describe(node), fix=fix)
        return None

    def date(self, node: Node, what: str) -> date | None:
        if isinstance(node, ScalarNode) and (node.tag.endswith(":timestamp") or node.tag == _STR):
            try:
                return date.fromisoformat(node.value.strip())
            except ValueError:
                pass
        self.wrong(node, f"{what} as YYYY-MM-DD", fix="for example 2026-11-01")
        return None

    def pattern(self, node: Node, what: str, regex: re.Pattern, example: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == _STR and regex.fullmatch(node.value):
            return node.value
        self.wrong(node, what, fix=f"for example {example}")
        return None

    def image_file(self, node: Node, key: str) -> Path | None:
        """A PNG or JPEG that opens, named relative to this file at KEY (image or logo)."""
        name = self.text(node, "a file path (text)")
        if not name:
            return None
        path = self.path.parent / name
        if problem := limits.path_problem(name, key):
            self.error(node, **problem)
        elif found := limits.not_a_file(path):
            self.error(node, expected=f"an image file at {path}", found=found,
                       fix="paths are relative to the YAML file" if found == "no such file" else None)
        elif path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            self.error(node, expected="a PNG or JPEG file", found=f"'{path.name}'")
        elif problem := limits.picture_problem(path, key):
            self.error(node, **problem)
        else:
            return path
        return None

    # --- items and blocks ----------------------------------------------------------------------
    def items(self, node: Node, what: str, depth: int = 1) -> tuple[model.Item, ...]:
        entries = self.sequence(node, what)
        out: list[model.Item] = []
        for entry in entries or ():
            if isinstance(entry, MappingNode):
                fields = self.mapping(entry, "a list entry", required=("text",), optional=("items",))
                if fields is None or "text" not in fields:
                    continue
                text = self.text(fields["text"])
                children: tuple[model.Item, ...] = ()
                if "items" in fields:
                    if depth >= MAX_ITEM_DEPTH:
                        self.error(fields["items"], expected=f"lists nested at most {MAX_ITEM_DEPTH} levels deep",
                                   found=f"a level {depth + 1} list",
                                   fix="move these entries up a level or into a block of their own")
                    else:
                        children = self.items(fields["items"], what, depth + 1)
                if text is not None:
                    out.append(model.Item(text, children))
            else:
                text = self.text(entry, "text or {text: ..., items: [...]}")
                if text is not None:
                    out.append(model.Item(text))
        return tuple(out)

    def optional_text(self, fields: dict[str, Node], key: str) -> model.Text | None:
        return self.text(fields[key]) if key in fields else None

    def block(self, node: Node) -> model.Block | None:
        if not isinstance(node, MappingNode) or not node.value:
            self.wrong(node, f"a block: a mapping with one key ({', '.join(BLOCK_READERS)})")
            return None
        names = []
        for key_node, _ in node.value:
            name = key_node.value if isinstance(key_node, ScalarNode) else describe(key_node)
            if name not in BLOCK_READERS:
                self.error(key_node, expected=f"a block type ({', '.join(BLOCK_READERS)})",
                           found=f"'{name}'", fix=_did_you_mean(str(name), BLOCK_READERS))
            names.append(name)
        known = [name for name in names if name in BLOCK_READERS]
        if len(set(known)) < len(known):
            twice = next(name for name in known if known.count(name) > 1)
            self.error(node, expected="each key once", found=f"'{twice}' twice in one block",
                       fix="start the second one with '- ' to make it a block of its own")
            return None
        if len(names) > 1 and len(known) > 1:
            self.error(node, expected="one block type per block",
                       found=f"{len(known)} ({', '.join(known)})",
                       fix="put each in its own list entry starting with '- '")
            return None
        if len(names) != 1 or not known:
            return None
        return BLOCK_READERS[known[0]](self, node.value[0][1])

    def handout(self, node: Node) -> model.Handout | None:
        fields = self.mapping(node, "a handout", required=("id", "title", "kind", "sections"),
                              optional=("language", "version", "reviewed", "next_review", "summary",
                                        "source_hash"))
        if fields is None:
            return None
        get = fields.get
        handout_id = self.pattern(get("id"), "an id of lowercase letters, digits and dashes", _ID,
                                  "kyphoplasty-care-after") if "id" in fields else None
        title = self.text(get("title"), "a title (text)") if "title" in fields else None
        kind = self.choice(get("kind"), "a kind", model.KINDS) if "kind" in fields else None
        language = self.pattern(get("language"), "a language tag (BCP 47)", _LANGUAGE, "en or es-MX") \
            if "language" in fields else "en"
        version = None
        if "version" in fields:
            # 1.0 unquoted is a number to YAML, and would print as "1.0" or "1" depending on luck.
            if isinstance(get("version"), ScalarNode) and get("version").tag == _STR:
                version = self.text(get("version"), "a version as text")
            else:
                self.wrong(get("version"), "a version as text", fix='put it in quotes, e.g. version: "1.0"')
        reviewed = self.date(get("reviewed"), "a review date") if "reviewed" in fields else None
        next_review = self.date(get("next_review"), "a next review date") if "next_review" in fields else None
        summary = self.text(get("summary"), "a summary (text)") if "summary" in fields else None
        source_hash = self.pattern(get("source_hash"), "the hash of the English file (16 hex digits)",
                                   _SOURCE_HASH, "3f2a9c0d1b7e4a56") if "source_hash" in fields else None
        sections = self.sections(get("sections")) if "sections" in fields else ()
        if self.errors or None in (handout_id, title, kind, language):
            return None
        return model.Handout(path=self.path, id=handout_id, title=title, kind=kind, sections=sections,
                             language=language, version=version,
                             reviewed=reviewed, next_review=next_review, summary=summary,
                             next_review_line=_line(get("next_review")) if next_review else 0,
                             source_hash=model.Text(source_hash, _line(get("source_hash"))) if source_hash else None)

    def sections(self, node: Node) -> tuple[model.Section, ...]:
        out = []
        for entry in self.sequence(node, "sections") or ():
            fields = self.mapping(entry, "a section", required=("heading", "blocks"))
            if not fields:
                continue
            heading = self.text(fields["heading"], "a heading (text)") if "heading" in fields else None
            blocks = []
            if "blocks" in fields:
                for block_node in self.sequence(fields["blocks"], "blocks") or ():
                    block = self.block(block_node)
                    if block is not None:
                        blocks.append(block)
            if heading is not None:
                out.append(model.Section(heading, tuple(blocks)))
        return tuple(out)

    def jargon(self, node: Node) -> model.Jargon | None:
        languages = self.mapping(node, "a jargon list by language", optional=_JARGON_LANGUAGES)
        terms = {}
        for language, entries in (languages or {}).items():
            if not isinstance(entries, MappingNode):
                self.wrong(entries, f"medical words and their plain words ({language}), as term: plain words")
                continue
            pairs = []
            for term_node, plain_node in entries.value:
                term = self.text(term_node, "a medical word (text)")
                plain_words = self.text(plain_node, f"the plain words for '{term_node.value}' (text)")
                if term and plain_words:
                    pairs.append((term, plain_words))
            terms[language] = tuple(pairs)
        if self.errors or languages is None:
            return None
        return model.Jargon(self.path, terms)

    def clinic(self, node: Node) -> model.Clinic | None:
        names = ("name", "phone", "after_hours_phone", "emergency_number", "address", "website")
        fields = self.mapping(node, "a clinic profile", optional=names + ("logo", "color"))
        if fields is None:
            return None
        values = {name: self.text(fields[name], f"the clinic's {name.replace('_', ' ')} (text)",
                                  numbers_ok=True)
                  for name in names if name in fields}
        logo = self.image_file(fields["logo"], "logo") if "logo" in fields else None
        if logo is not None:
            logo = self.logo_size(fields["logo"], logo)
        color = self.color(fields["color"]) if "color" in fields else None
        if self.errors:
            return None
        return model.Clinic(path=self.path, logo=logo, color=color, **values)

    def logo_size(self, node: Node, path: Path) -> Path | None:
        """A logo small enough to decode for every packet (it prints under an inch and a half wide)."""
        width, height = limits.picture_size(path) or (0, 0)
        if max(width, height) > MAX_LOGO_PIXELS:
            self.error(node, expected=f"a logo at most {MAX_LOGO_PIXELS} pixels on its longest side",
                       found=f"{width}×{height}", fix="save a smaller copy; 600 pixels wide is plenty")
            return None
        return path

    def color(self, node: Node) -> str | None:
        """A hex colour dark enough for headings on white paper (WCAG contrast 4.5:1)."""
        if not (isinstance(node, ScalarNode) and node.tag == _STR and _HEX_COLOR.fullmatch(node.value.strip())):
            self.wrong(node, "a colour as #RRGGBB", fix="for example color: \"#1f4e79\" (in quotes)")
            return None
        color = node.value.strip().lower()
        contrast = contrast_on_white(color)
        if contrast < MIN_CONTRAST:
            self.error(node, expected=f"a colour with contrast at least {MIN_CONTRAST}:1 on white paper",
                       found=f"{color} ({contrast:.1f}:1)", fix="choose a darker shade")
            return None
        return color


def contrast_on_white(color: str) -> float:
    """WCAG 2 contrast ratio of #RRGGBB against white."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (linear(int(color[i:i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


def _paragraph(reader: _Reader, node: Node):
    text = reader.text(node, "paragraph text")
    return model.Paragraph(text) if text else None


def _bullets(reader: _Reader, node: Node):
    items = reader.items(node, "bullets")
    return model.Bullets(items) if items else None


def _steps(reader: _Reader, node: Node):
    items = reader.items(node, "steps")
    return model.Steps(items) if items else None


def _checklist(reader: _Reader, node: Node):
    if isinstance(node, MappingNode):
        fields = reader.mapping(node, "a checklist", required=("items",), optional=("title",))
        if not fields or "items" not in fields:
            return None
        title = reader.optional_text(fields, "title")
        items = reader.items(fields["items"], "checklist items")
    else:
        title, items = None, reader.items(node, "checklist items (or {title: ..., items: [...]})")
    return model.Checklist(items, title) if items else None


def _warning(reader: _Reader, node: Node):
    fields = reader.mapping(node, "a warning", required=("level",), optional=("title", "items", "text"))
    if fields is None:
        return None
    level = reader.choice(fields["level"], "a warning level", model.WARNING_LEVELS) if "level" in fields else None
    if "items" not in fields and "text" not in fields:
        reader.error(node, expected="'items' or 'text' (or both) in a warning", found="neither")
    items = reader.items(fields["items"], "warning items") if "items" in fields else ()
    text = reader.optional_text(fields, "text")
    title = reader.optional_text(fields, "title")
    return model.Warning(level, title, items, text) if level and (items or text) else None


def _note(reader: _Reader, node: Node):
    if isinstance(node, MappingNode):
        fields = reader.mapping(node, "a note", required=("text",), optional=("title",))
        if not fields or "text" not in fields:
            return None
        text, title = reader.text(fields["text"]), reader.optional_text(fields, "title")
    else:
        text, title = reader.text(node, "note text (or {title: ..., text: ...})"), None
    return model.Note(text, title) if text else None


def _table(reader: _Reader, node: Node):
    fields = reader.mapping(node, "a table", required=("header", "rows"))
    if not fields or "header" not in fields or "rows" not in fields:
        return None
    header_nodes = reader.sequence(fields["header"], "a table header") or []
    header = [reader.text(cell, "a header cell (text)") for cell in header_nodes]
    rows = []
    for row_node in reader.sequence(fields["rows"], "table rows") or ():
        cells = reader.sequence(row_node, "a table row")
        if cells is None:
            continue
        if header_nodes and len(cells) != len(header_nodes):
            reader.error(row_node, expected=f"{len(header_nodes)} cells in each row, as many as the header",
                         found=f"{len(cells)} cell" + ("" if len(cells) == 1 else "s"),
                         fix="add or remove cells (use \"\" for an empty one)")
            continue
        rows.append(tuple(_cell(reader, cell) for cell in cells))
    if None in header or any(None in row for row in rows) or not rows:
        return None
    return model.Table(tuple(header), tuple(rows))


def _cell(reader: _Reader, node: Node) -> model.Text | None:
    if isinstance(node, ScalarNode) and node.tag == _STR and not node.value.strip():
        return model.Text("", _line(node))
    return reader.text(node, "a table cell (text)", numbers_ok=True)


def _fill_in(reader: _Reader, node: Node):
    fields = []
    for entry in reader.sequence(node, "fill_in labels") or ():
        if isinstance(entry, MappingNode):
            parts = reader.mapping(entry, "a write-in field", required=("label",), optional=("lines",))
            if not parts or "label" not in parts:
                continue
            label = reader.text(parts["label"], "a label (text)")
            lines = reader.integer(parts["lines"], "lines", 1, MAX_FILL_IN_LINES) if "lines" in parts else 1
            if label and lines:
                fields.append(model.FillInField(label, lines))
        else:
            label = reader.text(entry, "a label (text) or {label: ..., lines: N}")
            if label:
                fields.append(model.FillInField(label))
    return model.FillIn(tuple(fields)) if fields else None


def _signature(reader: _Reader, node: Node):
    entries = reader.sequence(node, "signature roles") or ()
    roles = [reader.text(entry, "a role (text), such as Patient") for entry in entries]
    return model.Signature(tuple(roles)) if roles and None not in roles else None


def _image(reader: _Reader, node: Node):
    fields = reader.mapping(node, "an image", required=("src", "alt"), optional=("caption", "width"))
    if not fields:
        return None
    src = reader.image_file(fields["src"], "image") if "src" in fields else None
    alt = reader.text(fields["alt"], "alt text describing the image") if "alt" in fields else None
    caption = reader.optional_text(fields, "caption")
    width = reader.number(fields["width"], "a width in inches", 0.5, 6.5) if "width" in fields else None
    return model.Image(src, alt, caption, width) if src and alt else None


def _qr(reader: _Reader, node: Node):
    fields = reader.mapping(node, "a QR code", required=("url",), optional=("caption",))
    if not fields or "url" not in fields:
        return None
    url = reader.text(fields["url"], "an https URL")
    if url and len(url) > MAX_URL_LENGTH:
        reader.error(fields["url"],
                     expected=f"a URL of at most {MAX_URL_LENGTH} characters, short enough for a QR code",
                     found=f"{len(url)} characters", fix="use a shorter link")
        url = None
    elif url and not re.fullmatch(r"https://[^\s/]+\.[^\s]+", url):
        reader.error(fields["url"], expected="an https:// URL without spaces", found=f"'{url}'")
        url = None
    caption = reader.optional_text(fields, "caption")
    return model.QR(url, caption) if url else None


def _page_break(reader: _Reader, node: Node):
    if isinstance(node, ScalarNode) and node.tag.endswith(":bool") and node.value.lower() in ("true", "yes", "on"):
        return model.PageBreak()
    reader.wrong(node, "page_break: true")
    return None


BLOCK_READERS: dict[str, Callable[[_Reader, Node], model.Block | None]] = {
    "paragraph": _paragraph,
    "bullets": _bullets,
    "steps": _steps,
    "checklist": _checklist,
    "warning": _warning,
    "note": _note,
    "table": _table,
    "fill_in": _fill_in,
    "signature": _signature,
    "image": _image,
    "qr": _qr,
    "page_break": _page_break,
}


# --- files ------------------------------------------------------------------------------------
def _compose(path: Path, what: str) -> tuple[Node, str]:
    """Read PATH as UTF-8 YAML and return its root node and source, or raise its one problem."""
    data = limits.read_file(path)
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ContentErrors([ContentError(path, line, expected="UTF-8 text",
                                          found=f"the byte 0x{data[error.start]:02x}",
                                          fix="save the file as UTF-8")])
    source = source.removeprefix("\ufeff").translate(_YAML_ONLY_BREAKS)
    loader = None
    try:
        loader = _Loader(source)
        root = loader.get_single_node()
    except yaml.reader.ReaderError as error:
        line = source.count("\n", 0, error.position) + 1
        raise ContentErrors([ContentError(path, line, expected="printable text",
                                          found=f"the control character U+{error.character:04X}",
                                          fix="delete it (it is invisible in most editors)")])
    except yaml.MarkedYAMLError as error:
        raise ContentErrors([_yaml_error(path, error, source)])
    except yaml.YAMLError as error:
        raise ContentErrors([ContentError(path, 1, message=f"invalid YAML: {error}")])
    except RecursionError:
        raise ContentErrors([ContentError(path, 1, expected=f"at most {MAX_NESTING} levels of nesting",
                                          found="far deeper nesting")])
    finally:
        if loader is not None:
            loader.dispose()
    if root is None or (isinstance(root, ScalarNode) and root.tag.endswith(":null")):
        raise ContentErrors([ContentError(path, 1, expected=what, found="an empty file")])
    problem = _expansion_problem(path, root)
    if problem:
        raise ContentErrors([problem])
    return root, source


def _yaml_error(path: Path, error: yaml.MarkedYAMLError, source: str) -> ContentError:
    problem, context = error.problem or "", error.context or ""
    mark = error.problem_mark
    # An unclosed quote or bracket is only noticed at the end of the file; its start is the useful line.
    # So is an unclosed [ or {, noticed only where something else is found.
    if error.context_mark is not None and (mark is None or "end of stream" in problem or "flow" in context):
        mark = error.context_mark
    line = mark.line + 1 if mark is not None else 1
    if "quoted scalar" in context and "end of stream" in problem:
        return ContentError(path, line, expected="a closing quote for the text that starts on this line",
                            found="the end of the file", fix="add the missing quote")
    if "'\\t'" in problem or "\t" in problem:
        return ContentError(path, line, expected="spaces for indentation", found="a tab character",
                            fix="indent with spaces, not tabs")
    if "mapping values are not allowed" in problem:
        return ContentError(path, line, expected="a new key lined up with the keys above it, or quoted text",
                            found="a ':' that YAML cannot place",
                            fix="check this line's indentation, or put text that contains ': ' in quotes")
    if "single document" in context + problem:
        return ContentError(path, line, expected="one handout per file", found="a second document after '---'",
                            fix="put each handout in its own file")
    source_line = source.splitlines()[line - 1] if 0 < line <= len(source.splitlines()) else ""
    if _STARTS_AS_YAML_SYNTAX.search(source_line):
        return ContentError(path, line, expected="text", found="a value that YAML reads as syntax "
                            "because it starts with *, {{, @, `, % or &",
                            fix="put the whole text in quotes")
    parts = re.match(r"expected (.*), but (?:found|got) (.*)", problem)
    if parts:
        expected, found = parts.groups()
        expected = expected.replace("<block end>", "a key lined up with the keys above it")
        if "flow" in context:
            expected += f" to close the {context.removeprefix('while parsing a ')} that starts on this line"
    else:
        expected = context.removeprefix("while parsing ").removeprefix("while scanning ") or "valid YAML"
        found = problem.removeprefix("found ")
    return ContentError(path, line, message=f"invalid YAML: expected {expected}, found {found}",
                        fix="check the indentation and quotes on this line and the one before")


def _expansion_problem(path: Path, root: Node) -> ContentError | None:
    count = characters = 0

    def walk(node: Node, depth: int, alias: Node | None) -> ContentError | None:
        nonlocal count, characters
        count += 1
        if isinstance(node, ScalarNode):
            characters += len(node.value)
        alias = alias or (node if getattr(node, "alias_of", None) else None)
        if characters > MAX_EXPANDED_CHARACTERS and alias:
            return ContentError(path, _line(alias), expected=f"at most {MAX_EXPANDED_CHARACTERS:,} characters",
                                found=f"more once alias *{alias.alias_of} is expanded",
                                fix="write the content out instead of repeating long aliases")
        if count > MAX_EXPANDED_VALUES:
            where = alias or node
            name = f"alias *{alias.alias_of}" if alias else "the file"
            return ContentError(path, _line(where), expected=f"at most {MAX_EXPANDED_VALUES:,} values",
                                found=f"more once {name} is expanded",
                                fix="write the content out instead of nesting aliases")
        if depth > MAX_NESTING:
            return ContentError(path, _line(node), expected=f"at most {MAX_NESTING} levels of nesting",
                                found="deeper nesting")
        children = []
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        for child in children:
            problem = walk(child, depth + 1, alias)
            if problem:
                return problem
        return None

    return walk(root, 0, None)


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


def _reader(path: Path, source: str, root: Node, default_limit: int) -> _Reader:
    """A reader for the file at PATH that starts with its texts over their length limits."""
    reader = _Reader(path, source)
    reader.errors += limits.text_problems(path, root, default_limit)
    return reader


def load_handout(path: Path) -> model.Handout:
    root, source = _compose(path, "a handout (id, title, kind, sections)")
    reader = _reader(path, source, root, limits.MAX_BODY)
    handout = reader.handout(root)
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


def load_jargon(path: Path) -> model.Jargon:
    """The jargon list at PATH: for each language, medical words and the plain words to use instead."""
    return _read(path, "a jargon list (en: and es:, each term: plain words)", _Reader.jargon)


def source_hash(path: Path) -> str:
    """What a translation records of the English file it was made from: 16 hex digits of its SHA-256,
    line endings folded so a checkout on Windows does not make every translation stale."""
    data = path.read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()[:16]


def load_clinic(path: Path | None) -> model.Clinic:
    """The clinic profile at PATH, or an empty (generic) profile when PATH is None."""
    if path is None:
        return model.Clinic()
    return _read(path, "a clinic profile (name, phone, ...)", _Reader.clinic)


def _read(path: Path, what: str, read: Callable):
    """The model READ makes of the YAML file at PATH, or every problem it found there."""
    root, source = _compose(path, what)
    reader = _reader(path, source, root, limits.MAX_LINE)
    made = read(reader, root)
    if reader.errors:
        raise ContentErrors(sorted(reader.errors, key=lambda error: error.line))
    return made


# --- one patient from the command line ----------------------------------------------------------------
PATIENT_SETTINGS = {
    "patient.name": "name", "patient.mrn": "mrn", "patient.dob": "dob",
    "procedure.date": "procedure_date", "procedure.surgeon": "surgeon", "procedure.levels": "levels",
    "followup.date": "followup_date", "followup.with": "followup_with",
}


def patient_from_settings(settings: Iterable[str], date_order: str | None = None) -> model.Patient | None:
    """A Patient from `NAME=VALUE` settings such as patient.name=Ana, or None when there are none;
    DATE_ORDER (MDY or DMY) also reads dates such as 12/4/2026."""
    fields: dict[str, object] = {}
    for setting in settings:
        name, equals, value = setting.partition("=")
        name, value = name.strip(), value.strip()
        if not equals:
            # What was typed may be a patient's name: it is not repeated.
            raise SettingError("", "NAME=VALUE", "text without '='", "for example --set patient.mrn=A-1001")
        if name not in PATIENT_SETTINGS:
            close = _did_you_mean(name, PATIENT_SETTINGS)
            fix = close or ("clinic details come from the clinic profile (--clinic)" if name.startswith("clinic.")
                            else f"names are {', '.join(PATIENT_SETTINGS)}")
            raise SettingError(name, "a placeholder name", f"'{name}'", fix)
        limits.check_setting(name, value)
        key = PATIENT_SETTINGS[name]
        if key.endswith("date") or key == "dob":
            try:
                fields[key] = parse_date(value, date_order, private=key == "dob")
            except BadDate as bad:
                raise SettingError(name, bad.expected, bad.found, bad.fix) from None
        elif key == "mrn" and not model.MRN.fullmatch(value):
            raise SettingError(name, f"an MRN of letters, digits and dashes, at most {model.MAX_MRN} characters",
                               f"'{value}'")
        else:
            fields[key] = value or None
    if fields and "mrn" not in fields:
        # Without it the patient's copy would take the generic handout's file name, and replace it.
        raise SettingError("patient.mrn", "the patient's MRN with any other --set", "none",
                           "add --set patient.mrn=...; the file is named after it")
    return model.Patient(**fields) if fields else None
