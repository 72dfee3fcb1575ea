"""v4: `editing`, who has a ticket open at which workstation (presence rows
with a heartbeat)."""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator

from deskapp.store.migrations.frozen import FrozenModel, Instant, create, stub

VERSION = 4


class Editing(FrozenModel):
    id = pw.AutoField()
    ticket = pw.ForeignKeyField(stub("ticket"), on_delete="CASCADE", index=False)
    login = pw.CharField(max_length=64)
    workstation = pw.CharField(max_length=128)
    since = Instant()
    heartbeat_at = Instant()

    class Meta:
        table_name = "editing"
        indexes = ((("ticket", "login", "workstation"), True),)


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    create(db, Editing)
