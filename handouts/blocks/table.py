"""Tables: a header row and rows of cells (YAML in, model, texts and flowables out)."""
from __future__ import annotations

from typing import Iterator

from .. import model
from .kind import BlockType


def _read_table(reader, node):
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
        rows.append(tuple(reader.text_or_empty(cell, "a table cell (text)", numbers_ok=True) for cell in cells))
    if None in header or any(None in row for row in rows) or not rows:
        return None
    return model.Table(tuple(header), tuple(rows))


def _texts(block: model.Table) -> Iterator[model.Text]:
    yield from block.header
    for row in block.rows:
        yield from row


def _rows(block: model.Table) -> Iterator[model.Text]:
    """A row reads as one sentence of its cells; the header's words are labels, not sentences."""
    for row in block.rows:
        yield model.Text(", ".join(cell for cell in row if cell), row[0].line if row else 0)


TABLE = BlockType(
    "table", model.Table, _read_table, texts=_texts,
    lay_out=lambda block, kit: [kit.table(block.header, block.rows)],
    role="Table", reading=_rows)
