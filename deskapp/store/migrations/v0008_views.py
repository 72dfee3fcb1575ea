"""v8: what a person keeps at the desk, and a full-text index over every ticket.

- `saved_view`: a person's named queue views (the filter as JSON), per login.
- an index on ticket(reseller_id, id): a customer's history, newest first.
- `ticket_seen`: the version of each ticket a person last looked at, so the queue
  can mark tickets changed by someone else since ("updated since you looked").
- The search index, one document a ticket (number; reseller, contact, emails,
  phone, tenant; summary; description, resolution, notes and messages), kept
  current by triggers in the same transaction as every write, whoever writes:
  SQLite: the FTS5 table `ticket_fts` (rowid = ticket id);
  PostgreSQL: `ticket_search(ticket_id, doc tsvector)` with a GIN index.
  Both split text on anything not a letter or digit and do not stem, so the same
  words find the same tickets on either database (`deskapp.services.search`).
"""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator

from deskapp.store.connection import is_sqlite, raw_sql
from deskapp.store.migrations.frozen import FrozenModel, Instant, create, create_index, stub

VERSION = 8


class SavedView(FrozenModel):
    id = pw.AutoField()
    login = pw.CharField(max_length=64)
    name = pw.CharField(max_length=100)
    spec = pw.TextField()  # the filter, as JSON
    created_at = Instant()

    class Meta:
        table_name = "saved_view"
        indexes = ((("login", "name"), True),)


class TicketSeen(FrozenModel):
    id = pw.AutoField()
    ticket = pw.ForeignKeyField(stub("ticket"), on_delete="CASCADE", index=False)
    login = pw.CharField(max_length=64)
    seen_version = pw.IntegerField()
    seen_at = Instant()

    class Meta:
        table_name = "ticket_seen"
        indexes = ((("login", "ticket"), True),)


# One ticket's document, in parts: (number, people, summary, body).
_PEOPLE = (
    "r.name || ' ' || c.name || ' ' || coalesce(c.email, '') || ' ' || coalesce(c.phone, '') || ' ' || "
    "coalesce(t.contact_email, '') || ' ' || coalesce(t.contact_phone, '') || ' ' || tn.name || ' ' || "
    "t.end_users"
)
_BODY = (
    "t.description || ' ' || coalesce(t.resolution_reason, '') || ' ' || coalesce(t.provider, '') || ' ' || "
    "coalesce(t.provider_ref, '') || ' ' || "
    "coalesce((SELECT {agg}(h.note, ' ') FROM history h WHERE h.ticket_id = t.id), '') || ' ' || "
    "coalesce((SELECT {agg}(o.subject || ' ' || o.body, ' ') FROM outbox o WHERE o.ticket_id = t.id), '')"
)
_FROM = (
    "FROM ticket t JOIN reseller r ON r.id = t.reseller_id JOIN contact c ON c.id = t.contact_id "
    "JOIN tenant tn ON tn.id = t.tenant_id"
)
_TICKET_TEXT = (
    "summary, description, contact_email, contact_phone, end_users, resolution_reason, provider, "
    "provider_ref, reseller_id, contact_id, tenant_id"
)


def _sqlite_refresh(where: str) -> str:
    return (
        f"DELETE FROM ticket_fts WHERE rowid IN (SELECT t.id FROM ticket t WHERE {where}); "
        f"INSERT INTO ticket_fts(rowid, number, people, summary, body) "
        f"SELECT t.id, t.number, {_PEOPLE}, t.summary, {_BODY.format(agg='group_concat')} {_FROM} "
        f"WHERE {where};"
    )


def _apply_sqlite(db: pw.Database) -> None:
    raw_sql(
        db,
        "CREATE VIRTUAL TABLE IF NOT EXISTS ticket_fts USING fts5("
        "number, people, summary, body, tokenize = 'unicode61 remove_diacritics 0')",
    )
    triggers = {
        "ticket_fts_ticket_insert": ("AFTER INSERT ON ticket", "t.id = NEW.id"),
        "ticket_fts_ticket_update": (f"AFTER UPDATE OF {_TICKET_TEXT} ON ticket", "t.id = NEW.id"),
        "ticket_fts_history_insert": ("AFTER INSERT ON history", "t.id = NEW.ticket_id"),
        "ticket_fts_outbox_insert": ("AFTER INSERT ON outbox", "t.id = NEW.ticket_id"),
        "ticket_fts_reseller_update": ("AFTER UPDATE OF name ON reseller", "t.reseller_id = NEW.id"),
        "ticket_fts_contact_update": (
            "AFTER UPDATE OF name, email, phone ON contact",
            "t.contact_id = NEW.id",
        ),
        "ticket_fts_tenant_update": ("AFTER UPDATE OF name ON tenant", "t.tenant_id = NEW.id"),
    }
    for name, (when, where) in triggers.items():
        raw_sql(db, f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN {_sqlite_refresh(where)} END")
    raw_sql(db, "DELETE FROM ticket_fts")
    raw_sql(
        db,
        f"INSERT INTO ticket_fts(rowid, number, people, summary, body) "
        f"SELECT t.id, t.number, {_PEOPLE}, t.summary, {_BODY.format(agg='group_concat')} {_FROM}",
    )


def _words(expr: str) -> str:
    return f"to_tsvector('simple', regexp_replace(lower({expr}), '[^[:alnum:]]+', ' ', 'g'))"


_PG_DOC = (
    f"setweight({_words('t.number')}, 'A') || setweight({_words(_PEOPLE)}, 'B') || "
    f"setweight({_words('t.summary')}, 'B') || setweight({_words(_BODY.format(agg='string_agg'))}, 'D')"
)


def _ids_of(column: str) -> str:
    return f"ARRAY(SELECT id FROM ticket WHERE {column} = NEW.id)"


def _apply_postgres(db: pw.Database) -> None:
    raw_sql(
        db,
        "CREATE TABLE IF NOT EXISTS ticket_search ("
        "ticket_id INTEGER PRIMARY KEY REFERENCES ticket (id) ON DELETE CASCADE, doc TSVECTOR NOT NULL)",
    )
    raw_sql(db, "CREATE INDEX IF NOT EXISTS ticket_search_doc ON ticket_search USING GIN (doc)")
    raw_sql(
        db,
        "CREATE OR REPLACE FUNCTION ticket_search_refresh(ids INTEGER[]) RETURNS void LANGUAGE sql AS $$ "
        f"INSERT INTO ticket_search (ticket_id, doc) SELECT t.id, {_PG_DOC} {_FROM} WHERE t.id = ANY(ids) "
        "ON CONFLICT (ticket_id) DO UPDATE SET doc = EXCLUDED.doc $$",
    )
    triggers = {
        "ticket_search_ticket": ("ticket", f"INSERT OR UPDATE OF {_TICKET_TEXT}", "ARRAY[NEW.id]"),
        "ticket_search_history": ("history", "INSERT", "ARRAY[NEW.ticket_id]"),
        "ticket_search_outbox": ("outbox", "INSERT", "ARRAY[NEW.ticket_id]"),
        "ticket_search_reseller": ("reseller", "UPDATE OF name", _ids_of("reseller_id")),
        "ticket_search_contact": ("contact", "UPDATE OF name, email, phone", _ids_of("contact_id")),
        "ticket_search_tenant": ("tenant", "UPDATE OF name", _ids_of("tenant_id")),
    }  # fmt: skip
    for name, (table, events, ids) in triggers.items():
        raw_sql(
            db,
            f"CREATE OR REPLACE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.{'ticket_id' if table in ('history', 'outbox') else 'id'} IS NOT NULL THEN "
            f"PERFORM ticket_search_refresh({ids}); END IF; RETURN NULL; END $$",
        )
        raw_sql(db, f"DROP TRIGGER IF EXISTS {name} ON {table}")
        raw_sql(
            db, f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}_fn()"
        )
    raw_sql(
        db,
        f"INSERT INTO ticket_search (ticket_id, doc) SELECT t.id, {_PG_DOC} {_FROM} ON CONFLICT DO NOTHING",
    )


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    create(db, SavedView, TicketSeen)
    # the customer's history beside a ticket: a reseller's tickets, newest first
    create_index(db, "ticket", "reseller_id", "id")
    if is_sqlite(db):
        _apply_sqlite(db)
    else:
        _apply_postgres(db)
