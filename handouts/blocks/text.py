"""Running text: paragraphs, bullets and numbered steps (YAML in, model, texts and flowables out)."""
from __future__ import annotations

from .. import model
from .kind import BlockType, item_texts


def _read_paragraph(reader, node):
    text = reader.text(node, "paragraph text")
    return model.Paragraph(text) if text else None


def _read_bullets(reader, node):
    items = reader.items(node, "bullets")
    return model.Bullets(items) if items else None


def _read_steps(reader, node):
    items = reader.items(node, "steps")
    return model.Steps(items) if items else None


PARAGRAPH = BlockType(
    "paragraph", model.Paragraph, _read_paragraph,
    texts=lambda block: iter((block.text,)),
    lay_out=lambda block, kit: [kit.para(block.text, "body")],
    role="P", reading=lambda block: iter((block.text,)))

BULLETS = BlockType(
    "bullets", model.Bullets, _read_bullets,
    texts=lambda block: item_texts(block.items),
    lay_out=lambda block, kit: kit.items(block.items, "bullets", "item"),
    role="L", reading=lambda block: item_texts(block.items))

STEPS = BlockType(
    "steps", model.Steps, _read_steps,
    texts=lambda block: item_texts(block.items),
    lay_out=lambda block, kit: kit.items(block.items, "steps", "item"),
    role="L", reading=lambda block: item_texts(block.items))
