"""Forms: write-in fields and signature lines (YAML in, model, texts and flowables out)."""
from __future__ import annotations

from yaml.nodes import MappingNode

from .. import model
from .kind import BlockType

MAX_FILL_IN_LINES = 10


def _read_fill_in(reader, node):
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


def _read_signature(reader, node):
    entries = reader.sequence(node, "signature roles") or ()
    roles = [reader.text(entry, "a role (text), such as Patient") for entry in entries]
    return model.Signature(tuple(roles)) if roles and None not in roles else None


FILL_IN = BlockType(
    "fill_in", model.FillIn, _read_fill_in,
    texts=lambda block: (field.label for field in block.fields),
    lay_out=lambda block, kit: [kit.write_in(field.label, field.lines) for field in block.fields],
    role="P")

SIGNATURE = BlockType(
    "signature", model.Signature, _read_signature,
    texts=lambda block: iter(block.roles),
    lay_out=lambda block, kit: [kit.signatures(block.roles)],
    role="P", keeps_section_together=True)
