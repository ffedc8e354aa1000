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
    """Failed sign-ins by user name: after LOCK_AFTER in a row, that name is refused for LOCK_SECONDS,
    whatever password comes. Kept in memory: a restart forgets it, and no file records who tried."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def locked(self, name: str) -> float:
        """Seconds NAME stays locked; 0 when it may try."""
        with self._lock:
            count, until = self._failures.get(name.casefold(), (0, 0.0))
            return max(0.0, until - self._clock()) if count >= LOCK_AFTER else 0.0

    def failed(self, name: str) -> None:
        with self._lock:
            key = name.casefold()
            count, until = self._failures.get(key, (0, 0.0))
            if count >= LOCK_AFTER and until <= self._clock():
                count = 0                         # the lock has run out: a fresh count
            count += 1
            self._failures[key] = (count, self._clock() + LOCK_SECONDS if count >= LOCK_AFTER else 0.0)
            if len(self._failures) > 10_000:      # names tried at random must not grow it without bound
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name.casefold(), None)
