"""The [process] choices SLA-RULES.md leaves open, through the services and the rule
engine on both databases: each with the shipped default and with the other setting.

- chaser_restarts_auto_resolve (default false)
- agreed_update_moves_auto_resolve (default false)
- auto_resolved_at (default "limit"; or "rule_pass")
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from deskapp import services as sv
from deskapp.domain import time_rules as tr
from deskapp.domain.lifecycle import Status
from deskapp.domain.policy import Policy, default_policy
from deskapp.domain.time_rules import TicketClocks
from deskapp.rules import run_rules
from deskapp.services.operation import engine_for, local_text
from deskapp.store.models import History, Outbox, Ticket
from tests.desk_setup import Desk
from tests.london import local

US = dt.timedelta(microseconds=1)
DEFAULT = default_policy()
CHASER_RESTARTS = dataclasses.replace(DEFAULT, chaser_restarts_auto_resolve=True)
AGREED_MOVES = dataclasses.replace(DEFAULT, agreed_update_moves_auto_resolve=True)
RULE_PASS = dataclasses.replace(DEFAULT, auto_resolved_at="rule_pass")

REQUESTED = local(2026, 3, 9, 10)  # Monday
LIMIT = local(2026, 3, 12, 10)  # 3 business days later: Thursday


def rules_at(desk: Desk, moment: dt.datetime, policy: Policy) -> dict[str, list[str]]:
    desk.clock.set(moment)
    return run_rules(desk.db, desk.clock, policy=policy).applied


def ticket(number: str) -> Ticket:
    return Ticket.get(Ticket.number == number)


def last_event(number: str, kind: str) -> History:
    t = ticket(number)
    return (
        History.select().where(History.ticket == t.id, History.kind == kind).order_by(History.id.desc()).get()
    )


def waiting_ticket(desk: Desk, requested: dt.datetime = REQUESTED) -> str:
    db, c = desk.db, desk.clock
    t = desk.log()
    sv.notify(db, c, "tina", t.number)
    sv.assign(db, c, "tina", t.number, engineer="tina")
    desk.at(requested)
    number = sv.request_info(db, c, "tina", t.number).number
    assert ticket(number).auto_resolve_at == tr.after_request(engine_for(None), requested).auto_resolve_at
    return number


def test_the_shipped_policy_keeps_the_old_behaviour() -> None:
    assert DEFAULT.chaser_restarts_auto_resolve is False
    assert DEFAULT.agreed_update_moves_auto_resolve is False
    assert DEFAULT.auto_resolved_at == "limit"


# --- chaser_restarts_auto_resolve ----------------------------------------------


@pytest.mark.parametrize("policy", [None, DEFAULT], ids=["no-policy-arg", "default"])
def test_a_chaser_leaves_the_limit_by_default(desk: Desk, policy: Policy | None) -> None:
    number = waiting_ticket(desk)
    sent = local(2026, 3, 10, 11)
    desk.at(sent)
    t = sv.chaser_sent(desk.db, desk.clock, "tina", number, policy=policy)
    assert t.auto_resolve_at == LIMIT
    assert t.next_chaser_due == local(2026, 3, 11, 11)
    note = last_event(number, "chaser_sent").note
    assert "auto-resolves" not in note
    body = Outbox.get(Outbox.ticket == t.id, Outbox.kind == "chaser").body
    assert local_text(LIMIT) in body
    assert rules_at(desk, LIMIT - US, DEFAULT)["auto_resolved"] == []
    assert rules_at(desk, LIMIT, DEFAULT)["auto_resolved"] == [number]
    resolved = ticket(number)
    assert resolved.resolved_at == LIMIT
    assert resolved.resolution_reason == (
        "no information for 3 business days since the request: resolved automatically"
    )


def test_a_chaser_restarts_the_limit_when_the_policy_says_so(desk: Desk) -> None:
    number = waiting_ticket(desk)
    sent = local(2026, 3, 10, 11)
    desk.at(sent)
    t = sv.chaser_sent(desk.db, desk.clock, "tina", number, policy=CHASER_RESTARTS)
    restarted = engine_for(CHASER_RESTARTS).awaiting_info_expires(sent)
    assert restarted == local(2026, 3, 13, 11)
    assert t.auto_resolve_at == restarted
    assert t.next_chaser_due == local(2026, 3, 11, 11)  # the chaser clock is unchanged
    assert f"auto-resolves {local_text(restarted)}" in last_event(number, "chaser_sent").note
    body = Outbox.get(Outbox.ticket == t.id, Outbox.kind == "chaser").body
    assert local_text(restarted) in body and local_text(LIMIT) not in body
    # The old limit passes without resolving the ticket; the restarted one resolves it.
    assert rules_at(desk, LIMIT, CHASER_RESTARTS)["auto_resolved"] == []
    assert ticket(number).status == "awaiting_info"
    assert rules_at(desk, restarted - US, CHASER_RESTARTS)["auto_resolved"] == []
    assert rules_at(desk, restarted, CHASER_RESTARTS)["auto_resolved"] == [number]
    resolved = ticket(number)
    assert resolved.resolved_at == restarted
    assert "since the request or the last chaser" in str(resolved.resolution_reason)
    assert "since the request or the last chaser" in last_event(number, "auto_resolved").note


# --- agreed_update_moves_auto_resolve ------------------------------------------


def test_an_agreed_update_moves_only_the_chaser_by_default(desk: Desk) -> None:
    number = waiting_ticket(desk)
    agreed = local(2026, 3, 11, 15)
    desk.at(local(2026, 3, 10, 9))
    t = sv.agree_update(desk.db, desk.clock, "tina", number, agreed_update=agreed, policy=DEFAULT)
    assert (t.next_chaser_due, t.agreed_update_at, t.auto_resolve_at) == (agreed, agreed, LIMIT)
    assert "auto-resolves" not in last_event(number, "update_agreed").note
    assert rules_at(desk, agreed, DEFAULT)["chaser_due"] == [number]
    assert rules_at(desk, LIMIT, DEFAULT)["auto_resolved"] == [number]
    assert ticket(number).resolved_at == LIMIT


def test_an_agreed_update_moves_the_limit_when_the_policy_says_so(desk: Desk) -> None:
    number = waiting_ticket(desk)
    agreed = local(2026, 3, 11, 15)
    desk.at(local(2026, 3, 10, 9))
    t = sv.agree_update(desk.db, desk.clock, "tina", number, agreed_update=agreed, policy=AGREED_MOVES)
    moved = engine_for(AGREED_MOVES).awaiting_info_expires(agreed)
    assert moved == local(2026, 3, 16, 15)  # Wed 15:00 + Thu, Fri, Mon
    assert (t.next_chaser_due, t.agreed_update_at, t.auto_resolve_at) == (agreed, agreed, moved)
    assert f"auto-resolves {local_text(moved)}" in last_event(number, "update_agreed").note
    assert rules_at(desk, agreed, AGREED_MOVES)["chaser_due"] == [number]
    assert rules_at(desk, LIMIT, AGREED_MOVES)["auto_resolved"] == []
    # A chaser sent meanwhile does not restart it (that is the other setting).
    desk.at(local(2026, 3, 12, 11))
    assert sv.chaser_sent(desk.db, desk.clock, "tina", number, policy=AGREED_MOVES).auto_resolve_at == moved
    assert rules_at(desk, moved - US, AGREED_MOVES)["auto_resolved"] == []
    assert rules_at(desk, moved, AGREED_MOVES)["auto_resolved"] == [number]
    resolved = ticket(number)
    assert resolved.resolved_at == moved
    assert "since the request or the agreed update time" in str(resolved.resolution_reason)


# --- auto_resolved_at ----------------------------------------------------------


def test_auto_resolved_at_the_limit_by_default(desk: Desk) -> None:
    number = waiting_ticket(desk)
    late = local(2026, 3, 13, 9)  # the pass runs the next morning
    assert rules_at(desk, late, DEFAULT)["auto_resolved"] == [number]
    t = ticket(number)
    assert (t.status, t.resolved_at) == ("resolved", LIMIT)
    assert t.closes_at == local(2026, 3, 18)  # Thu + 5 days, at local midnight
    assert last_event(number, "auto_resolved").at == late  # the event is when it was noticed
    # Reopenable until the window counted from the limit ends, not after.
    desk.at(local(2026, 3, 18) - US)
    sv.reopen(desk.db, desk.clock, "tina", number, policy=DEFAULT)


def test_a_late_pass_resolves_and_closes_at_once_by_default(desk: Desk) -> None:
    number = waiting_ticket(desk)
    applied = rules_at(desk, local(2026, 4, 20, 9), DEFAULT)
    assert applied["auto_resolved"] == [number] and applied["closed"] == [number]
    t = ticket(number)
    assert (t.status, t.resolved_at, t.closed_at) == ("closed", LIMIT, local(2026, 3, 18))


def test_auto_resolved_at_the_rule_pass(desk: Desk) -> None:
    number = waiting_ticket(desk)
    late = local(2026, 3, 13, 9)
    assert rules_at(desk, LIMIT - US, RULE_PASS)["auto_resolved"] == []
    assert rules_at(desk, late, RULE_PASS)["auto_resolved"] == [number]
    t = ticket(number)
    assert (t.status, t.resolved_at) == ("resolved", late)
    assert t.closes_at == engine_for(RULE_PASS).reopen_window_ends(late) == local(2026, 3, 19)
    assert t.auto_resolve_at is None and t.next_chaser_due is None
    assert t.resolution_reason == (
        "no information for 3 business days since the request: resolved automatically"
    )
    # Still reopenable where the window counted from the limit would have ended.
    desk.at(local(2026, 3, 18, 12))
    assert sv.reopen(desk.db, desk.clock, "tina", number, policy=RULE_PASS).status == "in_progress"


def test_a_late_rule_pass_resolves_but_does_not_close(desk: Desk) -> None:
    number = waiting_ticket(desk)
    done = desk.log()
    sv.assign(desk.db, desk.clock, "tina", done.number, engineer="tina")
    desk.at(local(2026, 3, 10, 9))
    sv.resolve(desk.db, desk.clock, "tina", done.number, reason="fixed")
    late = local(2026, 4, 20, 9)  # Monday, long after both windows would have ended
    applied = rules_at(desk, late, RULE_PASS)
    assert applied["auto_resolved"] == [number]
    assert applied["closed"] == [done.number]  # a ticket resolved earlier still closes
    t = ticket(number)
    assert (t.status, t.resolved_at, t.closed_at) == ("resolved", late, None)
    ends = local(2026, 4, 26)  # Mon + 5 days: Saturday 24:00
    assert t.closes_at == ends
    assert rules_at(desk, ends - US, RULE_PASS)["closed"] == []
    assert rules_at(desk, ends, RULE_PASS)["closed"] == [number]
    assert ticket(number).closed_at == ends


def test_rule_pass_resolves_limits_of_several_days_in_one_go(desk: Desk) -> None:
    first = waiting_ticket(desk, local(2026, 3, 9, 10))
    second = waiting_ticket(desk, local(2026, 3, 10, 17))
    now = local(2026, 3, 16, 9)
    assert sorted(rules_at(desk, now, RULE_PASS)["auto_resolved"]) == sorted([first, second])
    closes = engine_for(RULE_PASS).reopen_window_ends(now)
    for number in (first, second):
        t = ticket(number)
        assert (t.resolved_at, t.closes_at) == (now, closes)


@pytest.mark.parametrize("policy", [DEFAULT, RULE_PASS], ids=["limit", "rule_pass"])
def test_pass_agrees_with_the_pure_time_rules(desk: Desk, policy: Policy) -> None:
    engine = engine_for(policy)
    numbers = [waiting_ticket(desk, local(2026, 3, 9, 9) + dt.timedelta(hours=11 * i)) for i in range(4)]
    t = desk.log()
    sv.assign(desk.db, desk.clock, "tina", t.number, engineer="tina")
    sv.resolve(desk.db, desk.clock, "tina", t.number, reason="done")
    numbers.append(t.number)
    seen: set[str] = set()
    for now in (local(2026, 3, 13, 12), local(2026, 3, 16, 9), local(2026, 3, 25, 9)):
        expected: dict[str, list[str]] = {k.value: [] for k in tr.RULE_ORDER}
        for row in Ticket.select().where(Ticket.number.in_(numbers)):
            facts = TicketClocks(
                Status(row.status), row.response_due, row.responded_at, row.breach_recorded_at,
                row.next_chaser_due, row.chaser_flagged_at, row.auto_resolve_at, row.closes_at,
            )  # fmt: skip
            for kind in tr.due_steps(engine, now, facts):
                expected[kind.value].append(row.number)
        got = rules_at(desk, now, policy)
        assert got == {k: sorted(v) for k, v in expected.items()}
        seen |= {k for k, v in got.items() if v}
    assert {"auto_resolved", "closed"} <= seen
