"""One rule pass: find due work by indexed queries, apply each step with one
conditional UPDATE, and write its history with one INSERT ... SELECT.

    run_rules(db, clock, *, policy=None) -> RuleSummary

The clock is read once. For each kind of step (in `time_rules.RULE_ORDER`):

- the UPDATE's WHERE is the step's due condition (the same comparisons as
  `deskapp.domain.time_rules`), so a row another workstation changed first no
  longer matches: PostgreSQL re-checks the WHERE of a row it waited for, and
  SQLite runs the transaction under its write lock (BEGIN IMMEDIATE). Each
  transition therefore happens once, whoever runs the rules at the same moment;
- the UPDATE stamps the rows with this pass's token (`ticket.rule_pass`), and
  the history events are copied from exactly those rows, in the same
  transaction, with actor "rules";
- on PostgreSQL a transaction-level advisory lock orders concurrent passes,
  so two passes never deadlock on each other's rows.

The number of statements does not depend on how many tickets exist or are due
(the auto-resolve step takes one UPDATE per local day on which limits ran out,
which is one day unless the rules have not run for a while).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import peewee as pw

from deskapp.domain import time_rules
from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import Status
from deskapp.domain.policy import Policy, default_policy
from deskapp.domain.sla import SlaEngine
from deskapp.domain.time_rules import RuleKind
from deskapp.services.operation import RULES_ACTOR, engine_for
from deskapp.store.connection import is_sqlite, raw_sql, use, write_transaction
from deskapp.store.fields import to_utc, utc_text
from deskapp.store.models import History, Ticket

_ADVISORY_KEY = 0x6465_736B_7275_6C65  # "deskrule"
AWAITING, RESOLVED, CLOSED = Status.AWAITING_INFO.value, Status.RESOLVED.value, Status.CLOSED.value


@dataclass(frozen=True)
class RuleSummary:
    """What one pass did: ticket numbers per kind (RuleKind values), at `now`."""

    now: dt.datetime
    applied: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.applied.values())

    def lines(self) -> list[str]:
        if not self.total:
            return ["nothing was due"]
        return [
            f"{kind}: {len(numbers)} ({', '.join(numbers)})"
            for kind, numbers in self.applied.items()
            if numbers
        ]


def run_rules(db: pw.Database, clock: Clock, *, policy: Policy | None = None) -> RuleSummary:
    """Apply every due time-based step once (see the module docstring)."""
    use(db)
    policy = policy or default_policy()
    engine = engine_for(policy)
    now = clock.now()
    summary = RuleSummary(now)
    pass_id = uuid.uuid4().hex
    steps = {
        RuleKind.SLA_BREACHED: _breaches,
        RuleKind.AUTO_RESOLVED: _auto_resolves,
        RuleKind.CHASER_DUE: _chasers,
        RuleKind.CLOSED: _closures,
    }
    for kind in time_rules.RULE_ORDER:
        token = f"{pass_id}:{kind.value}"
        with write_transaction(db):
            if not is_sqlite(db):
                raw_sql(db, "SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_KEY,))
            numbers, note, moves = steps[kind](now, token, engine, policy)
            if numbers:
                _history(db, token, now, kind, note, moves)
        summary.applied[kind.value] = sorted(numbers)
    return summary


Step = tuple[list[str], str, tuple[str | None, str | None]]


def _returning(query: Any) -> list[str]:
    rows = cast(Iterable[tuple[str]], query.returning(Ticket.number).tuples().execute())
    return [r[0] for r in rows]


def _bump(now: dt.datetime, token: str) -> dict[Any, Any]:
    return {Ticket.version: Ticket.version + 1, Ticket.updated_at: now, Ticket.rule_pass: token}


def _breaches(now: dt.datetime, token: str, engine: SlaEngine, policy: Policy) -> Step:
    query = Ticket.update({Ticket.breach_recorded_at: now, **_bump(now, token)}).where(
        Ticket.responded_at.is_null(),
        Ticket.breach_recorded_at.is_null(),
        Ticket.response_due < now,
        Ticket.status != CLOSED,
    )
    note = "response target passed with no response: SLA breached"
    return _returning(query), note, (None, None)


def _auto_resolves(now: dt.datetime, token: str, engine: SlaEngine, policy: Policy) -> Step:
    due = Ticket.select(Ticket.auto_resolve_at).where(
        Ticket.status == AWAITING, Ticket.auto_resolve_at <= now
    ).distinct()
    days: set[tuple[dt.datetime, dt.datetime]] = set()
    for (value,) in cast(Iterable[tuple[Any]], due.tuples()):
        moment = to_utc(value)
        assert moment is not None
        days.add(time_rules.local_day_bounds(engine, moment))
    reason = (
        f"no information for {policy.awaiting_info_limit_days} business days since the "
        "request: resolved automatically"
    )
    numbers: list[str] = []
    for lo, hi in sorted(days):
        # Every limit that ran out on this local day shares one reopen-window end.
        closes = time_rules.closes_at(engine, lo)
        query = Ticket.update({
            Ticket.status: RESOLVED,
            Ticket.resolved_at: Ticket.auto_resolve_at,
            Ticket.resolution_reason: reason,
            Ticket.closes_at: closes,
            Ticket.awaiting_info_since: None,
            Ticket.next_chaser_due: None,
            Ticket.chaser_flagged_at: None,
            Ticket.agreed_update_at: None,
            Ticket.auto_resolve_at: None,
            **_bump(now, token),
        }).where(
            Ticket.status == AWAITING,
            Ticket.auto_resolve_at <= now,
            Ticket.auto_resolve_at >= lo,
            Ticket.auto_resolve_at < hi,
        )  # fmt: skip
        numbers += _returning(query)
    return numbers, reason, (AWAITING, RESOLVED)


def _chasers(now: dt.datetime, token: str, engine: SlaEngine, policy: Policy) -> Step:
    query = Ticket.update({Ticket.chaser_flagged_at: now, **_bump(now, token)}).where(
        Ticket.status == AWAITING,
        Ticket.next_chaser_due <= now,
        Ticket.chaser_flagged_at.is_null(),
    )
    return _returning(query), "a chaser to the reseller is due", (None, None)


def _closures(now: dt.datetime, token: str, engine: SlaEngine, policy: Policy) -> Step:
    query = Ticket.update({
        Ticket.status: CLOSED,
        Ticket.closed_at: Ticket.closes_at,
        Ticket.survey_status: "to_send",
        **_bump(now, token),
    }).where(Ticket.status == RESOLVED, Ticket.closes_at <= now)  # fmt: skip
    note = "reopen window ended: closed, permanently; satisfaction survey marked to send"
    return _returning(query), note, (RESOLVED, CLOSED)


def _history(
    db: pw.Database, token: str, now: dt.datetime, kind: RuleKind, note: str,
    moves: tuple[str | None, str | None],
) -> None:  # fmt: skip
    """One INSERT ... SELECT of the rows this step stamped with its token."""
    at: Any = utc_text(now) if is_sqlite(db) else now.astimezone(dt.UTC).replace(tzinfo=None)
    before, after = moves
    source = Ticket.select(
        Ticket.id,
        pw.Value(at, converter=False),
        pw.Value(RULES_ACTOR),
        pw.Value(kind.value),
        pw.Value(before) if before else Ticket.status,
        pw.Value(after) if after else Ticket.status,
        Ticket.tier,
        Ticket.tier,
        pw.Value(note),
    ).where(Ticket.rule_pass == token)
    History.insert_from(
        source,
        fields=[
            History.ticket, History.at, History.actor, History.kind, History.from_status,
            History.to_status, History.from_tier, History.to_tier, History.note,
        ],
    ).execute()  # fmt: skip
