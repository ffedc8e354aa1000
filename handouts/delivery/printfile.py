"""Print files: packet PDFs, one after another, in; one PDF for a single print job out, written as it goes."""
# Each packet is read, its pages copied and written out before the next packet is opened, so the memory used
# does not grow with the number of packets. Fonts and images that are byte for byte the same in several
# packets (packets rendered for one batch share their font subsets) are stored once.
from __future__ import annotations

import hashlib
import io
import os
from array import array
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from . import outputs
from ..errors import OutputError, PrintFileError

_CATALOG, _PAGES, _OUTLINES = 1, 2, 3
_GROUP = 200              # pages under one intermediate /Pages node


@dataclass(frozen=True)
class PrintSummary:
    path: Path | None             # None: made in memory
    packets: int
    pages: int
    blank_pages: int
    size: int


class PrintFile:
    """`with PrintFile(path, duplex) as out: out.add(pdf, label)` -> PATH, renamed into place on success;
    with no PATH, the file is made in memory and its bytes are `data` once closed."""

    def __init__(self, path: Path | None, duplex: bool = False):
        self.path, self.duplex = path, duplex
        self.data = b""
        self._temporary: Path | None = None
        if path is None:
            self._file = io.BytesIO()
        else:
            try:
                handle, self._temporary = outputs.temporary(path.parent)
            except OSError as error:
                raise OutputError(path, outputs.reason(error), "the print file") from None
            self._file = os.fdopen(handle, "wb")
        self._offsets = array("Q", [0, 0, 0, 0])    # by object number; 0 is the free entry
        self._groups: list[tuple[int, array]] = []  # (intermediate /Pages number, its page numbers)
        self._outline: list[tuple[str, int]] = []   # (label, first page's object number)
        self._shared: dict[bytes, int] = {}
        self.packets = self.pages = self.blank_pages = 0
        self._writing(self._file.write, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def __enter__(self) -> "PrintFile":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    # --- objects -------------------------------------------------------------------------------
    def _allocate(self) -> int:
        self._offsets.append(0)
        return len(self._offsets) - 1

    def _write_object(self, number: int, body: bytes) -> None:
        self._offsets[number] = self._file.tell()
        self._file.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def _page_parent(self) -> int:
        if not self._groups or len(self._groups[-1][1]) >= _GROUP:
            self._groups.append((self._allocate(), array("Q")))
        return self._groups[-1][0]

    # --- packets -------------------------------------------------------------------------------
    def add(self, source: Path | bytes, label: str) -> int:
        """Append every page of the packet SOURCE, with an outline entry LABEL; returns its page count."""
        try:
            reader = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)
            pages = list(reader.pages)
        except (OSError, PdfReadError, ValueError) as error:
            raise PrintFileError(label, str(error)) from None
        return self._writing(self._copy, pages, label)

    def _writing(self, write, *args):
        """WRITE(*ARGS); a failed write (a full disk) leaves no temporary file and raises OutputError."""
        try:
            return write(*args)
        except OSError as error:
            self.abort()
            raise OutputError(self.path, outputs.reason(error), "the print file") from None

    def _copy(self, pages: list, label: str) -> int:
        copier = _Copier(self)
        numbers = [self._allocate() for _ in pages]
        for page, number in zip(pages, numbers):
            copier.known[page.indirect_reference.idnum] = number
        for page, number in zip(pages, numbers):
            parent = self._page_parent()
            # A print file is untagged: its pages keep no key into a packet's structure tree.
            body = copier.dictionary(page, skip=("/Parent", "/StructParents"), extra=b"/Parent %d 0 R" % parent)
            self._write_object(number, body)
            self._groups[-1][1].append(number)
        if numbers:
            self._outline.append((label, numbers[0]))
        if self.duplex and len(pages) % 2:
            self._blank_page(pages[-1].mediabox)
        self.packets += 1
        self.pages += len(pages)
        return len(pages)

    def _blank_page(self, mediabox) -> None:
        box = " ".join(f"{float(value):g}" for value in mediabox)
        number = self._allocate()
        parent = self._page_parent()
        self._write_object(number, f"<< /Type /Page /Parent {parent} 0 R /MediaBox [{box}] /Resources << >> >>"
                           .encode())
        self._groups[-1][1].append(number)
        self.blank_pages += 1

    # --- the end -------------------------------------------------------------------------------
    def close(self) -> PrintSummary:
        self._writing(self._finish)
        return PrintSummary(self.path, self.packets, self.pages + self.blank_pages, self.blank_pages,
                            self.path.stat().st_size if self.path is not None else len(self.data))

    def _finish(self) -> None:
        kids = []
        for number, members in self._groups:
            refs = " ".join(f"{member} 0 R" for member in members)
            self._write_object(number, f"<< /Type /Pages /Parent {_PAGES} 0 R /Kids [{refs}] /Count {len(members)} >>"
                               .encode())
            kids.append(f"{number} 0 R")
        total = sum(len(members) for _, members in self._groups)
        self._write_object(_PAGES, f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {total} >>".encode())
        self._write_outline()
        self._write_object(_CATALOG, f"<< /Type /Catalog /Pages {_PAGES} 0 R /Outlines {_OUTLINES} 0 R "
                                     "/PageMode /UseOutlines >>".encode())
        xref = self._file.tell()
        lines = [b"xref\n0 %d\n" % len(self._offsets), b"0000000000 65535 f \n"]
        lines += [b"%010d 00000 n \n" % offset for offset in self._offsets[1:]]
        self._file.write(b"".join(lines))
        self._file.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                         % (len(self._offsets), _CATALOG, xref))
        if self._temporary is None:
            self.data = self._file.getvalue()
        else:
            outputs.put_in_place(self._file, self._temporary, self.path)

    def _write_outline(self) -> None:
        items = [(label, page, self._allocate()) for label, page in self._outline]
        for index, (label, page, number) in enumerate(items):
            links = f"/Parent {_OUTLINES} 0 R"
            if index:
                links += f" /Prev {items[index - 1][2]} 0 R"
            if index + 1 < len(items):
                links += f" /Next {items[index + 1][2]} 0 R"
            self._write_object(number, b"<< /Title " + _pdf_string(label) +
                               f" {links} /Dest [{page} 0 R /Fit] >>".encode())
        ends = f" /First {items[0][2]} 0 R /Last {items[-1][2]} 0 R" if items else ""
        self._write_object(_OUTLINES, f"<< /Type /Outlines /Count {len(items)}{ends} >>".encode())

    def abort(self) -> None:
        if self._temporary is None:
            self._file.close()
        else:
            outputs.discard(self._file, self._temporary)


class _Copier:
    """Writes the objects one packet's pages refer to, each once, under the print file's numbers."""

    def __init__(self, out: PrintFile):
        self.out = out
        self.known: dict[int, int] = {}       # packet object number -> print file object number

    def reference(self, ref: IndirectObject, shared: bool) -> bytes:
        number = self.known.get(ref.idnum)
        if number is None:
            number = self._copy(ref, shared)
        return b"%d 0 R" % number

    def _copy(self, ref: IndirectObject, shared: bool) -> int:
        obj = ref.get_object()
        if not shared:
            # Numbered before its contents are written, so an object that points back at it is fine.
            number = self.known[ref.idnum] = self.out._allocate()
            self.out._write_object(number, self.value(obj, shared))
            return number
        body = self.value(obj, shared)
        digest = hashlib.sha256(body).digest()
        number = self.out._shared.get(digest)
        if number is None:
            number = self.out._shared[digest] = self.out._allocate()
            self.out._write_object(number, body)
        self.known[ref.idnum] = number
        return number

    def value(self, obj, shared: bool) -> bytes:
        if isinstance(obj, IndirectObject):
            return self.reference(obj, shared)
        if isinstance(obj, StreamObject):
            data = obj._data                  # as stored (still compressed): copied, never re-encoded
            head = self.dictionary(obj, shared, skip=("/Length",), extra=b"/Length %d" % len(data))
            return head + b"\nstream\n" + data + b"\nendstream"
        if isinstance(obj, DictionaryObject):
            return self.dictionary(obj, shared)
        if isinstance(obj, ArrayObject):
            return b"[" + b" ".join(self.value(item, shared) for item in obj) + b"]"
        buffer = io.BytesIO()
        obj.write_to_stream(buffer)
        return buffer.getvalue()

    def dictionary(self, obj: DictionaryObject, shared: bool = False, skip: tuple[str, ...] = (),
                   extra: bytes = b"") -> bytes:
        parts = [b"<<"]
        for key, value in obj.items():
            if key in skip:
                continue
            # Fonts and pictures are what packets have in common; everything else is the packet's own.
            parts.append(_name(key))
            parts.append(self.value(value, shared or key == "/Resources"))
        if extra:
            parts.append(extra)
        parts.append(b">>")
        return b" ".join(parts)


def _name(key: str) -> bytes:
    buffer = io.BytesIO()
    NameObject(key).write_to_stream(buffer)
    return buffer.getvalue()


def _pdf_string(text: str) -> bytes:
    """TEXT as a PDF text string: UTF-16 with a byte-order mark, so any letter survives."""
    return b"<" + ("\ufeff" + text).encode("utf-16-be").hex().encode() + b">"
