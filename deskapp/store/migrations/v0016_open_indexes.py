"""v16: indexes that keep the window's reads off a million closed tickets.

- `ticket_open_due`: the open tickets by response due (partial: `status <> 'closed'`).
  The queue's first page at launch is the most urgent open tickets; read through the
  plain due index it walked every closed ticket due before them (ten years of a desk,
  ~900k rows looked up one by one) before the first open one.
- `ticket_open_id`: the open tickets by id (partial, the same condition): the whole
  queue's read, instead of a scan of every ticket ever logged.
- `ticket_reseller_id_id_contact_id_status` instead of v8's `ticket_reseller_id_id`:
  the customer's history, a reseller's tickets newest first as before, and its counts
  (the reseller's other tickets, how many still open, how many the contact's) from the
  index alone, not from each of the reseller's ~5,000 tickets' rows. (A separate
  index for the counts misled SQLite's planner into sorting all of them for the list.)

Partial indexes are used by a query whose condition names the same literal
(`deskapp.store.models.OPEN_TICKET`); SQLite and PostgreSQL both make them. Builds on v11.
"""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator

from deskapp.store.connection import raw_sql
from deskapp.store.migrations.frozen import create_index, drop_index

VERSION = 16

# As `deskapp.store.models.add_indexes` declares them (a step never reads today's models).
OPEN_CONDITION = "\"status\" <> 'closed'"


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    for name, columns in (("ticket_open_due", '"response_due", "id"'), ("ticket_open_id", '"id"')):
        raw_sql(db, f'CREATE INDEX IF NOT EXISTS "{name}" ON "ticket" ({columns}) WHERE {OPEN_CONDITION}')
    create_index(db, "ticket", "reseller_id", "id", "contact_id", "status")
    drop_index(db, "ticket_reseller_id_id")
