"""The ticket attacks (tests/security/ticket_attacks.py) tried on a real PostgreSQL desk.

Each runs in its own transaction on a connection of a role the desk's owner made:
a Tier 1 staff member's login role, and a stranger (a role that is no staff member).
Both are granted every table privilege, so what stops them is the database's own
triggers and row policies, not a missing grant. The roles are cluster-wide: named
uniquely per test and dropped afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import peewee
import psycopg
import pytest

from deskapp import services as sv
from deskapp.services import views
from deskapp.store.connection import open_database, raw_sql
from deskapp.store.db_clock import desk_clock
from deskapp.store.models import Staff, Ticket
from tests.security.ticket_attacks import RECORDED, REFUSED, STRANGER, TICKET_ATTACKS

pytestmark = pytest.mark.postgres

TABLES = (
    "ticket", "history", "priority_change", "saved_view", "ticket_seen", "message", "attachment",
    "lifecycle_move", "app_role",
)  # fmt: skip


@dataclass
class AttackDesk:
    db: peewee.Database
    url: str  # the owner's URL, with the schema
    schema: str
    ids: dict[str, Any] = field(default_factory=dict)


def _ticket(db: peewee.Database, clock: Any, actor: str, summary: str, **extra: Any) -> Ticket:
    return sv.log_ticket(
        db, clock, actor, reseller="Acme Networks", contact="Pat Jones", phone="+44 20 7946 0000",
        tenant="acme-main", impact="some", channel="email", summary=summary,
        end_users="the sales team", **extra,
    )  # fmt: skip


@pytest.fixture
def desk(pg_schema_url: str) -> Iterator[AttackDesk]:
    db = open_database(pg_schema_url)
    clock = desk_clock(db)  # a live desk: the server's time
    (schema,) = raw_sql(db, "SELECT current_schema()").fetchone()
    me = f"t1_{uuid.uuid4().hex[:10]}"
    sv.add_staff(db, clock, None, "ada", name="Ada Admin", role="admin", password="pw-ada-123456")
    for login, name, role in (
        ("lee", "Lee Lead", "lead"),
        ("tom", "Tom Tier1", "tier1"),
        ("tess", "Tess Tier2", "tier2"),
        (me, "Me Tier1", "tier1"),
    ):
        sv.add_staff(db, clock, "ada", login, name=name, role=role)
    sv.add_reseller(db, clock, "ada", "Acme Networks", country="GB", email="desk@acme.example")
    logged = _ticket(db, clock, "tom", "logged one", priority="P2", priority_reason="the whole site")
    resolved = _ticket(db, clock, "tom", "resolved one")
    sv.resolve(db, clock, "tom", resolved.number, reason="fixed")
    awaiting = _ticket(db, clock, "tom", "awaiting one")
    sv.assign(db, clock, "tom", awaiting.number, engineer="tom")
    sv.request_info(db, clock, "tom", awaiting.number, note="which users?")
    tier2 = _ticket(db, clock, "tom", "tier two one")
    sv.assign(db, clock, "tom", tier2.number, engineer="tom")
    sv.escalate(db, clock, "tom", tier2.number, note="needs Tier 2")
    other = _ticket(db, clock, "tom", "tom's one")
    sv.assign(db, clock, "tom", other.number, engineer="tom")
    views.save_view(db, clock, "lee", "P1s", {"priority": "P1"})
    views.mark_seen(db, clock, "lee", logged.number, 1)
    ids = {
        "logged": logged.id, "resolved": resolved.id, "awaiting": awaiting.id, "tier2": tier2.id,
        "assigned_other": other.id, "admin_id": Staff.get(Staff.login == "ada").id,
        "tier1_other_id": Staff.get(Staff.login == "tom").id, "me": me,
    }  # fmt: skip
    try:
        yield AttackDesk(db, pg_schema_url, str(schema), ids)
    finally:
        db.close()


@contextlib.contextmanager
def role_session(desk: AttackDesk, name: str) -> Iterator[psycopg.Connection[Any]]:
    """A login role `name` with every privilege on the desk's tables, and its session."""
    password = secrets.token_urlsafe(16)
    schema = f'"{desk.schema}"'
    owner = desk.db
    raw_sql(owner, f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
    try:
        raw_sql(owner, f'GRANT USAGE ON SCHEMA {schema} TO "{name}"')
        raw_sql(owner, f'GRANT ALL ON ALL TABLES IN SCHEMA {schema} TO "{name}"')
        raw_sql(owner, f'GRANT ALL ON ALL SEQUENCES IN SCHEMA {schema} TO "{name}"')
        parts = urlsplit(desk.url)
        host = parts.hostname or "127.0.0.1"
        netloc = f"{quote(name)}:{quote(password)}@{host}:{parts.port or 5432}"
        url = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        with psycopg.connect(url, options=f"-csearch_path={desk.schema}") as conn:
            yield conn
    finally:
        raw_sql(owner, f'REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM "{name}"')
        raw_sql(owner, f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM "{name}"')
        raw_sql(owner, f'REVOKE ALL ON SCHEMA {schema} FROM "{name}"')
        raw_sql(owner, f'DROP ROLE "{name}"')


def _snapshot(db: peewee.Database) -> dict[str, dict[int, str]]:
    out = {}
    for table in TABLES:
        rows = raw_sql(db, f"SELECT id, t::text FROM {table} t").fetchall()
        out[table] = {int(i): str(text) for i, text in rows}
    return out


@dataclass
class Outcome:
    description: str
    expected: str
    got: str
    why: str = ""


def _try(desk: AttackDesk, conn: psycopg.Connection[Any], role: str, attack: tuple[str, str, str]) -> Outcome:
    description, sql, expected = attack
    before = _snapshot(desk.db)
    statement = sql.format(**desk.ids)
    try:
        with conn.transaction():
            cur = conn.execute(statement)
            rowcount = cur.rowcount
    except psycopg.Error as exc:
        after = _snapshot(desk.db)
        assert after == before, f"{description}: refused, yet something changed"
        return Outcome(description, expected, REFUSED, str(exc).splitlines()[0])
    after = _snapshot(desk.db)
    if after == before:
        assert rowcount in (0, -1), f"{description}: touched {rowcount} rows and changed nothing"
        return Outcome(description, expected, REFUSED, "no row it may touch")
    changed = {i for i, text in after["ticket"].items() if before["ticket"].get(i) != text}
    new_history = {i: after["history"][i] for i in set(after["history"]) - set(before["history"])}
    rows = raw_sql(
        desk.db,
        "SELECT ticket_id, actor, db_user, at, now() AT TIME ZONE 'UTC' FROM history "
        f"WHERE id = ANY({desk.db.param})",
        (list(new_history),),
    ).fetchall()
    written = {int(r[0]) for r in rows}
    truthful = all(
        actor == role and db_user == role and abs((at - server_now).total_seconds()) < 120
        for _, actor, db_user, at, server_now in rows
    )
    other_tables = any(after[t] != before[t] for t in TABLES if t not in ("ticket", "history"))
    if changed and written == changed and len(rows) == len(changed) and truthful and not other_tables:
        return Outcome(description, expected, RECORDED)
    return Outcome(description, expected, "ESCAPED", f"changed {changed}, history {rows}")


def _run(desk: AttackDesk, role: str, expectations: dict[str, str]) -> list[Outcome]:
    outcomes = []
    with role_session(desk, role) as conn:
        for description, sql, expected in TICKET_ATTACKS:
            outcome = _try(desk, conn, role, (description, sql, expectations.get(description, expected)))
            outcomes.append(outcome)
    return outcomes


def _report(who: str, outcomes: list[Outcome]) -> None:
    refused = sum(o.got == REFUSED for o in outcomes)
    recorded = sum(o.got == RECORDED for o in outcomes)
    escapes = [o for o in outcomes if o.got not in (REFUSED, RECORDED)]
    print(
        f"\n{who}: {len(outcomes)} statements tried, {refused} refused, {recorded} recorded truthfully, "
        f"{len(escapes)} escapes"
    )
    for o in outcomes:
        print(f"  {o.got:9} {o.description}: {o.why[:110]}")


def test_a_tier1_login_with_psql_is_refused_or_recorded(desk: AttackDesk) -> None:
    me = str(desk.ids["me"])
    outcomes = _run(desk, me, {})
    _report(f"Tier 1 login {me}", outcomes)
    assert [o for o in outcomes if o.got != o.expected] == []
    assert sum(o.got == RECORDED for o in outcomes) >= 5 and sum(o.got == REFUSED for o in outcomes) >= 25


def test_a_role_that_is_no_staff_member_moves_nothing(desk: AttackDesk) -> None:
    stranger = f"stranger_{uuid.uuid4().hex[:10]}"
    outcomes = _run(desk, stranger, STRANGER)
    _report(f"stranger {stranger}", outcomes)
    assert [o for o in outcomes if o.got != o.expected] == []


def test_a_refusal_names_the_ticket_and_the_move(desk: AttackDesk) -> None:
    me = str(desk.ids["me"])
    number = Ticket.get_by_id(desk.ids["resolved"]).number
    with role_session(desk, me) as conn, pytest.raises(psycopg.Error) as info:
        conn.execute(
            f"UPDATE ticket SET status = 'closed', version = version + 1 WHERE id = {desk.ids['resolved']}"
        )
    assert (
        str(info.value).splitlines()[0] == f"{number}: {me} (tier1) may not move it from resolved to closed"
    )
    assert info.value.sqlstate == "DK002"


def test_a_change_made_in_psql_is_recorded_with_its_columns(desk: AttackDesk) -> None:
    me = str(desk.ids["me"])
    ident = desk.ids["logged"]
    with role_session(desk, me) as conn:
        conn.execute(f"UPDATE ticket SET summary = 'by hand', version = version + 1 WHERE id = {ident}")
        conn.commit()
    last = raw_sql(
        desk.db,
        f"SELECT actor, db_user, kind, note, at FROM history WHERE ticket_id = {ident} ORDER BY id DESC",
    ).fetchone()
    assert last[:4] == (me, me, "direct_change", "changed outside deskapp: summary, version")
    assert abs(last[4] - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(minutes=2)
