"""Pictures: images with alt text and QR codes with their address (YAML in, model, texts and flowables out)."""
from __future__ import annotations

import re

from .. import model
from .kind import BlockType, present

MAX_URL_LENGTH = 400


def _read_image(reader, node):
    fields = reader.mapping(node, "an image", required=("src", "alt"), optional=("caption", "width"))
    if not fields:
        return None
    src = reader.image_file(fields["src"], "image") if "src" in fields else None
    alt = reader.text(fields["alt"], "alt text describing the image") if "alt" in fields else None
    caption = reader.optional_text(fields, "caption")
    width = reader.number(fields["width"], "a width in inches", 0.5, 6.5) if "width" in fields else None
    return model.Image(src, alt, caption, width) if src and alt else None


def _read_qr(reader, node):
    fields = reader.mapping(node, "a QR code", required=("url",), optional=("caption",))
    if not fields or "url" not in fields:
        return None
    url = reader.text(fields["url"], "an https URL")
    if url and len(url) > MAX_URL_LENGTH:
        reader.error(fields["url"],
                     expected=f"a URL of at most {MAX_URL_LENGTH} characters, short enough for a QR code",
                     found=f"{len(url)} characters", fix="use a shorter link")
        url = None
    elif url and not re.fullmatch(r"https://[^\s/]+\.[^\s]+", url):
        reader.error(fields["url"], expected="an https:// URL without spaces", found=f"'{url}'")
        url = None
    caption = reader.optional_text(fields, "caption")
    return model.QR(url, caption) if url else None


IMAGE = BlockType(
    "image", model.Image, _read_image,
    texts=lambda block: present(block.alt, block.caption),
    lay_out=lambda block, kit: [kit.picture(block.src, block.alt, block.width, block.caption)],
    role="Figure")

QR = BlockType(
    "qr", model.QR, _read_qr,
    texts=lambda block: present(block.caption, block.url),     # as printed: the caption above
    lay_out=lambda block, kit: [kit.qr(block.url, block.caption)],
    role="Figure")
