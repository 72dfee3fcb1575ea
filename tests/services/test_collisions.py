"""Collisions: who else has a ticket open, and what changed when a save loses the race."""

from __future__ import annotations

import datetime as dt

import pytest

from deskapp import services as sv
from deskapp.services import presence
from deskapp.store.models import Editing, History, Ticket
from tests.desk_setup import Desk


def test_opening_a_ticket_says_who_else_has_it_open(desk: Desk) -> None:
    db, c = desk.db, desk.clock
    t = desk.log()
    assert presence.open_ticket(db, c, "tina", t.number, "WS-1") == []
    c.advance(dt.timedelta(seconds=20))
    others = presence.open_ticket(db, c, "tom", t.number, "WS-2")
    assert [(e.login, e.workstation) for e in others] == [("tina", "WS-1")]
    assert others[0].name == "Tina Tier1"
    assert "Tina Tier1 (tina) at WS-1, since Mon 09 Mar 2026 09:00" in others[0].describe()
    # the same person at a second workstation is someone else editing too
    assert [e.workstation for e in presence.open_ticket(db, c, "tina", t.number, "WS-3")] == [
        "WS-1", "WS-2",
    ]  # fmt: skip
    presence.close_ticket(db, "tina", t.number, "WS-3")
    # a heartbeat keeps the row fresh and keeps its `since`
    opened = c.now()
    for _ in range(3):
        c.advance(presence.HEARTBEAT)
        presence.open_ticket(db, c, "tom", t.number, "WS-2")
    assert [(e.login, e.since) for e in presence.editors(db, c, t.number)] == [("tom", opened)]


def test_a_workstation_that_went_away_is_forgotten(desk: Desk) -> None:
    db, c = desk.db, desk.clock
    t = desk.log()
    presence.open_ticket(db, c, "tina", t.number, "WS-1")
    c.advance(presence.STALE_AFTER + dt.timedelta(seconds=1))  # no heartbeat: crashed
    assert presence.open_ticket(db, c, "tom", t.number, "WS-2") == []
    assert Editing.select().count() == 1  # the stale row was cleared
    presence.close_ticket(db, "tom", t.number, "WS-2")
    assert presence.editors(db, c, t.number) == []


def test_a_lost_race_lists_every_change_since_the_persons_version(desk: Desk) -> None:
    db, c = desk.db, desk.clock
    t = desk.log()
    sv.assign(db, c, "tess", t.number, engineer="tess")
    seen = Ticket.get_by_id(t.id).version  # tina opens the ticket here
    c.advance(dt.timedelta(minutes=2))
    sv.request_info(db, c, "tess", t.number, note="which mailbox?")
    c.advance(dt.timedelta(minutes=3))
    sv.note(db, c, "lee", t.number, text="reseller phoned: all mailboxes")
    with pytest.raises(sv.ConflictError) as info:
        sv.note(db, c, "tina", t.number, text="what tina typed", expected_version=seen)
    err = info.value
    assert [(ch.actor, ch.kind) for ch in err.changes] == [("tess", "info_requested"), ("lee", "note")]
    assert err.changes[0].to_status == "awaiting_info"
    assert err.changed_by == "lee" and err.current_version == seen + 2
    text = str(err)
    assert "Since you opened it:" in text
    assert "status assigned -> awaiting_info" in text and "which mailbox?" in text
    assert '"reseller phoned: all mailboxes"' in text
    assert "what tina typed" not in [h.note for h in History.select()]


def test_each_version_has_one_history_event(desk: Desk) -> None:
    """What `changes` relies on: version N is the N-th history event of the ticket."""
    db, c = desk.db, desk.clock
    t = desk.log()
    sv.assign(db, c, "tess", t.number, engineer="tess")
    sv.request_info(db, c, "tess", t.number, note="which mailbox?")
    sv.info_received(db, c, "tess", t.number, note="all of them")
    sv.escalate(db, c, "tess", t.number, note="needs Tier 3", provider="Microsoft", provider_ref="MS-1")
    sv.resolve(db, c, "tess", t.number, reason="fixed by the provider")
    ticket = Ticket.get_by_id(t.id)
    assert History.select().where(History.ticket == t.id).count() == ticket.version
