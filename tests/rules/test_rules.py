"""The rule engine on both databases: edges, once-only, and agreement with time_rules."""

from __future__ import annotations

import datetime as dt

from deskapp import services as sv
from deskapp.domain import time_rules as tr
from deskapp.domain.lifecycle import Status
from deskapp.domain.time_rules import TicketClocks
from deskapp.rules import run_rules
from deskapp.services.operation import engine_for
from deskapp.store.models import History, Ticket
from tests.desk_setup import Desk
from tests.london import local

US = dt.timedelta(microseconds=1)


def rules_at(desk: Desk, moment: dt.datetime) -> dict[str, list[str]]:
    desk.clock.set(moment)
    return run_rules(desk.db, desk.clock).applied


def events(number: str, kind: str) -> list[History]:
    t = Ticket.get(Ticket.number == number)
    return list(History.select().where(History.ticket == t.id, History.kind == kind))


def waiting_ticket(desk: Desk, requested: dt.datetime) -> str:
    db, c = desk.db, desk.clock
    t = desk.log()
    sv.notify(db, c, "tina", t.number)
    sv.assign(db, c, "tina", t.number, engineer="tina")
    desk.at(requested)
    return sv.request_info(db, c, "tina", t.number).number


def test_auto_resolve_across_weekend_and_bank_holiday(desk: Desk) -> None:
    number = waiting_ticket(desk, local(2026, 3, 12, 14))  # Thu; Tue 17 Mar is a holiday
    limit = local(2026, 3, 18, 14)
    assert rules_at(desk, limit - US)["auto_resolved"] == []
    applied = rules_at(desk, limit)
    assert applied["auto_resolved"] == [number]
    t = Ticket.get(Ticket.number == number)
    assert t.status == "resolved" and t.resolved_at == limit
    assert t.closes_at == local(2026, 3, 24)  # Wed + 5 days, at local midnight
    assert t.auto_resolve_at is None and t.next_chaser_due is None
    (event,) = events(number, "auto_resolved")
    assert (event.actor, event.from_status, event.to_status) == ("rules", "awaiting_info", "resolved")
    assert "3 business days" in event.note
    assert rules_at(desk, limit + dt.timedelta(hours=1))["auto_resolved"] == []
    assert len(events(number, "auto_resolved")) == 1


def test_the_pass_sends_the_chaser_once_per_business_day(desk: Desk) -> None:
    number = waiting_ticket(desk, local(2026, 3, 13, 14))  # Friday
    assert rules_at(desk, local(2026, 3, 16, 14) - US)["chaser_due"] == []
    assert rules_at(desk, local(2026, 3, 16, 14))["chaser_due"] == [number]
    assert rules_at(desk, local(2026, 3, 16, 15))["chaser_due"] == []
    # The pass itself moved the next chaser a business day on (Tue 17 is a holiday).
    assert Ticket.get(Ticket.number == number).next_chaser_due == local(2026, 3, 18, 14)
    assert rules_at(desk, local(2026, 3, 18, 14))["chaser_due"] == [number]
    assert len(events(number, "chaser_due")) == 2
    assert all(e.actor == "rules" and "emailed" in e.note for e in events(number, "chaser_due"))


def test_closure_at_the_end_of_the_window(desk: Desk) -> None:
    db, c = desk.db, desk.clock
    t = desk.log()
    sv.assign(db, c, "tina", t.number, engineer="tina")
    desk.at(local(2026, 3, 9, 10))
    sv.resolve(db, c, "tina", t.number, reason="fixed")
    ends = local(2026, 3, 15)
    assert rules_at(desk, ends - US)["closed"] == []
    assert Ticket.get_by_id(t.id).status == "resolved"
    assert rules_at(desk, ends)["closed"] == [t.number]
    closed = Ticket.get_by_id(t.id)
    assert (closed.status, closed.closed_at, closed.survey_status) == ("closed", ends, "to_send")
    assert rules_at(desk, ends + US)["closed"] == []
    assert len(events(t.number, "closed")) == 1


def test_breach_recorded_once_and_never_for_an_answered_ticket(desk: Desk) -> None:
    late = desk.log()
    answered = desk.log()
    sv.notify(desk.db, desk.clock, "tina", answered.number)
    due = late.response_due
    assert rules_at(desk, due)["sla_breached"] == []
    assert rules_at(desk, due + US)["sla_breached"] == [late.number]
    assert rules_at(desk, due + dt.timedelta(days=3))["sla_breached"] == []
    assert Ticket.get_by_id(late.id).breach_recorded_at == due + US
    assert Ticket.get_by_id(late.id).version == late.version + 1


def test_a_late_pass_resolves_and_closes(desk: Desk) -> None:
    number = waiting_ticket(desk, local(2026, 3, 12, 14))
    applied = rules_at(desk, local(2026, 4, 20, 9))
    assert applied["auto_resolved"] == [number]
    assert applied["closed"] == [number]
    assert applied["chaser_due"] == []
    t = Ticket.get(Ticket.number == number)
    assert t.resolved_at == local(2026, 3, 18, 14) and t.closed_at == local(2026, 3, 24)


def test_pass_agrees_with_the_pure_time_rules(desk: Desk) -> None:
    db, c = desk.db, desk.clock
    engine = engine_for(None)
    numbers = []
    for i in range(8):
        desk.at(local(2026, 3, 9, 9) + dt.timedelta(hours=7 * i))
        t = desk.log(impact=("all", "some", "howto")[i % 3], channel="phone")
        if i % 2:
            sv.notify(db, c, "tina", t.number)
        if i % 4 != 3:
            sv.assign(db, c, "lee", t.number, engineer="tina")
            if i % 3 == 0:
                sv.request_info(db, c, "tina", t.number)
            elif i % 3 == 1:
                sv.resolve(db, c, "tina", t.number, reason="done")
        numbers.append(t.number)
    for now in (local(2026, 3, 11, 12), local(2026, 3, 16, 9), local(2026, 3, 30, 9)):
        expected: dict[str, list[str]] = {k.value: [] for k in tr.RULE_ORDER}
        for t in Ticket.select().where(Ticket.number.in_(numbers)):
            facts = TicketClocks(
                Status(t.status), t.response_due, t.responded_at, t.breach_recorded_at,
                t.next_chaser_due, t.chaser_flagged_at, t.auto_resolve_at, t.closes_at,
            )  # fmt: skip
            for kind in tr.due_steps(engine, now, facts):
                expected[kind.value].append(t.number)
        got = rules_at(desk, now)
        assert got == {k: sorted(v) for k, v in expected.items()}
        assert sum(len(v) for v in got.values()) > 0
