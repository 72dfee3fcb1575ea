"""The process's moves as a table the database reads (schema v11).

    refresh_moves(db)   refill `lifecycle_move` from deskapp.domain.lifecycle

PostgreSQL's ticket triggers refuse any status, tier or assignee change that
`lifecycle_move` does not list for the acting role; the table is generated from
`deskapp.domain.lifecycle.enforced_moves`, the same tables the client checks,
after every schema upgrade and on `deskapp init`, so the two never disagree.
"""

from __future__ import annotations

import peewee as pw

from deskapp.domain.lifecycle import enforced_moves
from deskapp.store.connection import is_sqlite, raw_sql

TABLE = "lifecycle_move"
COLUMNS = ("kind", "who", "action", "from_value", "to_value")


def refresh_moves(db: pw.Database) -> int:
    """Replace the table's rows with today's moves (in the caller's transaction);
    returns how many. A no-op on a database before v11."""
    if not db.table_exists(TABLE):
        return 0
    if not is_sqlite(db):
        # the schema's own lock (deskapp.store.migrations): two inits at once take turns
        raw_sql(db, "SELECT pg_advisory_xact_lock(hashtext('deskapp schema ' || current_schema()))")
    rows = enforced_moves()
    raw_sql(db, f"DELETE FROM {TABLE}")
    marks = ", ".join([db.param] * len(COLUMNS))
    db.cursor().executemany(  # type: ignore[no-untyped-call]
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({marks})", rows
    )
    return len(rows)
