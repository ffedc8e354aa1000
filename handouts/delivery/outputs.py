"""Output files: checked against what the run reads; written through temporary files a later run can tell from a live run's."""
from __future__ import annotations

import errno
import json
import os
import re
import secrets
from pathlib import Path
from typing import IO, Iterable

from .. import model
from ..errors import OutputClash, OutputError

try:
    import fcntl
except ImportError:          # Windows: a file some process has open cannot be removed, which is lock enough
    fcntl = None

# Temporary names: this prefix, eight of [a-z0-9_] (as mkstemp makes them), this suffix. No other file
# is ours to remove.
_PART_PREFIX, _PART_SUFFIX = ".handouts-", ".part"
_PART_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"
_PART_NAME = re.compile(r"\.handouts-[a-z0-9_]{8}\.part")
_ATTEMPTS = 5
_NAMES_TRIED = 100
# As mkstemp opens: a new file only, never through a link; binary on Windows.
_NEW_FILE = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
PUBLIC, PRIVATE = 0o666, 0o600       # modes before the umask: as open() makes a file; the outbox's own


def lock_or_fail(fd: int) -> None:
    """Hold an exclusive lock on the open file FD until it is closed; OSError at once if another holds it."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    else:
        import msvcrt
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)


def logged_keys(path: Path) -> set[str]:
    """The "key" of each JSON line of the log at PATH (none if it is missing); a line cut short by a crash
    counts as not written."""
    if not path.is_file():
        return set()
    keys = set()
    with path.open(encoding="utf-8") as file:
        for line in file:
            try:
                keys.add(json.loads(line)["key"])
            except (ValueError, KeyError, TypeError):
                continue
    return keys


def log_durably(path: Path, record: dict) -> None:
    """Append RECORD to the log at PATH as one JSON line, on disk before returning (OSError if it cannot be)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as file:
        file.write(json.dumps(record, sort_keys=True) + "\n")
        file.flush()
        os.fsync(file.fileno())


def reason(error: OSError) -> str:
    """ERROR as a user reads it; making a folder where a file is says "File exists", which misleads."""
    if error.errno in (errno.EEXIST, errno.ENOTDIR):
        return "Not a directory"
    return error.strerror or str(error)


# --- writing a whole file at once ----------------------------------------------------------------------
def write_atomically(path: Path, data: bytes, what: str = "the PDF") -> None:
    """Write DATA to PATH through a temporary file in the same folder, so no reader sees half a file;
    raises OutputError (about WHAT PATH is) and leaves no temporary file."""
    try:
        replace_with(path, data)
    except OSError as error:
        raise OutputError(path, reason(error), what) from None


def replace_with(path: Path, data: bytes, mode: int = PUBLIC) -> None:
    """Write DATA to PATH through a temporary file in the same folder, created with MODE less the umask
    (PRIVATE for a file only its user may read). Raises OSError, leaving no temporary file."""
    handle, part = temporary(path.parent, mode)
    file = os.fdopen(handle, "wb")
    try:
        file.write(data)
        put_in_place(file, part, path)
    except OSError:
        discard(file, part)
        raise


# --- temporary files ----------------------------------------------------------------------------------
def temporary(folder: Path, mode: int = PUBLIC) -> tuple[int, Path]:
    """A new empty temporary file in FOLDER (made if missing), with MODE less the umask: its descriptor,
    which holds a lock on it for as long as it is open, and its path. Raises OSError.

    The system applies the umask as it creates the file, as for any file opened for writing, so the
    umask is never read (reading it means setting it, for every thread of the process)."""
    folder.mkdir(parents=True, exist_ok=True)
    for _ in range(_ATTEMPTS):
        handle, name = _locked(folder, mode)
        if _named(handle, name):
            return handle, Path(name)
        # Another run, starting or ending, took it for a killed run's in the moment between its making and
        # its lock: short, but a busy machine can pause a process there for milliseconds.
        os.close(handle)
    raise OSError(errno.EAGAIN, "another run kept removing this run's temporary files", str(folder))


def _locked(folder: Path, mode: int) -> tuple[int, str]:
    handle, name = _created(folder, mode)
    if fcntl is not None:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError:
            pass                 # a file system without locks: written unlocked, and never taken for stale
    return handle, name


def _created(folder: Path, mode: int) -> tuple[int, str]:
    """A new file in FOLDER under an unused temporary name: mkstemp's way, with MODE instead of 0600."""
    # Absolute: a relative name would change meaning if anything in the process changed its folder.
    folder_name = os.path.abspath(folder)
    for _ in range(_NAMES_TRIED):
        name = os.path.join(folder_name, _PART_PREFIX + "".join(secrets.choice(_PART_LETTERS) for _ in range(8))
                            + _PART_SUFFIX)
        try:
            return os.open(name, _NEW_FILE, mode), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(folder))


def _named(handle: int, name: str) -> bool:
    try:
        found, held = os.stat(name), os.fstat(handle)
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (held.st_dev, held.st_ino)


def put_in_place(file: IO, part: Path, path: Path) -> None:
    """Rename PART, written through FILE, to PATH; FILE ends closed. The rename comes before the close
    where the system allows it, so the lock lasts until the name is PATH."""
    file.flush()
    if os.name == "nt":                 # Windows renames no open file
        file.close()
        os.replace(part, path)
    else:
        os.replace(part, path)
        file.close()


def discard(file: IO, part: Path) -> None:
    """Close FILE, whatever it says (a full disk refuses the last of its buffer), and remove PART."""
    try:
        file.close()
    except OSError:
        pass
    Path(part).unlink(missing_ok=True)


def remove_stale(*folders: Path) -> int:
    """Remove from FOLDERS the temporary files of runs that were killed: ours by name, and held by no
    live process (another run writing to the same folder holds its own). Returns how many."""
    removed = 0
    for folder in folders:
        try:
            names = [entry.name for entry in os.scandir(folder) if _PART_NAME.fullmatch(entry.name)]
        except OSError:
            continue             # no folder yet, or one we may not read: the first write will say so
        for name in names:
            try:
                _remove_unheld(folder / name)
            except OSError:
                continue         # held: a live run is writing it
            removed += 1
    return removed


def _remove_unheld(path: Path) -> None:
    if fcntl is None:
        os.unlink(path)          # Windows refuses while any process has it open
        return
    handle = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.unlink(path)
    finally:
        os.close(handle)


# --- outputs that would replace inputs ----------------------------------------------------------------
def refuse_clash(output: Path, what: str, inputs: Iterable[tuple[str, Path]], fix: str) -> None:
    """Raise OutputClash if writing OUTPUT (WHAT it is) would replace one of INPUTS: the same path once
    links and '..' are resolved, or the same file by another name (a hard link; a name differing only in
    case where case does not count)."""
    target = output.resolve()
    for other, path in inputs:
        if Path(path).resolve() == target or _same_file(Path(path), output):
            raise OutputClash(output, what, other, path, fix)


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False             # one does not exist (yet): not the same file


def refuse_batch_clashes(manifest: Path, catalogue, options, report: Path) -> None:
    """Raise before anything is written if the REPORT, the print file or a packet of a batch (CATALOGUE,
    OPTIONS) would replace one of its inputs, or the print file a packet or the packets folder."""
    handouts = [handout for versions in catalogue.by_id.values() for handout in versions.values()]
    inputs = [("the manifest", manifest), *files_read(handouts, [catalogue.clinic])]
    folder = options.out_dir.resolve()
    new_folder = "choose another folder for the packets"
    refuse_clash(report, "the report", inputs, new_folder)
    for other, path in inputs:
        # A packet is named <MRN>.pdf by its row: any PDF name in the packets folder may be taken.
        if path.resolve().parent == folder and path.suffix.lower() == ".pdf":
            raise OutputClash(options.out_dir / path.resolve().name, "a packet", other, path, new_folder)
    if options.print_file is None:
        return
    if options.print_file.resolve().parent == folder:
        # There it could take a packet's name (an MRN "print" makes print.pdf) and replace it.
        raise OutputError(options.print_file, "the print file must not be in the packets folder; "
                                              "put it beside that folder")
    refuse_clash(options.print_file, "the print file", [*inputs, ("the packets folder", options.out_dir)],
                 "choose another file")


def files_read(handouts: Iterable[model.Handout], clinics: Iterable[model.Clinic]) -> list[tuple[str, Path]]:
    """Every file behind HANDOUTS and CLINICS (handouts, their pictures, profiles, logos), each with what it
    is to the user."""
    named = []
    for clinic in {clinic.path: clinic for clinic in clinics}.values():
        named += [(what, path) for what, path in (("the clinic profile", clinic.path),
                                                  ("the clinic's logo", clinic.logo)) if path is not None]
    for handout in handouts:
        named.append(("a handout", handout.path))
        named += [("a picture in a handout", block.src) for section in handout.sections for block in section.blocks
                  if isinstance(block, model.Image)]
    return named
