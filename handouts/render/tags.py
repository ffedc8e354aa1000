"""Tags: structure nodes made with the flowables in; marked content and artifacts written as they are drawn out."""
from __future__ import annotations

from contextlib import ExitStack, contextmanager
from typing import Iterator

from reportlab.platypus.tables import TableRenderCB


class Node:
    """One structure element (ISO 32000-1, 14.7.2): its role, its attributes and its children.

    Nodes are made with the flowables and kept with a cached layout, so they hold nothing of one render:
    what a render draws for each node is kept by that render's Tagger."""

    __slots__ = ("role", "kids", "alt", "actual", "lang", "scope")

    def __init__(self, role: str, alt: str | None = None, actual: str | None = None, lang: str | None = None,
                 scope: str | None = None):
        self.role, self.alt, self.actual, self.lang, self.scope = role, alt, actual, lang, scope
        self.kids: list[Node] = []

    def add(self, role: str, **attributes) -> "Node":
        """A new child of this node, after the ones it has."""
        child = Node(role, **attributes)
        self.kids.append(child)
        return child

    def __repr__(self) -> str:
        return f"Node({self.role!r}, {len(self.kids)} kids)"


# What a node holds once drawn, in order: ("mcid", page, mcid) for its content on a page, or
# ("link", page, annotation name) for a link annotation drawn inside it.
Content = tuple[str, int, object]


class Tagger:
    """One render's marks: which node each marked-content id of each page belongs to, the parts in
    drawing order, and the link annotations drawn in each node."""

    def __init__(self):
        self.parts: list[Node] = []
        self.pages: list[list[Node]] = [[]]   # per page, the node of each MCID in order
        self.content: dict[int, list[Content]] = {}
        self.open: list[Node] = []
        self.hiding = 0               # >0 while drawing what repeats (a table's header row on a later page)
        self.page = 0                 # the page being drawn: the last one, or one drawn again on saving

    def new_page(self) -> None:
        self.pages.append([])
        self.page = len(self.pages) - 1

    def mark(self, node: Node) -> int:
        mcid = len(self.pages[self.page])
        self.pages[self.page].append(node)
        self.content.setdefault(id(node), []).append(("mcid", self.page, mcid))
        return mcid

    def link(self, annotation, name: str) -> None:
        """ANNOTATION, a link, was just added as NAME while the innermost open node was being drawn."""
        if self.open:
            node = self.open[-1]
            self.content.setdefault(id(node), []).append(("link", self.page, (annotation, name)))


class marked:
    """What is drawn inside, as NODE's content; while a repeat is drawn, as an artifact, though a link
    in it (a link annotation cannot be an artifact) is still NODE's. (A class, not a generator: it is
    entered for every paragraph and list label drawn.)"""

    __slots__ = ("canv", "node", "tagger")

    def __init__(self, canv, node: Node | None):
        self.canv, self.node = canv, node
        self.tagger = getattr(canv, "tagger", None) if node is not None else None

    def __enter__(self) -> None:
        tagger, node = self.tagger, self.node
        if tagger is None:
            return
        self.canv.addLiteral("/Artifact BMC" if tagger.hiding else f"/{node.role} <</MCID {tagger.mark(node)}>> BDC")
        tagger.open.append(node)

    def __exit__(self, *raised) -> None:
        if self.tagger is not None:
            self.tagger.open.pop()
            self.canv.addLiteral("EMC")


class artifact:
    """What is drawn inside, as an artifact: page furniture (KIND "Pagination") or decoration."""

    __slots__ = ("canv", "kind", "tagged")

    def __init__(self, canv, kind: str | None = None):
        self.canv, self.kind = canv, kind
        self.tagged = getattr(canv, "tagger", None) is not None

    def __enter__(self) -> None:
        if self.tagged:
            self.canv.addLiteral(f"/Artifact <</Type /{self.kind}>> BDC" if self.kind else "/Artifact BMC")

    def __exit__(self, *raised) -> None:
        if self.tagged:
            self.canv.addLiteral("EMC")


@contextmanager
def repeated(canv) -> Iterator[None]:
    """What is drawn inside repeats what was read already: every node's content becomes an artifact."""
    tagger = getattr(canv, "tagger", None)
    if tagger is not None:
        tagger.hiding += 1
    try:
        yield
    finally:
        if tagger is not None:
            tagger.hiding -= 1


class TableMarks(TableRenderCB):
    """A table's backgrounds and rules as artifacts, its first REPEATS rows too (a header row drawn
    again on a later page), and a cell that does not mark itself (a QR code's drawing) as its node's content."""

    def __init__(self, repeats: int = 0):
        self.repeats = repeats
        self._part, self._row, self._cell = ExitStack(), ExitStack(), ExitStack()

    def startTable(self, table):
        pass

    def startBG(self, table):
        self._part.enter_context(artifact(table.canv))

    def endBG(self, table):
        self._part.close()

    def startRow(self, table, row):
        if row < self.repeats:
            self._row.enter_context(repeated(table.canv))

    def endRow(self, table):
        self._row.close()

    def startCell(self, table, row, column, value, style, position, size):
        node = getattr(value, "tag", None)
        if node is not None and not getattr(value, "marks_itself", False):
            self._cell.enter_context(marked(table.canv, node))

    def endCell(self, table):
        self._cell.close()

    def startLines(self, table):
        self._part.enter_context(artifact(table.canv))

    def endLines(self, table):
        self._part.close()

    def endTable(self, table):
        pass
