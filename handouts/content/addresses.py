"""Email addresses: a manifest cell or an option's text in; what is wrong with it as one recipient's address out."""
from __future__ import annotations

import re

MAX_ADDRESS = 254
_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Plain ASCII addresses only: a cell is one recipient, so no comma, quote or angle bracket may
# smuggle in a second one, and no non-ASCII part needs a server that speaks SMTPUTF8.
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
_NO_FORM = "one without a valid form"


def not_an_address(text: str) -> str | None:
    """What TEXT is when it does not even have an address's shape (name@domain.tld), in words that never
    repeat it; None if it has. The first check of address_problem: a manifest makes every row's packet,
    so it refuses only a cell that is no address at all (one slid over from another column, say)."""
    return None if _SHAPE.fullmatch(text) else _NO_FORM


def address_problem(text: str) -> str | None:
    """What is wrong with TEXT as the address of one recipient that mail can be sent to, in words that
    never repeat it; None if nothing. What has no address's shape is no address: not_an_address comes first."""
    if shapeless := not_an_address(text):
        return shapeless                 # the shape has no space in it either
    if any(separator in text for separator in ",;"):
        return "more than one address"
    if any(ord(char) > 127 for char in text):
        return "letters outside plain ASCII"
    local, _, domain = text.rpartition("@")
    if not _LOCAL.fullmatch(local) or not _DOMAIN.fullmatch(domain):
        return _NO_FORM
    if len(text) > MAX_ADDRESS:
        return f"one longer than {MAX_ADDRESS} characters"
    return None
