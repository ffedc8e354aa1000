"""Reading a tagged PDF back with pdfium: each page's structure elements, their text, and what is outside any."""
from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Iterator

import pypdfium2
import pypdfium2.raw as pdfium

TEXT = pdfium.FPDF_PAGEOBJ_TEXT
INLINE = {"Span", "Link"}        # read as part of the element they are in, in their place among its words


@dataclass
class Element:
    role: str
    alt: str | None = None
    actual: str | None = None
    lang: str | None = None
    kids: list = field(default_factory=list)      # Elements, and marked-content ids (int) on this page
    text: str = ""             # what its marked content on this page says, its spans' words in their place

    def walk(self) -> Iterator["Element"]:
        yield self
        for kid in self.kids:
            if isinstance(kid, Element):
                yield from kid.walk()


@dataclass
class PageObject:
    kind: int                    # pdfium's FPDF_PAGEOBJ_*
    marks: list[str]             # the names of the marked-content sequences it is in ("P", "Artifact")
    mcid: int                    # -1 outside any sequence with an id
    text: str
    box: tuple[float, float, float, float] = (0, 0, 0, 0)     # left, bottom, right, top in points


@dataclass
class Page:
    elements: list[Element]      # the tree as pdfium builds it for this page (its roots)
    objects: list[PageObject]


def read(data: bytes) -> list[Page]:
    document = pypdfium2.PdfDocument(data)
    try:
        return [_page(document[index]) for index in range(len(document))]
    finally:
        document.close()


def _string(function, handle, *arguments) -> str | None:
    size = function(handle, *arguments, None, 0)
    if size <= 2:
        return None
    buffer = (ctypes.c_ushort * ((size + 1) // 2))()
    function(handle, *arguments, buffer, size)
    return bytes(buffer)[:size - 2].decode("utf-16-le")


def _page(page) -> Page:
    text_page = pdfium.FPDFText_LoadPage(page.raw)
    objects = []
    for index in range(pdfium.FPDFPage_CountObjects(page.raw)):
        handle = pdfium.FPDFPage_GetObject(page.raw, index)
        kind = pdfium.FPDFPageObj_GetType(handle)
        marks = []
        for number in range(pdfium.FPDFPageObj_CountMarks(handle)):
            mark = pdfium.FPDFPageObj_GetMark(handle, number)
            length = ctypes.c_ulong()
            buffer = (ctypes.c_ushort * 128)()
            pdfium.FPDFPageObjMark_GetName(mark, buffer, ctypes.sizeof(buffer), ctypes.byref(length))
            marks.append(bytes(buffer)[:max(length.value - 2, 0)].decode("utf-16-le"))
        text = _string(pdfium.FPDFTextObj_GetText, handle, text_page) if kind == TEXT else None
        edges = [ctypes.c_float() for _ in range(4)]
        pdfium.FPDFPageObj_GetBounds(handle, *(ctypes.byref(edge) for edge in edges))
        objects.append(PageObject(kind, marks, pdfium.FPDFPageObj_GetMarkedContentID(handle), text or "",
                                  tuple(edge.value for edge in edges)))
    pdfium.FPDFText_ClosePage(text_page)
    tree = pdfium.FPDF_StructTree_GetForPage(page.raw)
    try:
        roots = [_element(pdfium.FPDF_StructTree_GetChildAtIndex(tree, index), objects)
                 for index in range(pdfium.FPDF_StructTree_CountChildren(tree))]
    finally:
        pdfium.FPDF_StructTree_Close(tree)
    return Page(roots, objects)


def _element(handle, objects: list[PageObject]) -> Element:
    element = Element(_string(pdfium.FPDF_StructElement_GetType, handle) or "",
                      _string(pdfium.FPDF_StructElement_GetAltText, handle),
                      _string(pdfium.FPDF_StructElement_GetActualText, handle),
                      _string(pdfium.FPDF_StructElement_GetLang, handle))
    texts = []
    for index in range(pdfium.FPDF_StructElement_CountChildren(handle)):
        child = pdfium.FPDF_StructElement_GetChildAtIndex(handle, index)
        if child:
            element.kids.append(_element(child, objects))
            if element.kids[-1].role in INLINE:
                texts.append(element.kids[-1].text)
            continue
        mcid = pdfium.FPDF_StructElement_GetChildMarkedContentID(handle, index)
        if mcid >= 0:
            element.kids.append(mcid)
            texts += [item.text for item in objects if item.mcid == mcid]
    element.text = " ".join(texts)
    return element


def reading(pages: list[Page]) -> list[tuple[str, str]]:
    """(role, text) of each element that says something, page by page in tree order: what a screen
    reader reads, in its order. A figure says its alt text; an element with actual text says that; a
    span (a link, words in another language) is read within the element it is in."""
    out = []
    for page in pages:
        for root in page.elements:
            for element in root.walk():
                if element.role in INLINE:
                    continue
                said = (element.alt if element.role == "Figure" else None) or element.actual or element.text
                if said and said.strip():
                    out.append((element.role, " ".join(said.split())))
    return out


def unmarked(pages: list[Page]) -> list[tuple[int, int, str]]:
    """(page, object kind, text) of every page object in no marked-content sequence at all."""
    return [(number, item.kind, item.text) for number, page in enumerate(pages, start=1) for item in page.objects
            if not item.marks]


def artifact_text(pages: list[Page]) -> str:
    return " ".join(item.text for page in pages for item in page.objects if "Artifact" in item.marks)

