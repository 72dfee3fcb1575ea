"""v5: an index on tickets' response due time, so the queue's first page at
launch is read in order, not sorted."""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator

from deskapp.store.migrations.frozen import create_index

VERSION = 5


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    create_index(db, "ticket", "response_due")
