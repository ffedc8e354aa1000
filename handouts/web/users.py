"""Staff users: the users file in; names added, removed, listed and passwords checked (scrypt hashes only) out."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from pathlib import Path
from typing import Callable

from ..delivery import outputs
from ..errors import AccountError, PathError

# scrypt at N=2^15, r=8, p=1: about 32 MB and a few tenths of a second per check, as OWASP advises.
_N, _R, _P = 2 ** 15, 8, 1
_MAXMEM = 64 * 1024 * 1024
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
LOCK_AFTER, LOCK_SECONDS = 5, 60.0


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM)
    return "scrypt${}${}${}${}${}".format(_N, _R, _P, base64.b64encode(salt).decode(), base64.b64encode(digest).decode())


def _matches(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        found = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                               maxmem=_MAXMEM)
    except (ValueError, TypeError):
        return False
    return kind == "scrypt" and hmac.compare_digest(found, base64.b64decode(digest))


# Checked against when a user name is unknown, so the answer takes as long as for a known one.
_DUMMY = hash_password(secrets.token_hex(8))


class Users:
    """The users file: {"users": {name: scrypt hash}}, written whole and private (0600) on each change."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[tuple, dict[str, str]] = ((), {})

    def key(self, name: str) -> str | None:
        """A short digest of NAME's stored hash, or None when there is no such user: a session carries it,
        so a new password (or the user's removal, by `handouts users` in another process) ends it."""
        stored = self._current().get(name)
        return hashlib.sha256(stored.encode()).hexdigest()[:16] if stored else None

    def _current(self) -> dict[str, str]:
        """The users, read again only when the file has changed (asked on every request)."""
        try:
            found = self.path.stat()
            stamp = (found.st_mtime_ns, found.st_size, found.st_ino)
        except OSError:
            stamp = ()
        with self._lock:
            if stamp and stamp == self._seen[0]:
                return self._seen[1]
        users = self._read() if stamp else {}
        with self._lock:
            self._seen = (stamp, users)
        return users

    def _read(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        try:
            users = json.loads(self.path.read_text(encoding="utf-8"))["users"]
            if not isinstance(users, dict):
                raise ValueError("users is not a mapping")
            return {str(name): str(stored) for name, stored in users.items()}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise PathError(self.path, f"cannot read the users file: {error}",
                            "restore it from a backup, or delete it and add the users again") from None

    def _write(self, users: dict[str, str]) -> None:
        data = json.dumps({"users": dict(sorted(users.items()))}, indent=1).encode() + b"\n"
        try:
            outputs.replace_with(self.path, data, outputs.PRIVATE)
        except OSError as error:
            raise PathError(self.path, f"cannot write the users file: {outputs.reason(error)}",
                            "check the folder's space and permissions") from None

    def names(self) -> list[str]:
        return sorted(self._read())

    def add(self, name: str, password: str) -> None:
        """Add NAME, or give it a new PASSWORD."""
        if not NAME.fullmatch(name):
            raise AccountError("user name", "a user name of letters, digits, '.', '_' and '-', at most 64 characters",
                               f"'{name}'" if name.isprintable() and len(name) <= 64 else "another value")
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise AccountError("password", f"a password of {MIN_PASSWORD} to {MAX_PASSWORD} characters",
                               f"{len(password)} characters", "a few unrelated words are easy to remember")
        stored = hash_password(password)
        with self._lock:
            users = self._read()
            users[name] = stored
            self._write(users)

    def remove(self, name: str) -> bool:
        """Remove NAME; whether it was there."""
        with self._lock:
            users = self._read()
            if users.pop(name, None) is None:
                return False
            self._write(users)
            return True

    def check(self, name: str, password: str) -> bool:
        stored = self._read().get(name)
        if len(password) > MAX_PASSWORD:
            return False
        return _matches(password, stored or _DUMMY) and stored is not None


class Lockout:
    """Sign-ins by user name: after LOCK_AFTER failures in a row, that name is refused for LOCK_SECONDS,
    whatever password comes. Attempts under way count as well, so guesses sent all at once are held to
    the same LOCK_AFTER; a success clears the failures before it, not the attempts still running. Kept in
    memory: a restart forgets it, and no file records who tried. Only names a user could have are counted."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._tries: dict[str, list[float]] = {}      # name -> [failures, attempts under way, locked until]
        self._lock = threading.Lock()

    def begin(self, name: str) -> float:
        """Start an attempt for NAME: 0 when it may go on (then end() it, whatever happens), else the seconds
        NAME stays locked."""
        with self._lock:
            tries = self._tries.setdefault(name.casefold(), [0, 0, 0.0])
            now = self._clock()
            if tries[2] and tries[2] <= now:
                tries[0], tries[2] = 0, 0.0              # the lock has run out: a fresh count
            if tries[2]:
                return tries[2] - now
            if tries[0] + tries[1] >= LOCK_AFTER:
                return float(LOCK_SECONDS)              # as many under way as may fail: none more until they end
            tries[1] += 1
            if len(self._tries) > 10_000:      # names tried at random must not grow it without bound
                self._tries.pop(next(iter(self._tries)))
            return 0.0

    def end(self, name: str, succeeded: bool | None) -> None:
        """End an attempt for NAME: SUCCEEDED, failed, or None when it could not be checked at all."""
        with self._lock:
            tries = self._tries.get(name.casefold())
            if tries is None:
                return
            tries[1] = max(0, tries[1] - 1)
            if succeeded:
                tries[0] = 0
            elif succeeded is False:
                tries[0] += 1
                if tries[0] >= LOCK_AFTER and not tries[2]:
                    tries[2] = self._clock() + LOCK_SECONDS
            if tries == [0, 0, 0.0]:
                del self._tries[name.casefold()]


def could_be_a_name(name: str) -> bool:
    return bool(NAME.fullmatch(name))
