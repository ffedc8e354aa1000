"""Page breaks: `page_break: true` in; a break before what follows out."""
from __future__ import annotations

from yaml.nodes import ScalarNode

from .. import model
from .kind import BlockType


def _read_page_break(reader, node):
    if isinstance(node, ScalarNode) and node.tag.endswith(":bool") and node.value.lower() in ("true", "yes", "on"):
        return model.PageBreak()
    reader.wrong(node, "page_break: true")
    return None


PAGE_BREAK = BlockType(
    "page_break", model.PageBreak, _read_page_break,
    texts=lambda block: iter(()),
    lay_out=lambda block, kit: [kit.page_break()],
    role=None)
