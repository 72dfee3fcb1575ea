"""Response-SLA compliance: met and missed by priority and month, breaches, response times.

A ticket counts once its response is decided: `met` if the reseller was told
the number by the due time, `missed` if told later or still untold after the
due time. Tickets whose clock is still running are left out, so a month in
progress is never reported as worse than it is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator

import peewee as pw

from deskapp.domain.policy import Policy, default_policy
from deskapp.reports.table import Table, hours, month_of, percent
from deskapp.sla import engine as engine_for
from deskapp.store.connection import use
from deskapp.store.models import PriorityChange, Reseller, Ticket

# Response-time buckets (upper bounds, exclusive), labelled for a person.
BUCKETS: tuple[tuple[dt.timedelta | None, str], ...] = (
    (dt.timedelta(minutes=15), "< 15 min"),
    (dt.timedelta(minutes=30), "15-30 min"),
    (dt.timedelta(hours=1), "30-60 min"),
    (dt.timedelta(hours=2), "1-2 h"),
    (dt.timedelta(hours=4), "2-4 h"),
    (dt.timedelta(hours=8), "4-8 h"),
    (dt.timedelta(hours=24), "8-24 h"),
    (None, "24 h or more"),
)


def _tickets(
    db: pw.Database, since: dt.datetime | None, until: dt.datetime | None
) -> Iterator[tuple[str, str, str, dt.datetime, dt.datetime, dt.datetime | None]]:
    use(db)
    query = (
        Ticket.select(
            Ticket.number,
            Ticket.priority,
            Reseller.name,
            Ticket.logged_at,
            Ticket.response_due,
            Ticket.responded_at,
        )
        .join(Reseller)
        .where(Ticket.duplicate_of.is_null())  # a duplicate's incident is counted on the other ticket
        .order_by(Ticket.logged_at)
    )
    if since is not None:
        query = query.where(Ticket.logged_at >= since)
    if until is not None:
        query = query.where(Ticket.logged_at < until)
    for number, prio, reseller, logged, due, responded in query.tuples().iterator():
        yield number, prio, reseller, _utc(logged), _utc(due), _utc_or_none(responded)


def _utc(value: object) -> dt.datetime:
    from deskapp.store.fields import to_utc

    result = to_utc(value)
    assert result is not None
    return result


def _utc_or_none(value: object) -> dt.datetime | None:
    return None if value is None else _utc(value)


def outcome(due: dt.datetime, responded: dt.datetime | None, now: dt.datetime) -> str | None:
    """'met', 'missed', or None while the clock is still running."""
    if responded is not None:
        return "met" if responded <= due else "missed"
    return "missed" if now > due else None


def compliance(
    db: pw.Database, *, now: dt.datetime, policy: Policy | None = None,
    since: dt.datetime | None = None, until: dt.datetime | None = None,
) -> Table:  # fmt: skip
    """Met and missed by month (local) and priority, as counts and percentages."""
    tz = (policy or default_policy()).tz
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for _, prio, _, logged, due, responded in _tickets(db, since, until):
        result = outcome(due, responded, now)
        if result is not None:
            counts[(month_of(logged, tz), prio)][result] += 1
            counts[("all", prio)][result] += 1
    rows = []
    for (month, prio), c in sorted(counts.items(), key=lambda kv: (kv[0][0] == "all", kv[0])):
        total = c["met"] + c["missed"]
        rows.append((month, prio, c["met"], c["missed"], total, percent(c["met"], total),
                     percent(c["missed"], total)))  # fmt: skip
    return Table(
        "Response SLA compliance by month and priority",
        ("month", "priority", "met", "missed", "decided", "met %", "missed %"),
        rows,  # type: ignore[arg-type]
        note="Tickets whose response clock is still running are not counted yet.",
    )


def breaches(
    db: pw.Database, *, now: dt.datetime, policy: Policy | None = None,
    since: dt.datetime | None = None, until: dt.datetime | None = None,
) -> Table:  # fmt: skip
    """Every missed response: when it was due and how late (or still untold), in the
    ticket's own clock: wall-clock hours for a 24x7 priority (P1), business hours for
    the others (a P3 told two business hours late is 2 hours late, not 40)."""
    policy = policy or default_policy()
    tz = policy.tz
    engine = engine_for(policy)
    rows = []
    changed = _earlier_priorities(db)
    for number, prio, reseller, logged, due, responded in _tickets(db, since, until):
        if outcome(due, responded, now) != "missed":
            continue
        end = responded or now
        wall = policy.priorities[prio].wall_clock if prio in policy.priorities else True
        late = end - due if wall else engine.calendar.business_time_between(due, end)
        rows.append((
            number, prio, reseller, logged.astimezone(tz), due.astimezone(tz),
            responded.astimezone(tz) if responded else "not yet told", hours(late),
            "wall clock" if wall else "business hours", " -> ".join([*changed.get(number, []), prio])
            if number in changed else "",
        ))  # fmt: skip
    return Table(
        "Response SLA breaches",
        (
            "ticket",
            "priority",
            "reseller",
            "logged",
            "due",
            "responded",
            "hours late",
            "late counted in",
            "priority changed",
        ),
        rows,  # type: ignore[arg-type]
        note="Hours late are wall-clock hours for a 24x7 priority and business hours for the others.",
    )


def _earlier_priorities(db: pw.Database) -> dict[str, list[str]]:
    """Each re-prioritised ticket's earlier priorities, oldest first (its due time was
    counted again under the priority it has now)."""
    out: dict[str, list[str]] = defaultdict(list)
    query = (
        PriorityChange.select(Ticket.number, PriorityChange.from_priority)
        .join(Ticket, on=(PriorityChange.ticket == Ticket.id))
        .where(PriorityChange.from_due.is_null(False))
        .order_by(PriorityChange.id)
        .tuples()
    )
    for number, earlier in query.iterator():
        out[number].append(earlier)
    return out


def response_times(
    db: pw.Database, *, now: dt.datetime, policy: Policy | None = None,
    since: dt.datetime | None = None, until: dt.datetime | None = None,
) -> Table:  # fmt: skip
    """How long the reseller waited for the ticket number (wall time), by priority."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for _, prio, _, logged, _, responded in _tickets(db, since, until):
        if responded is None:
            continue
        counts[prio][bucket(responded - logged)] += 1
    labels = [label for _, label in BUCKETS]
    prios = sorted(counts)
    rows = [(label, *[counts[p][label] for p in prios]) for label in labels]
    return Table("Response time distribution (wall time)", ("response time", *prios), rows)  # type: ignore[arg-type]


def bucket(wait: dt.timedelta) -> str:
    for bound, label in BUCKETS:
        if bound is None or wait < bound:
            return label
    return BUCKETS[-1][1]
