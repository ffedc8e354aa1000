"""The audit log: who did what in; one JSON line per action (time, user, action, MRN, handout ids, never a name) appended out."""
from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Callable, Sequence

import anyio

from ..errors import PathError

ACTIONS = ("sign-in", "sign-in refused", "sign-out", "preview", "download", "email", "print", "batch",
           "batch download")


class AuditLog:
    """Appends only: each line is written whole with O_APPEND and flushed to disk before the page answers."""

    def __init__(self, path: Path, clock: Callable[[], float]):
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()

    async def note(self, *args, **details) -> None:
        """record(), from the event loop: the write waits for the disk in a thread, never in the loop."""
        await anyio.to_thread.run_sync(partial(self.record, *args, **details))

    def record(self, user: str, action: str, mrn: str | None = None, handouts: Sequence[str] = (),
               **details: str | int) -> None:
        if action not in ACTIONS:
            raise ValueError(f"action: expected one of {', '.join(ACTIONS)}, found {action!r}")
        entry = {"time": datetime.fromtimestamp(self._clock(), timezone.utc).isoformat(timespec="seconds"),
                 "user": user, "action": action}
        if mrn is not None:
            entry["mrn"] = mrn
        if handouts:
            entry["handouts"] = list(handouts)
        entry.update(details)
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            try:
                descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(descriptor, line)
                    os.fsync(descriptor)
                finally:
                    os.close(descriptor)
            except OSError as error:
                raise PathError(self.path, f"cannot write the audit log: {error.strerror or error}",
                                "check the folder's space and permissions") from None
