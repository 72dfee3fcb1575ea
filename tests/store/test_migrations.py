"""The frozen migration steps: where they end, and an upgrade from every version.

A new database runs every step from v1, so the steps, not the models, say what
a desk's tables are; these tests hold the two to each other and prove that a
desk left at any older version reaches the newest with every row intact."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import peewee
import pytest

from deskapp.services.search import search_tickets
from deskapp.store import connection
from deskapp.store.connection import database_from_url, open_database, raw_sql
from deskapp.store.migrations import SCHEMA_VERSION, STEPS, VERSIONS, ensure_schema, schema_version
from deskapp.store.models import MODELS, SEARCH_TABLES, Outbox, Staff, SurveyAnswer, Ticket
from tests.conftest import _pg_base_url, _with_schema

T0 = "2025-11-03 09:00:00.000000"

# Rows each version's tables can hold, inserted at that version by name, so that
# an upgrade from every version carries data of every age. A new step adds its
# entry here (the test below insists).
SEEDS: dict[int, list[tuple[str, dict[str, Any]]]] = {
    1: [
        ("reseller", {"id": 1, "name": "Old Partners Ltd", "country": "GB", "created_at": T0}),
        ("contact", {"id": 1, "reseller_id": 1, "name": "Ann Old", "email": "ann@old.example"}),
        ("tenant", {"id": 1, "reseller_id": 1, "name": "old-tenant"}),
        (
            "staff",
            {"id": 1, "login": "lead1", "name": "Lee Lead", "role": "lead", "active": True, "created_at": T0},
        ),
        (
            "ticket",
            {
                "id": 1,
                "number": "INC-000001",
                "reseller_id": 1,
                "contact_id": 1,
                "tenant_id": 1,
                "end_users": "",
                "summary": "Mailbox full",
                "description": "",
                "impact": "single",
                "priority": "P3",
                "channel": "phone",
                "status": "resolved",
                "tier": 1,
                "engineer_id": 1,
                "logged_by_id": 1,
                "logged_at": T0,
                "policy_version": "1",
                "response_due": "2025-11-04 09:00:00.000000",
                "responded_at": "2025-11-03 10:05:00.000000",
                "resolved_at": "2025-11-05 09:00:00.000000",
                "closes_at": "2025-11-10 00:00:00.000000",
                "survey_status": "none",
                "version": 4,
                "updated_at": T0,
            },
        ),
        (
            "history",
            {"id": 1, "ticket_id": 1, "at": T0, "actor": "lead1", "kind": "logged", "note": ""},
        ),
        ("meta", {"key": "seeded_v1", "value": "yes"}),
    ],
    2: [
        ("survey_answer", {"id": 1, "ticket_id": 1, "answered_at": T0, "score": 5, "comment": "fine"}),
    ],
    3: [
        ("survey_invitation", {"id": 1, "ticket_id": 1, "ref": "SV-OLD-1", "created_at": T0}),
        (
            "outbox",
            {
                "id": 1,
                "ticket_id": 1,
                "kind": "resolution",
                "recipient": "ann@old.example",
                "subject": "INC-000001 resolved",
                "body": "Resolved.",
                "message_id": "<1@old.example>",
                "created_at": T0,
                "status": "sent",
                "attempts": 1,
                "next_attempt_at": T0,
                "sent_at": T0,
            },
        ),
    ],
    4: [
        (
            "editing",
            {
                "id": 1,
                "ticket_id": 1,
                "login": "lead1",
                "workstation": "ws1",
                "since": T0,
                "heartbeat_at": T0,
            },
        ),
    ],
    5: [],
    6: [
        (
            "priority_change",
            {
                "id": 1,
                "ticket_id": 1,
                "at": T0,
                "actor": "lead1",
                "from_priority": "P2",
                "to_priority": "P3",
                "reason": "one user, a how-to",
                "to_due": "2025-11-04 18:00:00.000000",
            },
        ),
    ],
    7: [
        (
            "message",
            {
                "id": 1,
                "direction": "in",
                "kind": "reply",
                "ticket_id": 1,
                "message_id": "<r1@old.example>",
                "in_reply_to": "<1@old.example>",
                "from_addr": "ann@old.example",
                "from_header": "Ann Old <ann@old.example>",
                "to_addr": "desk@example.co.uk",
                "subject": "Re: INC-000001 resolved",
                "text": "Thanks, all fine.",
                "notes": "",
                "status": "received",
                "size": 900,
                "created_at": T0,
                "received_at": T0,
                "imap_mailbox": "desk@imap.example/INBOX",
                "imap_uidvalidity": 1,
                "imap_uid": 1,
            },
        ),
        (
            "attachment",
            {
                "id": 1,
                "message_id": 1,
                "name": "shot.png",
                "content_type": "image/png",
                "size": 3,
                "data": b"png",
                "note": "",
            },
        ),
        (
            "mail_lease",
            {"name": "imap", "mailbox": "desk@imap.example/INBOX", "uidvalidity": 1, "last_uid": 1},
        ),
    ],
    8: [
        (
            "saved_view",
            {"id": 1, "login": "lead1", "name": "My P1s", "spec": '{"priority": "P1"}', "created_at": T0},
        ),
        ("ticket_seen", {"id": 1, "ticket_id": 1, "login": "lead1", "seen_version": 4, "seen_at": T0}),
    ],
    9: [],  # functions only (PostgreSQL); the group roles are init's
    10: [
        (
            "reseller",
            {"id": 9, "name": "Retired Partners Ltd", "country": "IE", "created_at": T0, "active": False},
        ),
    ],
    # v11's own tables hold nothing a desk writes (lifecycle_move is generated, and on
    # PostgreSQL only the database writes history): a row of an older table, kept.
    11: [
        ("saved_view", {"id": 2, "login": "lead1", "name": "Mine", "spec": "{}", "created_at": T0}),
    ],
    # v12's table, seeded by the step from the default policy (tier2, lead): a row an
    # administrator added, kept by every later step.
    12: [("reprioritise_role", {"role": "admin"})],
    # v13 adds functions only (PostgreSQL's session watchdog): a row of an older table, kept.
    13: [
        ("saved_view", {"id": 3, "login": "lead1", "name": "Theirs", "spec": "{}", "created_at": T0}),
    ],
    # v14 replaces three of SQLite's search triggers and makes no table: a row of an older one.
    14: [
        ("saved_view", {"id": 4, "login": "lead1", "name": "Later", "spec": "{}", "created_at": T0}),
    ],
    15: [],  # an index only (on ticket.contact_email)
    # v16 adds indexes only: a row of an older table, kept.
    16: [
        ("saved_view", {"id": 5, "login": "lead1", "name": "Open P1s", "spec": "{}", "created_at": T0}),
    ],
}

# Tables whose key is not an `id` column (and which have no sequence).
KEYS = {"meta": "key", "mail_lease": "name", "reprioritise_role": "role"}


def _insert(db: peewee.Database, table: str, row: dict[str, Any]) -> None:
    names = ", ".join(f'"{k}"' for k in row)
    marks = ", ".join(["?" if connection.is_sqlite(db) else "%s"] * len(row))
    raw_sql(db, f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(row.values()))


def _fix_sequences(db: peewee.Database, upto: int) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; a real desk never inserts ids."""
    if connection.is_sqlite(db):
        return
    for table in {t for v in VERSIONS if v <= upto for t, _ in SEEDS[v] if t not in KEYS}:
        raw_sql(db, f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), 100)")


def _search_table(table: str) -> bool:
    """The full-text index (v6) is no model: FTS5 (and its shadow tables) or tsvector."""
    return any(table == name or table.startswith(name + "_") for name in SEARCH_TABLES)


def _shape(
    db: peewee.Database, *, with_search: bool = True
) -> dict[str, tuple[set[tuple[str, str]], set[tuple[tuple[str, ...], bool]]]]:
    """Each table's (column, type) pairs and (indexed columns, unique) pairs."""
    shape = {}
    for table in db.get_tables():
        if not with_search and _search_table(table):
            continue
        columns = {(c.name, c.data_type.lower()) for c in db.get_columns(table)}
        indexes = {(tuple(i.columns), bool(i.unique)) for i in db.get_indexes(table)}
        shape[table] = (columns, indexes)
    return shape


@contextlib.contextmanager
def _database(kind: str, tmp_path: Path, name: str) -> Iterator[peewee.Database]:
    """An empty database of that kind (SQLite file, or a fresh PostgreSQL schema)."""
    if kind == "sqlite":
        db = database_from_url(f"sqlite:///{tmp_path / (name + '.sqlite3')}")
        db.connect()
        try:
            yield db
        finally:
            db.close()
        return
    base = _pg_base_url()
    schema = f"m_{uuid.uuid4().hex[:16]}"
    admin = database_from_url(base)
    admin.connect()
    raw_sql(admin, f'CREATE SCHEMA "{schema}"')
    db = database_from_url(_with_schema(base, schema))
    db.connect()
    try:
        yield db
    finally:
        db.close()
        raw_sql(admin, f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def test_v12_knows_every_role_of_the_domain() -> None:
    """v12's reprioritise_role CHECK lists the roles of its day: a new role needs a new step."""
    from deskapp.domain.lifecycle import Role
    from deskapp.store.migrations import v0012_guards

    assert tuple(role.value for role in Role) == v0012_guards.ROLES


def test_every_version_has_seed_rows() -> None:
    assert sorted(SEEDS) == list(VERSIONS)
    assert [s.VERSION for s in STEPS] == sorted(VERSIONS) and VERSIONS[-1] == SCHEMA_VERSION


@pytest.mark.parametrize("kind", KINDS)
def test_the_steps_end_where_the_models_say(kind: str, tmp_path: Path) -> None:
    with _database(kind, tmp_path, "steps") as stepped, _database(kind, tmp_path, "models") as modelled:
        connection.use(stepped)
        ensure_schema(stepped)
        with modelled.bind_ctx(MODELS, bind_refs=False, bind_backrefs=False):
            modelled.create_tables(MODELS)
        built, declared = _shape(stepped, with_search=False), _shape(modelled)
        assert {t for t in stepped.get_tables() if _search_table(t)}, "the steps make a search index"
        assert set(built) == set(declared)
        for table in declared:
            assert built[table][0] == declared[table][0], f"{table}: columns differ"
            # peewee's own index on a foreign key may be dropped by a step (v2 drops
            # history(ticket_id)); every index the models declare must be there.
            assert declared[table][1] - built[table][1] <= {(("ticket_id",), False)}, table
            assert built[table][1] - declared[table][1] == set(), f"{table}: indexes the models lack"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("start", VERSIONS[:-1])
def test_upgrade_from_every_version_keeps_every_row(kind: str, start: int, tmp_path: Path) -> None:
    with _database(kind, tmp_path, f"v{start}") as old, _database(kind, tmp_path, "fresh") as fresh:
        connection.use(old)
        for version in (v for v in VERSIONS if v <= start):
            ensure_schema(old, upto=version)
            for table, row in SEEDS[version]:
                _insert(old, table, row)
        assert schema_version(old) == start
        _fix_sequences(old, start)
        url = (
            f"sqlite:///{old.database}"
            if connection.is_sqlite(old)
            else _with_schema(_pg_base_url(), _search_path(old))
        )
        old.close()

        upgraded = open_database(url)
        try:
            assert schema_version(upgraded) == SCHEMA_VERSION
            # Every row seeded at or before `start` is there, read through today's models.
            for version in (v for v in VERSIONS if v <= start):
                for table, row in SEEDS[version]:
                    key = KEYS.get(table, "id")
                    found = raw_sql(
                        upgraded,
                        f'SELECT count(*) FROM "{table}" WHERE "{key}" = {_mark(upgraded)}',
                        [row[key]],
                    ).fetchone()
                    assert found == (1,), (table, row[key])
            ticket = Ticket.get(Ticket.number == "INC-000001")
            assert ticket.status == "resolved" and ticket.version == 4
            assert ticket.closes_at == dt.datetime(2025, 11, 10, tzinfo=dt.UTC)
            assert ticket.lead_flagged_at is None
            assert Staff.get(Staff.login == "lead1").active is True
            assert SurveyAnswer.select().count() == (1 if start >= 2 else 0)
            assert Outbox.select().count() == (1 if start >= 3 else 0)
            # Tickets from before the search index are in it (v6 fills it on upgrade).
            assert [r.number for r in search_tickets(upgraded, "mailbox full")] == ["INC-000001"]
            # Today's models can write to the upgraded tables.
            Staff.create(login="new1", name="New", role="tier1", created_at=dt.datetime.now(dt.UTC))
            # The upgraded schema is the one a new database gets.
            connection.use(fresh)
            ensure_schema(fresh)
            assert _shape(upgraded) == _shape(fresh)
        finally:
            upgraded.close()


def _mark(db: peewee.Database) -> str:
    return "?" if connection.is_sqlite(db) else "%s"


def _search_path(db: peewee.Database) -> str:
    return str(raw_sql(db, "SELECT current_schema()").fetchone()[0])


def test_a_new_desk_lets_the_default_policys_roles_reprioritise(db: peewee.Database) -> None:
    from deskapp.domain.policy import default_policy
    from deskapp.store.models import ReprioritiseRole

    roles = sorted(str(r.role) for r in ReprioritiseRole.select())
    assert roles == sorted(default_policy().reprioritise_roles) == ["lead", "tier2"]
