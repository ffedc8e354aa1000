"""What the library tells: errors raised, warnings and results reported, each one line, options in the caller's words."""
from __future__ import annotations

from collections import ChainMap
from dataclasses import dataclass, field, fields
from pathlib import Path
from string import Formatter
from types import MappingProxyType
from typing import Mapping

# Told (str() in neutral words; text(names) in the caller's)
# ├── HandoutError               raised: anything a user can fix by changing input or options (CLI: exit status 1)
# │   ├── ContentError           one problem at PATH:LINE (expected / found / fix)
# │   ├── PathError              one problem with a file or folder as a whole
# │   ├── ContentErrors          every ContentError found in a run, raised once
# │   ├── OutputError            a PDF, the report or the print file could not be written (disk full, read-only)
# │   ├── OutputClash            an output would replace an input, or another output of the same run
# │   ├── PrintFileError         a packet could not be read back into the print file
# │   ├── SettingError           a patient setting (NAME=VALUE) names no placeholder or has a bad value
# │   ├── AccountError           a staff user name or password for the web page that cannot be used
# │   ├── FontFileMissing        a TrueType file of fonts/ is not where the package expects it
# │   ├── NoHandoutsFound        a folder given as PATH holds no handout YAML
# │   ├── MailSettingError       an email option (the sender, the SMTP user, ...) cannot work as given
# │   ├── SmtpError              the mail server cannot be used at all (TLS, login); the run stops
# │   ├── DeliveryError          the server did not take one message: temporary (4xx, lost) or permanent (5xx)
# │   ├── OutboxError            a message could not be written or moved in the outbox folder
# │   └── OutboxBusy             another run is sending from the same outbox
# ├── HandoutWarning             reported, never raised: the run goes on
# │   ├── ContentWarning         a warning at PATH:LINE, with ContentError's fields
# │   └── PathWarning            a warning about a file or folder as a whole
# │       └── NoClinicProfile    no clinic.yaml in a folder or any folder above it
# └── NotSent                    a result, not raised: a row's message was not sent, and where it now waits
# (printing's own are in printerrors.py)

# What a caller can change, by the name messages give it, in words any front end can show. The CLI
# names each as its flag (or its environment variable) instead: it passes its own words to text().
OPTIONS: Mapping[str, str] = MappingProxyType({
    "force": "the force option", "allow_expired": "the option to allow expired content",
    "set": "setting", "clinic": "the clinic option",
    "from": "the sender", "reply_to": "the reply-to address", "subject": "the subject",
    "smtp_user": "the SMTP user", "smtp_port": "the SMTP port", "ssl": "implicit TLS",
    "cafile": "the CA file", "encrypt": "encryption", "max_size": "the size limit", "password": "the password",
    # Printing.
    "printer": "the printer", "duplex": "two-sided printing", "media": "the paper size", "copies": "copies",
    "wait": "waiting for each job to print", "print_run": "print run",
    # A packet's own details, where one packet is sent from a form.
    "email": "the email address", "dob": "the date of birth", "handouts": "the handouts",
    # The runs and listings a front end offers, by what they do.
    "email_run": "email run", "list": "list the handouts of the content folder",
    # Where a front end that reads them from the environment says so; nothing to say otherwise.
    "where_cafile": "", "where_password": "", "keep_password": "",
})


@dataclass(frozen=True)
class Worded:
    """Library text that names options as {name} (a key of OPTIONS). Built from literals only: a value
    from input never goes into one, so every brace in it is a name."""

    template: str

    @property
    def options(self) -> tuple[str, ...]:
        """The options it names, by their keys in OPTIONS: what a caller can change to get past it."""
        return tuple(name for _, name, _, _ in Formatter().parse(self.template) if name)

    def __call__(self, words: Mapping[str, str]) -> str:
        return self.template.format_map(words)

    def __str__(self) -> str:
        return self(OPTIONS)


def _worded(value: str | Worded | None, words: Mapping[str, str]) -> str | None:
    return value(words) if isinstance(value, Worded) else value


def one_line(text: str) -> str:
    """TEXT with every character that is not printable written as repr writes it (\\t, \\r, \\n, \\x07,
    \\u2028), so a value echoed in a message can neither break it over lines nor hide in it; letters
    such as é stay as they are, and so do backslashes, so escaping twice changes nothing."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


class Told:
    """Anything the library tells: str() names options in neutral words (OPTIONS), text(NAMES) as the
    caller names them (a key NAMES lacks keeps its neutral words)."""

    def text(self, names: Mapping[str, str] | None = None) -> str:
        return self._said(ChainMap(names, OPTIONS) if names is not None else OPTIONS)

    def __str__(self) -> str:
        return self._said(OPTIONS)

    def _said(self, words: Mapping[str, str]) -> str:
        raise NotImplementedError


class HandoutError(Told, Exception):
    """Base class: anything a user can fix by changing input or options."""


class HandoutWarning(Told):
    """Base class of warnings. Not an exception: a warning is reported and the run goes on, so no
    `except` can take one for an error and no `raise` can stop a run with one."""


@dataclass(eq=False)
class _AtLine(Told):
    path: Path | str
    line: int
    expected: str | Worded | None = None
    found: str | None = None
    key: str | None = None
    fix: str | Worded | None = None
    message: str | None = None
    _LABEL = ""

    def _said(self, words: Mapping[str, str]) -> str:
        where = self._LABEL + (f"{self.key}: " if self.key else "")
        # A problem with the file as a whole (no line of its own) is at its first line: editors count from 1.
        return one_line(f"{self.path}:{max(self.line, 1)}: {where}{self.detail(words)}")

    def detail(self, names: Mapping[str, str] | None = None) -> str:
        """What is wrong and the fix, without where: for a form that shows it beside its field."""
        words = ChainMap(names, OPTIONS) if names is not None else OPTIONS
        what = self.message or f"expected {_worded(self.expected, words)}, found {self.found}"
        fix = _worded(self.fix, words)
        return one_line(f"{what}{f'; {fix}' if fix else ''}")


@dataclass(eq=False)
class ContentError(_AtLine, HandoutError):
    """One problem at PATH:LINE."""


@dataclass(eq=False)
class ContentWarning(_AtLine, HandoutWarning):
    """One warning at PATH:LINE."""

    _LABEL = "warning: "

    def as_problem(self) -> ContentError:
        """The same finding as a problem (where warnings count as problems)."""
        return ContentError(**{item.name: getattr(self, item.name) for item in fields(self)})


@dataclass(eq=False)
class _AtPath(Told):
    path: Path | str
    message: str
    fix: str
    line = 0                      # not a field: sorted with a file's findings, a folder's come first
    _LABEL = ""

    def _said(self, words: Mapping[str, str]) -> str:
        return one_line(f"{self.path}: {self._LABEL}{self.message}; {self.fix}")


@dataclass(eq=False)
class PathError(_AtPath, HandoutError):
    """A problem with a file or folder as a whole, not a line of it."""


@dataclass(eq=False)
class PathWarning(_AtPath, HandoutWarning):
    """A warning about a file or folder as a whole, not a line of it."""

    _LABEL = "warning: "

    def as_problem(self) -> PathError:
        return PathError(self.path, self.message, self.fix)


@dataclass(eq=False)
class NoClinicProfile(PathWarning):
    """No clinic profile in a folder or any folder above it."""


@dataclass(eq=False)
class ContentErrors(HandoutError):
    errors: list[ContentError] = field(default_factory=list)

    def _said(self, words: Mapping[str, str]) -> str:
        files = len({str(error.path) for error in self.errors})
        noun = "problem" if len(self.errors) == 1 else "problems"
        where = "file" if files == 1 else "files"
        lines = [error._said(words) for error in self.errors]
        lines.append(f"{len(self.errors)} {noun} in {files} {where}; no PDF written")
        return "\n".join(lines)


@dataclass(eq=False)
class OutputError(HandoutError):
    path: Path | str
    reason: str
    what: str = "the PDF"         # the report, the print file

    def _said(self, words: Mapping[str, str]) -> str:
        return one_line(f"{self.path}: cannot write {self.what}: {self.reason}")


@dataclass(eq=False)
class OutputClash(HandoutError):
    path: Path | str              # where the output would go
    output: str                   # "the print file", "the report", "a packet"
    other: str                    # what is there already: "the manifest", "the clinic profile", ...
    other_path: Path | str        # the same file, as it was named for its own role
    fix: str

    def _said(self, words: Mapping[str, str]) -> str:
        named = "" if str(self.other_path) == str(self.path) else f" ({self.other_path})"
        return one_line(f"{self.path}: cannot write {self.output} there: it is {self.other}{named}; {self.fix}")


@dataclass(eq=False)
class PrintFileError(HandoutError):
    packet: str
    reason: str
    option = "force"              # what gets past it: rebuilding the packet

    def _said(self, words: Mapping[str, str]) -> str:
        return one_line(f"packet {self.packet}: cannot add it to the print file: {self.reason}; "
                        f"rerun with {words[self.option]}")


@dataclass(eq=False)
class SettingError(HandoutError):
    setting: str                  # "patient.dob"; "" when the NAME=VALUE text has no name
    expected: str | Worded
    found: str
    fix: str | Worded | None = None
    option = "set"                # what a patient setting is given with

    def _said(self, words: Mapping[str, str]) -> str:
        fix = _worded(self.fix, words)
        where = f"{words[self.option]} {self.setting}" if self.setting else words[self.option]
        return one_line(f"{where}: expected {_worded(self.expected, words)}, found {self.found}"
                        f"{f'; {fix}' if fix else ''}")


@dataclass(eq=False)
class AccountError(HandoutError):
    """A staff user name or password that cannot be used as given."""

    what: str                     # "user name" or "password"
    expected: str
    found: str
    fix: str | None = None

    def _said(self, words: Mapping[str, str]) -> str:
        return one_line(f"{self.what}: expected {self.expected}, found {self.found}{f'; {self.fix}' if self.fix else ''}")


@dataclass(eq=False)
class FontFileMissing(HandoutError):
    path: Path | str

    def _said(self, words: Mapping[str, str]) -> str:
        return (f"{self.path}: font file missing; run from a checkout that has the fonts/ folder, "
                "installed with pip install -e .")


@dataclass(eq=False)
class NoHandoutsFound(HandoutError):
    path: Path | str

    def _said(self, words: Mapping[str, str]) -> str:
        return f"{self.path}: expected handout files (*.yaml) in this folder, found none"


@dataclass(eq=False)
class MailSettingError(HandoutError):
    option: str                   # a key of OPTIONS: "from", "smtp_user", "cafile", ...
    expected: str | Worded
    found: str
    fix: str | Worded | None = None

    def _said(self, words: Mapping[str, str]) -> str:
        fix = _worded(self.fix, words)
        return one_line(f"{words[self.option]}: expected {_worded(self.expected, words)}, found {self.found}"
                        f"{f'; {fix}' if fix else ''}")


@dataclass(eq=False)
class SmtpError(HandoutError):
    server: str                   # host:port
    reason: str
    fix: str | Worded
    waiting: int = 0              # messages left in the outbox when the run stopped
    outbox: Path | str = ""

    def _said(self, words: Mapping[str, str]) -> str:
        left = f"; {self.waiting} waiting in {self.outbox}" if self.waiting else ""
        return one_line(f"{self.server}: {self.reason}; {_worded(self.fix, words)}{left}")


@dataclass(eq=False)
class DeliveryError(HandoutError):
    reason: str                   # the server's reply (code and text), or what happened to the connection
    code: int | None = None
    temporary: bool = True
    unreachable: bool = False     # no connection at all: the messages after this one cannot go either

    def _said(self, words: Mapping[str, str]) -> str:
        if self.code is not None:
            # A multi-line reply comes joined with line breaks.
            return one_line(f"the server answered {self.code} {self.reason}".rstrip())
        return one_line(self.reason)


@dataclass(frozen=True, eq=False)
class NotSent(Told):
    """A row's message that was not sent, and where it now waits: a result the run reports as it goes on
    to the next message, so it is never raised."""

    path: Path | str              # the manifest
    line: int
    mrn: str
    reason: str                   # a DeliveryError as text, with the recipient's address taken out
    file: Path | str              # where the message is now
    temporary: bool
    attempts: int = 0             # 0: refused in an earlier run

    def _said(self, words: Mapping[str, str]) -> str:
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

    def _said(self, words: Mapping[str, str]) -> str:
        return one_line(f"{self.path}: cannot write to the outbox: {self.reason}; "
                        "check the folder's space and permissions")


@dataclass(eq=False)
class OutboxBusy(HandoutError):
    path: Path | str

    def _said(self, words: Mapping[str, str]) -> str:
        return (f"{self.path}: another {words['email_run']} is sending from this outbox; wait for it to finish "
                "(two runs at once could send a packet twice)")
