"""Escalations by tier, time spent at each tier, and third-party cases still open.

Time at a tier is read from the history: a ticket's tier and status are
replayed event by event, and time counts only while the ticket is open
(from logging to resolution, and again after a reopen or a refused
resolution), so a resolved ticket waiting for its window to close adds
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import peewee as pw

from deskapp.domain.lifecycle import OPEN_STATUSES
from deskapp.domain.policy import Policy, default_policy
from deskapp.reports.table import Table, hours, in_period, median
from deskapp.store.connection import use
from deskapp.store.fields import to_utc
from deskapp.store.models import History, Reseller, Ticket

_OPEN = {s.value for s in OPEN_STATUSES}


def tier_times(
    db: pw.Database, *, now: dt.datetime, since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> dict[int, list[dt.timedelta]]:  # fmt: skip
    """For each tier, the open time each ticket (logged in the period) that reached it
    spent there."""
    use(db)
    spent: dict[int, list[dt.timedelta]] = defaultdict(list)
    query = (
        History.select(History.ticket, History.at, History.to_status, History.to_tier)
        .join(Ticket, on=(History.ticket == Ticket.id))
        .where(*_period(since, until))
        .order_by(History.ticket, History.id)
        .tuples()
    )
    current: int | None = None
    totals: dict[int, dt.timedelta] = {}
    tier, status, mark = 1, "", now

    def flush() -> None:
        if current is not None:
            if status in _OPEN:
                totals[tier] = totals.get(tier, dt.timedelta(0)) + (now - mark)
            for t, span in totals.items():
                spent[t].append(span)

    for ticket_id, at_raw, to_status, to_tier in query.iterator():
        at = to_utc(at_raw)
        assert at is not None
        if ticket_id != current:
            flush()
            current, totals, tier, status, mark = ticket_id, {}, to_tier or 1, to_status or "", at
            totals[tier] = dt.timedelta(0)
            continue
        if status in _OPEN:
            totals[tier] = totals.get(tier, dt.timedelta(0)) + (at - mark)
        tier = to_tier or tier
        totals.setdefault(tier, dt.timedelta(0))
        status = to_status or status
        mark = at
    flush()
    return spent


def _period(since: dt.datetime | None, until: dt.datetime | None) -> list[Any]:
    return in_period(Ticket.logged_at, since, until) or [pw.SQL("1 = 1")]


def escalations(
    db: pw.Database, *, now: dt.datetime, policy: Policy | None = None,
    since: dt.datetime | None = None, until: dt.datetime | None = None,
) -> Table:  # fmt: skip
    """How many tickets (logged in the period) were escalated into each tier, and how
    long they spent at each."""
    use(db)
    into: Counter[int] = Counter()
    query = (
        History.select(History.to_tier)
        .join(Ticket, on=(History.ticket == Ticket.id))
        .where(
            History.kind.in_(("escalated", "rejected")), History.to_tier > History.from_tier,
            *_period(since, until),
        )
    )  # fmt: skip
    for (to_tier,) in query.tuples().iterator():
        into[int(to_tier)] += 1
    spent = tier_times(db, now=now, since=since, until=until)
    rows = []
    for tier in (1, 2, 3):
        spans = [hours(s) for s in spent.get(tier, [])]
        rows.append((
            f"Tier {tier}", into.get(tier, 0), len(spans),
            round(sum(spans) / len(spans), 2) if spans else None, median(spans),
        ))  # fmt: skip
    return Table(
        "Escalations by tier and time at each tier (open time, hours)",
        ("tier", "escalated into", "tickets at tier", "mean hours", "median hours"),
        rows,  # type: ignore[arg-type]
    )


def third_party_open(
    db: pw.Database, *, now: dt.datetime, policy: Policy | None = None,
    since: dt.datetime | None = None, until: dt.datetime | None = None,
) -> Table:  # fmt: skip
    """Open Tier 3 cases (logged in the period): the provider, its reference, and its
    last update."""
    use(db)
    tz = (policy or default_policy()).tz
    last_update = (
        History.select(History.ticket, pw.fn.MAX(History.at).alias("last_at"))
        .where(History.kind == "third_party_update")
        .group_by(History.ticket)
        .alias("last_update")
    )
    query = (
        Ticket.select(
            Ticket.number,
            Reseller.name,
            Ticket.provider,
            Ticket.provider_ref,
            Ticket.status,
            last_update.c.last_at,
        )
        .join(Reseller)
        .switch(Ticket)
        .join(last_update, pw.JOIN.LEFT_OUTER, on=(last_update.c.ticket_id == Ticket.id))
        .where(Ticket.tier == 3, Ticket.status.in_(sorted(_OPEN)), *_period(since, until))
        .order_by(Ticket.number)
    )
    rows = []
    for number, reseller, provider, ref, status, last_at in query.tuples().iterator():
        last = to_utc(last_at)
        rows.append((
            number, reseller, provider, ref, status,
            last.astimezone(tz) if last else "no update yet",
            hours(now - last) if last else None,
        ))  # fmt: skip
    return Table(
        "Third-party cases open",
        ("ticket", "reseller", "provider", "provider ref", "status", "last update", "hours since"),
        rows,  # type: ignore[arg-type]
    )
