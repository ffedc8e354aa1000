"""The guard: each HTTP request in; its session checked (or a redirect to sign in), security headers and an access log line (no patient data) out."""
from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Callable

from .sessions import COOKIE, Session, Signer

log = logging.getLogger("handouts.web")

PUBLIC = ("/signin", "/static/", "/favicon.ico")
SESSION_KEY = "handouts.session"          # where a request's session sits in the ASGI scope
NEW_SESSION_KEY = "handouts.new_session"  # a handler's new session (signed in or out): the cookie to send
# No inline script or style, nothing from another site; previews are data: images made here.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"),
           (b"referrer-policy", b"no-referrer"), (b"x-content-type-options", b"nosniff"),
           (b"cross-origin-opener-policy", b"same-origin")]


def cookie_header(value: str | None, secure: bool) -> tuple[bytes, bytes]:
    """The Set-Cookie header for a session VALUE, or one that ends the session when None."""
    parts = [f"{COOKIE}={value or ''}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if value is None:
        parts.append("Max-Age=0")
    if secure:
        parts.append("Secure")
    return b"set-cookie", "; ".join(parts).encode()


def _cookie(scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, found = part.strip().partition("=")
                if key == COOKIE:
                    return found
    return None


class Guard:
    """Pure ASGI middleware around the whole app, so even a 500 carries its headers: sessions (sliding
    15-minute idle end), the sign-in gate, security headers, Cache-Control no-store on every page but
    static files, and one log line per request: method, path, status, time and staff user. Never the
    query string or the body, where a patient's data could be."""

    def __init__(self, app, signer: Signer, clock: Callable[[], float], accept: Callable[[Session], bool]):
        self.app = app
        self.signer = signer
        self.clock = clock
        self.accept = accept          # a signed-in session still good: not signed out, its user unchanged
        self.state = getattr(app, "state", None)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        now = self.clock()
        session = self.signer.load(_cookie(scope), now)
        path = scope["path"]
        secure = scope.get("scheme") == "https"
        status = [0]                    # the status sent; 0 until the answer has started
        static = path.startswith("/static/")

        async def sending(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = list(message.get("headers", [])) + HEADERS
                headers.append((b"cache-control", b"public, max-age=3600" if static else b"no-store"))
                new = scope.get(NEW_SESSION_KEY, "unchanged")
                if new != "unchanged":
                    headers.append(cookie_header(self.signer.dump(new) if new else None, secure))
                elif session is not None and session.user is not None:
                    # Each request restarts the idle clock: the cookie carries when it was last seen.
                    headers.append(cookie_header(self.signer.dump(replace(session, seen=now)), secure))
                message = {**message, "headers": headers}
            await send(message)

        failed = ""
        try:
            if session is not None and session.user is not None and not self.accept(session):
                session = None
            scope[SESSION_KEY] = session
            if not path.startswith(PUBLIC) and (session is None or session.user is None):
                await _to_sign_in(scope, sending)
            else:
                await self.app(scope, receive, sending)
        except Exception as error:
            # Its type only: an exception's message or traceback may hold what a patient's form held.
            failed = f" error={type(error).__name__}"
            if not status[0]:           # failed before the app could answer (the users file unreadable)
                await sending({"type": "http.response.start", "status": 500,
                               "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
                await sending({"type": "http.response.body", "body": b"Internal Server Error"})
        finally:
            user = session.user if session is not None and session.user else "-"
            log.info("%s %s %s %.0f ms user=%s%s", scope["method"], path, status[0],
                     (time.perf_counter() - started) * 1000, user, failed)


async def _to_sign_in(scope, send) -> None:
    """Not signed in (or the session ran out): to the sign-in page. An htmx request is told to go there
    itself, since a redirect would swap the sign-in page into the middle of this one."""
    htmx = any(name == b"hx-request" for name, _ in scope.get("headers", ()))
    headers = [(b"hx-redirect", b"/signin")] if htmx else [(b"location", b"/signin")]
    await send({"type": "http.response.start", "status": 401 if htmx else 303,
                "headers": headers + [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
