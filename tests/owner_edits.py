"""A state a test sets up by hand, as the desk's owner could, past the ticket triggers.

On PostgreSQL (schema v10) the database refuses a ticket change the process does not
allow (a ticket closed without its closure, a due time moved without a priority
change) and records every other; a test that needs such a state (a closed ticket
without waiting out the reopen window, tickets made in bulk) disables the trigger for the statements in
the block, as only the tables' owner can. A no-op on SQLite.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import peewee

from deskapp.store.connection import is_sqlite, raw_sql

TRIGGERS = ("ticket_history_update", "ticket_history_insert")


@contextlib.contextmanager
def owner_edits(db: peewee.Database) -> Iterator[None]:
    if is_sqlite(db):
        yield
        return
    for trigger in TRIGGERS:
        raw_sql(db, f"ALTER TABLE ticket DISABLE TRIGGER {trigger}")
    try:
        yield
    finally:
        for trigger in TRIGGERS:
            raw_sql(db, f"ALTER TABLE ticket ENABLE TRIGGER {trigger}")
