"""The span of time deskapp works in, and the refusal of anything outside it.

Every instant the desk stores, every timestamp a command reads and every year
the calendar shows lies in the years FIRST_YEAR to LAST_YEAR (UTC). The span
is where the `holidays` library knows the desk's calendars (England & Wales
and Ireland from 1872 to 2100), so a due time in it is computed with the right
bank holidays; outside it the business calendar would silently have none, and
its tables (one entry a day) would grow to millions of entries. Internal
arithmetic may run a little past the end (a P3 logged on 31 December 2099 is
due in January 2100), up to ARITHMETIC_SLACK_YEARS.
"""

from __future__ import annotations

import datetime as dt

FIRST_YEAR = 1900
LAST_YEAR = 2099
ARITHMETIC_SLACK_YEARS = 2
FIRST = dt.datetime(FIRST_YEAR, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(LAST_YEAR + 1, 1, 1, tzinfo=dt.UTC)  # exclusive
SPAN = f"years {FIRST_YEAR} to {LAST_YEAR}"


class OutOfRange(ValueError):
    """A time, date or year outside the span deskapp works in."""


def quote(value: object, limit: int = 60) -> str:
    """`value` for an error message: its repr, cut to a short prefix when long."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def in_range(moment: dt.datetime) -> bool:
    return FIRST <= moment < END


def check_instant(moment: dt.datetime, what: str | None = None) -> dt.datetime:
    """`moment` (aware) if it lies in the span, else OutOfRange naming `what` (or the instant)."""
    if not in_range(moment):
        raise OutOfRange(f"{what or moment.isoformat()} is outside the times deskapp works with ({SPAN})")
    return moment


def check_year(year: int, what: str = "year") -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise OutOfRange(f"{what} {quote(year)} is outside the years deskapp works with ({SPAN})")
    return year


def check_date(day: dt.date, what: str | None = None) -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise OutOfRange(f"{what or day.isoformat()} is outside the dates deskapp works with ({SPAN})")
    return day
