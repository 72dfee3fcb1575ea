"""v6: the process steps of issue 12: `priority_change` (every change of a ticket's
priority, with who, why and the response due before and after) and tickets gain
`duplicate_of` (a ticket closed as a duplicate points at the one that goes on)."""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator

from deskapp.store.connection import raw_sql
from deskapp.store.migrations.frozen import FrozenModel, Instant, create, create_index, stub

VERSION = 6


class PriorityChange(FrozenModel):
    id = pw.AutoField()
    ticket = pw.ForeignKeyField(stub("ticket"), on_delete="RESTRICT", index=False)
    at = Instant()
    actor = pw.CharField(max_length=64)
    from_priority = pw.CharField(max_length=8)
    to_priority = pw.CharField(max_length=8)
    reason = pw.TextField()
    from_due = Instant(null=True)
    to_due = Instant()

    class Meta:
        table_name = "priority_change"


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    columns = {c.name for c in db.get_columns("ticket")}
    if "duplicate_of_id" not in columns:
        # A nullable self-reference: plain SQL that SQLite and PostgreSQL both take.
        raw_sql(
            db,
            'ALTER TABLE "ticket" ADD COLUMN "duplicate_of_id" INTEGER '
            'REFERENCES "ticket" ("id") ON DELETE RESTRICT',
        )
    create_index(db, "ticket", "duplicate_of_id")
    create(db, PriorityChange)
    create_index(db, "priority_change", "ticket_id", "id")
