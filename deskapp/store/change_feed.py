"""Live updates between workstations: which tickets changed, within a second.

Writing side: every transaction that changes tickets calls `announce(db, numbers)`.
On PostgreSQL that is `pg_notify('deskapp_changes', 'INC-000001,INC-000002')`
inside the transaction (the channel is `deskapp_changes_<schema>` when the
tables are not in `public`), so the notification is delivered when (and only
if) the change commits; a payload stays under PostgreSQL's 8000-byte limit by
splitting long lists. On SQLite it does nothing: readers poll instead.

Reading side (no Qt, no peewee models): `ChangeListener(db).next(timeout)`
returns a `Changes` batch: the ticket numbers changed since the last call, or
nothing when `timeout` passed quietly.

- PostgreSQL: a LISTEN on the listener's own autocommit psycopg connection
  (`open_feed`), or on the workstation's work connection itself
  (`open_shared_feed`: one server connection per workstation, so a desk of fifty
  fits PostgreSQL's default max_connections of 100). The shared feed is polled
  between uses, from the thread that does the work, and never inside one of its
  transactions: psycopg keeps notifications that arrive during other queries,
  and PostgreSQL delivers them only between transactions anyway.
- SQLite: a cheap poll of `PRAGMA data_version` on its own connection (it moves
  when another connection commits); when it moves, the history rows after the
  last one seen name the changed tickets (every change writes history, and
  history ids grow in commit order on SQLite, so no workstation clock is
  involved).

If the database goes away the listener reports `online=False`, retries with
backoff, and after reconnecting reports `resync=True` (notifications sent
while it was away are lost, so the reader looks again at what changed).
"""

from __future__ import annotations

import contextlib
import select
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import peewee as pw

from deskapp.store.connection import is_sqlite, raw_sql

CHANNEL = "deskapp_changes"
# A desk whose tables are not in `public` (a test schema, two desks on one server)
# gets a channel of its own, so it never hears another schema's ticket numbers.
_CHANNEL_SQL = (
    f"CASE WHEN current_schema() = 'public' THEN '{CHANNEL}' "
    f"ELSE left('{CHANNEL}_' || current_schema(), 63) END"
)
MAX_PAYLOAD_BYTES = 7900  # PostgreSQL refuses 8000 bytes and more
SQLITE_POLL_SECONDS = 0.1
BACKOFF_SECONDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def payloads(numbers: Iterable[str]) -> list[str]:
    """Comma-joined ticket numbers, split so that each payload fits in a NOTIFY."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for number in dict.fromkeys(numbers):
        extra = len(number.encode()) + (1 if current else 0)
        if current and size + extra > MAX_PAYLOAD_BYTES:
            out.append(",".join(current))
            current, size, extra = [], 0, len(number.encode())
        current.append(number)
        size += extra
    if current:
        out.append(",".join(current))
    return out


def announce(db: pw.Database, numbers: Iterable[str]) -> None:
    """Tell other workstations these tickets changed (call inside the writing transaction)."""
    if is_sqlite(db):
        return
    chunks = payloads(numbers)
    if chunks:
        # One statement however many payloads: a rule pass over many tickets
        # costs the same number of statements as one over a few.
        raw_sql(db, f"SELECT pg_notify({_CHANNEL_SQL}, p) FROM unnest(%s::text[]) AS p", (chunks,))


@dataclass(frozen=True)
class Changes:
    numbers: tuple[str, ...] = ()
    online: bool = True
    resync: bool = False  # back after an outage: changes may have been missed

    def __bool__(self) -> bool:
        return bool(self.numbers) or self.resync or not self.online


class Feed(Protocol):
    def wait(self, timeout: float) -> list[str]: ...

    def close(self) -> None: ...


class FeedLost(ConnectionError):
    """The feed's connection to the database broke."""


class PostgresFeed:
    """LISTEN on an autocommit psycopg connection of its own."""

    def __init__(self, connect_kwargs: dict[str, Any]) -> None:
        import psycopg
        import psycopg.sql

        self._psycopg = psycopg
        try:
            self._conn = psycopg.connect(autocommit=True, **connect_kwargs)
            row = self._conn.execute(f"SELECT {_CHANNEL_SQL}").fetchone()
            self.channel = str(row[0]) if row else CHANNEL
            self._conn.execute(psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(self.channel)))
        except psycopg.Error as exc:
            raise FeedLost(str(exc)) from exc

    def wait(self, timeout: float) -> list[str]:
        numbers: list[str] = []
        try:
            for note in self._conn.notifies(timeout=timeout, stop_after=1):
                numbers += _split(self.channel, note.channel, note.payload)
            for note in self._conn.notifies(timeout=0):  # drain what else arrived
                numbers += _split(self.channel, note.channel, note.payload)
        except self._psycopg.Error as exc:
            raise FeedLost(str(exc)) from exc
        return list(dict.fromkeys(numbers))

    def close(self) -> None:
        self._conn.close()


class SharedPostgresFeed:
    """LISTEN on the work connection `db` has in the calling thread (see the module docstring).

    From that thread, `wait` returns at once while the connection is in a
    transaction. When the connection was closed or replaced (a reconnect after an
    outage), the LISTEN went with it: `wait` raises `FeedLost`, so the
    `ChangeListener` listens again and asks for a resync (what was announced
    meanwhile was not heard).

    Another thread may call `wait` too (a listener beside a worker that is busy
    for seconds at a time): it then never holds the connection while it waits,
    only looks, between the worker's statements, when the connection's socket has
    something to read (at least every `FOREIGN_POLL_SECONDS`).
    Such a feed cannot listen again by itself after a reconnect (that would open
    a connection in the other thread): `wait` raises `FeedLost`, and the worker's
    thread makes a new one."""

    # The longest a look waits for the socket to stir: a notification the work read with its
    # own results (psycopg keeps it) has no stir of its own, and is looked at by then.
    FOREIGN_POLL_SECONDS = 0.1

    def __init__(self, db: pw.Database) -> None:
        import psycopg
        import psycopg.sql

        self._psycopg = psycopg
        self._db = db
        self._owner = threading.get_ident()
        try:
            conn: Any = db.connection()  # type: ignore[no-untyped-call]
            row = conn.execute(f"SELECT {_CHANNEL_SQL}").fetchone()
            self.channel = str(row[0]) if row else CHANNEL
            name = psycopg.sql.Identifier(self.channel)
            self._unlisten = psycopg.sql.SQL("UNLISTEN {}").format(name)
            conn.execute(psycopg.sql.SQL("LISTEN {}").format(name))
        except (psycopg.Error, pw.OperationalError, pw.InterfaceError) as exc:
            raise FeedLost(str(exc)) from exc
        self._conn: Any = conn

    def _current(self) -> Any:
        return None if self._db.is_closed() else self._db._state.conn  # type: ignore[attr-defined]

    def wait(self, timeout: float) -> list[str]:
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            raise FeedLost("the work connection was closed")
        if threading.get_ident() != self._owner:
            return self._wait_beside(conn, timeout)
        if self._db.in_transaction():
            return []  # the work is using the connection: heard after its commit
        if self._current() is not conn:
            raise FeedLost("the work connection was replaced")
        return self._read(conn, timeout)

    def _wait_beside(self, conn: Any, timeout: float) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            if conn.closed or conn.broken:
                raise FeedLost("the work connection was closed")
            # A look, with the connection's lock held only for it: it takes what psycopg
            # kept from the worker's own reads and what arrived since (PostgreSQL sends
            # nothing inside a transaction, so a look between its statements finds nothing).
            numbers = self._read(conn, 0.0)
            if numbers:
                return numbers
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            # Until the server sends something (a notification, or the work's own results),
            # at most FOREIGN_POLL_SECONDS: a notification is looked at as it arrives, not up
            # to a poll later, and a quiet workstation does not wake twenty times a second.
            # Without the connection's lock: the work keeps the connection meanwhile.
            try:
                select.select([conn.fileno()], [], [], min(self.FOREIGN_POLL_SECONDS, left))
            except (OSError, ValueError, self._psycopg.Error):  # closed meanwhile: said above
                time.sleep(min(self.FOREIGN_POLL_SECONDS, left))

    def _read(self, conn: Any, timeout: float) -> list[str]:
        numbers: list[str] = []
        try:
            for note in conn.notifies(timeout=max(timeout, 0.0), stop_after=1):
                numbers += _split(self.channel, note.channel, note.payload)
            for note in conn.notifies(timeout=0):  # drain what else arrived
                numbers += _split(self.channel, note.channel, note.payload)
        except self._psycopg.Error as exc:
            raise FeedLost(str(exc)) from exc
        return list(dict.fromkeys(numbers))

    def close(self) -> None:
        """Stop listening (from the owning thread); the connection stays open for the work."""
        conn = self._current() if threading.get_ident() == self._owner else None
        if conn is self._conn and conn is not None and not self._db.in_transaction():
            with contextlib.suppress(Exception):  # closing anyway
                conn.execute(self._unlisten)
        self._conn = None


def _split(listening: str, channel: str, payload: str) -> list[str]:
    if channel != listening:
        return []
    return [n for n in payload.split(",") if n]


class SqliteFeed:
    """Poll `PRAGMA data_version`; read the history rows after the last one seen."""

    def __init__(self, path: str, poll_seconds: float = SQLITE_POLL_SECONDS) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA busy_timeout = 5000")
        self.poll_seconds = poll_seconds
        self._version = self._data_version()
        self._last_history = self._max_history()

    def _data_version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def _max_history(self) -> int:
        try:
            row = self._conn.execute("SELECT max(id) FROM history").fetchone()
        except sqlite3.OperationalError:  # no schema yet
            return 0
        return int(row[0] or 0)

    def wait(self, timeout: float) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            version = self._data_version()
            if version != self._version:
                self._version = version
                numbers = self._changed()
                if numbers:
                    return numbers
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            time.sleep(min(self.poll_seconds, left))

    def _changed(self) -> list[str]:
        rows = self._conn.execute(
            "SELECT h.id, t.number FROM history h JOIN ticket t ON t.id = h.ticket_id "
            "WHERE h.id > ? ORDER BY h.id",
            (self._last_history,),
        ).fetchall()
        if rows:
            self._last_history = int(rows[-1][0])
        return list(dict.fromkeys(str(r[1]) for r in rows))

    def close(self) -> None:
        self._conn.close()


def open_feed(db: pw.Database) -> Feed:
    """A feed on the database `db` points at (its own connection, not `db`'s)."""
    if is_sqlite(db):
        return SqliteFeed(str(db.database))
    params = dict(db.connect_params)
    params["dbname"] = db.database
    return PostgresFeed(params)


def open_shared_feed(db: pw.Database) -> Feed:
    """A feed that costs the server no connection of its own: on PostgreSQL it listens on
    `db`'s connection in the calling thread (poll it from there, between uses); on SQLite
    it is `open_feed`'s (a second handle on a local file costs no server anything)."""
    if is_sqlite(db):
        return SqliteFeed(str(db.database))
    return SharedPostgresFeed(db)


class ChangeListener:
    """A feed that survives outages: `next(timeout)` never raises for a lost connection.

    While offline it reconnects after 0.25 s, 0.5 s, 1 s, ... (at most 8 s) between attempts."""

    def __init__(
        self, db: pw.Database, *, backoff: Sequence[float] = BACKOFF_SECONDS,
        opener: Callable[[pw.Database], Feed] = open_feed,
    ) -> None:  # fmt: skip
        self._db = db
        self._backoff = tuple(backoff)
        self._opener = opener
        self._feed: Feed | None = None
        self._failures = 0
        self._next_attempt = 0.0
        self.online = True
        self._connect()

    def _connect(self) -> bool:
        try:
            self._feed = self._opener(self._db)
        except (FeedLost, sqlite3.Error):
            self._feed = None
            self._failed()
            return False
        self._failures = 0
        self.online = True
        return True

    def _failed(self) -> None:
        self._failures += 1
        self.online = False
        pause = self._backoff[min(self._failures, len(self._backoff)) - 1]
        self._next_attempt = time.monotonic() + pause

    def next(self, timeout: float) -> Changes:
        if self._feed is None:
            wait = self._next_attempt - time.monotonic()
            if wait > timeout:
                time.sleep(max(timeout, 0.0))
                return Changes(online=False)
            time.sleep(max(wait, 0.0))
            if not self._connect():
                return Changes(online=False)
            return Changes(online=True, resync=True)
        try:
            return Changes(tuple(self._feed.wait(timeout)))
        except (FeedLost, sqlite3.Error):
            self._drop()
            return Changes(online=False)

    def _drop(self) -> None:
        if self._feed is not None:
            with contextlib.suppress(Exception):  # already broken; nothing to keep
                self._feed.close()
        self._feed = None
        self._failed()

    def close(self) -> None:
        if self._feed is not None:
            self._feed.close()
            self._feed = None
