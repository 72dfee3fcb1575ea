"""A search that names a customer (a reseller, contact or tenant by its whole name, or an
email address): that customer's tickets, open and closed, newest first, then the other
matches; the same tickets as the full-text index finds, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest

from deskapp import services as sv
from deskapp.domain.clock import FixedClock
from deskapp.rules import run_rules
from deskapp.services import search
from deskapp.services.search import search_tickets
from deskapp.services.search_names import named_in
from tests.desk_setup import Desk


def _numbers(desk: Desk, query: str, **kw: int) -> list[str]:
    return [r.number for r in search_tickets(desk.db, query, **kw)]


def _pages(desk: Desk, query: str, count: int) -> list[str]:
    """Every match one page of one at a time: the pages follow on without gap or repeat."""
    found = [_numbers(desk, query, limit=1, offset=i) for i in range(count + 1)]
    assert found[-1] == []
    return [page[0] for page in found[:-1]]


def _close(desk: Desk, number: str) -> None:
    sv.assign(desk.db, desk.clock, "lee", number, engineer="tina")
    sv.resolve(desk.db, desk.clock, "tina", number, reason="Reset the sync token on the mailbox")
    run_rules(desk.db, FixedClock(desk.clock.now() + dt.timedelta(days=30)))


def _later(desk: Desk) -> None:
    desk.clock.advance(dt.timedelta(days=31))


def test_a_resellers_name_finds_its_tickets_open_and_closed_newest_first(desk: Desk) -> None:
    old = desk.log(summary="Outlook not syncing").number
    _close(desk, old)
    _later(desk)
    # another reseller's ticket with the name in its words: a match, after the named ones
    mention = desk.log(reseller="Liffey Cloud", summary="Moved from Acme Networks").number
    new = desk.log(summary="Teams calls drop").number
    elsewhere = desk.log(reseller="Liffey Cloud", summary="Printer offline").number
    assert sv.ticket_detail(desk.db, old).status == "closed"
    assert _numbers(desk, "Acme Networks") == [new, old, mention]
    assert _numbers(desk, "networks ACME") == [new, old, mention]  # any order, any case
    assert _pages(desk, "acme networks", 3) == [new, old, mention]
    assert _numbers(desk, "Liffey Cloud") == [elsewhere, mention]
    # not a whole name: the index ranks as before (a word's start finds it)
    assert sorted(_numbers(desk, "acme netw")) == sorted([new, old, mention])


def test_an_email_address_finds_the_contacts_tickets_newest_first(desk: Desk) -> None:
    first = desk.log(contact="Mary Quinn", email="Mary@Quinn.example", summary="Outlook not syncing").number
    _close(desk, first)
    _later(desk)
    noted = desk.log(contact="Pat Jones", summary="Shared mailbox").number
    sv.note(desk.db, desk.clock, "tina", noted, text="copy mary@quinn.example on replies")
    second = desk.log(contact="Mary Quinn", email="mary@quinn.example", summary="Teams calls drop").number
    desk.log(contact="Pat Jones", email="pat@acme.example", summary="Teams calls drop")
    for query in ("mary@quinn.example", "MARY@QUINN.EXAMPLE", " Mary@Quinn.example "):
        assert _numbers(desk, query) == [second, first, noted], query
    assert _pages(desk, "mary@quinn.example", 3) == [second, first, noted]
    # not a whole address: the index's matches, the same tickets
    assert sorted(_numbers(desk, "mary@quinn")) == sorted([second, first, noted])


def test_a_contact_or_tenant_by_name_and_the_tiered_order_past_many(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past RANK_ALL_UP_TO matches the other matches are tiered as before, after the named."""
    mine = desk.log(contact="Mary Quinn", tenant="quinn-main", summary="Mailbox full").number
    in_notes = desk.log(contact="Pat Jones", summary="Printer offline").number
    sv.note(desk.db, desk.clock, "tina", in_notes, text="Mary Quinn called about it")
    in_summary = desk.log(contact="Pat Jones", summary="Mary Quinn cannot sign in").number
    newest = desk.log(contact="Mary Quinn", summary="Teams calls drop").number
    assert _numbers(desk, "mary quinn") == [newest, mine, in_summary, in_notes]
    # the tenant "quinn-main" first; the others match too ("quinn", and "acme-main")
    assert _numbers(desk, "quinn main")[0] == mine
    monkeypatch.setattr(search, "RANK_ALL_UP_TO", 0)
    assert _numbers(desk, "mary quinn") == [newest, mine, in_summary, in_notes]
    assert _pages(desk, "mary quinn", 4) == [newest, mine, in_summary, in_notes]
    assert _numbers(desk, "mary quinn", limit=2, offset=1) == [mine, in_summary]


def test_what_is_and_is_not_a_name(desk: Desk) -> None:
    desk.log(contact="Mary Quinn", email="mary@quinn.example")
    assert named_in(desk.db, "Acme Networks", ["acme", "networks"]) is not None
    assert named_in(desk.db, "mary@quinn.example", ["mary", "quinn", "example"]) is not None
    assert named_in(desk.db, "acme", ["acme"]) is None  # part of a name: the index's to rank
    assert named_in(desk.db, "acme networks mailbox", ["acme", "networks", "mailbox"]) is None
    assert named_in(desk.db, "nobody@nowhere.example", ["nobody", "nowhere", "example"]) is not None
    assert _numbers(desk, "nobody@nowhere.example") == []  # an address no ticket has
