"""Limits: content values, files and pictures in; problems with their lengths, kinds, sizes and path characters out."""
from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ContentError, ContentErrors, SettingError

# A handout is tens of kilobytes; PyYAML reads about a megabyte a second, so a larger file is refused
# before it is parsed.
MAX_FILE_BYTES = 1_000_000
# No text may hold more than MAX_BODY characters; a line longer than this (UTF-8 at 4 bytes a character,
# with room for escapes and quotes) cannot hold a valid one, and is refused before the parse, in milliseconds.
MAX_LINE_BYTES = 32_000
# Text that wraps and may run onto the next page (paragraphs, list entries, box text, table cells); one
# such text is at most about a page and a half, which keeps its layout time in proportion to its length.
MAX_BODY = 5_000
MAX_CAPTION = 1_000           # alt text and captions
MAX_LINE = 200                # titles, headings, labels, clinic details, patient settings: a line or two
# The id names the PDF files (<mrn>.<id>.<language>.large.pdf); 35 is the length BCP 47 asks software
# to allow for a language tag. Together with the MRN's 20 they keep a file name far below 255 bytes.
MAX_ID = 64
MAX_LANGUAGE = 35
MAX_PATH = 255                # an image or logo path as written in the YAML
MAX_NAME_BYTES = 255          # one folder or file name in it, as the filesystem counts it (UTF-8)
MAX_MEGAPIXELS = 25           # 6.5 by 9 inches at 300 dpi is 5.3 megapixels; a 24-megapixel photo still fits
MAX_PIXELS = MAX_MEGAPIXELS * 1_000_000

_LIMIT_OF_KEY = {
    **dict.fromkeys(("paragraph", "summary", "bullets", "steps", "checklist", "note", "text", "items", "rows"),
                    MAX_BODY),
    **dict.fromkeys(("alt", "caption"), MAX_CAPTION),
    **dict.fromkeys(("title", "heading", "version", "header", "label", "fill_in", "signature", "name", "phone",
                     "after_hours_phone", "emergency_number", "address", "website"), MAX_LINE),
}
# Checked where they are read, each with a limit of its own.
_OWN_RULES = frozenset({"src", "logo", "url"})
_FIXES = {MAX_BODY: "split it into shorter paragraphs, entries or rows",
          MAX_CAPTION: "shorten it; say the rest in a paragraph",
          MAX_LINE: "shorten it"}
_NOT_REGULAR = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
                (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


# --- files -----------------------------------------------------------------------------------------
def _kind(mode: int) -> str | None:
    """What a file of MODE is, when it is not a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")


def not_a_file(path: Path) -> str | None:
    """Why PATH cannot be read as a file ('no such file', 'a named pipe (FIFO)', ...), or None when it can.
    Reading a pipe or a device would wait for a writer or never end."""
    try:
        return _kind(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return "no such file"
    except OSError as error:
        return f"a path the system cannot use ({error.strerror})"
    except ValueError:            # a NUL or an unencodable character in the name
        return "a path the system cannot use"


def read_file(path: Path) -> bytes:
    """The bytes of the regular file at PATH, at most MAX_FILE_BYTES of them; ContentErrors otherwise."""
    def problem(**fields) -> ContentErrors:
        return ContentErrors([ContentError(path, 1, **fields)])
    try:
        # Non-blocking: a FIFO opens at once instead of waiting for a writer, and is then refused.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise problem(message=f"cannot read the file: {error.strerror}") from None
    status = os.fstat(handle)
    if found := _kind(status.st_mode):
        # Asked before fdopen, which refuses a folder with an error of its own (and leaves the handle open).
        os.close(handle)
        raise problem(expected="a regular file", found=found, fix="name a file saved on disk")
    with os.fdopen(handle, "rb") as file:
        try:
            data = file.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise problem(message=f"cannot read the file: {error.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise problem(expected=f"a file of at most {MAX_FILE_BYTES:,} bytes",
                      found=f"{max(status.st_size, len(data)):,} bytes",
                      fix="check that it is the right file; split a very long handout into several")
    _check_line_lengths(path, data)
    return data


def _check_line_lengths(path: Path, data: bytes) -> None:
    start, number = 0, 1
    while start <= len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if end - start > MAX_LINE_BYTES:
            raise ContentErrors([ContentError(
                path, number, expected=f"lines of at most {MAX_LINE_BYTES:,} bytes (a text holds at most "
                                       f"{MAX_BODY:,} characters)", found=f"a line of {end - start:,} bytes",
                fix="split the text into shorter paragraphs, entries or rows")])
        start, number = end + 1, number + 1


def path_problem(name: str, key: str) -> dict[str, str] | None:
    """What is wrong with NAME, the image path at KEY, relative to a YAML file (its length or characters), or None."""
    if len(name) > MAX_PATH:
        return dict(key=key, expected=f"a path of at most {MAX_PATH} characters", found=f"{len(name):,} characters",
                    fix="give the picture a shorter name, in a folder near the YAML file")
    control = next((char for char in name if unicodedata.category(char) in ("Cc", "Cs")), None)
    if control is not None:
        return dict(key=key, expected="a path without control characters", found=f"U+{ord(control):04X}",
                    fix="type the path again")
    longest = max(len(part.encode("utf-8")) for part in name.split("/"))
    if longest > MAX_NAME_BYTES:
        return dict(key=key, expected=f"folder and file names of at most {MAX_NAME_BYTES} bytes (UTF-8)",
                    found=f"a name of {longest} bytes", fix="give the picture a shorter name")
    return None


# --- pictures --------------------------------------------------------------------------------------
def picture_size(path: Path) -> tuple[int, int] | None:
    """Width and height in pixels, read from a PNG or JPEG header without decoding; None for other files."""
    from PIL import JpegImagePlugin, PngImagePlugin
    for kind in (PngImagePlugin.PngImageFile, JpegImagePlugin.JpegImageFile):
        try:
            # The format's own reader, not Image.open: Image.open raises on a bomb before telling its size.
            with kind(str(path)) as image:
                return image.size
        except (OSError, SyntaxError, ValueError):
            continue
    return None


def picture_problem(path: Path, key: str) -> dict[str, str] | None:
    """What is wrong with the picture at PATH (named at KEY), or None when it is a readable PNG or JPEG
    of at most MAX_MEGAPIXELS."""
    size = picture_size(path)
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        width, height = size
        return dict(key=key, expected=f"a picture of at most {MAX_MEGAPIXELS} megapixels",
                    found=f"{width}×{height} ({width * height / 1e6:.1f} megapixels)",
                    fix="save a smaller copy; 2000 pixels across prints sharp across the page")
    found = _decoding_problem(path)
    if found is None:
        return None
    return dict(expected="a readable PNG or JPEG image", found=found, fix="export the picture again")


def _decoding_problem(path: Path) -> str | None:
    from PIL import Image, UnidentifiedImageError
    try:
        # Pillow may warn about an odd image; the library leaves warnings to its caller (the command hides
        # them): catch_warnings would change the filters of every thread at once.
        with Image.open(path) as image:
            if image.format not in ("PNG", "JPEG"):
                return f"a {image.format} image"
            image.load()
    except UnidentifiedImageError:
        return "a file that is not an image"
    except Image.DecompressionBombError:
        return f"a picture of more than {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels"
    except (OSError, SyntaxError, ValueError) as error:
        return f"a damaged image ({error})"
    return None


# --- text --------------------------------------------------------------------------------------------
def text_problems(path: Path, root: Node, default: int) -> list[ContentError]:
    """A problem for each text of the YAML tree at ROOT longer than its key allows (MAX_LINE for a key
    itself, DEFAULT for keys without a limit of their own), found in one walk before anything reads it."""
    problems: list[ContentError] = []
    stack: list[tuple[Node, str | None]] = [(root, None)]
    while stack:
        node, key = stack.pop()
        if isinstance(node, MappingNode):
            for key_node, value in node.value:
                name = key_node.value if isinstance(key_node, ScalarNode) else None
                stack.append((key_node, ""))          # a key itself: a word or a term
                stack.append((value, name if isinstance(name, str) and len(name) <= MAX_LINE else None))
        elif isinstance(node, SequenceNode):
            stack.extend((child, key) for child in node.value)
        elif isinstance(node, ScalarNode) and key not in _OWN_RULES:
            problem = _text_problem(node, key, default)
            if problem is not None:
                problems.append(ContentError(path, node.start_mark.line + 1, **problem))
    return problems


def _text_problem(node: ScalarNode, key: str | None, default: int) -> dict[str, str] | None:
    length = len(node.value.strip())
    if key == "id" and length > MAX_ID:
        return dict(key=key, expected=f"an id of at most {MAX_ID} characters (it names the PDF files)",
                    found=f"{length:,} characters", fix="shorten it")
    if key == "language" and length > MAX_LANGUAGE:
        return dict(key=key, expected=f"a language tag of at most {MAX_LANGUAGE} characters",
                    found=f"{length:,} characters", fix="for example en or es-MX")
    limit = MAX_LINE if key == "" else _LIMIT_OF_KEY.get(key, default)
    if length <= limit:
        return None
    return dict(key=key or None, expected=f"text of at most {limit:,} characters", found=f"{length:,} characters",
                fix=_FIXES.get(limit, "shorten it"))


def check_setting(name: str, value: str) -> None:
    """SettingError when a NAME=VALUE setting's value is longer than MAX_LINE (its value is not shown)."""
    if len(value) > MAX_LINE:
        raise SettingError(name, f"a value of at most {MAX_LINE} characters", f"{len(value):,} characters",
                           "shorten it")
