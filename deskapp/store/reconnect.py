"""Faults: the database went away (network drop, server restart) and came back.

- `ReconnectingPostgres`: a peewee psycopg 3 database that notices a dead
  connection and opens a new one on the next operation, so a workstation
  carries on after a server restart without being restarted itself. Outside a
  transaction, a read (SELECT) that failed because the connection died is
  tried once more on a new connection; a write is never repeated behind the
  caller's back.
- `DatabaseUnavailable`: what a service raises when its transaction could not
  be made. `maybe_saved` is False when the failure came before COMMIT (nothing
  was saved: the whole transaction may be run again) and True when the commit
  itself was cut off (the change may or may not be in the database). It is
  both a `DeskError` (views show its message inline and keep what was typed)
  and a peewee `OperationalError` (code that treats any database error as
  "offline" still does).
- `with_retry(fn)`: run a read, or a whole write transaction, again with
  backoff while the database is unreachable, never after a commit that may
  have happened.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import peewee as pw
from playhouse.postgres_ext import Psycopg3Database

from deskapp.domain.lifecycle import DeskError

T = TypeVar("T")
BACKOFF_SECONDS = (0.25, 0.5, 1.0, 2.0, 4.0)


class DatabaseUnavailable(DeskError, pw.OperationalError):
    def __init__(self, where: str, cause: BaseException | str, *, maybe_saved: bool) -> None:
        self.maybe_saved = maybe_saved
        self.cause = str(cause).strip()
        if maybe_saved:
            what = (
                "the connection broke while the change was being committed, so it may or may not "
                "have been saved: check the ticket's history when the desk is back online"
            )
        else:
            what = "nothing was saved; what you typed is kept, try again when it is back"
        super().__init__(f"the database ({where}) is unreachable: {what}")


def connection_lost(db: pw.Database) -> bool:
    """True when `db` has no usable connection (never opened, closed, or broken)."""
    if isinstance(db, pw.SqliteDatabase):
        return False
    conn: Any = db._state.conn  # type: ignore[attr-defined]
    return conn is None or bool(getattr(conn, "closed", False) or getattr(conn, "broken", False))


def drop_connection(db: pw.Database) -> None:
    """Forget a dead connection so the next operation opens a new one."""
    if db.in_transaction():
        return
    with contextlib.suppress(Exception):  # it is already broken
        db.close()


def _is_read(sql: str) -> bool:
    return sql.lstrip().split(None, 1)[0].upper() in ("SELECT", "WITH", "SHOW") if sql.strip() else False


class ReconnectingPostgres(Psycopg3Database):  # type: ignore[misc]  # untyped peewee class
    """Psycopg3Database that reconnects after the server went away (see the module docstring)."""

    def _where(self) -> str:
        return f"PostgreSQL {self.connect_params.get('host', 'localhost')}/{self.database}"

    def _drop_if_dead(self) -> None:
        if not self.is_closed() and not self.in_transaction() and connection_lost(self):
            drop_connection(self)

    def begin(self, *args: Any, **kwargs: Any) -> Any:
        """BEGIN on a connection that turns out dead (the server restarted since the last
        statement) is sent again on a new one: nothing of the transaction was sent yet."""
        self._drop_if_dead()
        try:
            return super().begin(*args, **kwargs)
        except (pw.OperationalError, pw.InterfaceError):
            if self.in_transaction() or not connection_lost(self):
                raise
            drop_connection(self)
        return super().begin(*args, **kwargs)

    def execute_sql(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        self._drop_if_dead()
        if self.in_transaction():
            return super().execute_sql(sql, params, *args, **kwargs)
        was_connected = not self.is_closed()
        try:
            return super().execute_sql(sql, params, *args, **kwargs)
        except (pw.OperationalError, pw.InterfaceError) as exc:
            if isinstance(exc, DatabaseUnavailable) or not connection_lost(self):
                raise
            drop_connection(self)
            if not _is_read(sql):
                raise DatabaseUnavailable(self._where(), exc, maybe_saved=was_connected) from exc
        try:  # a read: once more, on a new connection
            return super().execute_sql(sql, params, *args, **kwargs)
        except (pw.OperationalError, pw.InterfaceError) as exc:
            if not connection_lost(self):
                raise
            drop_connection(self)
            raise DatabaseUnavailable(self._where(), exc, maybe_saved=False) from exc


def with_retry(
    fn: Callable[[], T], *, backoff: Sequence[float] = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:  # fmt: skip
    """Call `fn` (a read, or a service call: one whole transaction); while the database
    is unreachable and nothing was saved, wait and call it again. A commit that may
    have happened is never repeated: that `DatabaseUnavailable` is raised at once."""
    for pause in backoff:
        try:
            return fn()
        except DatabaseUnavailable as exc:
            if exc.maybe_saved:
                raise
        sleep(pause)
    return fn()
