"""A search that names a customer: a reseller, contact or tenant by its whole name, or a
contact's email address.

    named_in(db, "Reseller 042", ["reseller", "042"]) -> Named | None

Such a query matches thousands of tickets through the full-text index (every ticket of
a reseller has its name in it, and "reseller"* is also the start of every reseller's
email domain), and ranking them one by one is most of a second on a large desk. Those
tickets are the ones meant, so they are read first through the ticket table's own
indexes (reseller, contact, tenant, contact email), newest first, a page at a time;
the name's rows are found in the small reseller, contact and tenant tables. They are
all full-text matches too (the name's words are in each one's document), so the
search finds the same tickets, only these first.
"""

from __future__ import annotations

import heapq
import itertools
import re
from dataclasses import dataclass

import peewee as pw

from deskapp.store.connection import is_sqlite, raw_sql

_WORD = re.compile(r"[^\W_]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
# A name shared by more rows than this (a common contact name across resellers) is
# left to the full-text index: so many lookups would cost more than they save.
MOST_ROWS = 50
_NAMED = (("reseller", "reseller_id"), ("contact", "contact_id"), ("tenant", "tenant_id"))


@dataclass(frozen=True)
class Named:
    """The tickets a query names: those with any of `sources` (column, value)."""

    sources: tuple[tuple[str, object], ...]

    def _where(self) -> tuple[str, list[object]]:
        return " OR ".join(f"{column} = ?" for column, _ in self.sources), [v for _, v in self.sources]

    def page(self, db: pw.Database, limit: int, offset: int) -> list[int]:
        """Ids `offset` to `offset + limit` of these tickets, newest first: each source read
        newest first through its index, merged."""
        wanted = offset + limit
        lists = [
            [int(i) for (i,) in raw_sql(db, _sql(db, f"SELECT id FROM ticket WHERE {column} = ? "
                                                     "ORDER BY id DESC LIMIT ?"), [value, wanted]).fetchall()]
            for column, value in self.sources
        ]  # fmt: skip
        merged = heapq.merge(*lists, reverse=True)
        unique = (i for i, _ in itertools.groupby(merged))
        return list(itertools.islice(unique, offset, wanted))

    def count(self, db: pw.Database) -> int:
        where, values = self._where()
        (count,) = raw_sql(db, _sql(db, f"SELECT count(*) FROM ticket WHERE {where}"), values).fetchone()
        return int(count)

    def not_theirs(self, db: pw.Database) -> tuple[str, list[object]]:
        """A condition on an id (`{id}`) that leaves these tickets out, with its values."""
        where, values = self._where()
        return f" AND {{id}} NOT IN (SELECT id FROM ticket WHERE {where})", values


def named_in(db: pw.Database, query: str, terms: list[str]) -> Named | None:
    """The customer rows a query names exactly (its words, in any order, are all of a
    name's words; or it is an email address), or None."""
    text = query.strip()
    sources: list[tuple[str, object]] = []
    if _EMAIL.match(text):
        folded = text.casefold()
        contacts = _rows(db, "SELECT id, email FROM contact WHERE lower(email) = ?", text.lower())
        sources += [("contact_id", i) for i, email in contacts if (email or "").casefold() == folded]
        # the address given on the ticket itself, as typed and in lower case
        sources += [("contact_email", e) for e in dict.fromkeys((text, text.lower()))]
    else:
        want = sorted(terms)
        pattern = _longest_ascii(terms)
        for table, column in _NAMED:
            rows = _rows(db, f"SELECT id, name FROM {table} WHERE lower(name) LIKE ?", pattern)
            sources += [
                (column, i) for i, name in rows if sorted(_WORD.findall((name or "").casefold())) == want
            ]
    if not sources or len(sources) > MOST_ROWS:
        return None
    return Named(tuple(sources))


def _longest_ascii(terms: list[str]) -> str:
    """A LIKE pattern every row named by `terms` matches (lower() folds ASCII only; the
    words are letters and digits, never LIKE's own % and _)."""
    ascii_terms = [t for t in terms if t.isascii()]
    return f"%{max(ascii_terms, key=len)}%" if ascii_terms else "%"


def _rows(db: pw.Database, sql: str, value: str) -> list[tuple[int, str | None]]:
    return [(int(i), v) for i, v in raw_sql(db, _sql(db, sql), [value]).fetchall()]


def _sql(db: pw.Database, sql: str) -> str:
    return sql if is_sqlite(db) else sql.replace("?", "%s")
