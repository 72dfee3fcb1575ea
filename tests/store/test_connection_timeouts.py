"""No wait without end: PostgreSQL connections give up connecting after CONNECT_TIMEOUT_S,
the app's sessions cancel a statement after their limit (each thread's connection), and
SQLite waits for another workstation's lock at most its busy timeout."""

from __future__ import annotations

import threading
import time

import peewee
import pytest

from deskapp.store.connection import (
    CONNECT_TIMEOUT_S,
    database_from_url,
    is_sqlite,
    limit_statements,
    raw_sql,
)


def test_a_postgres_url_gets_a_connect_timeout_unless_it_names_one() -> None:
    plain = database_from_url("postgresql://desk@db.example/desk")
    assert plain.connect_params["connect_timeout"] == CONNECT_TIMEOUT_S
    named = database_from_url("postgresql://desk@db.example/desk?connect_timeout=3")
    assert named.connect_params["connect_timeout"] == "3"


def test_statements_are_limited_on_every_thread(db: peewee.Database) -> None:
    if is_sqlite(db):
        assert int(raw_sql(db, "PRAGMA busy_timeout").fetchone()[0]) == 15_000
        limit_statements(db, 200)  # nothing to do: SQLite's wait is its busy timeout
        assert "options" not in db.connect_params
        return
    limit_statements(db, 300)
    assert raw_sql(db, "SHOW statement_timeout").fetchone()[0] == "300ms"  # this open connection
    began = time.monotonic()
    with pytest.raises(peewee.OperationalError, match="statement timeout"):
        raw_sql(db, "SELECT pg_sleep(5)")
    assert time.monotonic() - began < 3
    seen: list[str] = []

    def other_thread() -> None:  # a worker's own connection
        try:
            seen.append(str(raw_sql(db, "SHOW statement_timeout").fetchone()[0]))
        finally:
            db.close()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join(30)
    assert seen == ["300ms"]
    assert "search_path" in str(db.connect_params["options"])  # the test's schema is kept
