"""Least privilege: `deskapp init --app-role` gives the app's role rows, never the schema."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import peewee
import pytest

from deskapp import services as sv
from deskapp.cli.main import main
from deskapp.domain.clock import FixedClock
from deskapp.rules import run_rules
from deskapp.services import presence, views
from deskapp.store.connection import database_from_url, open_database, raw_sql
from deskapp.store.privileges import quote_ident
from tests.desk_setup import make_desk


def _as(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{user}:{password}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@pytest.fixture
def app_role(pg_schema_url: str) -> Iterator[tuple[str, str]]:
    """A throw-away login role (unique name), dropped afterwards with its grants."""
    role, password = f"deskapp_app_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    owner = database_from_url(pg_schema_url)
    owner.connect()
    raw_sql(owner, f"CREATE ROLE {quote_ident(role)} LOGIN PASSWORD '{password}'")
    try:
        yield role, password
    finally:
        (schema,) = raw_sql(owner, "SELECT current_schema()").fetchone()
        s, r = quote_ident(schema), quote_ident(role)
        for statement in (
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
            f"REVOKE ALL ON SCHEMA {s} FROM {r}",
            f"DROP ROLE {r}",
        ):
            raw_sql(owner, statement)
        owner.close()


def _refused(db: peewee.Database, statement: str) -> str:
    with pytest.raises(peewee.DatabaseError) as info, db.atomic():
        raw_sql(db, statement)
    return str(info.value)


def test_the_app_role_works_rows_but_cannot_change_schema_or_history(
    pg_schema_url: str, app_role: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    role, password = app_role
    assert main(["--db", pg_schema_url, "init", "--app-role", role]) == 0
    assert f"app role {role}" in capsys.readouterr().out
    db = open_database(_as(pg_schema_url, role, password))
    try:
        (who,) = raw_sql(db, "SELECT current_user").fetchone()
        assert who == role
        # the whole process, as the app role
        desk = make_desk(db)
        c = desk.clock
        t = desk.log()
        presence.open_ticket(db, c, "tess", t.number, "WS-1")
        sv.assign(db, c, "tess", t.number, engineer="tess")
        sv.request_info(db, c, "tess", t.number, note="which mailbox?")
        sv.info_received(db, c, "tess", t.number, note="all of them")
        sv.escalate(db, c, "tess", t.number, note="needs Tier 3", provider="Microsoft", provider_ref="MS-1")
        sv.resolve(db, c, "tess", t.number, reason="fixed by the provider")
        presence.close_ticket(db, "tess", t.number, "WS-1")
        # a person's saved views and "seen" marks, kept for them by the shared app role
        views.save_view(db, c, "tess", "Mine", {"priority": "P2"})
        views.mark_seen(db, c, "tess", t.number, 1)
        assert [v.name for v in views.saved_views(db, "tess")] == ["Mine"]
        assert views.seen_versions(db, "tess") == {t.id: 1}
        other = desk.log(summary="Printer on fire")
        later = FixedClock(c.now() + dt.timedelta(days=30))
        summary = run_rules(db, later)
        assert other.number in summary.applied["sla_breached"]
        assert t.number in summary.applied["closed"]
        # ... and nothing more
        assert "permission denied" in _refused(db, "UPDATE \"history\" SET note = 'rewritten'")
        assert "permission denied" in _refused(db, 'DELETE FROM "history"')
        assert "owner" in _refused(db, 'ALTER TABLE "ticket" ADD COLUMN sneaky integer')
        assert "owner" in _refused(db, 'DROP TABLE "history"')
        assert "permission denied" in _refused(db, 'TRUNCATE "ticket"')
        assert "permission denied" in _refused(db, 'CREATE TABLE "mine" (x integer)')
    finally:
        db.close()


def test_app_role_must_exist(pg_schema_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    missing = f"nobody_{uuid.uuid4().hex[:8]}"
    assert main(["--db", pg_schema_url, "init", "--app-role", missing]) == 1
    assert "create it first" in capsys.readouterr().err


def test_sqlite_has_no_roles(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/desk.sqlite3"
    assert main(["--db", url, "init", "--app-role", "desk_app"]) == 1
    assert "PostgreSQL's" in capsys.readouterr().err
