"""Tickets set down by hand by the desk's owner, past the ticket triggers (schema v11).

    with past_ticket_triggers(db): ...

On PostgreSQL the database refuses any ticket change the process does not allow and
records every other (deskapp/store/migrations/v0011_history_triggers.sql). A
benchmark or a test that needs thousands of tickets in every state at once (not
logged and worked one by one) disables those triggers for the block, which only the
tables' owner can do (ALTER TABLE), and no staff member's session ever is. Never
used by the app itself. A no-op on SQLite.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import peewee as pw

from deskapp.store.connection import is_sqlite, raw_sql

TRIGGERS = ("ticket_history_update", "ticket_history_insert")


@contextlib.contextmanager
def past_ticket_triggers(db: pw.Database) -> Iterator[None]:
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
