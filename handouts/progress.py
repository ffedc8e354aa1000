"""Progress: a manifest and each row done in; a one-line progress bar for a terminal out."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

WIDTH = 30


class Progress:
    """Rows done of (about) the rows in the manifest, drawn over itself on one line through WRITE."""

    def __init__(self, manifest: Path, write: Callable[[str], None]):
        with manifest.open("rb") as file:
            self.total = max(1, sum(chunk.count(b"\n") or chunk.count(b"\r")     # CR alone: "CSV (Macintosh)"
                                    for chunk in iter(lambda: file.read(1 << 20), b"")) - 1)
        self.done = 0
        self.write = write

    def update(self) -> None:
        self.done += 1
        filled = min(WIDTH, WIDTH * self.done // self.total)
        self.write(f"\r[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total} rows")

    def clear(self) -> None:
        self.write("\r\033[K")

    def finish(self) -> None:
        self.clear()
