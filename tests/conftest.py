"""Shared fixtures: a fresh database per test (SQLite and PostgreSQL), isolated folders.

`db_url` / `db` are parametrized over ["sqlite", "postgres"]. PostgreSQL comes
from DESKAPP_TEST_PG_URL; each test gets its own schema, dropped afterwards.
Unset: the postgres case is skipped locally, but fails when CI or
DESKAPP_REQUIRE_PG is set. Set but unreachable: it fails, never skips.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import peewee
import pytest

PG_ENV = "DESKAPP_TEST_PG_URL"


@pytest.fixture(autouse=True)
def _isolated_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("DESKAPP_LOG_DIR", str(home / "logs"))
    for name in ("DESKAPP_DB", "DESKAPP_PASSWORD", "DESKAPP_NEW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _fast_password_hashes() -> Iterator[None]:
    """Passwords hash at the floor cost in tests (as fast as before N=2^17 became the
    default); tests/store/test_passwords.py holds the production default to its value.
    Commands run in a child process hash at the production cost."""
    from deskapp.store.passwords import FLOOR, cost_for_tests

    with cost_for_tests(FLOOR):
        yield


@pytest.fixture(autouse=True)
def _gui_reads_settle(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """GUI tests check a view right after a call: its reads and its saves (still on the
    worker and write threads: `workers.start`, `writes.save`) finish, their results
    delivered, before the call returns. Tests of the asynchronous path set SETTLE back."""
    if "gui" in Path(str(request.node.path)).parts:
        from deskapp.gui import workers

        monkeypatch.setattr(workers, "SETTLE", True)


def _pg_base_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI") or os.environ.get("DESKAPP_REQUIRE_PG"):
            pytest.fail(f"{PG_ENV} is not set, and CI needs the PostgreSQL tests to run")
        pytest.skip(f"{PG_ENV} is not set")
    return url


def _with_schema(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


def _drop_desk_roles(admin: peewee.Database, schema: str) -> None:
    """The login and group roles a test's desk made (`init --first-admin`)."""
    from deskapp.store.connection import raw_sql
    from deskapp.store.security import drop_desk_roles

    raw_sql(admin, f'SET search_path = "{schema}"')
    try:
        with admin.atomic():
            drop_desk_roles(admin)
    finally:
        raw_sql(admin, "RESET search_path")


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a brand-new, empty schema."""
    from deskapp.store.connection import database_from_url, raw_sql

    base = _pg_base_url()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = database_from_url(base)
    try:
        admin.connect()
    except peewee.OperationalError as exc:
        pytest.fail(f"{PG_ENV} is set but PostgreSQL is unreachable: {exc}")
    raw_sql(admin, f'CREATE SCHEMA "{schema}"')
    try:
        yield _with_schema(base, schema)
    finally:
        raw_sql(admin, "SELECT 1")  # a read reconnects if a test restarted the server
        _drop_desk_roles(admin, schema)  # the server's, not the schema's: gone with it
        raw_sql(admin, f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    return str(request.getfixturevalue("pg_schema_url"))


@pytest.fixture
def db(db_url: str) -> Iterator[peewee.Database]:
    from deskapp.store.connection import open_database

    database = open_database(db_url)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def desk(db: peewee.Database) -> object:
    from tests.desk_setup import make_desk

    return make_desk(db)
