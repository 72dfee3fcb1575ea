"""Find any ticket, open or closed, over the whole history, best matches first.

    search_tickets(db, "acme mailbox", limit=50, offset=0) -> list[QueueRow]

The words are matched against each ticket's document in the database's own
full-text index (SQLite FTS5, PostgreSQL tsvector with GIN; schema v6, kept by
triggers): number; reseller, contact, emails, phone, tenant, end users;
summary; description, resolution, notes and messages. Every word must match.
The last word may be the start of one, still being typed ("sync" finds "syncing";
"jo@acme" finds "jo@acme.example"); the words before it are whole words ("sync
error" is "sync" then "error"*), unless no ticket matches them so, when each is a
start too ("sync err" finds "syncing errors" where no ticket has "sync" with "err"*).
Expanding a finished word to every word it starts ("reseller"* is also each of two
hundred resellers' email domains) costs the index most of a second on a large desk.
A ticket number ("INC-000123", "123") comes first when it exists. Then, when the
query names a reseller, contact or tenant exactly, or is a contact's email address,
that customer's tickets, newest first (`deskapp.services.search_names`). Then the
other matches, ranked by the index's relevance (a match in the number, the people
or the summary counts more than one in the notes), then newest first; past
RANK_ALL_UP_TO matches, by where they matched, newest first (see there).
"""

from __future__ import annotations

import json
import re

import peewee as pw

from deskapp.services.intake import NUMBER_FORMAT
from deskapp.services.queue import QueueRow, queue_rows
from deskapp.services.search_names import Named, named_in
from deskapp.store.connection import is_sqlite, raw_sql, use

MAX_LIMIT = 1000
_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"^\s*(?:inc[-\s]?)?0*(\d{1,9})\s*$", re.IGNORECASE)


def words(query: str) -> list[str]:
    """The words of a query as the index splits text: letters and digits, lower case."""
    return _WORD.findall(query.casefold())[:32]


# Ranking a match costs the index a call per matching ticket: beyond this many matches
# (a common word over years of tickets) the first page would take most of a second, so
# the matches are ordered by where they matched instead (all the words in the number,
# the people or the summary before a match in the notes and messages), newest first:
# an order the index answers from its own, at any size. At 1,000,000 tickets ranking
# 12,000 matches of a rare word took 50 ms (SQLite) to 90 ms (PostgreSQL) on a busy
# machine, too near the 100 ms a first page may take; 5,000 take a third of that.
RANK_ALL_UP_TO = 5_000


def search_tickets(db: pw.Database, query: str, *, limit: int = 50, offset: int = 0) -> list[QueueRow]:
    use(db)
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    terms = words(query)
    if not terms:
        return []
    ids: list[int] = []
    exact = _NUMBER.match(query)
    if exact:
        # "INC-000123": every number has "inc" in it, so only the digits say which
        terms = [t for t in terms if t != "inc"] or terms
        if offset == 0:
            found = raw_sql(db, _sql(db, "SELECT id FROM ticket WHERE number = ?"),
                            [NUMBER_FORMAT.format(int(exact.group(1)))]).fetchone()  # fmt: skip
            if found:
                ids.append(int(found[0]))
    named = None if exact else named_in(db, query, terms)
    found_ids = _matches(db, terms, limit, offset, named)
    for ticket_id in found_ids:
        if ticket_id not in ids:
            ids.append(ticket_id)
    ids = ids[:limit]
    rows = {r.id: r for r in queue_rows(db, ids=ids)}
    return [rows[i] for i in ids if i in rows]


# The words, and how many of the first are matched as whole words (the rest as starts).
Terms = tuple[list[str], int]


def _sqlite_match(terms: Terms) -> str:
    return " ".join(f'"{t}"' if i < terms[1] else f'"{t}"*' for i, t in enumerate(terms[0]))


def _pg_match(terms: Terms, weights: str = "") -> str:
    """`weights` ("AB"): only a match in the parts weighted so counts."""
    whole = f":{weights}" if weights else ""
    return " & ".join(f"{t}{whole}" if i < terms[1] else f"{t}:*{weights}" for i, t in enumerate(terms[0]))


def _plan(db: pw.Database, words: list[str]) -> tuple[Terms, bool]:
    """How the words are matched (the ones before the last as whole words when a ticket
    has them so), and whether they match more tickets than are ranked one by one.

    Counted (up to RANK_ALL_UP_TO + 1) with every word whole first: the index reads a
    word's tickets a few at a time, but all the tickets of every word a start begins at
    once ("mailbox"* is a fifth of the desk), so a common word is known to be too many,
    and a whole email address to match, without that."""
    n = len(words)
    every = _count(db, (words, n))
    if n == 1:
        return (words, 0), every > RANK_ALL_UP_TO or _count(db, (words, 0)) > RANK_ALL_UP_TO
    if every:
        return (words, n - 1), every > RANK_ALL_UP_TO or _count(db, (words, n - 1)) > RANK_ALL_UP_TO
    last_started = _count(db, (words, n - 1))
    if last_started:
        return (words, n - 1), last_started > RANK_ALL_UP_TO
    return (words, 0), _count(db, (words, 0)) > RANK_ALL_UP_TO


def _count(db: pw.Database, terms: Terms) -> int:
    """How many tickets match, counting no further than RANK_ALL_UP_TO + 1."""
    if is_sqlite(db):
        sql, match = "SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?", _sqlite_match(terms)
    else:
        sql, match = (
            "SELECT ticket_id FROM ticket_search WHERE doc @@ to_tsquery('simple', ?)",
            _pg_match(terms),
        )
        # PostgreSQL reads each counted ticket's row (20 ms for 5,000 at a million tickets);
        # where its statistics expect more than twice as many, one row found says enough.
        # They are sampled, word by word: far off only for words seldom seen together,
        # and a wrong guess only orders those matches by where they matched, newest first.
        if _expected(db, sql, match) > 2 * RANK_ALL_UP_TO:
            found = raw_sql(db, _sql(db, f"{sql} LIMIT 1"), [match]).fetchone()
            if found is not None:
                return RANK_ALL_UP_TO + 1
    count_sql = f"SELECT count(*) FROM ({sql} LIMIT {RANK_ALL_UP_TO + 1}) m"
    (count,) = raw_sql(db, _sql(db, count_sql), [match]).fetchone()
    return int(count)


def _expected(db: pw.Database, sql: str, match: str) -> float:
    """How many rows PostgreSQL's planner expects `sql` to give (its statistics, no rows read)."""
    (plan,) = raw_sql(db, _sql(db, f"EXPLAIN (FORMAT JSON) {sql}"), [match]).fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return float(plan[0]["Plan"]["Plan Rows"])


def _matches(db: pw.Database, terms: list[str], limit: int, offset: int, named: Named | None) -> list[int]:
    """A page of the matching ids: the named customer's tickets first, newest first (each
    through its own index: a reseller's thousands are never ranked one by one), then the
    index's matches that are not theirs."""
    if named is None:
        return _index_ids(db, terms, limit, offset, None)
    ids = named.page(db, limit, offset)
    if len(ids) == limit:
        return ids
    after = max(0, offset - named.count(db)) if not ids else 0
    return ids + _index_ids(db, terms, limit - len(ids), after, named)


def _index_ids(db: pw.Database, words: list[str], limit: int, offset: int, named: Named | None) -> list[int]:
    terms, many = _plan(db, words)
    besides = named.not_theirs(db) if named else ("", [])
    if is_sqlite(db):
        return _sqlite_ids(db, terms, many, limit, offset, besides)
    return _pg_ids(db, terms, many, limit, offset, besides)


Besides = tuple[str, list[object]]  # " AND <id> NOT IN (...)" with its parameters, or ("", [])


def _page(
    db: pw.Database, sql: str, head: str, rest: str, limit: int, offset: int, besides: Besides
) -> list[int]:
    """A page of the matches in two tiers, newest first in each: those of `head`, then
    those of `rest` (`sql` selects the ids of one tier's query, newest first)."""
    more = besides[1]
    ids = [int(i) for (i,) in raw_sql(db, _sql(db, sql), [head, *more, limit, offset]).fetchall()]
    if len(ids) == limit:
        return ids
    if ids or offset == 0:
        in_head = offset + len(ids)
    else:  # a page past the head's matches: how many there are says where the rest starts
        count_sql = f"SELECT count(*) FROM ({sql.replace(' LIMIT ? OFFSET ?', '')}) m"
        (in_head,) = raw_sql(db, _sql(db, count_sql), [head, *more]).fetchone()
    after = max(0, offset - in_head)
    rest_ids = raw_sql(db, _sql(db, sql), [rest, *more, limit - len(ids), after]).fetchall()
    return ids + [int(i) for (i,) in rest_ids]


def _sqlite_ids(
    db: pw.Database, terms: Terms, many: bool, limit: int, offset: int, besides: Besides
) -> list[int]:
    match = _sqlite_match(terms)
    but, more = besides[0].format(id="rowid"), besides[1]
    if not many:
        sql = (
            f"SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?{but} "
            "ORDER BY bm25(ticket_fts, 10.0, 4.0, 4.0, 1.0), rowid DESC LIMIT ? OFFSET ?"
        )
        return [int(i) for (i,) in raw_sql(db, sql, [match, *more, limit, offset]).fetchall()]
    head = f"{{number people summary}} : ({match})"
    sql = f"SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?{but} ORDER BY rowid DESC LIMIT ? OFFSET ?"
    return _page(db, sql, head, f"({match}) NOT ({head})", limit, offset, (but, more))


def _pg_ids(
    db: pw.Database, terms: Terms, many: bool, limit: int, offset: int, besides: Besides
) -> list[int]:
    match = _pg_match(terms)
    more = besides[1]
    if not many:
        but = besides[0].format(id="s.ticket_id")
        sql = (
            f"SELECT s.ticket_id FROM ticket_search s, to_tsquery('simple', %s) q WHERE s.doc @@ q{but} "
            "ORDER BY ts_rank(s.doc, q) DESC, s.ticket_id DESC LIMIT %s OFFSET %s"
        )
        return [int(i) for (i,) in raw_sql(db, _sql(db, sql), [match, *more, limit, offset]).fetchall()]
    # number (A), people and summary (B) are weighted apart from the notes and messages (D)
    head = _pg_match(terms, "AB")
    but = besides[0].format(id="ticket_id")
    sql = (
        f"SELECT ticket_id FROM ticket_search WHERE doc @@ to_tsquery('simple', ?){but} "
        "ORDER BY ticket_id DESC LIMIT ? OFFSET ?"
    )
    return _page(db, sql, head, f"({match}) & !({head})", limit, offset, (but, more))


def _sql(db: pw.Database, sql: str) -> str:
    return sql if is_sqlite(db) else sql.replace("?", "%s")
