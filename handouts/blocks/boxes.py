"""Boxed blocks: checklists, warnings and notes (YAML in, model, texts and flowables out)."""
from __future__ import annotations

from itertools import chain

from yaml.nodes import MappingNode

from .. import model
from .kind import BlockType, item_texts, present


def _read_checklist(reader, node):
    if isinstance(node, MappingNode):
        fields = reader.mapping(node, "a checklist", required=("items",), optional=("title",))
        if not fields or "items" not in fields:
            return None
        title = reader.optional_text(fields, "title")
        items = reader.items(fields["items"], "checklist items")
    else:
        title, items = None, reader.items(node, "checklist items (or {title: ..., items: [...]})")
    return model.Checklist(items, title) if items else None


def _read_warning(reader, node):
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


def _read_note(reader, node):
    if isinstance(node, MappingNode):
        fields = reader.mapping(node, "a note", required=("text",), optional=("title",))
        if not fields or "text" not in fields:
            return None
        text, title = reader.text(fields["text"]), reader.optional_text(fields, "title")
    else:
        text, title = reader.text(node, "note text (or {title: ..., text: ...})"), None
    return model.Note(text, title) if text else None


def _lay_out_warning(block: model.Warning, kit) -> list:
    def body() -> list:
        return ([kit.para(block.text, "box_text")] if block.text else []) + kit.items(block.items, "bullets", "item")
    return [kit.box(block.level, block.title, body)]


CHECKLIST = BlockType(
    "checklist", model.Checklist, _read_checklist,
    texts=lambda block: chain(present(block.title), item_texts(block.items)),
    lay_out=lambda block, kit: [kit.box("checklist", block.title,
                                        lambda: kit.items(block.items, "checklist", "checklist_item"))],
    role="Div", reading=lambda block: item_texts(block.items))

WARNING = BlockType(
    "warning", model.Warning, _read_warning,
    texts=lambda block: chain(present(block.title, block.text), item_texts(block.items)),
    lay_out=_lay_out_warning,
    role="Div", reading=lambda block: chain(present(block.text), item_texts(block.items)))

NOTE = BlockType(
    "note", model.Note, _read_note,
    texts=lambda block: present(block.title, block.text),
    lay_out=lambda block, kit: [kit.box("note", block.title, lambda: [kit.para(block.text, "box_text")])],
    role="Div", reading=lambda block: present(block.text))
