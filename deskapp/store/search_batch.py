"""Refresh the search documents of many tickets at once, after writing them (SQLite).

    with search_batch(db) as wrote:     # inside the caller's write transaction
        ...write tickets, history, outbox...
        wrote.update(ticket_ids)        # every ticket written in the block

While the block runs, the search triggers of schema v14 stand down (the `meta` key
`search_batch`, set and removed inside the caller's transaction, so no other
connection ever sees it); on leaving it, every ticket named is refreshed with one
DELETE and one INSERT ... SELECT, in ticket order (FTS5 buffers rows written in
rowid order; out of order it writes a segment each time). A block left by an
exception writes nothing more: the caller's transaction is rolled back.

PostgreSQL: a plain set (its search index is refreshed per statement by v11's triggers).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import peewee as pw

from deskapp.store.connection import is_sqlite, raw_sql
from deskapp.store.migrations.v0008_views import _BODY, _FROM, _PEOPLE
from deskapp.store.migrations.v0014_search_batch import BATCH_KEY

_IDS = "(SELECT value FROM json_each(?))"
_DELETE = f"DELETE FROM ticket_fts WHERE rowid IN {_IDS}"
_INSERT = (
    f"INSERT INTO ticket_fts(rowid, number, people, summary, body) "
    f"SELECT t.id, t.number, {_PEOPLE}, t.summary, {_BODY.format(agg='group_concat')} {_FROM} "
    f"WHERE t.id IN {_IDS} ORDER BY t.id"
)


@contextlib.contextmanager
def search_batch(db: pw.Database) -> Iterator[set[int]]:
    wrote: set[int] = set()
    if not is_sqlite(db):
        yield wrote
        return
    assert db.in_transaction(), "the batch's key must never be committed on its own"
    raw_sql(db, "INSERT INTO meta (key, value) VALUES (?, 'on')", (BATCH_KEY,))
    yield wrote
    if wrote:
        ids = json.dumps(sorted(wrote))
        raw_sql(db, _DELETE, (ids,))
        raw_sql(db, _INSERT, (ids,))
    raw_sql(db, "DELETE FROM meta WHERE key = ?", (BATCH_KEY,))
