"""The structure tree: one render's marks and its written pages in; the catalog's tree, parent tree and XMP out."""
from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFString

from . import pdffile
from .tags import Node, Tagger

# A page writes only the keys its class names; these two are the tree's.
_PAGE_KEYS = pdfdoc.PDFPage.__NoDefault__ + ["StructParents", "Tabs"]
_TRUE = "true"          # written as is: the PDF boolean, not the name /true


def write(doc: pdfdoc.PDFDocument, tagger: Tagger, title: str, language: str) -> None:
    """Give DOC (every page shown, not yet saved) the structure tree TAGGER marked, its parent tree,
    the pages' and links' keys into it, and XMP metadata naming TITLE and PDF/UA-1."""
    pages = doc.Pages.pages
    writer = _Writer(doc, tagger, [_number(doc, page) for page in pages])
    root = _Raw()
    root_number = _number(doc, root)
    document = Node("Document")
    document.kids = tagger.parts
    writer.find_drawn(document)
    top = writer.element(document, root_number)
    nums = []
    for index, page in enumerate(pages):
        page.StructParents = index
        page.Tabs = PDFName("S")
        page.__NoDefault__ = _PAGE_KEYS
        nums.append(b"%d[%s]" % (index, b" ".join(b"%d 0 R" % number for number in writer.parents[index])))
    for key, (element, annotation) in enumerate(writer.links, start=len(pages)):
        annotation["StructParent"] = key
        nums.append(b"%d %d 0 R" % (key, element))
    parent_tree = pdffile.new_object(doc, b"<</Nums[%s]>>" % b" ".join(nums))
    root.body = b"<</Type/StructTreeRoot/K %d 0 R/ParentTree %d 0 R/ParentTreeNextKey %d>>" % (
        top, parent_tree, len(pages) + len(writer.links))
    catalog = doc.Catalog
    catalog.StructTreeRoot = root
    catalog.MarkInfo = PDFDictionary({"Marked": _TRUE})
    catalog.Metadata = _xmp(title, language)


class _Raw(pdfdoc.PDFObject):
    """An object written as the bytes it is given (the tree's root, which the catalog names)."""

    def __init__(self, body: bytes = b""):
        self.body = body

    def format(self, document) -> bytes:
        return self.body


def _number(doc: pdfdoc.PDFDocument, obj) -> int:
    """OBJ's object number in DOC, registering it if new."""
    return doc.idToObjectNumberAndVersion[doc.Reference(obj).name][0]


class _Writer:
    """Writes structure elements, noting the element of each marked-content id and link."""

    def __init__(self, doc: pdfdoc.PDFDocument, tagger: Tagger, pages: list[int]):
        self.doc, self.tagger, self.pages = doc, tagger, pages
        self.parents: list[list[int]] = [[0] * len(nodes) for nodes in tagger.pages[:len(pages)]]
        self.links: list[tuple[int, PDFDictionary]] = []
        self.content = tagger.content
        self.drawn: set[int] = set()
        self.said: dict[tuple, bytes] = {}

    def find_drawn(self, node: Node) -> bool:
        """Note in self.drawn every node under NODE with something drawn (or said) in it; whether NODE has."""
        found = bool(node.actual) or id(node) in self.content
        for kid in node.kids:
            if self.find_drawn(kid):
                found = True
        if found:
            self.drawn.add(id(node))
        return found

    def element(self, node: Node, parent: int) -> int:
        """Write NODE (drawn, under the element numbered PARENT) and what it holds; its object number."""
        doc = self.doc
        number = pdffile.new_object(doc)
        content = self.content.get(id(node))
        if content:
            kids = self._content(node, content, number)
            head = b"<</S/%s/P %d 0 R/Pg %d 0 R" % (node.role.encode(), parent, self.pages[content[0][1]])
        else:
            kids = []
            head = b"<</S/%s/P %d 0 R" % (node.role.encode(), parent)
        # Its own content first (a list entry's words), then its children (a list under them).
        drawn = self.drawn
        for kid in node.kids:
            if id(kid) in drawn:
                kids.append(b"%d 0 R" % self.element(kid, number))
        said = self._attributes(node) if node.alt or node.actual or node.lang or node.scope else b""
        if len(kids) > 1:
            body = b"%s/K[%s]%s>>" % (head, b" ".join(kids), said)
        else:
            body = b"%s/K %s%s>>" % (head, kids[0], said) if kids else b"%s%s>>" % (head, said)
        pdffile.set_object(doc, number, body)
        return number

    def _attributes(self, node: Node) -> bytes:
        key = (node.alt, node.actual, node.lang, node.scope)
        said = self.said.get(key)          # most are the same few: every checkbox's "Box to tick"
        if said is None:
            said = self.said[key] = self._format_attributes(node)
        return said

    def _format_attributes(self, node: Node) -> bytes:
        said = [b"/%s%s" % (key, PDFString(value).format(self.doc))
                for key, value in ((b"Alt", node.alt), (b"ActualText", node.actual), (b"Lang", node.lang)) if value]
        if node.scope:
            said.append(b"/A<</O/Table/Scope/%s>>" % node.scope.encode())
        return b"".join(said)

    def _content(self, node: Node, content: list, number: int) -> list[bytes]:
        """NODE's marked CONTENT and links: MCIDs of its first page as numbers, of a later one as references."""
        kids: list[bytes] = []
        for kind, page, value in content:
            if kind == "kid":            # a span of its text: an element in its place among the words
                kids.append(b"%d 0 R" % self.element(value, number))
                continue
            if kind == "mcid":
                self.parents[page][value] = number
                kids.append(b"%d" % value if page == content[0][1] else
                            b"<</Type/MCR/Pg %d 0 R/MCID %d>>" % (self.pages[page], value))
                continue
            annotation, name = value
            reference = self.doc.idToObjectNumberAndVersion[self.doc.refAnnotation(name).name][0]
            objr = b"<</Type/OBJR/Obj %d 0 R/Pg %d 0 R>>" % (reference, self.pages[page])
            if node.role == "Link":
                kids.append(objr)
                self.links.append((number, annotation))
            else:
                # A link inside running text: its own Link element holds the annotation.
                link_number = pdffile.new_object(self.doc, b"<</S/Link/P %d 0 R/Pg %d 0 R/K[%s]>>" % (
                    number, self.pages[page], objr))
                kids.append(b"%d 0 R" % link_number)
                self.links.append((link_number, annotation))
        return kids


def _xmp(title: str, language: str) -> pdfdoc.PDFStream:
    """XMP metadata: the title (as the document information says it) and the PDF/UA-1 identification."""
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">\n'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>\n'
        f'<dc:language><rdf:Bag><rdf:li>{escape(language)}</rdf:li></rdf:Bag></dc:language>\n'
        '<pdfuaid:part>1</pdfuaid:part>\n'
        '</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="r"?>')
    return pdfdoc.PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
                            packet.encode("utf-8"), filters=[pdfdoc.PDFZCompress])
