"""Block types: each declared once, with its YAML reader, its texts, its layout and its accessibility role."""
from __future__ import annotations

from typing import Iterator

from .. import model
from . import boxes, breaks, forms, pictures, table, text
from .kind import BlockType

# In the order the content format lists them: the order error messages name them in.
TYPES: tuple[BlockType, ...] = (text.PARAGRAPH, text.BULLETS, text.STEPS, boxes.CHECKLIST, boxes.WARNING,
                                boxes.NOTE, table.TABLE, forms.FILL_IN, forms.SIGNATURE, pictures.IMAGE,
                                pictures.QR, breaks.PAGE_BREAK)
BY_NAME: dict[str, BlockType] = {kind.name: kind for kind in TYPES}
BY_MODEL: dict[type, BlockType] = {kind.model: kind for kind in TYPES}


def texts(block: model.Block) -> Iterator[model.Text]:
    """Every printed text of BLOCK, in reading order."""
    return BY_MODEL[type(block)].texts(block)


def reading(block: model.Block) -> Iterator[model.Text]:
    """The sentences of BLOCK that its reading level counts (none for labels, roles and addresses)."""
    kind = BY_MODEL[type(block)]
    return kind.reading(block) if kind.reading else iter(())


def handout_texts(handout: model.Handout) -> Iterator[model.Text]:
    """Every printed text of HANDOUT, in reading order."""
    yield handout.title
    if handout.version:
        yield handout.version
    if handout.summary:
        yield handout.summary
    for section in handout.sections:
        yield section.heading
        for block in section.blocks:
            yield from texts(block)
