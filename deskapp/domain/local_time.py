"""Instants as a person at the desk reads them: UK local time with its zone and offset.

Stored instants are UTC and machine output (`--json`) stays UTC; anything a
person reads (`ticket show`, the reports' text and CSV, `sla explain`) goes
through here, so a time near a clock change can never be misread.
"""

from __future__ import annotations

import datetime as dt


def offset_text(moment: dt.datetime) -> str:
    """The UTC offset of an aware instant, as +01:00."""
    minutes = int((moment.utcoffset() or dt.timedelta(0)).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def person_text(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """e.g. `Sun 29 Mar 2026 02:30 BST (+01:00)`."""
    local = moment.astimezone(tz)
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()} ({offset_text(local)})"


def short_text(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """e.g. `2026-03-29 02:30 BST (+01:00)`, for columns."""
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({offset_text(local)})"


def iso_local(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """ISO 8601 in local time with its offset, e.g. `2026-03-29T02:30:00+01:00` (for CSV)."""
    return moment.astimezone(tz).isoformat()


def iso_utc(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with a Z, as every machine-readable output prints."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
