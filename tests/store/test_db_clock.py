"""On PostgreSQL the server's clock is the desk's clock, whatever the workstation's says."""

from __future__ import annotations

import datetime as dt

import peewee

from deskapp.domain.clock import SystemClock
from deskapp.store.connection import is_sqlite
from deskapp.store.db_clock import ServerClock, desk_clock


def test_a_skewed_workstation_still_gets_server_time(db: peewee.Database) -> None:
    if is_sqlite(db):
        assert isinstance(desk_clock(db), SystemClock)
        return
    assert isinstance(desk_clock(db), ServerClock)
    skew = dt.timedelta(minutes=7)

    def fast_local() -> dt.datetime:  # this workstation's clock runs 7 minutes fast
        return dt.datetime.now(dt.UTC) + skew

    clock = ServerClock(db, local_now=fast_local)
    assert abs(clock.offset + skew) < dt.timedelta(seconds=2)
    assert abs(clock.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=2)
    assert clock.now().tzinfo is dt.UTC
