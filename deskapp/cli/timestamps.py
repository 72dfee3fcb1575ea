"""Reading and writing instants on the command line."""

from __future__ import annotations

import datetime as dt


class BadTimestamp(ValueError):
    pass


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 instant that carries its UTC offset (or Z)."""
    value = text.strip()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadTimestamp(
            f"{text!r} is not an ISO 8601 timestamp (e.g. 2026-03-16T14:00:00+00:00)"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise BadTimestamp(f"{text!r} has no UTC offset; add one, e.g. {value}+00:00 or {value}Z")
    return moment


def format_instant(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as every machine-readable output of deskapp prints."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
