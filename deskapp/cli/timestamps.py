"""Reading and writing instants on the command line."""

from __future__ import annotations

import argparse
import datetime as dt

from deskapp.domain.time_range import OutOfRange, check_date, check_instant, quote


class BadTimestamp(ValueError):
    pass


class TimestampOutOfRange(BadTimestamp, OutOfRange):
    pass


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 instant that carries its UTC offset (or Z)."""
    value = text.strip()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadTimestamp(
            f"{quote(text)} is not an ISO 8601 timestamp (e.g. 2026-03-16T14:00:00+00:00)"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        example = value if len(value) <= 40 else "2026-03-16T14:00:00"
        raise BadTimestamp(f"{quote(text)} has no UTC offset; add one, e.g. {example}+00:00 or {example}Z")
    try:
        # An offset can carry a moment out of datetime's own span (9999-12-31T23:00-05:00).
        utc = moment.astimezone(dt.UTC)
    except OverflowError:
        utc = None
    try:
        check_instant(utc or dt.datetime.max.replace(tzinfo=dt.UTC), quote(text))
    except OutOfRange as exc:
        raise TimestampOutOfRange(str(exc)) from None
    return moment


def parse_date(text: str) -> dt.date:
    """A calendar date (2026-03-16) in the span deskapp works with; for argparse `type=`."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quote(text)} is not a date like 2026-03-16") from None
    try:
        return check_date(day, quote(text))
    except OutOfRange as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def format_instant(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as every machine-readable output of deskapp prints."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
