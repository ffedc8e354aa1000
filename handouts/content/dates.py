"""Dates as clinics type them: text and a date order in; a date, or what is wrong with it, out."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

ORDERS = ("MDY", "DMY")
_WORDS = {"MDY": "month/day/year", "DMY": "day/month/year"}
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
# Day and month in one or two digits, the same separator twice: 12/4/2026, 4.12.2026 (and 12/4/26, refused).
_NUMERIC = re.compile(r"(\d{1,2})([/.])(\d{1,2})\2(\d{1,6})")
_ASK_ORDER = "give the date order: MDY (month/day/year) or DMY (day/month/year)"
_MAX_SHOWN = 40
_DIGITS = {1: "one", 2: "two", 3: "three"}


@dataclass(eq=False)
class BadDate(ValueError):
    """A date's text that cannot be read, in the parts of a message: expected, found and a fix."""

    expected: str
    found: str
    fix: str | None = None

    def __str__(self) -> str:
        fix = f"; {self.fix}" if self.fix else ""
        return f"expected {self.expected}, found {self.found}{fix}"


def example(order: str | None) -> str:
    """Dates to show as an example: always the ISO form, and the other form the order allows."""
    other = {"MDY": " or 12/3/2026", "DMY": " or 3/12/2026"}.get(order or "", "")
    return f"2026-12-03{other}"


def iso_date(text: str) -> date | None:
    """The day TEXT names as YYYY-MM-DD, exactly (not the other forms date.fromisoformat also takes,
    such as 20261203); None when it is not one, or names no day (2026-02-30)."""
    if _ISO.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    return None


def parse_date(text: str, order: str | None = None, *, private: bool = False, note: str = "") -> date:
    """The date TEXT means: YYYY-MM-DD always; day/month or month/day with '/' or '.' when ORDER
    (MDY or DMY) says which comes first. Raises BadDate. A PRIVATE date (a date of birth, health
    information) is described in the message, never shown; NOTE ends the fix of a text that is no date."""
    if order is not None and order not in ORDERS:
        raise ValueError(f"date order {order!r}: expected one of {', '.join(ORDERS)}")
    shown = f"'{text}'" if len(text) <= _MAX_SHOWN else f"'{text[:_MAX_SHOWN - 1]}…'"
    if (day := iso_date(text)) is not None:
        return day
    numeric = _NUMERIC.fullmatch(text)
    if numeric is None:
        expected = "a date as YYYY-MM-DD"
        if order and not _ISO.fullmatch(text):
            expected += f" or {_WORDS[order]} ({order})"
        raise BadDate(expected, "a value that is not a date" if private else shown,
                      f"for example {example(order)}{note}")
    first, separator, second, year = numeric.groups()
    if len(year) != 4:
        fixes = ["write the year with four digits (26 could be 1926 or 2026)"] + ([] if order else [_ASK_ORDER])
        digits = _DIGITS.get(len(year), len(year))
        raise BadDate("a date with a four-digit year", f"a date with a {digits}-digit year" if private else shown,
                      "; ".join(fixes))
    if order is None:
        raise BadDate("a date as YYYY-MM-DD", f"a date with '{separator}'" if private else shown,
                      f"to read dates with '{separator}', {_ASK_ORDER}")
    month, day = (first, second) if order == "MDY" else (second, first)
    return _checked(int(year), int(month), int(day), order, shown if not private else None)


def _checked(year: int, month: int, day: int, order: str, shown: str | None) -> date:
    """The date of YEAR, MONTH and DAY, or BadDate saying why there is none (SHOWN None: say it without the date)."""
    expected = f"a date in {_WORDS[order]} order ({order})"
    if year < 1:
        public, private = "there is no year 0", "a date in year 0"
    elif not 1 <= month <= 12:
        private = "a date with month 0" if month == 0 else "a date with a month over 12"
        public = f"there is no month {month}"
    elif day == 0:
        public, private = "there is no day 0", "a date with day 0"
    elif day > calendar.monthrange(year, month)[1]:
        length = calendar.monthrange(year, month)[1]
        which = f"{calendar.month_name[month]} {year}" if month == 2 else calendar.month_name[month]
        public, private = f"{which} has {length} days", "a date with a day past the end of its month"
    else:
        return date(year, month, day)
    # A month over 12 where the day fits is what dates in the other order look like.
    other = "DMY" if order == "MDY" else "MDY"
    first = "day" if order == "MDY" else "month"
    swapped = month > 12 and day <= 12
    fix = f"if the {first} comes first in these dates, give the date order {other}" if swapped else None
    raise BadDate(expected, private if shown is None else f"{shown}: {public}", fix)
