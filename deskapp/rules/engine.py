"""One rule pass: find due work by indexed queries, apply each step with one
conditional UPDATE, and write its history with one INSERT ... SELECT.

    run_rules(db, clock, *, policy=None) -> RuleSummary

The clock is read once, and the pass is one transaction. For each kind of
step (in `time_rules.RULE_ORDER`):

- the UPDATE's WHERE is the step's due condition (the same comparisons as
  `deskapp.domain.time_rules`), so a row another workstation changed first no
  longer matches: PostgreSQL re-checks the WHERE of a row it waited for, and
  SQLite runs the transaction under its write lock (BEGIN IMMEDIATE). Each
  transition therefore happens once, whoever runs the rules at the same moment;
- the UPDATE returns exactly the rows it changed, and their history events
  (actor "rules") are written in the same transaction: on PostgreSQL by the
  UPDATE's own statement-level trigger (schema v11), one set-based INSERT; on
  SQLite by one `executemany`;
- on PostgreSQL a transaction-level advisory lock orders concurrent passes
  (tried for RULES_LOCK_WAIT seconds, then refused in words: `RulesBusy`; a
  workstation's periodic pass, `skip_if_busy`, skips at once instead), so two
  passes never deadlock on each other's rows. Before taking it (and while
  waiting for it) the pass runs the watchdog (schema v13,
  `deskapp.store.watchdog`), which ends a session that holds it, or any other
  lock, idle past its role's limit, whatever timeouts that session SET;
- on SQLite the search documents of the tickets the pass wrote are refreshed
  once, set-based, at its end (`deskapp.store.search_batch`, schema v14); on
  PostgreSQL the search index's statement-level triggers refresh them.

The number of statements does not depend on how many tickets exist or are due
(the auto-resolve step takes one UPDATE per local day on which limits ran out,
which is one day unless the rules have not run for a while; with the policy's
`process.auto_resolved_at = "rule_pass"` every ticket is resolved at the pass's
`now`, so it takes one UPDATE).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import peewee as pw
from peewee import fn

from deskapp.domain import time_rules
from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import DeskError, Status
from deskapp.domain.policy import Policy, default_policy
from deskapp.domain.sla import SlaEngine
from deskapp.domain.time_rules import RuleKind
from deskapp.rules.notices import queue_notices
from deskapp.rules.survey_step import invite_closed
from deskapp.services.operation import RULES_ACTOR, engine_for, local_text
from deskapp.store.change_feed import announce
from deskapp.store.connection import is_sqlite, raw_sql, use, write_transaction
from deskapp.store.fields import to_utc
from deskapp.store.models import Contact, History, Reseller, Ticket
from deskapp.store.search_batch import search_batch
from deskapp.store.step_context import say_step, writes_history
from deskapp.store.watchdog import end_stalled_sessions

_ADVISORY_KEY = 0x6465_736B_7275_6C65  # "deskrule"
AWAITING, RESOLVED, CLOSED = Status.AWAITING_INFO.value, Status.RESOLVED.value, Status.CLOSED.value


@dataclass(frozen=True)
class RuleSummary:
    """What one pass did: ticket numbers per kind (RuleKind values), at `now`."""

    now: dt.datetime
    applied: dict[str, list[str]] = field(default_factory=dict)
    # A background pass that found another workstation's pass running (`skip_if_busy`)
    # and left what is due to it: nothing was applied by this one.
    skipped: bool = False

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.applied.values())

    def lines(self) -> list[str]:
        if self.skipped:
            return ["another workstation is running the rule pass: this one was skipped"]
        if not self.total:
            return ["nothing was due"]
        return [
            f"{kind}: {len(numbers)} ({', '.join(numbers)})"
            for kind, numbers in self.applied.items()
            if numbers
        ]


def run_rules(
    db: pw.Database, clock: Clock, *, policy: Policy | None = None, skip_if_busy: bool = False
) -> RuleSummary:
    """Apply every due time-based step once (see the module docstring).

    `skip_if_busy` (a workstation's periodic pass): when another session holds the
    rules' lock, return at once with `skipped` set instead of waiting for it. That pass
    applies what is due (exactly-once), so waiting gains nothing, and a session waiting
    inside its transaction hears no change feed on its connection meanwhile. Without it
    (`deskapp rules run`) the pass waits, then says who holds the lock (`RulesBusy`)."""
    use(db)
    policy = policy or default_policy()
    engine = engine_for(policy)
    now = clock.now()
    summary = RuleSummary(now)
    steps = {
        RuleKind.SLA_BREACHED: _breaches,
        RuleKind.AUTO_RESOLVED: _auto_resolves,
        RuleKind.CHASER_DUE: _chasers,
        RuleKind.CLOSED: _closures,
    }
    # One transaction for the whole pass: one commit (and at most one WAL
    # checkpoint on SQLite) instead of one per step; each step's UPDATE is still
    # conditional, so exactly-once holds however passes interleave.
    # On SQLite the search documents of every ticket the pass wrote are refreshed
    # once, set-based, at its end (`search_batch`), not by a trigger per row written.
    with write_transaction(db):
        if not is_sqlite(db):
            # Sessions that SET their timeouts away and sit on a lock are ended first
            # (one statement, with the owner's rights: `deskapp.store.watchdog`).
            end_stalled_sessions(db)
            if not skip_if_busy:
                _take_rules_lock(db)
            elif not _try_rules_lock(db):
                return RuleSummary(now, skipped=True)
        with search_batch(db) as wrote:
            for kind in time_rules.RULE_ORDER:
                changed = steps[kind](db, now, engine, policy)
                wrote.update(row[0] for row in changed)
                if changed:
                    announce(db, [row[1] for row in changed])  # other workstations, on commit
                    if kind is RuleKind.CLOSED:
                        invite_closed(db, [row[0] for row in changed], now, policy)
                    if kind is RuleKind.AUTO_RESOLVED:
                        # Step 10: the reseller is told, with how to say it is not resolved.
                        queue_notices(db, "auto_resolved", [row[0] for row in changed], now, policy)
                summary.applied[kind.value] = sorted(row[1] for row in changed)
    return summary


RULES_LOCK_WAIT = 10.0  # seconds a pass waits for another's lock before saying so


class RulesBusy(DeskError):
    """Another session has held the rules' lock longer than a pass ever takes."""


def _take_rules_lock(db: pw.Database, wait: float | None = None) -> None:
    """The transaction's advisory lock, tried rather than waited for: a session that
    takes it and never lets go (psql, a hung workstation) cannot hang every pass."""
    limit = RULES_LOCK_WAIT if wait is None else wait
    deadline = time.monotonic() + limit
    pause = 0.05
    while True:
        if _try_rules_lock(db):
            return
        if time.monotonic() >= deadline:
            break
        # The holder may have just gone past its idle limit: ended, the lock comes free.
        end_stalled_sessions(db)
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, 0.5)
    holder = raw_sql(
        db,
        "SELECT a.usename, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = (%s::bigint & 4294967295)::oid "
        "AND l.classid = ((%s::bigint >> 32) & 4294967295)::oid LIMIT 1",
        (_ADVISORY_KEY, _ADVISORY_KEY),
    ).fetchone()
    who = f" by {holder[0]} (server process {holder[1]})" if holder else ""
    raise RulesBusy(
        f"the rules' lock has been held{who} for more than {limit:g} s, longer than a pass takes: "
        "nothing was applied; the next pass tries again (an administrator can end that session)"
    )


def _try_rules_lock(db: pw.Database) -> bool:
    """Take the transaction's advisory lock if no other session holds it (a session that
    holds it already takes it again at once)."""
    (got,) = raw_sql(db, "SELECT pg_try_advisory_xact_lock(%s)", (_ADVISORY_KEY,)).fetchone()
    return bool(got)


Changed = list[tuple[int, str, str, int]]  # id, number, status, tier of each row changed


def _apply(
    db: pw.Database, query: Any, now: dt.datetime, kind: RuleKind, note: str,
    moves: tuple[str | None, str | None] = (None, None),
) -> Changed:  # fmt: skip
    """Run one step's UPDATE and record its history: on PostgreSQL the statement's own
    trigger writes it (told the step here), on SQLite `_history` does."""
    say_step(db, actor=RULES_ACTOR, kind=kind.value, note=note, now=now)
    # The DB-API cursor's rows as they come: peewee's row wrapper costs more per row
    # than the database's own work when thousands of tickets are due.
    returning = query.returning(Ticket.id, Ticket.number, Ticket.status, Ticket.tier)
    rows = db.execute(returning).fetchall()  # type: ignore[no-untyped-call]
    changed = [(int(i), str(n), str(s), int(t)) for i, n, s, t in rows]
    if changed and not writes_history(db):
        _history(db, changed, now, kind, note, moves)
    return changed


def _bump(now: dt.datetime) -> dict[Any, Any]:
    return {Ticket.version: Ticket.version + 1, Ticket.updated_at: now}


def _breaches(db: pw.Database, now: dt.datetime, engine: SlaEngine, policy: Policy) -> Changed:
    query = Ticket.update({Ticket.breach_recorded_at: now, **_bump(now)}).where(
        Ticket.responded_at.is_null(),
        Ticket.breach_recorded_at.is_null(),
        Ticket.response_due < now,
        Ticket.status != CLOSED,
    )
    note = "response target passed with no response: SLA breached"
    return _apply(db, query, now, RuleKind.SLA_BREACHED, note)


def _auto_resolves(db: pw.Database, now: dt.datetime, engine: SlaEngine, policy: Policy) -> Changed:
    reason = time_rules.auto_resolve_reason(policy)
    cleared = {
        Ticket.status: RESOLVED,
        Ticket.resolution_reason: reason,
        Ticket.awaiting_info_since: None,
        Ticket.next_chaser_due: None,
        Ticket.chaser_flagged_at: None,
        Ticket.agreed_update_at: None,
        Ticket.auto_resolve_at: None,
        **_bump(now),
    }
    due_now = (Ticket.status == AWAITING) & (Ticket.auto_resolve_at <= now)
    if policy.auto_resolved_at == "rule_pass":
        # Resolved at `now` (time_rules.auto_resolved_at): one reopen-window end for
        # all, later than `now`, so the closure step of this pass never matches them.
        query = Ticket.update({
            **cleared, Ticket.resolved_at: now, Ticket.closes_at: time_rules.closes_at(engine, now),
        }).where(due_now)  # fmt: skip
        return _apply(db, query, now, RuleKind.AUTO_RESOLVED, reason, (AWAITING, RESOLVED))
    due = Ticket.select(Ticket.auto_resolve_at).where(due_now).distinct()
    days: set[tuple[dt.datetime, dt.datetime]] = set()
    for (value,) in cast(Iterable[tuple[Any]], due.tuples()):
        moment = to_utc(value)
        assert moment is not None
        days.add(time_rules.local_day_bounds(engine, moment))
    numbers: Changed = []
    for lo, hi in sorted(days):
        # Every limit that ran out on this local day shares one reopen-window end.
        closes = time_rules.closes_at(engine, lo)
        # Resolved at the instant the limit ran out (time_rules.auto_resolved_at).
        query = Ticket.update({
            **cleared, Ticket.resolved_at: Ticket.auto_resolve_at, Ticket.closes_at: closes,
        }).where(due_now, Ticket.auto_resolve_at >= lo, Ticket.auto_resolve_at < hi)  # fmt: skip
        numbers += _apply(db, query, now, RuleKind.AUTO_RESOLVED, reason, (AWAITING, RESOLVED))
    return numbers


def _chasers(db: pw.Database, now: dt.datetime, engine: SlaEngine, policy: Policy) -> Changed:
    """Due chasers (only while the desk is open): the next falls due one business day
    on, so a second pass finds nothing. Each is emailed where the ticket has an address
    (`queue_notices`); otherwise flagged (`chaser_flagged_at`), each business day, for a
    person to phone. Two UPDATEs, one per kind of history note, with the next chaser's
    time."""
    if not engine.calendar.is_business_time(now):
        return []  # a chaser due at night or on a closed day waits for the opening
    following = local_text(time_rules.after_chaser(engine, now), policy)
    fields: dict[Any, Any] = {
        Ticket.next_chaser_due: time_rules.after_chaser(engine, now),
        Ticket.chaser_flagged_at: None,
        **_bump(now),
    }
    # The pass's own chaser never restarts the auto-resolve limit, whatever the policy's
    # `chaser_restarts_auto_resolve` (that is for a chaser a person sends): a reminder that
    # goes every business day would otherwise keep a silent ticket open for ever.
    due = (Ticket.status == AWAITING) & (Ticket.next_chaser_due <= now)
    mailed = _apply(
        db, Ticket.update(fields).where(due, _has_address()), now, RuleKind.CHASER_DUE,
        f"daily chaser emailed to the reseller (next due {following})",
    )  # fmt: skip
    emailed = queue_notices(db, "chaser", [row[0] for row in mailed], now, policy)
    assert emailed == {row[0] for row in mailed}, "a ticket with an address gets its chaser"
    phone = _apply(
        db, Ticket.update({**fields, Ticket.chaser_flagged_at: now}).where(due), now, RuleKind.CHASER_DUE,
        f"a chaser is due and no email address is known: phone the reseller (next due {following})",
    )  # fmt: skip
    return mailed + phone


def _has_address() -> Any:
    """The ticket has an email address to send to (as `queue_notices` picks one: the
    ticket's, its contact's, its reseller's)."""
    contact = Contact.select(Contact.id).where(
        Contact.id == Ticket.contact, fn.COALESCE(Contact.email, "") != ""
    )
    reseller = Reseller.select(Reseller.id).where(
        Reseller.id == Ticket.reseller, fn.COALESCE(Reseller.email, "") != ""
    )
    return (fn.COALESCE(Ticket.contact_email, "") != "") | fn.EXISTS(contact) | fn.EXISTS(reseller)


def _closures(db: pw.Database, now: dt.datetime, engine: SlaEngine, policy: Policy) -> Changed:
    query = Ticket.update({
        Ticket.status: CLOSED,
        Ticket.closed_at: Ticket.closes_at,
        Ticket.survey_status: "to_send",
        **_bump(now),
    }).where(Ticket.status == RESOLVED, Ticket.closes_at <= now)  # fmt: skip
    note = "reopen window ended: closed, permanently; satisfaction survey marked to send"
    return _apply(db, query, now, RuleKind.CLOSED, note, (RESOLVED, CLOSED))


def _history(
    db: pw.Database, changed: Changed, now: dt.datetime, kind: RuleKind, note: str,
    moves: tuple[str | None, str | None],
) -> None:  # fmt: skip
    """The history events of the rows a step changed: one statement, many parameter rows.

    DB-API `executemany` rather than a peewee multi-row INSERT: building that
    query in Python costs more than the database's own work for thousands of rows."""
    before, after = moves
    at = History.at.db_value(now)
    columns = ("ticket_id", "at", "actor", "kind", "from_status", "to_status", "from_tier", "to_tier", "note")
    sql = (
        f"INSERT INTO {History._meta.table_name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([db.param] * len(columns))})"
    )
    params = [
        (ticket_id, at, RULES_ACTOR, kind.value, before or status, after or status, tier, tier, note)
        for ticket_id, _, status, tier in changed
    ]
    # peewee logs what it runs; log this too, so a statement counter sees it.
    logging.getLogger("peewee").debug((sql, f"[{len(params)} parameter rows]"))
    db.cursor().executemany(sql, params)  # type: ignore[no-untyped-call]
