"""Made batches: a user's packets in memory in; a random key to fetch them by, for a while, out."""
from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from typing import Callable

from ..packing import PackedBatch

KEEP_SECONDS = 15 * 60
MAX_BATCHES = 8               # all users together: each may hold hundreds of packets


class BatchStore:
    """Batches made on the batch page, kept in memory only (never on disk) for KEEP_SECONDS so their ZIP
    and print file can be downloaded; the oldest go first when MAX_BATCHES are held."""

    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self._held: OrderedDict[str, tuple[str, float, PackedBatch]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, user: str, batch: PackedBatch) -> str:
        key = secrets.token_urlsafe(18)
        with self._lock:
            self._expire()
            self._held[key] = (user, self._clock(), batch)
            while len(self._held) > MAX_BATCHES:
                self._held.popitem(last=False)
        return key

    def get(self, user: str, key: str) -> PackedBatch | None:
        """USER's batch under KEY, or None: unknown, another user's, or gone."""
        with self._lock:
            self._expire()
            held = self._held.get(key)
            return held[2] if held is not None and secrets.compare_digest(held[0], user) else None

    def _expire(self) -> None:
        now = self._clock()
        for key in [key for key, (_, made, _) in self._held.items() if now - made > KEEP_SECONDS]:
            del self._held[key]
