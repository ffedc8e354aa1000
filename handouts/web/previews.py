"""Previews: a packet's PDF bytes and page numbers in; those pages as JPEG images (rendered with PDFium) out."""
from __future__ import annotations

import io
import math
import threading
from typing import Iterable

import pypdfium2

# PDFium is not safe to call from two threads at once (pypdfium2's documentation): one page at a time.
_PDFIUM = threading.Lock()
WIDTH = 640                   # pixels: a page's text readable on a desk screen without zooming (11 pt is 11.5 px)
PAPER_POINTS = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}


def page_images(pdf: bytes, indexes: Iterable[int], width: int = WIDTH) -> dict[int, bytes]:
    """Pages INDEXES (from 0) of PDF as JPEGs WIDTH pixels wide, by index; an index past the end is left out.

    One opening of the document for them all: PDFium reads the fonts once (7 ms a page, against 15 ms for
    a page on its own). JPEG, not PNG: six times faster to encode (27 ms against 170 ms for 11 pages)."""
    images = {}
    with _PDFIUM:
        document = pypdfium2.PdfDocument(pdf)
        try:
            for index in indexes:
                if 0 <= index < len(document):
                    page = document[index]
                    # RGB from PDFium itself: a BGR bitmap costs as much again to turn for the encoder.
                    bitmap = page.render(scale=width / page.get_width(), rev_byteorder=True)
                    images[index] = _jpeg(bitmap.to_pil())
                    page.close()
        finally:
            document.close()
    return images


def _jpeg(picture) -> bytes:
    out = io.BytesIO()
    # Colour at half resolution (JPEG's usual 4:2:0): red text and box edges stay readable at this size, and
    # with the width it is what brings 20 previews at once under a second here (benchmarks/web_preview.py).
    picture.save(out, format="JPEG", quality=85, subsampling=2)
    return out.getvalue()


def image_size(paper: str, width: int = WIDTH) -> tuple[int, int]:
    """A page image's size in pixels, so the page holds its place before the image comes."""
    points_wide, points_high = PAPER_POINTS[paper]
    return width, math.ceil(width * points_high / points_wide)        # as PDFium sizes its bitmap
