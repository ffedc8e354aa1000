"""A PyYAML error met while a YAML file is read as a stream → one ContentError at its line (never line 0)."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

import yaml

from ..errors import ContentError

_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")     # what YAML counts as a line break
_CHUNK = 1 << 16


def stream_problem(path: Path, error: yaml.YAMLError, fix: str) -> ContentError:
    """ERROR as a problem at its line of PATH; FIX says what to do about it."""
    if isinstance(error, yaml.reader.ReaderError):
        # The reader's errors carry no line, only a position: bytes into the file for bytes it could not
        # decode, characters into the text for a character YAML does not allow.
        if error.encoding != "unicode":
            line = _line_at(path, error.position, error.encoding, in_bytes=True)
            return ContentError(path, line, expected="UTF-8 text", found="bytes in another encoding",
                                fix=f"save the file as UTF-8, then {fix}")
        line = _line_at(path, error.position, _encoding(path), in_bytes=False)
        return ContentError(path, line, expected="printable text",
                            found=f"the control character U+{error.character:04X}",
                            fix=f"delete it (it is invisible in most editors), then {fix}")
    mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
    return ContentError(path, mark.line + 1 if mark else 1,
                        message=f"the YAML cannot be read here ({getattr(error, 'problem', None) or error})",
                        fix=f"fix it and {fix}")


def _encoding(path: Path) -> str:
    """The encoding PyYAML reads PATH in: UTF-16 after its byte-order mark, else UTF-8."""
    with path.open("rb") as file:
        start = file.read(2)
    return {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}.get(start, "utf-8")


def _line_at(path: Path, position: int, encoding: str, in_bytes: bool) -> int:
    """The line (from 1) of POSITION in PATH, counted in bytes or in characters; read in chunks, so a
    long file needs no more memory than a short one."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    breaks, done, held = 0, 0, ""
    with path.open("rb") as file:
        while done < position:
            chunk = file.read(min(_CHUNK, position - done) if in_bytes else _CHUNK)
            if not chunk:
                break
            text = decoder.decode(chunk)
            if in_bytes:
                done += len(chunk)
            else:
                text = text[:position - done]
                done += len(text)
            # A CR at the end of a chunk may be the first half of a CRLF: count it with what follows.
            text, held = held + text, ""
            if text.endswith("\r") and done < position:
                text, held = text[:-1], "\r"
            breaks += len(_BREAK.findall(text))
    return breaks + len(_BREAK.findall(held)) + 1
