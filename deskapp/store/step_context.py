"""Who takes a step on a ticket, and which step: said to the database before it is made.

    say_step(db, actor=, kind=, note=, now=)   before each statement that changes tickets
    writes_history(db) -> bool                  whether the database writes the history

On PostgreSQL (schema v11) the history is written by triggers on `ticket`, one row
per changed ticket, so the services no longer insert it: they say, in settings local
to the transaction, who acts (a staff login, or `rules`, `mail`, `mailer`), the step's
kind and note (used by the next statement on `ticket` only) and the desk's clock
(honoured on a training desk only; a live desk's history takes the server's time).
The trigger records the session's own role beside it (history.db_user), and a
session signed in as a staff member acts as that member whatever it says.
On SQLite the services write the same rows themselves; `say_step` does nothing.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from deskapp.store.connection import is_sqlite, raw_sql


def writes_history(db: pw.Database) -> bool:
    """Whether the database itself writes the ticket history (PostgreSQL, schema v11)."""
    return not is_sqlite(db)


def say_step(db: pw.Database, *, actor: str, kind: str, note: str, now: dt.datetime) -> None:
    if is_sqlite(db):
        return
    raw_sql(
        db,
        "SELECT set_config('deskapp.actor', %s, true), set_config('deskapp.kind', %s, true), "
        "set_config('deskapp.note', %s, true), set_config('deskapp.now', %s, true)",
        (actor, kind, note, now.astimezone(dt.UTC).isoformat()),
    )
