"""Print log: an output folder in; which packets a printer has taken (OUT/print.log), so a rerun prints only the rest."""
from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

from . import outputs
from ..errors import OutputError
from ..printerrors import PrintLogBusy

PRINT_LOG = "print.log"
_LOCK = ".print.lock"


def packet_key(pdf: bytes) -> str:
    """A packet by its bytes: a packet made again with other content is another packet, and prints."""
    return hashlib.sha256(pdf).hexdigest()


class PrintLog:
    """FOLDER/print.log: one JSON line per packet a printer took (key, row, MRN, printer, job, state),
    written and flushed to disk before the next job goes. One run per folder at a time."""

    def __init__(self, folder: Path):
        self.path = folder / PRINT_LOG
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._lock_fd = os.open(folder / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise OutputError(folder, outputs.reason(error), "the print log") from None
        try:
            outputs.lock_or_fail(self._lock_fd)
        except OSError:
            os.close(self._lock_fd)
            raise PrintLogBusy(folder) from None
        self._printed = outputs.logged_keys(self.path)

    def close(self) -> None:
        os.close(self._lock_fd)

    def __enter__(self) -> "PrintLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def printed(self, key: str) -> bool:
        return key in self._printed

    def mark(self, key: str, record: dict) -> None:
        try:
            outputs.log_durably(self.path, {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                            "key": key, **record})
        except OSError as error:
            raise OutputError(self.path, outputs.reason(error), "the print log") from None
        self._printed.add(key)
