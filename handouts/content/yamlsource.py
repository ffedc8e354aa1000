"""YAML source: a file's bytes in; its root node (alias lines kept, expansion budgeted) and text out, or its one problem."""
from __future__ import annotations

import copy
import math
import re
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import limits
from ..errors import ContentError, ContentErrors

# Aliases are composed as shared nodes; expanding them is where a "billion laughs" file would hang,
# so the expanded tree is counted against a budget far above any real handout before it is walked.
MAX_EXPANDED_VALUES = 20_000
MAX_EXPANDED_CHARACTERS = 1_000_000
MAX_NESTING = 40
# PyYAML counts these as line breaks and editors do not; as spaces, every later line number matches the editor's.
_YAML_ONLY_BREAKS = str.maketrans({"\u2028": " ", "\u2029": " ", "\u0085": " "})
MERGE = "tag:yaml.org,2002:merge"
# `- paragraph: **Rest** ...` or `{{ clinic.name }} is ...` unquoted: YAML sees an alias or a mapping.
_STARTS_AS_YAML_SYNTAX = re.compile(r"^\s*(?:-\s+)?[\w-]+:\s+(?:\*\*|\{\{|@|`|%|&\S*\s)|^\s*-\s+(?:\*\*|\{\{|@|`|%)")
STR = "tag:yaml.org,2002:str"
NULL = "tag:yaml.org,2002:null"


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


def node_line(node: Node) -> int:
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
    if tag == STR:
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


def constructed(node: Node, *tags: str) -> object:
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


def compose(path: Path, what: str) -> tuple[Node, str]:
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
            return ContentError(path, node_line(alias), expected=f"at most {MAX_EXPANDED_CHARACTERS:,} characters",
                                found=f"more once alias *{alias.alias_of} is expanded",
                                fix="write the content out instead of repeating long aliases")
        if count > MAX_EXPANDED_VALUES:
            where = alias or node
            name = f"alias *{alias.alias_of}" if alias else "the file"
            return ContentError(path, node_line(where), expected=f"at most {MAX_EXPANDED_VALUES:,} values",
                                found=f"more once {name} is expanded",
                                fix="write the content out instead of nesting aliases")
        if depth > MAX_NESTING:
            return ContentError(path, node_line(node), expected=f"at most {MAX_NESTING} levels of nesting",
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
