"""Reading PDFs back the way a person would check them: text, fonts, positions, metadata."""
from __future__ import annotations

import re
from pathlib import Path

import pypdfium2
from pypdf import PdfReader

BASE14 = {"Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique", "Helvetica", "Helvetica-Bold",
          "Helvetica-Oblique", "Helvetica-BoldOblique", "Times-Roman", "Times-Bold", "Times-Italic",
          "Times-BoldItalic", "Symbol", "ZapfDingbats"}


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def flat(text: str) -> str:
    """Whitespace folded, so wrapped lines compare as one sentence."""
    return " ".join(text.split())


def all_text(path: Path) -> str:
    return flat(" ".join(page_texts(path)))


def assert_in_order(haystack: str, needles: list[str]) -> None:
    position = 0
    for needle in needles:
        found = haystack.find(flat(needle), position)
        assert found >= 0, f"{needle!r} not found after position {position} in: ...{haystack[position:position + 300]!r}"
        position = found + len(flat(needle))


def fonts(path: Path) -> list[dict]:
    """Every font any page uses: base name (subset tag removed), whether a TrueType file is embedded."""
    found = {}
    for page in PdfReader(path).pages:
        resources = page.get("/Resources")
        stack = [resources]
        while stack:
            res = stack.pop()
            if res is None:
                continue
            res = res.get_object()
            for font in (res.get("/Font") or {}).values():
                font = font.get_object()
                name = re.sub(r"^[A-Z]{6}\+", "", str(font["/BaseFont"]).lstrip("/"))
                descriptor = font.get("/FontDescriptor")
                embedded = bool(descriptor) and "/FontFile2" in descriptor.get_object()
                found[str(font["/BaseFont"])] = {"name": name, "embedded": embedded}
            for xobject in (res.get("/XObject") or {}).values():
                stack.append(xobject.get_object().get("/Resources"))
    return list(found.values())


def char_boxes(path: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Per page: (character, left, bottom, right, top) in points, for every drawn character."""
    pages = []
    document = pypdfium2.PdfDocument(str(path))
    try:
        for page in document:
            textpage = page.get_textpage()
            chars = []
            for index in range(textpage.count_chars()):
                char = textpage.get_text_range(index, 1)
                if char.strip():
                    chars.append((char, *textpage.get_charbox(index)))
            pages.append(chars)
    finally:
        document.close()
    return pages


def page_size(path: Path) -> tuple[float, float]:
    box = PdfReader(path).pages[0].mediabox
    return float(box.width), float(box.height)


def text_runs(path: Path) -> list[list[tuple[str, float, str, float, float]]]:
    """Per page: (text, size in points, font base name, x, baseline y) for every run of text drawn."""
    pages = []
    for page in PdfReader(path).pages:
        runs: list[tuple[str, float, str, float, float]] = []

        def visit(text, cm, tm, font, size):
            if text.strip() and font is not None:
                scale = abs(tm[3]) * abs(cm[3]) or 1.0
                name = re.sub(r"^[A-Z]{6}\+", "", str(font.get("/BaseFont", "")).lstrip("/"))
                runs.append((text, round(size * scale, 2), name, tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))
        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


def squares(path: Path) -> list[list[float]]:
    """Per page: the side of every square drawn with the `re` operator (tick boxes)."""
    from pypdf.generic import ContentStream
    reader = PdfReader(path)
    pages = []
    for page in reader.pages:
        operations = ContentStream(page.get_contents(), reader).operations
        pages.append([float(operands[2]) for operands, operator in operations
                      if operator == b"re" and abs(float(operands[2]) - float(operands[3])) < 0.01])
    return pages


def body_lines(path, geometry) -> list[list[str]]:
    """Per page: the lines drawn inside GEOMETRY's frame (no header, no footer), top to bottom, each
    the text of one baseline from left to right (a list marker and its entry read as one line)."""
    top, bottom = geometry.frame_y + geometry.frame_height, geometry.frame_y
    pages = []
    for runs in text_runs(path):
        baselines: dict[float, list[tuple[float, str]]] = {}
        for text, _, _, x, y in runs:
            if bottom - 1 <= y <= top + 1:
                baselines.setdefault(round(y, 1), []).append((x, text))
        pages.append([" ".join(" ".join(text for _, text in sorted(pieces)).split())
                      for _, pieces in sorted(baselines.items(), reverse=True)])
    return pages
