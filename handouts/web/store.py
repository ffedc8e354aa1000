"""Held results: a user's packets (a preview, a batch) in memory in; a random key to fetch them by, for a while, out."""
from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from typing import Any, Callable

KEEP_SECONDS = 15 * 60


class Held:
    """What a user made, kept in memory only (never on disk) for KEEP_SECONDS so a later request of theirs
    can fetch it (a batch's ZIP, a preview's page images); the oldest go first when MOST are held."""

    def __init__(self, clock: Callable[[], float], most: int):
        self._clock = clock
        self._most = most
        self._held: OrderedDict[str, tuple[str, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, user: str, value: Any) -> str:
        key = secrets.token_urlsafe(18)
        with self._lock:
            self._expire()
            self._held[key] = (user, self._clock(), value)
            while len(self._held) > self._most:
                self._held.popitem(last=False)
        return key

    def get(self, user: str, key: str) -> Any:
        """USER's value under KEY, or None: unknown, another user's, or gone."""
        with self._lock:
            self._expire()
            held = self._held.get(key)
            return held[2] if held is not None and secrets.compare_digest(held[0], user) else None

    def _expire(self) -> None:
        now = self._clock()
        for key in [key for key, (_, made, _) in self._held.items() if now - made > KEEP_SECONDS]:
            del self._held[key]
