"""The structure tree: one render's marks and its written pages in; the catalog's tree, parent tree and XMP out."""
from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFString

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
    parent_tree = _Raw(b"<</Nums[%s]>>" % b" ".join(nums))
    root.body = b"<</Type/StructTreeRoot/K %d 0 R/ParentTree %d 0 R/ParentTreeNextKey %d>>" % (
        top, _number(doc, parent_tree), len(pages) + len(writer.links))
    catalog = doc.Catalog
    catalog.StructTreeRoot = root
    catalog.MarkInfo = PDFDictionary({"Marked": _TRUE})
    catalog.Metadata = _xmp(title, language)


class _Raw(pdfdoc.PDFObject):
    """An object written as the bytes it is given: the tree's hundreds of small dictionaries are made
    here directly, as formatting each through ReportLab's objects took longer than drawing the page."""

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

    def drawn(self, node: Node) -> bool:
        return bool(node.actual or self.tagger.of(node)) or any(self.drawn(kid) for kid in node.kids)

    def element(self, node: Node, parent: int) -> int:
        """Write NODE (drawn, under the element numbered PARENT) and what it holds; its object number."""
        element = _Raw()
        number = _number(self.doc, element)
        head = b"<</S/%s/P %d 0 R" % (node.role.encode(), parent)
        content = self.tagger.of(node)
        if content:
            head += b"/Pg %d 0 R" % self.pages[content[0][1]]
        # Its own content first (a list entry's words), then its children (a list under them).
        kids = self._content(node, number) + [b"%d 0 R" % self.element(kid, number) for kid in node.kids
                                              if self.drawn(kid)]
        if kids:
            head += b"/K[%s]" % b" ".join(kids)
        for key, value in ((b"Alt", node.alt), (b"ActualText", node.actual), (b"Lang", node.lang)):
            if value:
                head += b"/%s%s" % (key, PDFString(value).format(self.doc))
        if node.scope:
            head += b"/A<</O/Table/Scope/%s>>" % node.scope.encode()
        element.body = head + b">>"
        return number

    def _content(self, node: Node, number: int) -> list[bytes]:
        """NODE's marked content and links: MCIDs of its first page as numbers, of a later one as references."""
        kids: list[bytes] = []
        content = self.tagger.of(node)
        for kind, page, value in content:
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
                link = _Raw()
                link_number = _number(self.doc, link)
                link.body = b"<</Type/StructElem/S/Link/P %d 0 R/Pg %d 0 R/K[%s]>>" % (number, self.pages[page], objr)
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
