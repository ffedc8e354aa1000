"""Outbox: a folder in; messages queued, then moved to sent/ (and logged) or failed/, one atomic step each, out."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from . import outputs
from ..errors import OutboxBusy, OutboxError

SENT_DIR, FAILED_DIR, SENT_LOG = "sent", "failed", "sent.log"
REPLY_SUFFIX = ".reply.txt"


class Outbox:
    """OUTBOX/*.eml wait to be sent; OUTBOX/sent/ and OUTBOX/failed/ hold the rest; OUTBOX/sent.log
    says which keys (packet and address) the server has accepted. Files are private to the user (0600),
    as they hold health information."""

    def __init__(self, path: Path):
        self.path = path
        try:
            for folder in (path, path / SENT_DIR, path / FAILED_DIR):
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._lock_fd = os.open(path / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise OutboxError(path, error.strerror or str(error)) from None
        try:
            outputs.lock_or_fail(self._lock_fd)   # one run per outbox: two would both see a message as unsent
        except OSError:
            os.close(self._lock_fd)
            raise OutboxBusy(path) from None
        self._sent = self._read_log()

    def close(self) -> None:
        os.close(self._lock_fd)       # closing releases the lock

    def __enter__(self) -> "Outbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read_log(self) -> set[str]:
        return outputs.logged_keys(self.path / SENT_LOG)

    # --- where a message is ----------------------------------------------------------------------------
    def queued(self) -> list[str]:
        return sorted(entry.name for entry in self.path.glob("*.eml") if entry.is_file())

    def was_sent(self, key: str) -> bool:
        return key in self._sent

    def failed_reply(self, name: str) -> str | None:
        """The server's reply to a message refused in an earlier run, or None if it was not."""
        if not (self.path / FAILED_DIR / name).is_file():
            return None
        reply = self.path / FAILED_DIR / (name + REPLY_SUFFIX)
        return reply.read_text(encoding="utf-8").strip() if reply.is_file() else "refused"

    def queued_path(self, name: str) -> Path:
        return self.path / name

    def sent_path(self, name: str) -> Path:
        return self.path / SENT_DIR / name

    def failed_path(self, name: str) -> Path:
        return self.path / FAILED_DIR / name

    # --- moving it on --------------------------------------------------------------------------------
    def put(self, name: str, data: bytes) -> Path:
        """Queue a message: written under a temporary name and renamed, so a half-written one is never sent."""
        target = self.path / name
        _write_private(target, data)
        return target

    def read(self, name: str) -> bytes:
        return (self.path / name).read_bytes()

    def mark_sent(self, name: str, key: str, record: dict) -> None:
        """Log KEY as accepted, durably, before the file moves: if the process dies in between, the next
        run finds the key in the log and only finishes the move."""
        log = self.path / SENT_LOG
        try:
            outputs.log_durably(log, {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "key": key,
                                      "file": name, **record})
        except OSError as error:
            raise OutboxError(log, error.strerror or str(error)) from None
        self._sent.add(key)
        self.settle(name)

    def settle(self, name: str) -> None:
        """Move a message whose key is already logged as sent out of the queue."""
        source = self.path / name
        if source.is_file():
            _move(source, self.path / SENT_DIR / name)

    def mark_failed(self, name: str, reply: str) -> Path:
        """The server refused the message for good: it goes to failed/, with the server's reply beside it."""
        target = self.path / FAILED_DIR / name
        _write_private(target.with_name(name + REPLY_SUFFIX), (reply.strip() + "\n").encode("utf-8"))
        _move(self.path / name, target)
        return target


def _write_private(path: Path, data: bytes) -> None:
    try:
        outputs.replace_with(path, data, outputs.PRIVATE)
    except OSError as error:
        raise OutboxError(path, error.strerror or str(error)) from None


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as error:
        raise OutboxError(target, error.strerror or str(error)) from None
