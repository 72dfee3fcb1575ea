"""v15: an index on tickets' contact email address, newest first within each, so a search
for an address reads that contact's tickets straight from it (`deskapp.services.search_names`)
rather than ranking every ticket with the address's words ("example" is in most of them).

Never rewritten by a rule pass: the address is set when a ticket is logged or edited."""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator

from deskapp.store.migrations.frozen import create_index

VERSION = 15


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    create_index(db, "ticket", "contact_email", "id")
