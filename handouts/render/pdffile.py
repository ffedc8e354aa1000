"""The file: a ReportLab document, every page shown, in; PDF 1.7 bytes with its dictionaries in object streams out."""
from __future__ import annotations

import struct
import zlib

from reportlab.pdfbase import pdfdoc

# Dictionaries per object stream: a reader decompresses a whole stream to reach one of them, and a
# handout or a packet of a few has fewer than this (one stream compresses its dictionaries best).
PER_STREAM = 1000
_HEADER = b"%PDF-1.7\n%\x93\x8c\x8b\x9e handouts\n"
_RAW = "handouts_raw_objects"     # the document's objects given as bytes: number -> body


def new_object(doc: pdfdoc.PDFDocument, body: bytes = b"") -> int:
    """A new object number in DOC for a dictionary written as the bytes given (now, or with set_object).

    For the hundreds of small dictionaries of a structure tree: registering and formatting each as a
    ReportLab object took longer than drawing a page."""
    doc.objectcounter += 1       # what ReportLab numbers next comes after it
    raw = doc.__dict__.get(_RAW)
    if raw is None:
        raw = doc.__dict__[_RAW] = {}
    raw[doc.objectcounter] = body
    return doc.objectcounter


def set_object(doc: pdfdoc.PDFDocument, number: int, body: bytes) -> None:
    doc.__dict__[_RAW][number] = body


def write(doc: pdfdoc.PDFDocument, canvas) -> bytes:
    """DOC as a PDF file whose dictionaries (pages, fonts, the structure tree: most of a tagged PDF's
    objects) are packed into Flate-compressed object streams, indexed by a cross-reference stream.

    ReportLab writes each object on its own with a 20-byte line of a plain cross-reference table; a
    structure tree has an object per paragraph, list entry and table cell, which would make a tagged
    handout nearly twice as large. Streams (page content, fonts, pictures) are written as ReportLab
    writes them. What goes in is what SaveToFile would have formatted, in the same order."""
    if doc.encrypt.info() is not None or getattr(doc, "_digiSigs", None):
        # Nothing here encrypts or signs with ReportLab (email encryption comes after, with pypdf).
        raise ValueError("a ReportLab document to encrypt or sign: write it with ReportLab's own writer")
    for font in doc.delayedFonts:
        font.addObjects(doc)
    doc.info.invariant = doc.invariant
    doc.info.digest(doc.signature)
    doc.Reference(doc.Catalog)
    doc.Reference(doc.info)
    doc.Outlines.prepare(doc, canvas)
    if doc.Outlines.ready < 0:
        doc.Catalog.Outlines = None
    out = [_HEADER]
    offset = len(_HEADER)
    entries: dict[int, tuple[int, int, int]] = {}     # object number -> (type, field 2, field 3)
    packed: list[tuple[int, bytes]] = []
    raw = doc.__dict__.get(_RAW, {})
    number = 0
    while number < doc.objectcounter:      # formatting may register more objects: go on until none is left
        number += 1
        if number in raw:
            packed.append((number, raw[number]))
            continue
        obj = doc.idToObject[doc.numberToId[number]]
        body = pdfdoc.format(obj, doc, toplevel=1)
        if body.rstrip().endswith(b"endstream"):
            piece = b"%d 0 obj\n%s\nendobj\n" % (number, body)
            entries[number] = (1, offset, 0)
            out.append(piece)
            offset += len(piece)
        else:
            packed.append((number, body))
    total = number
    for start in range(0, len(packed), PER_STREAM):
        total += 1
        group = packed[start:start + PER_STREAM]
        for index, (packed_number, _) in enumerate(group):
            entries[packed_number] = (2, total, index)
        piece = _object_stream(total, group)
        entries[total] = (1, offset, 0)
        out.append(piece)
        offset += len(piece)
    total += 1
    entries[total] = (1, offset, 0)
    out.append(_xref_stream(doc, total, entries))
    out.append(b"startxref\n%d\n%%%%EOF\n" % offset)
    return b"".join(out)


def _object_stream(number: int, group: list[tuple[int, bytes]]) -> bytes:
    index, bodies, position = [], [], 0
    for packed_number, body in group:
        index.append(b"%d %d" % (packed_number, position))
        bodies.append(body)
        position += len(body) + 1
    head = b" ".join(index) + b"\n"
    data = zlib.compress(head + b"\n".join(bodies))
    return (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\n"
            b"endstream\nendobj\n" % (number, len(group), len(head), len(data), data))


def _xref_stream(doc: pdfdoc.PDFDocument, number: int, entries: dict[int, tuple[int, int, int]]) -> bytes:
    # Offsets in 2 bytes when they fit (most handouts), else 4; the third field holds 65535.
    wide = max(entry[1] for entry in entries.values()) > 0xFFFF
    fields = [0, 0, 65535]
    for n in range(1, number + 1):
        fields += entries[n]
    data = zlib.compress(struct.pack(">" + ("BIH" if wide else "BHH") * (number + 1), *fields))
    root = pdfdoc.format(doc.Reference(doc.Catalog), doc)
    info = pdfdoc.format(doc.Reference(doc.info), doc)
    digest = doc.signature.digest().hex().encode()
    identifier = b"[<%s> <%s>]" % (digest, digest)
    return (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 %d %d] /Root %s /Info %s /ID %s /Filter /FlateDecode "
            b"/Length %d >>\nstream\n%s\nendstream\nendobj\n" % (number, number + 1, 4 if wide else 2, 2, root,
                                                                 info, identifier, len(data), data))
