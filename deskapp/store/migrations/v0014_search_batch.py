"""v14 (SQLite): a writer that changes many tickets at once refreshes their search
documents once, set-based, instead of once per row.

v8's triggers rebuild a ticket's whole FTS5 document (with every note of its history
and outbox) for each row written: a rule pass over 5,000 due tickets rebuilt each
one up to three times (the ticket's row, its history row, its chaser's outbox row),
in no order FTS5 can buffer. The three triggers a rule pass sets off now stand down
while `meta` holds the key `search_batch`, which a writer sets inside its own write
transaction, and deletes before it commits, after refreshing every ticket it wrote
with one DELETE and one INSERT ... SELECT (`deskapp.store.search_batch`). No other
connection ever sees the key (SQLite has one writer, and readers see only what is
committed), so for everyone else the triggers work as before, whoever writes; the
documents are built by the same expressions (v8's), so search finds the same.

PostgreSQL: nothing (its history and search triggers are statement-level already, v11).
"""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator

from deskapp.store.connection import is_sqlite, raw_sql
from deskapp.store.migrations.v0008_views import _TICKET_TEXT, _sqlite_refresh

VERSION = 14
BATCH_KEY = "search_batch"
_IDLE = f"WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = '{BATCH_KEY}')"
_TRIGGERS = {
    "ticket_fts_ticket_update": (f"AFTER UPDATE OF {_TICKET_TEXT} ON ticket", "t.id = NEW.id"),
    "ticket_fts_history_insert": ("AFTER INSERT ON history", "t.id = NEW.ticket_id"),
    "ticket_fts_outbox_insert": ("AFTER INSERT ON outbox", "t.id = NEW.ticket_id"),
}


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    if not is_sqlite(db):
        return
    for name, (when, where) in _TRIGGERS.items():
        raw_sql(db, f"DROP TRIGGER IF EXISTS {name}")
        raw_sql(db, f"CREATE TRIGGER {name} {when} {_IDLE} BEGIN {_sqlite_refresh(where)} END")
