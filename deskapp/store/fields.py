"""Column types: every instant is stored in UTC, exact to the microsecond.

SQLite has no timestamp type, so an instant is stored as fixed-width text
(`2026-03-16 14:00:00.000000`, always UTC, always four year digits and six
fraction digits) which sorts and compares like the instant itself; PostgreSQL gets a `timestamp`
holding UTC. Python sees aware UTC datetimes both ways and a naive datetime
is refused, so no local time can slip in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import peewee


def utc_text(moment: dt.datetime) -> str:
    """The stored text of an instant (SQLite), also used in raw SQL parameters."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"refusing to store naive datetime {moment.isoformat()}: give it a zone")
    # isoformat, not strftime("%Y"): the C library writes year 999 as "999", which
    # neither sorts with the rest nor parses back.
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class DamagedValue(ValueError):
    """A stored value that cannot be read back: a damaged or hand-edited row."""

    def __init__(self, where: str, value: Any) -> None:
        shown = repr(value)
        shown = shown if len(shown) <= 60 else f"{shown[:59]}…"
        super().__init__(f"{where}: the stored value {shown} cannot be read (a damaged or hand-edited row)")


class UtcDateTimeField(peewee.Field):
    field_type = "TIMESTAMP"

    def _sqlite(self) -> bool:
        return isinstance(self.model._meta.database, peewee.SqliteDatabase)

    def db_value(self, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            return value  # an expression or an already-stored value
        if self._sqlite():
            return utc_text(value)
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing to store naive datetime {value.isoformat()}")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def python_value(self, value: Any) -> dt.datetime | None:
        try:
            return to_utc(value)
        except ValueError:
            raise DamagedValue(f"{self.model._meta.table_name}.{self.name}", value) from None


def to_utc(value: Any) -> dt.datetime | None:
    """A stored instant (text or naive/aware datetime) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(_padded(value))
    if not isinstance(value, dt.datetime):
        raise TypeError(f"not an instant: {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _sqlite_instant(value: Any) -> dt.datetime | None:
    # Stored text is always UTC in utc_text's format; appending the offset lets the C
    # parser build the aware datetime in one call.
    try:
        return None if value is None else _fromisoformat(value + "+00:00")
    except (ValueError, TypeError):
        pass
    try:
        return _fromisoformat(_padded(value) + "+00:00")
    except (ValueError, TypeError):
        raise DamagedValue("a stored time", value) from None


_SHORT_YEAR = re.compile(r"^(\d{1,3})-")


def _padded(value: Any) -> Any:
    """Text written before years were padded (year 999 as "999-..."), with four year digits."""
    if isinstance(value, str):
        return _SHORT_YEAR.sub(lambda m: f"{int(m.group(1)):04d}-", value, count=1)
    return value


def _naive_utc_instant(value: Any) -> dt.datetime | None:
    return None if value is None else value.replace(tzinfo=dt.UTC)


_fromisoformat = dt.datetime.fromisoformat


def instant_reader(db: peewee.Database) -> Callable[[Any], Any]:
    """A fast converter from a raw column value to an aware UTC datetime (None for NULL),
    for bulk reads. Typed loosely so a NOT NULL column's reading needs no cast."""
    if isinstance(db, peewee.SqliteDatabase):
        return _sqlite_instant
    return _naive_utc_instant
