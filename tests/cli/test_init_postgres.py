"""A plain `deskapp init` on PostgreSQL makes a desk where each person signs in as
themselves (group roles, no password hash in a table); the old shared-role mode only by
name (`--app-role`); an old desk is left working and told how to convert."""

from __future__ import annotations

import io
import uuid

import psycopg
import pytest

from deskapp.cli import secure_init
from deskapp.cli.main import main
from deskapp.domain.clock import SystemClock
from deskapp.services import directory
from deskapp.store.connection import open_database, raw_sql

COMMAND = "deskapp --db OWNER_URL init --first-admin LOGIN --name NAME"


def _init(capsys: pytest.CaptureFixture[str], url: str, *argv: str, code: int = 0) -> str:
    capsys.readouterr()
    got = main(["--db", url, "init", *argv])
    out, err = capsys.readouterr()
    assert got == code, (argv, out, err)
    assert "Traceback" not in err
    return out


def _desk(url: str) -> tuple[str | None, int, bool]:
    """The desk's security marker, how many of its group roles the server has, and
    whether the staff table refuses a password hash."""
    db = open_database(url)
    try:
        marker = raw_sql(db, "SELECT value FROM meta WHERE key = 'security'").fetchone()
        prefix = raw_sql(db, "SELECT value FROM meta WHERE key = 'role_prefix'").fetchone()
        groups = 0
        if prefix is not None:
            (groups,) = raw_sql(
                db, "SELECT count(*) FROM pg_roles WHERE rolname LIKE %s", (prefix[0] + "\\_%",)
            ).fetchone()
        (check,) = raw_sql(
            db,
            "SELECT count(*) FROM pg_constraint WHERE conname = 'staff_no_password_hash' "
            "AND connamespace = current_schema()::regnamespace",
        ).fetchone()
        return (None if marker is None else str(marker[0])), int(groups), bool(check)
    finally:
        db.close()


def test_a_plain_init_makes_a_desk_with_login_roles(
    pg_schema_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _init(capsys, pg_schema_url)  # no terminal under pytest: it says the command
    assert "login roles: group roles dk_" in out and "(made 4)" in out
    assert "nobody can sign in to this desk yet" in out and COMMAND in out
    assert _desk(pg_schema_url) == ("roles", 4, True)
    ada = f"ada_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "ada-password")
    out = _init(capsys, pg_schema_url, "--first-admin", ada, "--name", "Ada")
    assert f"first administrator {ada} (Ada)" in out and "(up to date)" in out
    db = open_database(pg_schema_url)
    try:
        assert raw_sql(db, "SELECT login, password_hash FROM staff").fetchall() == [(ada, None)]
    finally:
        db.close()
    assert "nobody can sign in" not in _init(capsys, pg_schema_url)  # again: grants up to date
    # the old shared-role mode cannot be put on it afterwards
    _init(capsys, pg_schema_url, "--app-role", "deskapp_ci", code=1)


def test_a_plain_init_on_a_terminal_asks_for_the_first_administrator(
    pg_schema_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = f"ada_{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(secure_init, "_on_terminal", lambda: True)  # as if typed at a terminal
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{ada.upper()}\nAda Lovelace\n"))
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "ada-password")
    out = _init(capsys, pg_schema_url)
    assert f"first administrator {ada} (Ada Lovelace)" in out and "nobody can sign in" not in out
    conninfo = pg_schema_url.replace(pg_schema_url.split("@")[0], f"postgresql://{ada}:ada-password")
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT session_user, role FROM staff").fetchone() == (ada, "admin")


def test_enter_at_the_prompt_leaves_the_first_administrator_for_later(
    pg_schema_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(secure_init, "_on_terminal", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    out = _init(capsys, pg_schema_url)
    assert "nobody can sign in to this desk yet" in out and COMMAND in out
    assert _desk(pg_schema_url) == ("roles", 4, True)


def test_an_old_desk_is_left_working_and_told_how_to_convert(
    pg_schema_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A desk with hashes in its staff table (an app-role desk from before): a plain init
    (every upgrade runs one) converts nothing behind the administrator's back."""
    db = open_database(pg_schema_url)
    try:
        directory.add_staff(db, SystemClock(), None, "ada", name="Ada", role="admin", password="ada-password")
    finally:
        db.close()
    out = _init(capsys, pg_schema_url)
    assert "old shared-role mode" in out and "--first-admin LOGIN" in out
    assert _desk(pg_schema_url) == (None, 0, False)


def test_a_training_desk_on_postgresql_stays_a_training_desk(
    pg_schema_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _init(capsys, pg_schema_url, "--training")
    assert ", training" in out and "login roles" not in out
    assert _desk(pg_schema_url) == (None, 0, False)


def test_app_role_is_named_the_old_shared_role_mode(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["init", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "the old shared-role mode" in text and "a login role per person" in text


def test_no_first_member_with_a_hash_on_a_plain_postgresql_desk(
    pg_schema_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live PostgreSQL desk without login roles and not in the old mode by name (its
    tables made by the app's own open, say): `staff add` makes no first member with a
    hash, and names the owner's command."""
    open_database(pg_schema_url).close()
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "ada-password")
    capsys.readouterr()
    assert main(["--db", pg_schema_url, "staff", "add", "ada", "--name", "Ada", "--role", "admin"]) == 1
    assert COMMAND in capsys.readouterr().err
    db = open_database(pg_schema_url)
    try:
        assert directory.staff_count(db) == 0
    finally:
        db.close()
