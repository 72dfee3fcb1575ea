"""Time rules at their edge instants (weekends, bank holidays, the last microsecond)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskapp.domain import time_rules as tr
from deskapp.domain.lifecycle import Status
from deskapp.domain.policy import default_policy
from deskapp.domain.sla import SlaEngine
from deskapp.domain.time_rules import RuleKind, TicketClocks
from tests.london import local

US = dt.timedelta(microseconds=1)


@pytest.fixture(scope="module")
def engine() -> SlaEngine:
    return SlaEngine(default_policy())


def test_auto_resolve_after_three_business_days_across_weekend_and_holiday(
    engine: SlaEngine,
) -> None:
    # Thu 12 Mar 14:00: Thu 4h + Fri 10h + Mon 10h; Sat/Sun shut, Tue 17 Mar is an
    # Irish holiday, so the last 6 hours run out Wed 18 Mar at 14:00.
    requested = local(2026, 3, 12, 14)
    deadlines = tr.after_request(engine, requested)
    assert deadlines.auto_resolve_at == local(2026, 3, 18, 14)
    assert deadlines.next_chaser_due == local(2026, 3, 13, 14)
    facts = TicketClocks(
        status=Status.AWAITING_INFO,
        response_due=requested,
        responded_at=requested,
        next_chaser_due=deadlines.next_chaser_due,
        auto_resolve_at=deadlines.auto_resolve_at,
    )
    assert not tr.auto_resolve_is_due(deadlines.auto_resolve_at - US, facts)
    assert tr.auto_resolve_is_due(deadlines.auto_resolve_at, facts)
    # Friday's chaser: the next one falls on Monday, the one after skips the holiday.
    assert tr.after_chaser(engine, local(2026, 3, 13, 14)) == local(2026, 3, 16, 14)
    assert tr.after_chaser(engine, local(2026, 3, 16, 14)) == local(2026, 3, 18, 14)


def test_chaser_due_inclusive_and_once(engine: SlaEngine) -> None:
    due = local(2026, 3, 13, 14)
    facts = TicketClocks(Status.AWAITING_INFO, due, due, next_chaser_due=due)
    assert not tr.chaser_is_due(due - US, facts)
    assert tr.chaser_is_due(due, facts)
    assert not tr.chaser_is_due(due + dt.timedelta(days=1), facts, desk_open=False), "only while open"
    saturday = local(2026, 3, 14, 10)
    assert tr.due_steps(engine, saturday, facts) == [], "never on a weekend"
    assert tr.due_steps(engine, local(2026, 3, 16, 8), facts) == [tr.RuleKind.CHASER_DUE], "at the opening"
    in_progress = TicketClocks(Status.IN_PROGRESS, due, due, next_chaser_due=due)
    assert not tr.chaser_is_due(due, in_progress)


def test_reopen_window_last_microsecond_and_the_one_after(engine: SlaEngine) -> None:
    resolved = local(2026, 3, 9, 10)  # Monday
    ends = tr.closes_at(engine, resolved)
    assert ends == local(2026, 3, 15)  # Saturday 24:00
    assert tr.reopen_allowed(ends - US, ends)
    assert not tr.reopen_allowed(ends, ends)
    facts = TicketClocks(Status.RESOLVED, resolved, resolved, closes_at=ends)
    assert not tr.closure_is_due(ends - US, facts)
    assert tr.closure_is_due(ends, facts)
    assert tr.due_steps(engine, ends - US, facts) == []
    assert tr.due_steps(engine, ends, facts) == [RuleKind.CLOSED]


def test_reopen_window_across_the_clock_change(engine: SlaEngine) -> None:
    # Resolved Tue 24 Mar; the 5th day after is Sun 29 Mar, when clocks go forward.
    ends = tr.closes_at(engine, local(2026, 3, 24, 17))
    assert ends == local(2026, 3, 30)
    assert ends.astimezone(dt.UTC).hour == 23  # 30 Mar 00:00 BST is 29 Mar 23:00 UTC


def test_breach_strictly_after_due_and_only_unanswered(engine: SlaEngine) -> None:
    logged = local(2026, 3, 16, 14)
    due = tr.response_due(engine, "P2", logged)
    assert due == local(2026, 3, 16, 18)
    facts = TicketClocks(Status.LOGGED, due)
    assert not tr.breach_is_due(due, facts)
    assert tr.breach_is_due(due + US, facts)
    answered = TicketClocks(Status.LOGGED, due, responded_at=due + US)
    assert not tr.breach_is_due(due + dt.timedelta(hours=1), answered)
    recorded = TicketClocks(Status.LOGGED, due, breach_recorded_at=due + US)
    assert not tr.breach_is_due(due + dt.timedelta(hours=1), recorded)


def test_a_late_pass_resolves_then_closes(engine: SlaEngine) -> None:
    requested = local(2026, 3, 12, 14)
    d = tr.after_request(engine, requested)
    facts = TicketClocks(
        Status.AWAITING_INFO, requested, requested,
        next_chaser_due=d.next_chaser_due, auto_resolve_at=d.auto_resolve_at,
    )  # fmt: skip
    window_end = tr.closes_at(engine, d.auto_resolve_at)
    assert tr.due_steps(engine, window_end - US, facts) == [RuleKind.AUTO_RESOLVED]
    assert tr.due_steps(engine, window_end, facts) == [RuleKind.AUTO_RESOLVED, RuleKind.CLOSED]


def test_a_late_pass_under_rule_pass_resolves_but_does_not_close() -> None:
    engine = SlaEngine(replace(default_policy(), auto_resolved_at="rule_pass"))
    requested = local(2026, 3, 12, 14)
    d = tr.after_request(engine, requested)
    facts = TicketClocks(
        Status.AWAITING_INFO, requested, requested,
        next_chaser_due=d.next_chaser_due, auto_resolve_at=d.auto_resolve_at,
    )  # fmt: skip
    late = tr.closes_at(engine, d.auto_resolve_at) + dt.timedelta(days=30)
    assert tr.auto_resolved_at(engine, late, d.auto_resolve_at) == late
    assert tr.due_steps(engine, late, facts) == [RuleKind.AUTO_RESOLVED]


def test_the_limit_after_a_chaser_and_an_agreed_update(engine: SlaEngine) -> None:
    limit = local(2026, 3, 18, 14)
    sent, agreed = local(2026, 3, 13, 14), local(2026, 3, 16, 9)
    assert tr.limit_after_chaser(engine, sent, limit) == limit
    assert tr.limit_after_agreed_update(engine, agreed, limit) == limit
    assert tr.auto_resolved_at(engine, limit + US, limit) == limit
    restarts = SlaEngine(replace(default_policy(), chaser_restarts_auto_resolve=True))
    # Fri 14:00 + Mon, Wed (Tue 17 Mar is an Irish holiday), Thu.
    assert tr.limit_after_chaser(restarts, sent, limit) == local(2026, 3, 19, 14)
    assert tr.limit_after_agreed_update(restarts, agreed, limit) == limit
    moves = SlaEngine(replace(default_policy(), agreed_update_moves_auto_resolve=True))
    # Mon 09:00 + Wed, Thu, Fri (the holiday again).
    assert tr.limit_after_agreed_update(moves, agreed, limit) == local(2026, 3, 20, 9)
    assert tr.limit_after_chaser(moves, sent, limit) == limit


def test_local_day_bounds_share_one_window_end(engine: SlaEngine) -> None:
    lo, hi = tr.local_day_bounds(engine, local(2026, 3, 29, 12))  # 23-hour day
    assert hi - lo == dt.timedelta(hours=23)
    assert tr.closes_at(engine, lo) == tr.closes_at(engine, hi - US)
    assert tr.closes_at(engine, hi) != tr.closes_at(engine, hi - US)


instants = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=dt.UTC)
)


@settings(max_examples=60, deadline=None)
@given(requested=instants, offset=st.integers(min_value=-3, max_value=200))
def test_auto_resolve_is_thirty_business_hours(
    engine: SlaEngine, requested: dt.datetime, offset: int
) -> None:
    d = tr.after_request(engine, requested)
    between = engine.calendar.business_time_between(requested, d.auto_resolve_at)
    assert between == dt.timedelta(hours=30)
    now = d.auto_resolve_at + dt.timedelta(hours=offset)
    facts = TicketClocks(Status.AWAITING_INFO, requested, auto_resolve_at=d.auto_resolve_at)
    waited = engine.calendar.business_time_between(requested, now)
    # Due exactly when 30 business hours have passed (a late "now" may be in a
    # closed period, when no more business time accrues).
    assert tr.auto_resolve_is_due(now, facts) == (now >= d.auto_resolve_at)
    if tr.auto_resolve_is_due(now, facts):
        assert waited >= dt.timedelta(hours=30)
    else:
        assert waited <= dt.timedelta(hours=30)
