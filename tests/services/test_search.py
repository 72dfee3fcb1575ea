"""Search over the whole desk (open and closed), ranked, on each database's full-text index."""

from __future__ import annotations

import datetime as dt

import pytest

from deskapp import services as sv
from deskapp.domain.clock import FixedClock
from deskapp.rules import run_rules
from deskapp.services import search
from deskapp.services.search import search_tickets, words
from deskapp.store.connection import is_sqlite, raw_sql
from deskapp.store.migrations.v0008_views import _BODY, _FROM, _PEOPLE
from deskapp.store.models import Contact, Meta, Reseller
from tests.desk_setup import Desk

_SQLITE_DOCS = f"SELECT t.id, t.number, {_PEOPLE}, t.summary, {_BODY.format(agg='group_concat')} {_FROM}"


def _numbers(desk: Desk, query: str, **kw: int) -> list[str]:
    return [r.number for r in search_tickets(desk.db, query, **kw)]


def _closed(desk: Desk, **fields: str) -> str:
    t = desk.log(**fields)
    sv.assign(desk.db, desk.clock, "lee", t.number, engineer="tina")
    sv.resolve(desk.db, desk.clock, "tina", t.number, reason="Reset the sync token on the mailbox")
    run_rules(desk.db, FixedClock(desk.clock.now() + dt.timedelta(days=30)))
    return str(t.number)


def test_closed_tickets_are_found_by_words_people_and_number(desk: Desk) -> None:
    old = _closed(desk, summary="Outlook not syncing", contact="Mary Quinn", email="mary@quinn.example")
    desk.clock.advance(dt.timedelta(days=31))
    new = desk.log(summary="Teams calls drop", reseller="Liffey Cloud", tenant="liffey-ops").number
    assert sv.ticket_detail(desk.db, old).status == "closed"
    assert _numbers(desk, "syncing") == [old]
    assert _numbers(desk, "sync") == [old]  # a word's start finds it
    assert _numbers(desk, "token") == [old]  # the resolution's words
    assert _numbers(desk, "mary@quinn") == [old]  # an email address
    assert _numbers(desk, "quinn mary") == [old]  # every word, any order
    assert _numbers(desk, "liffey") == [new]  # reseller and tenant
    assert _numbers(desk, "liffey syncing") == []
    assert _numbers(desk, old) == [old]
    assert _numbers(desk, str(int(old[4:]))) == [old]  # "1" is INC-000001
    assert _numbers(desk, "  ") == []
    assert _numbers(desk, "'\"*:&|!") == []  # the index's own syntax is never passed through


def test_notes_and_messages_are_found_and_a_better_match_ranks_first(desk: Desk) -> None:
    in_notes = desk.log(summary="Printer offline").number
    sv.note(desk.db, desk.clock, "tina", in_notes, text="customer mentions a VPN certificate")
    in_summary = desk.log(summary="VPN certificate expired").number
    assert _numbers(desk, "vpn certificate") == [in_summary, in_notes]
    assert _numbers(desk, "vpn", limit=1) == [in_summary]
    assert _numbers(desk, "vpn", limit=1, offset=1) == [in_notes]


def test_a_renamed_contact_or_reseller_is_found_by_the_new_name(desk: Desk) -> None:
    number = desk.log(contact="Pat Jones").number
    Contact.update(name="Patricia Jones").where(Contact.name == "Pat Jones").execute()
    Reseller.update(name="Acme Networks Group").where(Reseller.name == "Acme Networks").execute()
    assert _numbers(desk, "patricia") == [number]
    assert _numbers(desk, "group") == [number]


def test_words_split_like_the_index() -> None:
    assert words("INC-000123 jo@acme.example Müller_x") == [
        "inc",
        "000123",
        "jo",
        "acme",
        "example",
        "müller",
        "x",
    ]


def test_a_query_matching_very_many_is_ordered_by_where_it_matched_then_newest(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past RANK_ALL_UP_TO matches (0 here) nothing is ranked one by one: the tickets with
    every word in the number, people or summary come first, then the rest, newest first
    in each; pages follow on across the two."""
    monkeypatch.setattr(search, "RANK_ALL_UP_TO", 0)
    old_summary = desk.log(summary="VPN certificate expired").number
    in_notes = desk.log(summary="Printer offline").number
    sv.note(desk.db, desk.clock, "tina", in_notes, text="customer mentions a VPN certificate")
    new_summary = desk.log(summary="VPN drops at night").number
    assert _numbers(desk, "vpn") == [new_summary, old_summary, in_notes]
    assert [_numbers(desk, "vpn", limit=1, offset=i) for i in range(4)] == [
        [new_summary], [old_summary], [in_notes], [],
    ]  # fmt: skip
    assert _numbers(desk, "vpn", limit=2, offset=1) == [old_summary, in_notes]
    assert _numbers(desk, "vpn certificate") == [old_summary, in_notes]


def test_a_ticket_number_is_found_by_its_digits_not_by_inc(desk: Desk) -> None:
    first = desk.log(summary="Teams calls drop").number
    second = desk.log(summary="Mailbox full").number
    assert _numbers(desk, second) == [second]  # not every ticket because each has "INC" in it
    assert _numbers(desk, f"inc {int(first[4:])}") == [first]


def test_the_words_before_the_last_are_whole_words_where_a_ticket_has_them_so(desk: Desk) -> None:
    """The last word may be half typed; the ones before it are finished, and expanding a
    finished word to every word it starts would cost a large desk most of a second."""
    syncing = desk.log(summary="Outlook syncing error").number
    assert _numbers(desk, "sync err") == [syncing]  # no ticket has "sync" then "err"*: starts
    whole = desk.log(summary="Teams sync error").number
    assert _numbers(desk, "sync err") == [whole]  # one has: whole words first
    assert sorted(_numbers(desk, "sync")) == sorted([syncing, whole])  # the last word: its start
    assert sorted(_numbers(desk, "error sync")) == sorted([syncing, whole])


def _documents(desk: Desk) -> dict[int, object]:
    """Each ticket's search document as the index holds it now."""
    if is_sqlite(desk.db):
        rows = raw_sql(desk.db, "SELECT rowid, number, people, summary, body FROM ticket_fts")
        return {int(r[0]): tuple(r[1:]) for r in rows.fetchall()}
    rows = raw_sql(desk.db, "SELECT ticket_id, doc::text FROM ticket_search")
    return {int(r[0]): r[1] for r in rows.fetchall()}


def _rebuilt(desk: Desk) -> dict[int, object]:
    """Each ticket's document built afresh from what the tickets hold (as v8 built them)."""
    with desk.db.atomic() as rollback:
        if is_sqlite(desk.db):
            raw_sql(desk.db, "DELETE FROM ticket_fts")
            raw_sql(desk.db, "INSERT INTO ticket_fts(rowid, number, people, summary, body) " + _SQLITE_DOCS)
        else:
            raw_sql(desk.db, "SELECT ticket_search_refresh(ARRAY(SELECT id FROM ticket))")
        rebuilt = _documents(desk)
        rollback.rollback()
    return rebuilt


def test_a_rule_pass_leaves_every_document_as_a_rebuild_would_make_it(desk: Desk) -> None:
    """The pass refreshes the documents of what it wrote once, at its end (SQLite, v14),
    not per row written: the same documents, so its notes are found, and a person's
    note after it too; the batch's marker is never left behind."""
    late = desk.log(summary="Printer offline").number  # its response target will pass
    closing = desk.log(summary="Outlook not syncing").number
    sv.assign(desk.db, desk.clock, "lee", closing, engineer="tina")
    sv.resolve(desk.db, desk.clock, "tina", closing, reason="Reset the sync token")
    waiting = desk.log(summary="Teams calls drop")
    sv.assign(desk.db, desk.clock, "lee", waiting.number, engineer="tina")
    sv.request_info(desk.db, desk.clock, "tina", waiting.number)
    applied = run_rules(desk.db, FixedClock(desk.clock.now() + dt.timedelta(days=30))).applied
    assert late in applied["sla_breached"] and waiting.number in applied["auto_resolved"]
    assert closing in applied["closed"]
    assert _documents(desk) == _rebuilt(desk)
    assert late in _numbers(desk, "breached")  # the pass's own note is in the document
    sv.note(desk.db, desk.clock, "tina", late, text="the toner is a counterfeit")
    assert _numbers(desk, "counterfeit") == [late]
    assert not Meta.select().where(Meta.key == "search_batch").exists()
