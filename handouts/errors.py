"""Errors the library raises: structured fields in, one readable line per problem out.

    HandoutError                 base of everything the CLI turns into exit status 1
    ├── ContentError             one problem at PATH:LINE (expected / found / fix)
    ├── ContentErrors            every ContentError found in a run, raised once
    ├── OutputError              a PDF could not be written (folder missing, disk full)
    ├── PrintFileError           a packet could not be read back into the print file
    ├── SettingError             a --set NAME=VALUE option names no placeholder or has a bad value
    ├── FontFileMissing          a TrueType file of fonts/ is not where the package expects it
    └── NoHandoutsFound          a folder given as PATH holds no handout YAML
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class HandoutError(Exception):
    """Base class: anything a user can fix by changing input or options."""


@dataclass(eq=False)
class ContentError(HandoutError):
    path: Path | str
    line: int
    expected: str | None = None
    found: str | None = None
    key: str | None = None
    fix: str | None = None
    message: str | None = None
    warning: bool = False         # printed, but does not stop the run

    def __str__(self) -> str:
        where = ("warning: " if self.warning else "") + (f"{self.key}: " if self.key else "")
        if self.message:
            what = self.message
        else:
            what = f"expected {self.expected}, found {self.found}"
        fix = f"; {self.fix}" if self.fix else ""
        return f"{self.path}:{self.line}: {where}{what}{fix}"


@dataclass(eq=False)
class ContentErrors(HandoutError):
    errors: list[ContentError] = field(default_factory=list)

    def __str__(self) -> str:
        files = len({str(error.path) for error in self.errors})
        noun = "problem" if len(self.errors) == 1 else "problems"
        where = "file" if files == 1 else "files"
        lines = [str(error) for error in self.errors]
        lines.append(f"{len(self.errors)} {noun} in {files} {where}; no PDF written")
        return "\n".join(lines)


@dataclass(eq=False)
class OutputError(HandoutError):
    path: Path | str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: cannot write the PDF: {self.reason}"


@dataclass(eq=False)
class PrintFileError(HandoutError):
    packet: str
    reason: str

    def __str__(self) -> str:
        return f"packet {self.packet}: cannot add it to the print file: {self.reason}; rerun with --force"


@dataclass(eq=False)
class SettingError(HandoutError):
    setting: str
    expected: str
    found: str
    fix: str | None = None

    def __str__(self) -> str:
        fix = f"; {self.fix}" if self.fix else ""
        where = f"--set {self.setting}" if self.setting else "--set"
        return f"{where}: expected {self.expected}, found {self.found}{fix}"


@dataclass(eq=False)
class FontFileMissing(HandoutError):
    path: Path | str

    def __str__(self) -> str:
        return (f"{self.path}: font file missing; run from a checkout that has the fonts/ folder, "
                "installed with pip install -e .")


@dataclass(eq=False)
class NoHandoutsFound(HandoutError):
    path: Path | str

    def __str__(self) -> str:
        return f"{self.path}: expected handout files (*.yaml) in this folder, found none"
