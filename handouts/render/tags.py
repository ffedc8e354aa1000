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


# What a node holds once drawn, in order: ("mcid", page, mcid) for its content on a page,
# ("link", page, (annotation, name)) for a link annotation drawn inside it, or ("kid", page, node) for
# a span of its text (a link, words in another language) that is an element of its own.
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
        self.paragraph: Inline | None = None     # the paragraph with spans being drawn
        self.inline: dict[int, Inline] = {}      # each such paragraph's node: its marks, across its parts

    def new_page(self) -> None:
        self.pages.append([])
        self.page = len(self.pages) - 1

    def mark(self, node: Node) -> int:
        mcid = len(self.pages[self.page])
        self.pages[self.page].append(node)
        self.content.setdefault(id(node), []).append(("mcid", self.page, mcid))
        return mcid

    def unmark(self, node: Node) -> None:
        """Take back NODE's last mark, the last one made, in which nothing was drawn."""
        self.pages[self.page].pop()
        content = self.content[id(node)]
        content.pop()
        if not content:
            del self.content[id(node)]

    def link(self, annotation, name: str) -> None:
        """ANNOTATION, a link, was just added as NAME: it is the Link span's of the paragraph being drawn
        whose words it covers, else the innermost open node's."""
        node = self.paragraph.annotated() if self.paragraph is not None else None
        if node is None and self.open:
            node = self.open[-1]
        if node is not None:
            self.content.setdefault(id(node), []).append(("link", self.page, (annotation, name)))


class Inline:
    """One render's marks in a paragraph with spans (NODE's text, SPANS its elements in order), made
    inside its text objects: a marked-content sequence cannot begin outside a text object and end inside it."""

    def __init__(self, tagger: Tagger, node: Node, spans: list[Node]):
        self.tagger, self.spans = tagger, spans
        self.open = [node]            # the paragraph, and the span being drawn (kept from one part to the next)
        self.started = 0
        self.begun = 0                # where in the text object's code the sequence begun last starts
        self.segments: list[int] = []     # the links whose words begin on the line being drawn
        self.links = [span for span in spans if span.role == "Link"]      # numbered as ReportLab numbers <a>

    def begin(self, code: list[str]) -> None:
        """Into CODE (a text object's): what is drawn next is the innermost open node's."""
        node = self.open[-1]
        code.append(f"/{node.role} <</MCID {self.tagger.mark(node)}>> BDC")
        self.begun = len(code)

    def end(self, code: list[str]) -> None:
        """Into CODE: the sequence begun last ends; one in which nothing was shown is taken out."""
        if shows_text(code[self.begun:]):
            code.append("EMC")
        else:
            del code[self.begun - 1]
            self.tagger.unmark(self.open[-1])

    def start(self, code: list[str]) -> None:
        span = self.spans[self.started]
        self.started += 1
        tagger = self.tagger
        self.end(code)
        tagger.content.setdefault(id(self.open[-1]), []).append(("kid", tagger.page, span))
        self.open.append(span)
        self.begin(code)

    def stop(self, code: list[str]) -> None:
        self.end(code)
        self.open.pop()
        self.begin(code)

    def segment(self, number: int) -> None:
        """The words of the paragraph's link NUMBER (its <a> tags counted from 0) begin on this line."""
        self.segments.append(number)

    def annotated(self) -> Node | None:
        """The Link span a new annotation belongs to. ReportLab adds one annotation per link per line,
        once the line is drawn, in the order of the links' numbers: the lowest of the line's segments."""
        if not self.segments:
            return None
        number = min(self.segments)
        self.segments.remove(number)
        return self.links[number] if number < len(self.links) else None


def shows_text(operators: list[str]) -> bool:
    """Whether a text object's OPERATORS show text: ReportLab shows it with Tj and TJ alone (an entry
    may go on with T*)."""
    return any("Tj" in operator or "TJ" in operator for operator in operators)


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


class spanned:
    """A paragraph with spans (NODE's text, SPANS its elements) drawn inside: its text object marks its
    words as it draws them (a repeat is an artifact, marked as a whole as any other)."""

    __slots__ = ("tagger", "node", "spans", "plain")

    def __init__(self, canv, node: Node, spans: list[Node]):
        self.tagger, self.node, self.spans = getattr(canv, "tagger", None), node, spans
        self.plain = marked(canv, node) if self.tagger is None or self.tagger.hiding else None

    def __enter__(self) -> None:
        if self.plain is not None:
            return self.plain.__enter__()
        tagger = self.tagger
        inline = tagger.inline.get(id(self.node))
        if inline is None:         # its first part; a later part goes on with the same marks
            inline = tagger.inline[id(self.node)] = Inline(tagger, self.node, self.spans)
        tagger.paragraph = inline
        tagger.open.append(self.node)

    def __exit__(self, *raised) -> None:
        if self.plain is not None:
            return self.plain.__exit__(*raised)
        self.tagger.paragraph = None
        self.tagger.open.pop()


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
