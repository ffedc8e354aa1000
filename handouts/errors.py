"""Errors the library raises: structured fields in, one readable line per problem out.

    HandoutError                 base of everything the CLI turns into exit status 1
    ├── ContentError             one problem at PATH:LINE (expected / found / fix)
    │   └── NoClinicProfile      a warning at a FOLDER: no clinic.yaml in it or above it
    ├── ContentErrors            every ContentError found in a run, raised once
    ├── OutputError              a PDF, the report or the print file could not be written (disk full, read-only)
    ├── OutputClash              an output would replace an input, or another output of the same run
    ├── PrintFileError           a packet could not be read back into the print file
    ├── SettingError             a --set NAME=VALUE option names no placeholder or has a bad value
    ├── FontFileMissing          a TrueType file of fonts/ is not where the package expects it
    ├── NoHandoutsFound          a folder given as PATH holds no handout YAML
    ├── MailSettingError         an email option (--from, --smtp-user, ...) cannot work as given
    ├── SmtpError                the mail server cannot be used at all (TLS, login); the run stops
    ├── DeliveryError            the server did not take one message: temporary (4xx, lost) or permanent (5xx)
    ├── NotSent                  a row's message was not sent, and where it now waits
    ├── OutboxError              a message could not be written or moved in the outbox folder
    └── OutboxBusy               another run is sending from the same outbox
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class HandoutError(Exception):
    """Base class: anything a user can fix by changing input or options."""


def one_line(text: str) -> str:
    """TEXT with every character that is not printable written as repr writes it (\\t, \\r, \\n, \\x07,
    \\u2028), so a value echoed in a message can neither break it over lines nor hide in it; letters
    such as é stay as they are, and so do backslashes, so escaping twice changes nothing."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


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
        # A problem with the file as a whole (no line of its own) is at its first line: editors count from 1.
        return one_line(f"{self.path}:{max(self.line, 1)}: {where}{what}{fix}")


@dataclass(eq=False)
class NoClinicProfile(ContentError):
    """A warning about a folder, not a line of a file: no clinic profile in it or any folder above it."""

    def __str__(self) -> str:
        where = "warning: " if self.warning else ""
        return one_line(f"{self.path}: {where}{self.message}; {self.fix}")


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
    what: str = "the PDF"         # the report, the print file

    def __str__(self) -> str:
        return one_line(f"{self.path}: cannot write {self.what}: {self.reason}")


@dataclass(eq=False)
class OutputClash(HandoutError):
    path: Path | str              # where the output would go
    output: str                   # "the print file", "the report", "a packet"
    other: str                    # what is there already: "the manifest", "the clinic profile", ...
    other_path: Path | str        # the same file, as it was named for its own role
    fix: str

    def __str__(self) -> str:
        named = "" if str(self.other_path) == str(self.path) else f" ({self.other_path})"
        return one_line(f"{self.path}: cannot write {self.output} there: it is {self.other}{named}; {self.fix}")


@dataclass(eq=False)
class PrintFileError(HandoutError):
    packet: str
    reason: str

    def __str__(self) -> str:
        return one_line(f"packet {self.packet}: cannot add it to the print file: {self.reason}; rerun with --force")


@dataclass(eq=False)
class SettingError(HandoutError):
    setting: str
    expected: str
    found: str
    fix: str | None = None

    def __str__(self) -> str:
        fix = f"; {self.fix}" if self.fix else ""
        where = f"--set {self.setting}" if self.setting else "--set"
        return one_line(f"{where}: expected {self.expected}, found {self.found}{fix}")


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


@dataclass(eq=False)
class MailSettingError(HandoutError):
    option: str
    expected: str
    found: str
    fix: str | None = None

    def __str__(self) -> str:
        fix = f"; {self.fix}" if self.fix else ""
        return one_line(f"{self.option}: expected {self.expected}, found {self.found}{fix}")


@dataclass(eq=False)
class SmtpError(HandoutError):
    server: str                   # host:port
    reason: str
    fix: str
    waiting: int = 0              # messages left in the outbox when the run stopped
    outbox: Path | str = ""

    def __str__(self) -> str:
        left = f"; {self.waiting} waiting in {self.outbox}" if self.waiting else ""
        return one_line(f"{self.server}: {self.reason}; {self.fix}{left}")


@dataclass(eq=False)
class DeliveryError(HandoutError):
    reason: str                   # the server's reply (code and text), or what happened to the connection
    code: int | None = None
    temporary: bool = True
    unreachable: bool = False     # no connection at all: the messages after this one cannot go either

    def __str__(self) -> str:
        if self.code is not None:
            # A multi-line reply comes joined with line breaks.
            return one_line(f"the server answered {self.code} {self.reason}".rstrip())
        return one_line(self.reason)


@dataclass(eq=False)
class NotSent(HandoutError):
    path: Path | str              # the manifest
    line: int
    mrn: str
    reason: str                   # a DeliveryError as text, with the recipient's address taken out
    file: Path | str              # where the message is now
    temporary: bool
    attempts: int = 0             # 0: refused in an earlier run

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: email: MRN {self.mrn} not sent: "
        if self.temporary:
            return one_line(f"{where}{self.reason} ({self.attempts} attempts); it waits in {self.file}: "
                            "run the command again to send it")
        when = "" if self.attempts else "earlier, "
        return one_line(f"{where}{when}{self.reason}; it is in {self.file}: correct the address in the manifest, "
                        "or move the file back into the outbox to try it again as it is")


@dataclass(eq=False)
class OutboxError(HandoutError):
    path: Path | str
    reason: str

    def __str__(self) -> str:
        return one_line(f"{self.path}: cannot write to the outbox: {self.reason}; "
                        "check the folder's space and permissions")


@dataclass(eq=False)
class OutboxBusy(HandoutError):
    path: Path | str

    def __str__(self) -> str:
        return (f"{self.path}: another 'handouts email' is sending from this outbox; wait for it to finish "
                "(two runs at once could send a packet twice)")
