"""One IMAP connection per desk: the fetcher's lease, a row in the database.

    acquire(db, clock, holder) -> bool     take it (free, expired, or ours: renewed)
    release(db, holder)                     give it up (another takes over at once)
    fence(holder, now, mailbox, uidvalidity, uid)   inside an import's transaction
    cursor(db, mailbox) -> (uidvalidity, last_uid) | None

A holder renews its lease well inside `TTL`; a holder that goes away (crash,
network, a closed laptop) stops renewing, and the lease is free `TTL` after its
last renewal, so another workstation takes over within a minute. Each import
moves the reading position only while its transaction still holds the lease
(`fence`), so a holder that stalled past its expiry and woke up cannot import
beside its successor: its transaction rolls back with `LeaseLost`.

On PostgreSQL (schema v12) the database keeps these rules itself, for a person
with psql as for the app: a staff session takes the lease only when it is free
or expired by the server's clock, in its own name (`db_user`, stamped from
session_user), for at most `TTL`, and renews, releases or moves the reading
position only while the live lease is its own; any other change of another's
live lease touches no row, which `acquire` and `fence` already read as "held
by another" and `LeaseLost`.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.store.connection import is_sqlite, raw_sql, use, write_transaction
from deskapp.store.models import MailLease

NAME = "imap"
TTL = dt.timedelta(seconds=45)
RENEW_EVERY = dt.timedelta(seconds=15)


class LeaseLost(RuntimeError):
    """This workstation no longer holds the desk's fetcher lease."""


def acquire(db: pw.Database, clock: Clock, holder: str) -> bool:
    use(db)
    now = clock.now()
    with write_transaction(db):
        if not is_sqlite(db):
            # A renewal need not wait for the disk: one lost in a server crash only makes
            # the lease run out sooner, and imports are fenced by their own (durable)
            # commits. Most of an empty poll's time on PostgreSQL was this flush.
            raw_sql(db, "SET LOCAL synchronous_commit TO OFF")
        MailLease.insert(name=NAME).on_conflict_ignore().execute()
        ours = MailLease.holder == holder
        free = MailLease.holder.is_null() | (MailLease.expires_at < now) | MailLease.expires_at.is_null()
        taken = (
            MailLease.update(
                holder=holder, expires_at=now + TTL,
                acquired_at=pw.Case(None, ((ours, MailLease.acquired_at),), now),
            )
            .where(MailLease.name == NAME, ours | free)
            .execute()
        )  # fmt: skip
    return bool(taken == 1)


def release(db: pw.Database, holder: str) -> None:
    use(db)
    with write_transaction(db):
        MailLease.update(holder=None, expires_at=None).where(
            MailLease.name == NAME, MailLease.holder == holder
        ).execute()


def holder_of(db: pw.Database, now: dt.datetime) -> str | None:
    """Who holds the lease now (None when it is free or expired)."""
    use(db)
    row = MailLease.get_or_none(MailLease.name == NAME)
    if row is None or row.holder is None or row.expires_at is None or row.expires_at < now:
        return None
    return str(row.holder)


def fence(holder: str, now: dt.datetime, mailbox: str, uidvalidity: int, uid: int) -> None:
    """Move the reading position to `uid` (never back), only while `holder` holds the
    lease; call inside the import's transaction, whose commit then carries both."""
    changed = (
        MailLease.update(
            mailbox=mailbox, uidvalidity=uidvalidity, polled_at=now,
            last_uid=pw.Case(None, (
                ((MailLease.mailbox == mailbox) & (MailLease.uidvalidity == uidvalidity)
                 & (MailLease.last_uid > uid), MailLease.last_uid),
            ), uid),
        )
        .where(MailLease.name == NAME, MailLease.holder == holder, MailLease.expires_at >= now)
        .execute()
    )  # fmt: skip
    if changed != 1:
        raise LeaseLost(f"{holder} no longer holds the desk's mail lease")


def cursor(db: pw.Database, mailbox: str) -> tuple[int, int] | None:
    """(UIDVALIDITY, last UID read) for this mailbox, or None if it was never read."""
    use(db)
    row = MailLease.get_or_none(MailLease.name == NAME)
    if row is None or row.mailbox != mailbox or row.uidvalidity is None:
        return None
    return int(row.uidvalidity), int(row.last_uid or 0)
