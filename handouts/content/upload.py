"""An upload: a file's name and bytes in; an object read as a manifest's path is (open, suffix, str), never saved to disk."""
from __future__ import annotations

import io
from pathlib import PurePath


class Upload:
    """NAME (as the sender's file was called: it starts every message about it) and its DATA, in memory."""

    def __init__(self, name: str, data: bytes):
        self.name = PurePath(name or "manifest").name
        self.data = data

    @property
    def suffix(self) -> str:
        return PurePath(self.name).suffix

    def open(self, mode: str = "rb") -> io.BytesIO:
        if mode != "rb":
            raise ValueError("an upload is read only, as bytes")
        return io.BytesIO(self.data)

    def __str__(self) -> str:
        return self.name
