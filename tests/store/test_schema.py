"""The store: schema creation, instants in UTC, URLs, and migrations from older releases."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import peewee
import pytest

from deskapp.store import connection
from deskapp.store.connection import DatabaseUrlError, database_from_url, open_database, raw_sql
from deskapp.store.migrations import SCHEMA_VERSION, SchemaError, backups_of, schema_version, set_meta
from deskapp.store.models import Reseller, Ticket

FIXTURES = Path(__file__).parent / "fixtures"


def _columns(db: peewee.Database, table: str) -> set[str]:
    return {c.name for c in db.get_columns(table)}


def _indexes(db: peewee.Database, table: str) -> set[str]:
    return {i.name for i in db.get_indexes(table)}


def test_new_database_has_current_schema(db: peewee.Database) -> None:
    assert schema_version(db) == SCHEMA_VERSION
    assert {"rule_pass", "lead_flagged_at", "version", "policy_version"} <= _columns(db, "ticket")
    assert "ticket_status_closes_at" in _indexes(db, "ticket")


def test_sqlite_pragmas(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'a.sqlite3'}")

    def pragma(name: str) -> Any:
        return raw_sql(db, f"PRAGMA {name}").fetchone()[0]

    assert pragma("journal_mode") == "wal"
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") >= 1000
    assert pragma("synchronous") == 1  # NORMAL


def test_default_location_is_the_user_data_folder() -> None:
    data_home = os.environ["XDG_DATA_HOME"]  # pointed at a temporary folder by conftest
    path = connection.default_sqlite_path()
    assert path == Path(data_home) / "deskapp" / "deskapp.sqlite3"
    assert connection.default_database_url() == f"sqlite:///{path}"


def test_env_names_the_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DESKAPP_DB", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    db = open_database()
    assert Path(db.database) == tmp_path / "env.sqlite3"


def test_instants_round_trip_as_utc_to_the_microsecond(db: peewee.Database) -> None:
    london = ZoneInfo("Europe/London")
    moment = dt.datetime(2026, 3, 29, 2, 30, 0, 1, tzinfo=london)  # BST
    Reseller.create(name="R", country="GB", created_at=moment)
    got = Reseller.get(Reseller.name == "R").created_at
    assert got == moment
    assert got.tzinfo == dt.UTC
    assert got.hour == 1 and got.microsecond == 1
    with pytest.raises(ValueError, match="naive"):
        Reseller.create(name="S", country="GB", created_at=dt.datetime(2026, 1, 1))


def test_urls() -> None:
    assert isinstance(database_from_url("sqlite:///:memory:"), peewee.SqliteDatabase)
    pg = database_from_url("postgresql://u:secret@db.example:5433/desk?sslmode=require")
    assert pg.database == "desk"
    assert pg.connect_params["port"] == 5433
    assert pg.connect_params["sslmode"] == "require"
    with pytest.raises(DatabaseUrlError, match="unknown database kind"):
        database_from_url("mysql://x/y")
    with pytest.raises(DatabaseUrlError, match=r"\*\*\*"):
        database_from_url("postgresql://u:secret@h/")


def test_v1_sqlite_database_is_backed_up_and_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.executescript((FIXTURES / "schema_v1.sql").read_text())
    db = open_database(f"sqlite:///{path}")
    assert schema_version(db) == SCHEMA_VERSION
    assert {"rule_pass", "lead_flagged_at"} <= _columns(db, "ticket")
    assert db.table_exists("survey_answer")
    assert db.table_exists("outbox") and db.table_exists("survey_invitation") and db.table_exists("editing")
    assert ["response_due"] in [index.columns for index in db.get_indexes("ticket")], "v5's index"
    ticket = Ticket.get(Ticket.number == "INC-000001")
    assert ticket.status == "resolved" and ticket.version == 4
    assert ticket.closes_at == dt.datetime(2025, 11, 10, tzinfo=dt.UTC)
    # The upgraded schema is the one a new database gets.
    fresh = open_database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    for table in ("ticket", "survey_answer", "history", "staff"):
        assert _columns(db, table) == _columns(fresh, table), table
    assert _indexes(db, "ticket") == _indexes(fresh, "ticket")
    assert _indexes(db, "history") == _indexes(fresh, "history")
    connection.use(db)
    # The backup is the untouched v1 file.
    (backup,) = backups_of(path)
    with sqlite3.connect(backup) as old:
        assert old.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("1",)
        cols = {r[1] for r in old.execute("PRAGMA table_info(ticket)")}
        assert "rule_pass" not in cols
        assert old.execute("SELECT count(*) FROM history").fetchone() == (2,)
    # Opening again migrates nothing and makes no second backup.
    open_database(f"sqlite:///{path}")
    assert len(backups_of(path)) == 1


def test_v1_postgres_database_is_upgraded(pg_schema_url: str) -> None:
    raw = database_from_url(pg_schema_url)
    sql = (FIXTURES / "schema_v1.sql").read_text()
    sql = sql.replace('"id" INTEGER NOT NULL PRIMARY KEY', '"id" SERIAL NOT NULL PRIMARY KEY')
    sql = "\n".join(x for x in sql.splitlines() if not x.startswith("--"))
    for body in (s.strip() for s in sql.split(";")):
        if body:
            raw_sql(raw, body)
    raw.close()
    db = open_database(pg_schema_url)
    assert schema_version(db) == SCHEMA_VERSION
    assert {"rule_pass", "lead_flagged_at"} <= _columns(db, "ticket")
    assert Ticket.get(Ticket.number == "INC-000001").responded_at == dt.datetime(
        2025, 11, 3, 10, 5, tzinfo=dt.UTC
    )
    db.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.sqlite3'}"
    open_database(url)
    set_meta("schema_version", str(SCHEMA_VERSION + 1))
    with pytest.raises(SchemaError, match="newer deskapp"):
        open_database(url)


def test_open_without_create_refuses_an_empty_database(tmp_path: Path) -> None:
    # A missing file is refused, and not left behind as an empty one.
    with pytest.raises(DatabaseUrlError, match=r"no desk at.*deskapp init"):
        open_database(f"sqlite:///{tmp_path / 'e.sqlite3'}", create=False)
    assert not (tmp_path / "e.sqlite3").exists()
    # A file with no deskapp schema in it is refused too.
    sqlite3.connect(tmp_path / "e.sqlite3").close()
    with pytest.raises(SchemaError, match="deskapp init"):
        open_database(f"sqlite:///{tmp_path / 'e.sqlite3'}", create=False)
