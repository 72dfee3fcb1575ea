"""The managed incident process end to end, through the services, on both databases."""

from __future__ import annotations

import datetime as dt

from deskapp import services as sv
from deskapp.domain.lifecycle import Status
from deskapp.services.queue import queue_rows, ticket_detail
from deskapp.store.models import History, Ticket
from tests.desk_setup import Desk
from tests.london import local
from tests.owner_edits import owner_edits

H = dt.timedelta(hours=1)


def kinds(number: str, db: object) -> list[str]:
    return [h.kind for h in ticket_detail(db, number).history]  # type: ignore[arg-type]


def test_whole_process_to_tier_three_and_back(desk: Desk) -> None:
    db = desk.db
    t = desk.log(impact="some", channel="email")
    assert t.number == f"INC-{t.id:06d}"
    assert t.status == "logged" and t.tier == 1 and t.priority == "P2"
    assert t.policy_version == "2026.1"
    assert t.response_due == local(2026, 3, 9, 13)
    assert t.version == 1

    desk.clock.advance(dt.timedelta(minutes=10))
    t = sv.notify(db, desk.clock, "tina", t.number)
    assert t.responded_at == desk.clock.now()
    assert t.version == 2
    t = sv.assign(db, desk.clock, "tina", t.number, engineer="tina")
    assert t.status == "assigned"
    desk.clock.advance(H)
    t = sv.request_info(db, desk.clock, "tina", t.number, note="which mailbox?")
    assert t.status == "awaiting_info"
    assert t.awaiting_info_since == desk.clock.now()
    assert t.next_chaser_due == local(2026, 3, 10, 10, 10)
    assert t.auto_resolve_at == local(2026, 3, 12, 10, 10)
    desk.clock.set(local(2026, 3, 10, 11))
    t = sv.chaser_sent(db, desk.clock, "tina", t.number)
    assert t.next_chaser_due == local(2026, 3, 11, 11)
    t = sv.agree_update(db, desk.clock, "tina", t.number, agreed_update=local(2026, 3, 11, 15))
    assert t.next_chaser_due == local(2026, 3, 11, 15)
    assert t.auto_resolve_at == local(2026, 3, 12, 10, 10)  # unchanged by the agreement
    t = sv.info_received(db, desk.clock, "tina", t.number, note="mailbox sales@")
    assert t.status == "in_progress"
    assert t.awaiting_info_since is None and t.next_chaser_due is None
    t = sv.escalate(db, desk.clock, "tina", t.number, note="restarted transport; no change")
    assert (t.tier, t.status) == (2, "in_progress")
    assert t.engineer is None  # a Tier 1 engineer cannot work Tier 2: a lead reassigns
    t = sv.assign(db, desk.clock, "lee", t.number, engineer="tess")
    t = sv.escalate(
        db, desk.clock, "tess", t.number, note="vendor bug suspected",
        provider="MailCo", provider_ref="MC-123",
    )  # fmt: skip
    assert (t.tier, t.provider, t.provider_ref) == (3, "MailCo", "MC-123")
    t = sv.third_party_update(db, desk.clock, "tess", t.number, note="fix due Friday")
    desk.clock.set(local(2026, 3, 13, 10))
    t = sv.resolve(db, desk.clock, "tess", t.number, reason="vendor patch applied")
    assert t.status == "resolved" and t.resolved_at == desk.clock.now()
    assert t.closes_at == local(2026, 3, 19)  # Fri + 5 days: Wed 24:00
    t = sv.reject(db, desk.clock, "tina", t.number, note="still failing")
    assert (t.status, t.tier) == ("in_progress", 3)
    assert t.lead_flagged_at == desk.clock.now()
    assert t.resolved_at is None and t.closes_at is None
    t = sv.clear_lead_flag(db, desk.clock, "lee", t.number)
    t = sv.resolve(db, desk.clock, "tess", t.number, reason="second patch")
    t = sv.confirm(db, desk.clock, "tina", t.number)
    t = sv.note(db, desk.clock, "tina", t.number, text="reseller happy")
    assert t.status == "resolved"

    detail = ticket_detail(db, t.number, now=desk.clock.now())
    assert detail.sla_band == "met"
    assert [h.kind for h in detail.history] == [
        "logged", "notified", "assigned", "info_requested", "chaser_sent", "update_agreed",
        "info_received", "escalated", "assigned", "escalated", "third_party_update",
        "resolved", "rejected", "lead_flag_cleared", "resolved", "confirmed", "note",
    ]  # fmt: skip
    assert detail.version == len(detail.history)  # version 1 is the "logged" event
    esc = [h for h in detail.history if h.kind == "escalated"]
    assert [(h.from_tier, h.to_tier) for h in esc] == [(1, 2), (2, 3)]
    assert all(h.at.tzinfo == dt.UTC for h in detail.history)


def test_rejection_below_tier_three_escalates(desk: Desk) -> None:
    db, c = desk.db, desk.clock
    t = desk.log()
    sv.assign(db, c, "tina", t.number, engineer="tina")
    sv.resolve(db, c, "tina", t.number, reason="restarted")
    t = sv.reject(db, c, "tina", t.number)
    assert (t.status, t.tier, t.lead_flagged_at) == ("in_progress", 2, None)


def test_reopen_inside_window_only(desk: Desk) -> None:
    db, c = desk.db, desk.clock
    t = desk.log()
    sv.assign(db, c, "tina", t.number, engineer="tina")
    desk.at(local(2026, 3, 9, 10))
    t = sv.resolve(db, c, "tina", t.number, reason="done")
    ends = local(2026, 3, 15)
    assert t.closes_at == ends
    desk.at(ends - dt.timedelta(microseconds=1))
    t = sv.reopen(db, c, "tina", t.number)
    assert t.status == "in_progress" and t.closes_at is None


def test_follow_up_links_a_closed_ticket(desk: Desk) -> None:
    db, c = desk.db, desk.clock
    t = desk.log()
    with owner_edits(db):
        Ticket.update(status="closed").where(Ticket.id == t.id).execute()
    new = sv.log_follow_up(
        db, c, "tina", t.number, reseller="Acme Networks", contact="Pat Jones",
        email="pat@acme.example", tenant="acme-main", impact="howto", channel="helpcentre",
        summary="Mail down again",
    )  # fmt: skip
    assert new.linked_to_id == t.id  # type: ignore[attr-defined]
    assert ticket_detail(db, new.number).linked_to == t.number
    assert kinds(t.number, db)[-1] == "follow_up_logged"
    assert new.priority == "P3"


def test_p1_straight_at_tier_two_by_phone(desk: Desk) -> None:
    t = desk.log(impact="all", channel="phone", tier=2)
    assert (t.priority, t.tier) == ("P1", 2)
    assert t.response_due == desk.clock.now() + 2 * H


def test_queue_rows_one_query_and_incremental(desk: Desk) -> None:
    db, c = desk.db, desk.clock
    a = desk.log()
    b = desk.log(reseller="Liffey Cloud", contact="Siobhan", tenant="lc")
    sv.assign(db, c, "lee", a.number, engineer="tess")
    rows = queue_rows(db)
    assert [r.number for r in rows] == [a.number, b.number]
    assert rows[0].engineer == "tess" and rows[0].engineer_name == "Tess Tier2"
    assert rows[1].reseller == "Liffey Cloud" and rows[1].engineer is None
    mark = c.now()
    c.advance(H)
    sv.notify(db, c, "tina", b.number)
    changed = queue_rows(db, since=mark)
    assert [r.number for r in changed] == [b.number]
    assert changed[0].responded_at == c.now()
    with owner_edits(db):
        Ticket.update(status="closed", updated_at=c.now() + H).where(Ticket.id == a.id).execute()
    assert [r.number for r in queue_rows(db)] == [b.number]
    assert len(queue_rows(db, include_closed=True)) == 2
    assert [r.status for r in queue_rows(db, since=c.now())] == ["closed"]

    queries: list[str] = []
    import logging

    class Count(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            queries.append(record.getMessage())

    logger = logging.getLogger("peewee")
    handler, level = Count(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        for _ in range(20):
            desk.log()
        queries.clear()
        assert len(queue_rows(db)) == 21
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert len(queries) == 1


def test_history_rows_match_versions(desk: Desk) -> None:
    db, c = desk.db, desk.clock
    t = desk.log()
    for _ in range(3):
        sv.note(db, c, "tom", t.number, text="called")
    assert History.select().where(History.ticket == t.id).count() == 4
    assert Ticket.get_by_id(t.id).version == 4
    assert Status(Ticket.get_by_id(t.id).status) is Status.LOGGED
