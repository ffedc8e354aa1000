"""What a block type declares: its name and model in; the reader, texts, layout and role a stage asks for out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

from .. import model

# The reader is content's Reader and the kit is render's Kit: passed in, never imported, so a block
# type is one module and the stages still import one way.
Read = Callable[[Any, Any], "model.Block | None"]
Texts = Callable[[Any], Iterator[model.Text]]
LayOut = Callable[[Any, Any], list]


@dataclass(frozen=True)
class BlockType:
    name: str                   # its key in the YAML: `- checklist: ...`
    model: type                 # the model class the reader makes
    read: Read                  # (reader, YAML node) → a model block, or None with the problems recorded
    texts: Texts                # every printed text, in reading order (fonts, limits, jargon, source lines)
    lay_out: LayOut             # (block, kit) → flowables, from the kit's parts
    role: str | None            # the first structure element it writes (ISO 32000 14.8.4); None: prints nothing
    reading: Texts | None = None        # the sentences its reading level counts; None: not counted
    keeps_section_together: bool = False  # what is signed stays on the page of its signature lines


def item_texts(items: tuple[model.Item, ...]) -> Iterator[model.Text]:
    """Each entry's text, then its sub-entries', in reading order."""
    for item in items:
        yield item.text
        yield from item_texts(item.items)


def present(*texts: model.Text | None) -> Iterator[model.Text]:
    return (text for text in texts if text)
