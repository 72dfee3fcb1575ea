"""Column types: every instant is stored in UTC, exact to the microsecond.

SQLite has no timestamp type, so an instant is stored as fixed-width text
(`2026-03-16 14:00:00.000000`, always UTC, always six fraction digits) which
sorts and compares like the instant itself; PostgreSQL gets a `timestamp`
holding UTC. Python sees aware UTC datetimes both ways and a naive datetime
is refused, so no local time can slip in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import peewee

_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def utc_text(moment: dt.datetime) -> str:
    """The stored text of an instant (SQLite), also used in raw SQL parameters."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"refusing to store naive datetime {moment.isoformat()}: give it a zone")
    return moment.astimezone(dt.UTC).strftime(_FORMAT)


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
        return to_utc(value)


def to_utc(value: Any) -> dt.datetime | None:
    """A stored instant (text or naive/aware datetime) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"not an instant: {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _sqlite_instant(value: Any) -> dt.datetime | None:
    # Stored text is always UTC in _FORMAT; appending the offset lets the C
    # parser build the aware datetime in one call.
    return None if value is None else _fromisoformat(value + "+00:00")


def _naive_utc_instant(value: Any) -> dt.datetime | None:
    return None if value is None else value.replace(tzinfo=dt.UTC)


_fromisoformat = dt.datetime.fromisoformat


def instant_reader(db: peewee.Database) -> Callable[[Any], Any]:
    """A fast converter from a raw column value to an aware UTC datetime (None for NULL),
    for bulk reads. Typed loosely so a NOT NULL column's reading needs no cast."""
    if isinstance(db, peewee.SqliteDatabase):
        return _sqlite_instant
    return _naive_utc_instant
