"""Sessions on a desk with login roles (schema v13), through plain SQL on the real server:
stopping a person ends their open sessions; the watchdog every rule pass runs ends a
session that SET its timeouts away and sits on the rules' lock or runs on and on."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import psycopg
import pytest

from deskapp.cli.main import main
from deskapp.rules import engine
from deskapp.store.migrations.v0013_sessions import RULES_KEY

LOCK_KEY = engine._ADVISORY_KEY


class Desk:
    def __init__(self, owner_url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.owner_url, self.capsys = owner_url, capsys
        tag = uuid.uuid4().hex[:8]
        self.ada, self.tina, self.lee = f"ada_{tag}", f"tina_{tag}", f"lee_{tag}"
        self.passwords = {self.ada: "ada-password", self.tina: "tina-password", self.lee: "lee-password"}

    def url_for(self, login: str) -> str:
        parts = urlsplit(self.owner_url)
        secret = quote(self.passwords[login], safe="")
        host = f"{parts.hostname}:{parts.port or 5432}"
        return f"postgresql://{login}:{secret}@{host}{parts.path}?{parts.query}"

    def connect(self, login: str, **kwargs: Any) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url_for(login), **kwargs)

    def owner(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.owner_url, autocommit=True)

    def cli(self, login: str, *argv: str, code: int = 0) -> tuple[str, str, float]:
        self.capsys.readouterr()
        started = time.monotonic()
        got = main(["--db", self.url_for(login), *argv])
        took = time.monotonic() - started
        out, err = self.capsys.readouterr()
        assert got == code, (argv, out, err)
        assert "Traceback" not in err
        return out, err, took


@pytest.fixture
def desk(pg_schema_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Desk:
    d = Desk(pg_schema_url, capsys)
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", d.passwords[d.ada])
    assert main(["--db", pg_schema_url, "init", "--first-admin", d.ada, "--name", "Ada"]) == 0
    monkeypatch.setenv("DESKAPP_PASSWORD", d.passwords[d.ada])
    for login, role in ((d.tina, "tier1"), (d.lee, "lead")):
        monkeypatch.setenv("DESKAPP_NEW_PASSWORD", d.passwords[login])
        d.cli(d.ada, "staff", "add", login, "--name", login, "--role", role)
    monkeypatch.delenv("DESKAPP_NEW_PASSWORD")
    monkeypatch.delenv("DESKAPP_PASSWORD")
    return d


def _is_ended(conn: psycopg.Connection[Any]) -> bool:
    """The session's next statement fails because the server ended it."""
    try:
        conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return True
    return False


def test_stopping_a_person_ends_their_open_sessions(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    working = desk.connect(desk.tina, autocommit=True)  # a workstation's connection
    mid_transaction = desk.connect(desk.tina)  # a psql with a transaction open
    mid_transaction.execute("SELECT count(*) FROM ticket")
    assert working.execute("SELECT session_user").fetchone() == (desk.tina,)
    with desk.connect(desk.ada, autocommit=True) as ada:  # plain SQL, as the administrator
        ada.execute("SELECT deskapp_staff_set_active(%s, false)", (desk.tina,))
        assert _is_ended(working) and _is_ended(mid_transaction)
        assert not _is_ended(ada)  # the caller's own session stays
        with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
            desk.connect(desk.tina)
        with desk.owner() as owner:
            assert owner.execute(
                "SELECT r.rolcanlogin, s.active FROM pg_roles r JOIN staff s ON s.login = r.rolname "
                "WHERE r.rolname = %s",
                (desk.tina,),
            ).fetchone() == (False, False)
        # nobody gets in as her another way: no colleague may SET ROLE to her login
        with desk.connect(desk.lee) as lee, pytest.raises(psycopg.errors.InsufficientPrivilege):
            lee.execute(f'SET ROLE "{desk.tina}"')
        ada.execute("SELECT deskapp_staff_set_active(%s, true)", (desk.tina,))
    with desk.connect(desk.tina) as back:
        assert back.execute("SELECT session_user").fetchone() == (desk.tina,)
    # The same through `staff deactivate`, and a login made before v13 (the owner not
    # yet a member of it) is ended all the same: the function grants what it needs.
    with desk.owner() as owner:
        owner.execute(f'REVOKE "{desk.tina}" FROM CURRENT_USER')
    working = desk.connect(desk.tina, autocommit=True)
    monkeypatch.setenv("DESKAPP_PASSWORD", desk.passwords[desk.ada])
    assert desk.cli(desk.ada, "staff", "deactivate", desk.tina)[0] == f"{desk.tina}: inactive\n"
    assert _is_ended(working)
    assert desk.cli(desk.ada, "staff", "activate", desk.tina)[0] == f"{desk.tina}: active\n"
    desk.connect(desk.tina).close()


def test_the_watchdog_ends_a_session_of_a_stopped_person(desk: Desk) -> None:
    """A session that got in while its person was being stopped (LOGIN goes only at the
    commit) is ended by the next watchdog run: any rule pass, or the one after the stop."""
    survivor = desk.connect(desk.tina, autocommit=True)
    with desk.owner() as owner:  # stopped without ending anything, as in that window
        owner.execute(f'ALTER ROLE "{desk.tina}" NOLOGIN')
        owner.execute("UPDATE staff SET active = false WHERE login = %s", (desk.tina,))
    assert not _is_ended(survivor)
    with desk.connect(desk.lee, autocommit=True) as lee:
        ended = lee.execute("SELECT login, reason FROM deskapp_end_stalled_sessions()").fetchall()
    assert ended == [(desk.tina, "the sign-in is stopped")]
    assert _is_ended(survivor)


def _holder(desk: Desk, login: str) -> psycopg.Connection[Any]:
    """What a curious person types at psql: every timeout off, the rules' lock taken
    inside a transaction, and then nothing."""
    conn = desk.connect(login, autocommit=True)
    for statement in (
        "SET idle_in_transaction_session_timeout = 0",
        "SET statement_timeout = 0",
        "SET lock_timeout = 0",
        "BEGIN",
    ):
        conn.execute(statement)
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
    conn.execute("SELECT id FROM ticket FOR UPDATE")  # and row locks, for good measure
    return conn


def test_a_rule_pass_ends_a_holder_idle_past_its_limit(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    assert RULES_KEY == LOCK_KEY  # the step's frozen copy is the engine's lock
    with desk.owner() as owner:  # the limit configured for Tina's login: 3 s, not 60
        owner.execute(f"ALTER ROLE \"{desk.tina}\" SET idle_in_transaction_session_timeout = '3s'")
    holder = _holder(desk, desk.tina)
    started = time.monotonic()
    monkeypatch.setenv("DESKAPP_PASSWORD", desk.passwords[desk.lee])
    # Within the limit the holder is left alone: the pass says the lock is busy.
    monkeypatch.setattr(engine, "RULES_LOCK_WAIT", 0.5)
    _, err, _ = desk.cli(desk.lee, "rules", "run", code=1)
    assert "rules' lock has been held" in err and desk.tina in err
    assert time.monotonic() - started < 2.5, "the test needs the first pass inside the limit"
    assert holder.execute("SELECT 1").fetchone() == (1,)
    holder.execute("SELECT id FROM ticket FOR UPDATE")  # active again: the idle clock restarts
    time.sleep(3.5)
    # Past it, whatever the holder SET: the next pass ends that session and goes on.
    monkeypatch.setattr(engine, "RULES_LOCK_WAIT", 10.0)
    out, _, took = desk.cli(desk.lee, "rules", "run")
    assert "nothing was due" in out
    assert took < 3.0, f"the pass waited {took:.1f} s for an abandoned lock"
    assert _is_ended(holder)


def test_a_pass_that_started_waiting_gets_the_lock_once_the_holder_passes_its_limit(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    with desk.owner() as owner:
        owner.execute(f"ALTER ROLE \"{desk.tina}\" SET idle_in_transaction_session_timeout = '2s'")
    holder = _holder(desk, desk.tina)
    monkeypatch.setenv("DESKAPP_PASSWORD", desk.passwords[desk.lee])
    out, _, took = desk.cli(desk.lee, "rules", "run")  # waits up to RULES_LOCK_WAIT (10 s)
    assert "nothing was due" in out and took < 5.0, took
    assert _is_ended(holder)


def test_a_person_cannot_lift_the_limits_with_their_own_role_defaults(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL lets a role ALTER ROLE its own defaults: Tina sets hers to 0 (none) and
    to an hour; the watchdog goes by her group's limit (only the owner sets that)."""
    with desk.owner() as owner:
        prefix = owner.execute("SELECT value FROM meta WHERE key = 'role_prefix'").fetchone()[0]  # type: ignore[index]
        owner.execute(f"ALTER ROLE \"{prefix}_tier1\" SET idle_in_transaction_session_timeout = '2s'")
    with desk.connect(desk.tina, autocommit=True) as tina:
        tina.execute(f'ALTER ROLE "{desk.tina}" SET idle_in_transaction_session_timeout = 0')
        tina.execute(f'ALTER ROLE "{desk.tina}" SET statement_timeout = 0')
    holder = _holder(desk, desk.tina)
    time.sleep(2.5)
    with desk.connect(desk.lee, autocommit=True) as lee:
        ended = lee.execute("SELECT login, reason FROM deskapp_end_stalled_sessions()").fetchall()
    assert [login for login, _ in ended] == [desk.tina] and "limit 2.0 s" in ended[0][1], ended
    assert _is_ended(holder)
    with desk.connect(desk.tina, autocommit=True) as tina:
        tina.execute(f"ALTER ROLE \"{desk.tina}\" SET idle_in_transaction_session_timeout = '1h'")
    holder = _holder(desk, desk.tina)
    time.sleep(2.5)
    with desk.connect(desk.lee, autocommit=True) as lee:
        ended = lee.execute("SELECT login FROM deskapp_end_stalled_sessions()").fetchall()
    assert ended == [(desk.tina,)] and _is_ended(holder)


def test_a_statement_run_with_its_timeout_off_is_ended(desk: Desk) -> None:
    with desk.owner() as owner:
        owner.execute(f"ALTER ROLE \"{desk.tina}\" SET statement_timeout = '1s'")
    sleeper = desk.connect(desk.tina, autocommit=True)
    sleeper.execute("SET statement_timeout = 0")
    failed: list[BaseException] = []

    def sleep() -> None:
        try:
            sleeper.execute("SELECT pg_sleep(60)")
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=sleep)
    started = time.monotonic()
    thread.start()
    time.sleep(1.5)
    with desk.connect(desk.lee, autocommit=True) as lee:  # what a rule pass runs
        ended = lee.execute("SELECT login, reason FROM deskapp_end_stalled_sessions()").fetchall()
    thread.join(10)
    assert not thread.is_alive()
    assert [login for login, _ in ended] == [desk.tina] and "one statement running" in ended[0][1]
    assert failed and isinstance(failed[0], psycopg.OperationalError)
    assert time.monotonic() - started < 5.0


def test_only_the_owner_may_shorten_the_limits(desk: Desk) -> None:
    """Nobody ends a colleague's working session by calling the watchdog with tiny limits."""
    lee = desk.connect(desk.lee, autocommit=True)
    lee.execute("BEGIN")
    lee.execute("SELECT count(*) FROM ticket")  # a transaction open a moment, as the app's are
    time.sleep(0.5)
    with desk.connect(desk.tina, autocommit=True) as tina:
        got = tina.execute("SELECT * FROM deskapp_end_stalled_sessions('0 s', '0 s')").fetchall()
    assert got == [] and not _is_ended(lee)
    lee.execute("BEGIN")
    lee.execute("SELECT count(*) FROM ticket")
    time.sleep(0.5)
    with desk.owner() as owner:
        got = owner.execute("SELECT login FROM deskapp_end_stalled_sessions('0.2 s')").fetchall()
    assert got == [(desk.lee,)] and _is_ended(lee)


def test_the_watchdog_is_the_owners_and_for_the_desks_groups(desk: Desk) -> None:
    with desk.owner() as owner:
        row = owner.execute(
            "SELECT p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner) = current_user, "
            "has_function_privilege('public', p.oid, 'EXECUTE'), "
            "has_function_privilege(%s, p.oid, 'EXECUTE') "
            "FROM pg_proc p WHERE p.proname = 'deskapp_end_stalled_sessions' "
            "AND p.pronamespace = current_schema()::regnamespace",
            (desk.tina,),
        ).fetchone()
        assert row is not None
        definer, config, owned, public, tier1 = row
        assert definer and owned and tier1 and not public
        assert any(c.startswith("search_path=") for c in config)
        inner = owner.execute(
            "SELECT has_function_privilege(%s, 'deskapp_watch_login(text)', 'EXECUTE')", (desk.tina,)
        ).fetchone()
        assert inner == (False,)


@pytest.fixture
def plain_pg(pg_schema_url: str) -> Iterator[str]:
    yield pg_schema_url


def test_a_desk_without_login_roles_has_nothing_to_end(plain_pg: str) -> None:
    from deskapp.store.connection import open_database
    from deskapp.store.watchdog import end_stalled_sessions

    db = open_database(plain_pg)  # the test suite's plain schema: no role prefix
    try:
        assert end_stalled_sessions(db) == []
    finally:
        db.close()


def test_an_upgraded_desk_gets_the_watchdog_and_its_rights(desk: Desk) -> None:
    """A desk with login roles from before v13, upgraded by the owner's next open: the
    watchdog is there for the groups, and the owner may end the older logins' sessions."""
    from deskapp.store.connection import open_database

    with desk.owner() as owner:
        owner.execute("DROP FUNCTION deskapp_end_stalled_sessions(interval, interval)")
        for login in (desk.ada, desk.tina, desk.lee):
            owner.execute(f'REVOKE "{login}" FROM CURRENT_USER')
        owner.execute("UPDATE meta SET value = '11' WHERE key = 'schema_version'")
    open_database(desk.owner_url).close()  # the owner's open upgrades (v13 only)
    with desk.owner() as owner:
        members = owner.execute(
            "SELECT count(*) FROM unnest(%s::text[]) AS l(name) "
            "WHERE pg_has_role(current_user, l.name, 'USAGE')",
            ([desk.ada, desk.tina, desk.lee],),
        ).fetchone()
        assert members == (3,)
    with desk.owner() as owner:  # Tina stopped by hand, no session ended: the watchdog's job
        survivor = desk.connect(desk.tina, autocommit=True)
        owner.execute("UPDATE staff SET active = false WHERE login = %s", (desk.tina,))
    with desk.connect(desk.lee, autocommit=True) as lee:
        assert lee.execute("SELECT login FROM deskapp_end_stalled_sessions()").fetchall() == [(desk.tina,)]
    assert _is_ended(survivor)
