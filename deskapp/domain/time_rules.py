"""The time-based steps of the process, as pure decisions given `now`.

Every due instant is computed once, when the step that starts its clock is
taken, and stored on the ticket (so the rule engine finds due work with an
indexed `column <= now`); the predicates here say, for one ticket's facts,
which steps are due at `now`. The rule engine's SQL mirrors them and the
tests hold the two to each other. All calendar arithmetic is the SLA
engine's (`SlaEngine.chaser_due`, `awaiting_info_expires`,
`reopen_window_ends`, `response_due`); nothing is re-derived here.

Edges, as SLA-RULES.md reads them:
- a response is breached once `now > response_due` with no response
  (`Band.BREACHED`); the breach is recorded once;
- a chaser is due at `next_chaser_due` (inclusive) while the desk is open, and
  the rule pass sends it (the next is due one business day after it went);
- auto-resolve at `awaiting_info_expires(latest request)` (inclusive);
- the ticket closes at `reopen_window_ends(resolved_at)`: reopening is
  allowed strictly before that instant, never at or after it.

Where SLA-RULES.md is silent the policy's [process] table decides (defaults
in brackets):
- `chaser_restarts_auto_resolve` [false]: a chaser is a reminder of the same
  request and leaves the auto-resolve limit alone; true restarts it at
  `awaiting_info_expires(sent_at)`;
- `agreed_update_moves_auto_resolve` [false]: an agreed update timeframe moves
  only the next chaser; true also moves the limit to
  `awaiting_info_expires(agreed_update)`;
- `auto_resolved_at` ["limit"]: an auto-resolved ticket's `resolved_at` is the
  instant its limit ran out, so a late rule pass may resolve and close it at
  once; "rule_pass" makes it the pass's `now`, and the window counts from there
  (it then never closes in the pass that resolved it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from deskapp.domain.lifecycle import Status
from deskapp.domain.policy import Policy
from deskapp.domain.sla import SlaEngine


class RuleKind(StrEnum):
    """What the rule engine did; also the history event's kind."""

    SLA_BREACHED = "sla_breached"
    AUTO_RESOLVED = "auto_resolved"
    CHASER_DUE = "chaser_due"
    CLOSED = "closed"


# The order a rule pass applies them: a ticket auto-resolved in a pass is not
# also chased, and may close in the same pass if its window is already over
# (only when resolved at its limit: a window counted from the pass's `now` is
# never over at `now`).
RULE_ORDER = (
    RuleKind.SLA_BREACHED,
    RuleKind.AUTO_RESOLVED,
    RuleKind.CHASER_DUE,
    RuleKind.CLOSED,
)


@dataclass(frozen=True)
class TicketClocks:
    """The facts of one ticket the time rules look at (instants aware UTC)."""

    status: Status
    response_due: dt.datetime
    responded_at: dt.datetime | None = None
    breach_recorded_at: dt.datetime | None = None
    next_chaser_due: dt.datetime | None = None
    chaser_flagged_at: dt.datetime | None = None
    auto_resolve_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None


@dataclass(frozen=True)
class InfoDeadlines:
    """What a request for information starts: the next chaser and the auto-resolve."""

    next_chaser_due: dt.datetime
    auto_resolve_at: dt.datetime


# --- due instants, computed when a step starts a clock ----------------------


def response_due(engine: SlaEngine, priority: str, logged_at: dt.datetime) -> dt.datetime:
    return engine.response_due(priority, logged_at)


def after_request(engine: SlaEngine, requested_at: dt.datetime) -> InfoDeadlines:
    """A request for information: chase one business day later, auto-resolve after
    the policy's limit (3 business days = 30 business hours) with nothing received."""
    return InfoDeadlines(
        next_chaser_due=engine.chaser_due(requested_at),
        auto_resolve_at=engine.awaiting_info_expires(requested_at),
    )


def after_chaser(engine: SlaEngine, sent_at: dt.datetime) -> dt.datetime:
    """The next chaser after one is sent: one business day later.

    Whether the chaser also restarts the auto-resolve clock is
    `limit_after_chaser`'s (the policy's `chaser_restarts_auto_resolve`)."""
    return engine.chaser_due(sent_at)


def limit_after_chaser(
    engine: SlaEngine, sent_at: dt.datetime, limit: dt.datetime | None
) -> dt.datetime | None:
    """The auto-resolve limit once a chaser is sent: unchanged (a chaser is a reminder
    of the same request), or restarted from `sent_at` if the policy says so."""
    if engine.policy.chaser_restarts_auto_resolve:
        return engine.awaiting_info_expires(sent_at)
    return limit


def after_agreed_update(agreed_update: dt.datetime) -> dt.datetime:
    """An agreed update timeframe sets when the next chaser is due: at that instant."""
    return agreed_update


def limit_after_agreed_update(
    engine: SlaEngine, agreed_update: dt.datetime, limit: dt.datetime | None
) -> dt.datetime | None:
    """The auto-resolve limit once an update timeframe is agreed: unchanged, or
    counted from the agreed instant if the policy's `agreed_update_moves_auto_resolve`."""
    if engine.policy.agreed_update_moves_auto_resolve:
        return engine.awaiting_info_expires(agreed_update)
    return limit


def resolves_before_agreed_update(agreed_update: dt.datetime | None, limit: dt.datetime | None) -> bool:
    """Whether the auto-resolve limit falls before an agreed update time, so the ticket
    would resolve before the reseller's agreed update (only when the policy's
    `agreed_update_moves_auto_resolve` leaves the limit where the request put it)."""
    return agreed_update is not None and limit is not None and limit < agreed_update


def auto_resolved_at(engine: SlaEngine, now: dt.datetime, limit: dt.datetime) -> dt.datetime:
    """The `resolved_at` of a ticket whose limit ran out, auto-resolved by a pass at
    `now`: the limit itself, or `now` (the policy's `auto_resolved_at`)."""
    return now if engine.policy.auto_resolved_at == "rule_pass" else limit


def auto_resolve_reason(policy: Policy) -> str:
    """The resolution reason (and history note) of an automatic resolution."""
    since = ["the request"]
    if policy.chaser_restarts_auto_resolve:
        since.append("the last chaser")
    if policy.agreed_update_moves_auto_resolve:
        since.append("the agreed update time")
    return (
        f"no information for {policy.awaiting_info_limit_days} business days since "
        f"{' or '.join(since)}: resolved automatically"
    )


def closes_at(engine: SlaEngine, resolved_at: dt.datetime) -> dt.datetime:
    """The end of the reopen window, when the rule closes the ticket."""
    return engine.reopen_window_ends(resolved_at)


def local_day_bounds(engine: SlaEngine, moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in UTC of the local calendar day holding `moment`.

    Every resolution instant inside it shares one reopen-window end, so the
    rule engine closes a day's auto-resolved tickets with one statement."""
    calendar = engine.calendar
    day = calendar.local_date(moment)
    return calendar.local_midnight_after(day, 0), calendar.local_midnight_after(day, 1)


# --- what is due at `now` -----------------------------------------------------


def breach_is_due(now: dt.datetime, t: TicketClocks) -> bool:
    return (
        t.status is not Status.CLOSED
        and t.responded_at is None
        and t.breach_recorded_at is None
        and now > t.response_due
    )


def auto_resolve_is_due(now: dt.datetime, t: TicketClocks) -> bool:
    return t.status is Status.AWAITING_INFO and t.auto_resolve_at is not None and t.auto_resolve_at <= now


def chaser_is_due(now: dt.datetime, t: TicketClocks, desk_open: bool = True) -> bool:
    """The rule pass sends a chaser itself once `next_chaser_due` has come, and only while
    the desk is open (`desk_open`: never on a weekend, a holiday or at night; a chaser due
    then goes at the next opening). Sending it moves `next_chaser_due` one business day
    on (`after_chaser`), so it goes once however often the rules run."""
    return (
        desk_open
        and t.status is Status.AWAITING_INFO
        and t.next_chaser_due is not None
        and t.next_chaser_due <= now
    )


def closure_is_due(now: dt.datetime, t: TicketClocks) -> bool:
    return t.status is Status.RESOLVED and t.closes_at is not None and t.closes_at <= now


def reopen_allowed(now: dt.datetime, window_ends: dt.datetime) -> bool:
    """A resolved ticket may be reopened strictly before its window ends."""
    return now < window_ends


def due_steps(engine: SlaEngine, now: dt.datetime, t: TicketClocks) -> list[RuleKind]:
    """The rule steps due for one ticket at `now`, in the order a pass applies them."""
    steps: list[RuleKind] = []
    if breach_is_due(now, t):
        steps.append(RuleKind.SLA_BREACHED)
    if auto_resolve_is_due(now, t):
        assert t.auto_resolve_at is not None
        steps.append(RuleKind.AUTO_RESOLVED)
        # No chaser. Resolved at the instant the limit ran out, its window may
        # already be over if the rules last ran long ago; resolved at `now`, never.
        if closes_at(engine, auto_resolved_at(engine, now, t.auto_resolve_at)) <= now:
            steps.append(RuleKind.CLOSED)
        return steps
    if chaser_is_due(now, t, engine.calendar.is_business_time(now)):
        steps.append(RuleKind.CHASER_DUE)
    if closure_is_due(now, t):
        steps.append(RuleKind.CLOSED)
    return steps
