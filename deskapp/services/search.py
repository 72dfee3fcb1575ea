"""Find any ticket, open or closed, over the whole history, best matches first.

    search_tickets(db, "acme mailbox", limit=50, offset=0) -> list[QueueRow]

The words are matched against each ticket's document in the database's own
full-text index (SQLite FTS5, PostgreSQL tsvector with GIN; schema v6, kept by
triggers): number; reseller, contact, emails, phone, tenant, end users;
summary; description, resolution, notes and messages. Every word must match,
each as a prefix ("sync" finds "syncing"; "jo@acme" finds "jo@acme.example").
A ticket number ("INC-000123", "123") comes first when it exists. Ranked by the
index's relevance (a match in the number, the people or the summary counts
more than one in the notes), then newest first.
"""

from __future__ import annotations

import re

import peewee as pw

from deskapp.services.intake import NUMBER_FORMAT
from deskapp.services.queue import QueueRow, queue_rows
from deskapp.store.connection import is_sqlite, raw_sql, use

MAX_LIMIT = 1000
_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"^\s*(?:inc[-\s]?)?0*(\d{1,9})\s*$", re.IGNORECASE)


def words(query: str) -> list[str]:
    """The words of a query as the index splits text: letters and digits, lower case."""
    return _WORD.findall(query.casefold())[:32]


def search_tickets(db: pw.Database, query: str, *, limit: int = 50, offset: int = 0) -> list[QueueRow]:
    use(db)
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    terms = words(query)
    if not terms:
        return []
    ids: list[int] = []
    exact = _NUMBER.match(query)
    if exact and offset == 0:
        found = raw_sql(db, _sql(db, "SELECT id FROM ticket WHERE number = ?"),
                        [NUMBER_FORMAT.format(int(exact.group(1)))]).fetchone()  # fmt: skip
        if found:
            ids.append(int(found[0]))
    if is_sqlite(db):
        match = " ".join(f'"{t}"*' for t in terms)
        sql = (
            "SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ? "
            "ORDER BY bm25(ticket_fts, 10.0, 4.0, 4.0, 1.0), rowid DESC LIMIT ? OFFSET ?"
        )
    else:
        match = " & ".join(f"{t}:*" for t in terms)
        sql = (
            "SELECT s.ticket_id FROM ticket_search s, to_tsquery('simple', %s) q WHERE s.doc @@ q "
            "ORDER BY ts_rank(s.doc, q) DESC, s.ticket_id DESC LIMIT %s OFFSET %s"
        )
    for (ticket_id,) in raw_sql(db, sql, [match, limit, offset]).fetchall():
        if ticket_id not in ids:
            ids.append(int(ticket_id))
    ids = ids[:limit]
    rows = {r.id: r for r in queue_rows(db, ids=ids)}
    return [rows[i] for i in ids if i in rows]


def _sql(db: pw.Database, sql: str) -> str:
    return sql if is_sqlite(db) else sql.replace("?", "%s")
