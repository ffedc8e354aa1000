"""The generic reader: one file's YAML nodes in; checked texts, numbers, dates, choices and lists out, with every problem collected."""
from __future__ import annotations

import difflib
import re
import datetime
from pathlib import Path
from typing import Callable, Iterable

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import limits
from .. import model
from ..errors import ContentError, ContentErrors
from .dates import iso_date
from .yamlsource import MERGE, NULL, STR, compose, constructed, describe, node_line

MAX_ITEM_DEPTH = 3


def did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def one_of(choices: Iterable[str]) -> str:
    return "one of " + ", ".join(choices)




class Reader:
    """Walks one file's YAML nodes, building model objects and collecting every problem."""

    def __init__(self, path: Path, source: str):
        self.path = path
        self.source = source
        self.errors: list[ContentError] = []

    # --- reporting -------------------------------------------------------------------------
    def error(self, node_or_line: Node | int, **fields) -> None:
        line = node_or_line if isinstance(node_or_line, int) else node_line(node_or_line)
        self.errors.append(ContentError(self.path, line, **fields))

    def wrong(self, node: Node, expected: str, fix: str | None = None) -> None:
        if fix is None and isinstance(node, ScalarNode) and node.tag not in (STR, NULL) and "text" in expected:
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
            if key_node.tag == MERGE:
                merged = True
                self.error(key_node, expected=f"the keys of {what} written out", found="a merge key (<<)",
                           fix="merge keys are not supported; copy the keys in")
                continue
            if not (isinstance(key_node, ScalarNode) and key_node.tag == STR):
                self.wrong(key_node, f"a key name in {what}")
                continue
            name = key_node.value
            if name in key_lines:
                self.error(key_node, expected="each key once",
                           found=f"'{name}' again (first on line {key_lines[name]})",
                           fix="remove one of them")
                continue
            key_lines[name] = node_line(key_node)
            if name not in allowed:
                self.error(key_node, expected=f"a key of {what} ({', '.join(allowed)})",
                           found=f"'{name}'", fix=did_you_mean(name, allowed))
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
            return model.Text(node.value, node_line(node))
        if not (isinstance(node, ScalarNode) and node.tag == STR) or not node.value.strip():
            self.wrong(node, what)
            return None
        self.check_placeholders(node)
        return model.Text(node.value.strip(), node_line(node))

    def text_or_empty(self, node: Node, what: str, numbers_ok: bool = False) -> model.Text | None:
        """Like text, but an empty text written as such ("") is an empty Text, not a problem (a table cell)."""
        if isinstance(node, ScalarNode) and node.tag == STR and not node.value.strip():
            return model.Text("", node_line(node))
        return self.text(node, what, numbers_ok)

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
            return node_line(node)
        return node_line(node) + self.source.count("\n", start, offset)

    def integer(self, node: Node, what: str, low: int, high: int) -> int | None:
        value = constructed(node, ":int")
        if isinstance(value, int):
            if low <= value <= high:
                return value
            self.error(node, expected=f"{what} from {low} to {high}", found=str(value))
            return None
        self.wrong(node, f"{what} (a whole number from {low} to {high})")
        return None

    def number(self, node: Node, what: str, low: float, high: float) -> float | None:
        value = constructed(node, ":int", ":float")
        if isinstance(value, (int, float)):
            if low <= value <= high:
                return value
            self.error(node, expected=f"{what} from {low:g} to {high:g}", found=node.value)
            return None
        self.wrong(node, f"{what} (a number from {low:g} to {high:g})")
        return None

    def choice(self, node: Node, what: str, choices: tuple[str, ...]) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == STR and node.value in choices:
            return node.value
        fix = did_you_mean(node.value, choices) if isinstance(node, ScalarNode) else None
        self.error(node, expected=f"{what}: {one_of(choices)}", found=describe(node), fix=fix)
        return None

    def date(self, node: Node, what: str) -> datetime.date | None:
        if isinstance(node, ScalarNode) and (node.tag.endswith(":timestamp") or node.tag == STR):
            if (day := iso_date(node.value.strip())) is not None:
                return day
        self.wrong(node, f"{what} as YYYY-MM-DD", fix="for example 2026-11-01")
        return None

    def pattern(self, node: Node, what: str, regex: re.Pattern, example: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == STR and regex.fullmatch(node.value):
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


def start_reader(path: Path, source: str, root: Node, default_limit: int) -> Reader:
    """A reader for the file at PATH that starts with its texts over their length limits."""
    reader = Reader(path, source)
    reader.errors += limits.text_problems(path, root, default_limit)
    return reader


def read_file(path: Path, what: str, read: Callable):
    """The model READ makes of the YAML file at PATH, or every problem it found there."""
    root, source = compose(path, what)
    reader = start_reader(path, source, root, limits.MAX_LINE)
    made = read(reader, root)
    if reader.errors:
        raise ContentErrors(sorted(reader.errors, key=lambda error: error.line))
    return made
