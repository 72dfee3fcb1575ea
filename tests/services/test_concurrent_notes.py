"""Two workstations add a note to the same ticket at the same moment, neither naming a version.

A note without `expected_version` asks for no conflict check: both must be
saved, on PostgreSQL as on SQLite (the ticket's row is locked while it is read,
so the second waits for the first instead of finding its version moved on).
"""

from __future__ import annotations

import threading

import peewee

from deskapp import services as sv
from deskapp.store.models import History, Ticket
from tests.desk_setup import Desk

ROUNDS = 30


def test_two_notes_at_once_both_save(desk: Desk) -> None:
    t = desk.log()
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def add_notes(who: str) -> None:
        own: peewee.Database = desk.db  # peewee keeps one connection per thread
        try:
            for n in range(ROUNDS):
                start.wait(10)
                sv.note(desk.db, desk.clock, who, t.number, text=f"{who} round {n}")
        except BaseException as exc:
            failures.append(exc)
            start.abort()
        finally:
            own.close()  # this thread's connection only

    threads = [threading.Thread(target=add_notes, args=(who,)) for who in ("tina", "tom")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    notes = [h.note for h in History.select().where(History.ticket == t.id, History.kind == "note")]
    assert sorted(notes) == sorted(f"{who} round {n}" for who in ("tina", "tom") for n in range(ROUNDS))
    # every version is still one history event
    assert Ticket.get_by_id(t.id).version == History.select().where(History.ticket == t.id).count()


def test_a_stale_expected_version_is_still_refused_under_the_lock(desk: Desk) -> None:
    t = desk.log()
    seen = Ticket.get_by_id(t.id).version
    sv.note(desk.db, desk.clock, "tom", t.number, text="first")
    try:
        sv.note(desk.db, desk.clock, "tina", t.number, text="second", expected_version=seen)
    except sv.ConflictError as exc:
        assert exc.changed_by == "tom"
    else:
        raise AssertionError("a stale version was saved")
