"""The instance folder: a path in; its private files (users, session secret, audit log, outbox) out, made on first use."""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from ..delivery import outputs
from ..errors import PathError

USERS, SECRET, AUDIT, OUTBOX = "users.json", "session-secret", "audit.jsonl", "outbox"


class Instance:
    """INSTANCE/ holds the users file, the session secret, the audit log and the email outbox, nothing
    else; the folder is the user's own (0700) and every file in it private (0600)."""

    def __init__(self, path: Path):
        self.path = path
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            if stat.S_IMODE(path.stat().st_mode) & 0o077:
                os.chmod(path, 0o700)         # made by hand, or by an older run: close it to other users
        except OSError as error:
            raise PathError(path, f"cannot make the instance folder: {outputs.reason(error)}",
                            "give a folder this user can write to") from None

    @property
    def users(self) -> Path:
        return self.path / USERS

    @property
    def audit(self) -> Path:
        return self.path / AUDIT

    @property
    def outbox(self) -> Path:
        return self.path / OUTBOX

    def secret(self) -> bytes:
        """The key that signs session cookies: made once, kept, so a restart does not sign everyone out."""
        path = self.path / SECRET
        try:
            if path.is_file():
                return bytes.fromhex(path.read_text(encoding="ascii").strip())
            outputs.replace_with(path, secrets.token_hex(32).encode() + b"\n", outputs.PRIVATE)
            return bytes.fromhex(path.read_text(encoding="ascii").strip())
        except (OSError, ValueError) as error:
            raise PathError(path, f"cannot read or make the session secret: {error}",
                            "delete it to make a new one (everyone signs in again)") from None
