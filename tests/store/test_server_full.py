"""A PostgreSQL server with no free connection: the launch says so in words and waits.

The server is really full for the test's own role: a role made with CONNECTION
LIMIT 1 (unique per test, dropped afterwards) whose one slot the test holds,
so PostgreSQL refuses the next connection with SQLSTATE 53300 as a full server
does, without taking any slot another user of the shared cluster needs.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from deskapp.store.connection import DatabaseUrlError, database_from_url, open_database, raw_sql
from deskapp.store.server_full import ServerFull, connect_patiently, is_server_full


@dataclass
class FullRole:
    url: str  # signs in as the limited role, into the test's schema
    held: psycopg.Connection  # the role's one slot, taken

    def release_after(self, seconds: float) -> threading.Thread:
        def release() -> None:
            time.sleep(seconds)
            self.held.close()

        thread = threading.Thread(target=release)
        thread.start()
        return thread


@pytest.fixture
def full_role(pg_schema_url: str) -> Iterator[FullRole]:
    owner = open_database(pg_schema_url)  # a desk in the test's schema, made by the owner
    schema = str(raw_sql(owner, "SELECT current_schema()").fetchone()[0])
    name = f"full_{uuid.uuid4().hex[:12]}"
    raw_sql(owner, f"CREATE ROLE {name} LOGIN PASSWORD 'pw-full-1' CONNECTION LIMIT 1")
    try:
        raw_sql(owner, f'GRANT USAGE ON SCHEMA "{schema}" TO {name}')
        raw_sql(owner, f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {name}')
        parts = urlsplit(pg_schema_url)
        url = urlunsplit(parts._replace(netloc=f"{name}:pw-full-1@{parts.hostname}:{parts.port or 5432}"))
        held = psycopg.connect(f"host={parts.hostname} port={parts.port or 5432} dbname="
                               f"{parts.path.lstrip('/')} user={name} password=pw-full-1")  # fmt: skip
        try:
            yield FullRole(url, held)
        finally:
            held.close()
    finally:
        raw_sql(owner, f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {name}')
        raw_sql(owner, f'REVOKE ALL ON SCHEMA "{schema}" FROM {name}')
        for _ in range(50):  # the role's last backend may still be going away
            try:
                raw_sql(owner, f"DROP ROLE {name}")
                break
            except Exception:
                time.sleep(0.1)
        owner.close()


def test_a_full_server_is_waited_for_and_said_in_words(full_role: FullRole) -> None:
    db = database_from_url(full_role.url)
    told: list[str] = []
    release = full_role.release_after(1.0)
    started = time.monotonic()
    connect_patiently(db, "PostgreSQL 127.0.0.1/deskapp_ci", told.append, backoff=(0.3,))
    release.join()
    assert time.monotonic() - started >= 1.0
    assert told, "the wait was never said"
    assert told[0].startswith("PostgreSQL 127.0.0.1/deskapp_ci is full (too many connections for role")
    assert "waiting for a free connection, trying again in 0.3 s" in told[0]
    assert "pw-full-1" not in " ".join(told)
    assert raw_sql(db, "SELECT 1").fetchone()[0] == 1
    db.close()


def test_a_server_that_stays_full_is_named_with_how_to_size_it(full_role: FullRole) -> None:
    db = database_from_url(full_role.url)
    told: list[str] = []
    with pytest.raises(ServerFull) as info:
        connect_patiently(db, "PostgreSQL 127.0.0.1/deskapp_ci", told.append, backoff=(0.2,),
                          give_up_after=0.7)  # fmt: skip
    text = str(info.value)
    assert text.startswith("PostgreSQL 127.0.0.1/deskapp_ci is full (too many connections for role")
    assert "max_connections" in text and "Sizing the server" in text
    assert "FATAL" not in text and "connection to server at" not in text
    assert len(told) >= 2


def test_other_connection_failures_are_not_waited_for(pg_schema_url: str) -> None:
    parts = urlsplit(pg_schema_url)
    wrong = urlunsplit(parts._replace(netloc=f"nobody_{uuid.uuid4().hex[:8]}:x@{parts.hostname}"))
    told: list[str] = []
    started = time.monotonic()
    with pytest.raises(DatabaseUrlError) as info:
        open_database(wrong, on_full=told.append)
    assert told == [] and time.monotonic() - started < 5
    assert not is_server_full(info.value)


def test_every_command_waits_for_a_full_server(
    full_role: FullRole, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line's one way to a database (deskapp.cli.session.database)."""
    from deskapp.cli import session

    release = full_role.release_after(1.5)
    db = session.database(argparse.Namespace(db=full_role.url))
    release.join()
    err = capsys.readouterr().err
    assert "deskapp: PostgreSQL 127.0.0.1/deskapp_ci is full (too many connections for role" in err
    assert "waiting for a free connection" in err
    db.close()
