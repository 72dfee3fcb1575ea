"""v10: a reseller can be retired (`reseller.active`): kept with its tickets and history,
no longer offered for a new incident; an administrator can restore it.

Plain ALTER TABLE ... ADD COLUMN with its default: playhouse's SQLite migrator rebuilds
the table for a NOT NULL column, and the rename breaks v8's search triggers on it."""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator

from deskapp.store.connection import is_sqlite, raw_sql

VERSION = 10


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    if "active" in {c.name for c in db.get_columns("reseller")}:
        return
    kind, true = ("INTEGER", "1") if is_sqlite(db) else ("BOOLEAN", "true")
    raw_sql(db, f"ALTER TABLE reseller ADD COLUMN active {kind} NOT NULL DEFAULT {true}")
