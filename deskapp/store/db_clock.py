"""The desk's clock on a shared database: the PostgreSQL server's, not the workstation's.

A workstation whose clock is minutes off must neither breach tickets early
nor close them late, so on PostgreSQL every stamp and rule pass uses the
server's time. Asking the server on every `now()` would cost a round trip,
so the clock measures the offset between the server and this machine (the
round trip's midpoint) and refreshes it now and then; between refreshes it
is the local wall clock plus that offset. On SQLite (one
workstation) the local clock is the desk's clock.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

import peewee as pw

from deskapp.domain.clock import Clock, SystemClock
from deskapp.store.connection import is_sqlite, raw_sql

REFRESH_SECONDS = 60.0


class ServerClock:
    """`now()` in the database server's time (see the module docstring)."""

    def __init__(
        self, db: pw.Database, *, refresh_seconds: float = REFRESH_SECONDS,
        local_now: Callable[[], dt.datetime] | None = None,
    ) -> None:  # fmt: skip
        self.db = db
        self.refresh_seconds = refresh_seconds
        self._local_now = local_now or (lambda: dt.datetime.now(dt.UTC))
        self._offset: dt.timedelta | None = None
        self._measured_at = 0.0
        self._lock = threading.Lock()

    @property
    def offset(self) -> dt.timedelta:
        """Server time minus this workstation's time, as last measured."""
        with self._lock:
            if self._offset is None or time.monotonic() - self._measured_at > self.refresh_seconds:
                self._offset = self._measure()
                self._measured_at = time.monotonic()
            return self._offset

    def _measure(self) -> dt.timedelta:
        before = self._local_now()
        (server,) = raw_sql(self.db, "SELECT statement_timestamp()").fetchone()
        after = self._local_now()
        if server.tzinfo is None:  # a naive timestamp from the server is UTC
            server = server.replace(tzinfo=dt.UTC)
        offset: dt.timedelta = server - (before + (after - before) / 2)
        return offset

    def now(self) -> dt.datetime:
        try:
            offset = self.offset
        except pw.PeeweeException:
            # Offline: keep the last known offset rather than stop the desk's clocks.
            offset = self._offset or dt.timedelta(0)
        return (self._local_now() + offset).astimezone(dt.UTC)


def desk_clock(db: pw.Database) -> Clock:
    """The clock a workstation stamps events and runs rules with."""
    if is_sqlite(db):
        return SystemClock()
    return ServerClock(db)
