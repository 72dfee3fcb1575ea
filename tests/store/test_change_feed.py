"""Live updates: a change at one workstation is named to the others within a second."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys
import threading
import time
from pathlib import Path

import peewee
import pytest

from deskapp import services as sv
from deskapp.domain.clock import FixedClock
from deskapp.rules import run_rules
from deskapp.store.change_feed import (
    MAX_PAYLOAD_BYTES,
    ChangeListener,
    Changes,
    FeedLost,
    announce,
    open_shared_feed,
    payloads,
)
from deskapp.store.connection import is_sqlite, open_database, raw_sql, write_transaction
from tests.desk_setup import Desk, make_desk

ROOT = Path(__file__).resolve().parents[2]


def _collect(listener: ChangeListener, want: set[str], within: float = 1.0) -> tuple[set[str], float]:
    seen: set[str] = set()
    start = time.monotonic()
    while not want <= seen and time.monotonic() - start < within:
        seen |= set(listener.next(0.05).numbers)
    return seen, time.monotonic() - start


def test_payloads_split_under_the_notify_limit() -> None:
    numbers = [f"INC-{i:06d}" for i in range(3000)]
    chunks = payloads(numbers + numbers[:10])  # duplicates are sent once
    assert all(len(c.encode()) <= MAX_PAYLOAD_BYTES for c in chunks)
    assert [n for c in chunks for n in c.split(",")] == numbers
    assert payloads([]) == []


def test_a_service_change_reaches_a_listener(desk: Desk, db: peewee.Database) -> None:
    ticket = desk.log()
    listener = ChangeListener(db)
    try:
        assert not listener.next(0.05)  # quiet: nothing changed since it started
        sv.assign(db, desk.clock, "tess", ticket.number, engineer="tess")
        seen, took = _collect(listener, {ticket.number})
        assert seen == {ticket.number}
        assert took < 1.0
        second = desk.log(summary="Printer on fire")
        seen, _ = _collect(listener, {second.number})
        assert seen == {second.number}
    finally:
        listener.close()


def test_nothing_is_announced_for_a_rolled_back_change(desk: Desk, db: peewee.Database) -> None:
    ticket = desk.log()
    listener = ChangeListener(db)
    try:
        with pytest.raises(sv.ConflictError):
            sv.assign(db, desk.clock, "tess", ticket.number, engineer="tess", expected_version=99)
        assert not listener.next(0.3).numbers
    finally:
        listener.close()


def test_a_rule_pass_announces_every_ticket_it_changed(desk: Desk, db: peewee.Database) -> None:
    tickets = [desk.log(summary=f"case {i}").number for i in range(3)]
    listener = ChangeListener(db)
    try:
        summary = run_rules(db, FixedClock(desk.clock.now() + dt.timedelta(days=7)))
        assert sorted(summary.applied["sla_breached"]) == sorted(tickets)
        seen, _ = _collect(listener, set(tickets))
        assert seen == set(tickets)
    finally:
        listener.close()


def test_a_long_list_of_numbers_arrives_whole(pg_schema_url: str) -> None:
    # PostgreSQL only: SQLite readers poll the history, nothing is announced.
    from deskapp.store.connection import open_database

    db = open_database(pg_schema_url)
    numbers = [f"INC-{i:06d}" for i in range(2000)]
    listener = ChangeListener(db)
    try:
        with write_transaction(db):
            announce(db, numbers)
        seen, _ = _collect(listener, set(numbers))
        assert seen == set(numbers)
    finally:
        listener.close()
        db.close()


def test_two_workstations_see_each_others_changes(desk: Desk, db: peewee.Database, db_url: str) -> None:
    """Another process assigns a ticket; this one hears of it, and vice versa."""
    ticket = desk.log()
    listener = ChangeListener(db)
    script = (
        "import sys, datetime as dt\n"
        "from deskapp import services as sv\n"
        "from deskapp.domain.clock import FixedClock\n"
        "from deskapp.store.change_feed import ChangeListener\n"
        "from deskapp.store.connection import open_database\n"
        "db = open_database(sys.argv[1])\n"
        "clock = FixedClock(dt.datetime.fromisoformat(sys.argv[3]))\n"
        "other = ChangeListener(db)\n"
        "sv.assign(db, clock, 'tess', sys.argv[2], engineer='tess')\n"
        "own = other.next(1.0).numbers\n"  # its own change is announced too
        "print('assigned', ','.join(own), flush=True)\n"
        "for _ in range(100):\n"
        "    seen = other.next(0.05).numbers\n"
        "    if seen:\n"
        "        print('heard', ','.join(seen), flush=True)\n"
        "        break\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, db_url, ticket.number, desk.clock.now().isoformat()],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        seen, _ = _collect(listener, {ticket.number}, within=30.0)  # includes the child's start
        assert seen == {ticket.number}
        assert child.stdout.readline().strip() == f"assigned {ticket.number}"
        sv.note(db, desk.clock, "tina", ticket.number, text="called the reseller")
        started = time.monotonic()
        assert child.stdout.readline().strip() == f"heard {ticket.number}"
        assert time.monotonic() - started < 1.0
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
        listener.close()


class _Broken:
    def wait(self, timeout: float) -> list[str]:
        raise FeedLost("server closed the connection")

    def close(self) -> None:
        pass


def test_the_listener_goes_offline_backs_off_and_resyncs(db: peewee.Database) -> None:
    opened: list[float] = []
    attempts = iter([_Broken(), FeedLost("refused"), FeedLost("refused"), None])

    def opener(_db: peewee.Database) -> object:
        opened.append(time.monotonic())
        step = next(attempts)
        if isinstance(step, Exception):
            raise step
        return step if step is not None else _Quiet()

    listener = ChangeListener(db, backoff=(0.05, 0.1, 0.2), opener=opener)  # type: ignore[arg-type]
    assert listener.next(0.01) == Changes(online=False)
    results = [listener.next(0.02) for _ in range(40)]
    assert Changes(online=True, resync=True) in results
    assert listener.online
    gaps = [b - a for a, b in itertools.pairwise(opened[1:])]
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2  # backed off, not a busy loop


class _Quiet:
    def wait(self, timeout: float) -> list[str]:
        return []

    def close(self) -> None:
        pass


def test_a_change_stamped_in_the_past_is_still_seen(desk: Desk, db: peewee.Database) -> None:
    """No workstation clock is involved in finding what changed."""
    ticket = desk.log()
    listener = ChangeListener(db)
    try:
        past = FixedClock(desk.clock.now() - dt.timedelta(days=30))
        sv.note(db, past, "tina", ticket.number, text="typed on a workstation a month slow")
        seen, _ = _collect(listener, {ticket.number})
        assert seen == {ticket.number}
    finally:
        listener.close()


def test_the_shared_feed_listens_on_the_work_connection(desk: Desk, db: peewee.Database) -> None:
    """One server connection per workstation: the feed adds none on PostgreSQL, hears the
    changes of another connection between uses, and waits out a transaction."""
    listener = ChangeListener(db, opener=open_shared_feed)
    try:
        if not is_sqlite(db):  # the work connection itself is the one listening
            assert _listening(db) == ["deskapp_changes_" + _schema(db)]
        ticket = desk.log()
        seen, took = _collect(listener, {ticket.number})
        assert seen == {ticket.number} and took < 1.0
        other = threading.Thread(target=_note_elsewhere, args=(desk, ticket.number))
        other.start()
        other.join(30)
        seen, _ = _collect(listener, {ticket.number})
        assert seen == {ticket.number}
        with db.atomic():  # inside a transaction the connection is the work's: no wait
            if is_sqlite(db):
                return  # SQLite's feed is a handle of its own, which may wait
            started = time.monotonic()
            assert listener.next(0.5) == Changes()
            assert time.monotonic() - started < 0.2
    finally:
        listener.close()


def test_the_shared_feed_resyncs_after_its_connection_was_replaced(pg_schema_url: str) -> None:
    """PostgreSQL only: SQLite's feed is a handle of its own on the local file."""
    db = open_database(pg_schema_url)
    desk = make_desk(db)
    listener = ChangeListener(db, backoff=(0.05,), opener=open_shared_feed)
    try:
        db.close()  # as a reconnect after an outage would: the LISTEN is gone
        assert listener.next(0.01) == Changes(online=False)
        results = [listener.next(0.05) for _ in range(10)]
        assert Changes(online=True, resync=True) in results
        ticket = desk.log()
        seen, _ = _collect(listener, {ticket.number})
        assert seen == {ticket.number}
        assert _listening(db) != []
    finally:
        listener.close()
    assert _listening(db) == []  # closing the feed stops listening, the connection stays
    db.close()


def _note_elsewhere(desk: Desk, number: str) -> None:
    try:
        sv.note(desk.db, desk.clock, "tina", number, text="from another connection")
    finally:
        desk.db.close()  # this thread's connection only


def _listening(db: peewee.Database) -> list[str]:
    return [str(r[0]) for r in raw_sql(db, "SELECT pg_listening_channels()").fetchall()]


def _schema(db: peewee.Database) -> str:
    return str(raw_sql(db, "SELECT current_schema()").fetchone()[0])


def test_a_thread_beside_the_work_hears_on_its_connection(pg_schema_url: str) -> None:
    """A listener thread polls the worker's connection (no second connection) without ever
    holding it while it waits: the worker's saves are not slowed, and a change made on
    another connection is heard within a second."""
    from deskapp.store.change_feed import SharedPostgresFeed

    db = open_database(pg_schema_url)
    desk = make_desk(db)
    ticket, elsewhere = desk.log(), desk.log(summary="only changed on another connection")
    feed = SharedPostgresFeed(db)  # in the worker's (this) thread
    heard: list[tuple[str, float]] = []
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            heard.extend((n, time.monotonic()) for n in feed.wait(2.0))

    listener = threading.Thread(target=listen)
    listener.start()
    try:
        for n in range(5):  # the worker keeps working while the listener waits
            started = time.monotonic()
            sv.note(db, desk.clock, "tina", ticket.number, text=f"busy {n}")
            assert time.monotonic() - started < 0.5
        other = threading.Thread(target=_note_elsewhere, args=(desk, elsewhere.number))
        saved = time.monotonic()
        other.start()
        other.join(30)
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and elsewhere.number not in [n for n, _t in heard]:
            time.sleep(0.02)
        late = [t - saved for n, t in heard if n == elsewhere.number]
        assert late and late[0] < 1.0
        assert _listening(db) != []  # the worker's own connection is the one listening
    finally:
        stop.set()
        listener.join(5)
        feed.close()
        db.close()
