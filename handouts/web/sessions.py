"""Sessions: a secret and the clock in; signed cookie values (user, CSRF token, last seen) out, and back in checked."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

COOKIE = "handouts_session"
IDLE_SECONDS = 15 * 60


@dataclass(frozen=True)
class Session:
    """USER is None before sign-in: the sign-in form needs a CSRF token too."""

    user: str | None
    csrf: str
    seen: float


class Signer:
    """Cookie values signed with HMAC-SHA256: the browser can hold a session, not change one."""

    def __init__(self, secret: bytes, idle_seconds: float = IDLE_SECONDS):
        self._secret = secret
        self.idle_seconds = idle_seconds

    def new(self, user: str | None, now: float) -> Session:
        return Session(user, secrets.token_urlsafe(24), now)

    def dump(self, session: Session) -> str:
        body = base64.urlsafe_b64encode(json.dumps([session.user, session.csrf, session.seen]).encode()).decode()
        return f"{body}.{self._sign(body)}"

    def load(self, value: str | None, now: float) -> Session | None:
        """The session VALUE holds, or None: unsigned, altered, or idle too long."""
        if not value or "." not in value:
            return None
        body, _, signature = value.rpartition(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            user, csrf, seen = json.loads(base64.urlsafe_b64decode(body.encode()))
        except (ValueError, TypeError):
            return None
        if not isinstance(csrf, str) or not isinstance(seen, (int, float)) or not 0 <= now - seen <= self.idle_seconds:
            return None
        return Session(user if isinstance(user, str) else None, csrf, float(seen))

    def _sign(self, body: str) -> str:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()
