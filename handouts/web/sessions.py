"""Sessions: a secret and the clock in; signed cookie values (user, CSRF token, last seen) out, and back in checked."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass

COOKIE = "handouts_session"
IDLE_SECONDS = 15 * 60
LONGEST_SECONDS = 12 * 3600     # however busy, a session ends after a shift: a copied cookie cannot live on


@dataclass(frozen=True)
class Session:
    """USER is None before sign-in: the sign-in form needs a CSRF token too. SID names the session (to end
    it at sign-out), KEY the user's password as it was at sign-in (a new password or removal ends it)."""

    user: str | None
    csrf: str
    seen: float
    started: float = 0.0
    sid: str = ""
    key: str = ""


class Signer:
    """Cookie values signed with HMAC-SHA256: the browser can hold a session, not change one."""

    def __init__(self, secret: bytes, idle_seconds: float = IDLE_SECONDS):
        self._secret = secret
        self.idle_seconds = idle_seconds

    def new(self, user: str | None, now: float, key: str = "") -> Session:
        return Session(user, secrets.token_urlsafe(24), now, now, secrets.token_urlsafe(12), key)

    def dump(self, session: Session) -> str:
        fields = [session.user, session.csrf, session.seen, session.started, session.sid, session.key]
        body = base64.urlsafe_b64encode(json.dumps(fields).encode()).decode()
        return f"{body}.{self._sign(body)}"

    def load(self, value: str | None, now: float) -> Session | None:
        """The session VALUE holds, or None: unsigned, altered, idle too long or too old."""
        if not value or "." not in value or not value.isascii():
            return None
        body, _, signature = value.rpartition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(body).encode()):
            return None
        try:
            user, csrf, seen, started, sid, key = json.loads(base64.urlsafe_b64decode(body.encode()))
        except (ValueError, TypeError):
            return None
        if not all(isinstance(item, str) for item in (csrf, sid, key)) or \
                not all(isinstance(item, (int, float)) for item in (seen, started)):
            return None
        if not 0 <= now - seen <= self.idle_seconds or not 0 <= now - started <= LONGEST_SECONDS:
            return None
        return Session(user if isinstance(user, str) else None, csrf, float(seen), float(started), sid, key)

    def _sign(self, body: str) -> str:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()


class Ended:
    """Sessions ended by signing out, kept until they would have run out anyway (idle or too old)."""

    def __init__(self):
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def end(self, session: Session, now: float) -> None:
        with self._lock:
            self._until = {sid: until for sid, until in self._until.items() if until > now}
            self._until[session.sid] = now + IDLE_SECONDS

    def __contains__(self, session: Session) -> bool:
        with self._lock:
            return session.sid in self._until
