"""Faults: the PostgreSQL server is stopped and started during a session.

The session carries on without reopening anything: a write made while the
server is down is refused with a message that says nothing was saved (and is
never half-made), reads and whole transactions are retried with backoff, the
change listener reports offline and then resyncs, and the desk's clock keeps
its last offset. The server is always started again, even when the test fails.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest

from deskapp import services as sv
from deskapp.store.change_feed import ChangeListener
from deskapp.store.connection import open_database
from deskapp.store.db_clock import ServerClock
from deskapp.store.models import History, Ticket
from deskapp.store.reconnect import DatabaseUnavailable, with_retry
from tests.desk_setup import Desk, make_desk

CLUSTER = ("15", "main")


def _pg_ctl(action: str) -> None:
    subprocess.run(["pg_ctlcluster", *CLUSTER, action], check=True, capture_output=True, timeout=60)


def _wait_ready(seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], timeout=10).returncode == 0:
            return
        time.sleep(0.2)
    raise AssertionError("PostgreSQL did not come back")


@pytest.fixture
def server_restart() -> Iterator[dict[str, object]]:
    """`stop()` stops the server; it is started again at the end, whatever happens."""
    if shutil.which("pg_ctlcluster") is None:
        pytest.fail("pg_ctlcluster is needed to stop and start the server")
    state: dict[str, object] = {"stopped": False}

    def stop() -> None:
        state["stopped"] = True
        _pg_ctl("stop")

    def start() -> None:
        _pg_ctl("start")
        _wait_ready()
        state["stopped"] = False

    state["stop"], state["start"] = stop, start
    try:
        yield state
    finally:
        if state["stopped"]:
            subprocess.run(["pg_ctlcluster", *CLUSTER, "start"], capture_output=True, timeout=60)
        _wait_ready()


@pytest.fixture
def pg_desk(pg_schema_url: str) -> Iterator[Desk]:
    database = open_database(pg_schema_url)
    try:
        yield make_desk(database)
    finally:
        database.close()


def test_the_server_restarts_during_a_session(pg_desk: Desk, server_restart: dict[str, object]) -> None:
    db, c = pg_desk.db, pg_desk.clock
    t = pg_desk.log()
    server_clock = ServerClock(db)
    offset = server_clock.offset
    listener = ChangeListener(db, backoff=(0.1, 0.2, 0.4))
    stop, start = server_restart["stop"], server_restart["start"]
    assert callable(stop) and callable(start)
    try:
        stop()
        # a write while the server is down: refused, reported, nothing half-made
        with pytest.raises(DatabaseUnavailable) as info:
            sv.note(db, c, "tina", t.number, text="typed while offline")
        assert info.value.maybe_saved is False
        assert "nothing was saved" in str(info.value)
        assert isinstance(info.value, sv.DeskError)  # the views show it inline
        with pytest.raises(DatabaseUnavailable):
            sv.queue_rows(db)
        assert not listener.next(0.05).online
        late = server_clock.now()  # offline: the last known offset, not an error
        assert abs((late - dt.datetime.now(dt.UTC)) - offset) < dt.timedelta(seconds=2)
        # whole transactions retried with backoff give up only after the last try
        pauses: list[float] = []
        with pytest.raises(DatabaseUnavailable):
            with_retry(lambda: sv.note(db, c, "tina", t.number, text="x"), backoff=(0.01, 0.02),
                       sleep=pauses.append)  # fmt: skip
        assert pauses == [0.01, 0.02]

        start()
        # the same database object carries on: no reopen, no restart
        saved = with_retry(lambda: sv.note(db, c, "tina", t.number, text="typed again, online"))
        assert saved.version == 2
        notes = [h.note for h in History.select().where(History.ticket == t.id, History.kind == "note")]
        assert notes == ["typed again, online"]  # the refused write was not made behind anyone's back
        assert [r.number for r in sv.queue_rows(db)] == [t.number]
        # the listener comes back, asks for a resync, then hears changes again
        deadline = time.monotonic() + 10
        resynced = False
        while time.monotonic() < deadline and not resynced:
            resynced = listener.next(0.1).resync
        assert resynced and listener.online
        sv.assign(db, c, "tess", t.number, engineer="tess")
        heard: set[str] = set()
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and t.number not in heard:
            heard |= set(listener.next(0.1).numbers)
        assert t.number in heard
        assert Ticket.get_by_id(t.id).version == 3
    finally:
        listener.close()


def test_a_read_after_a_restart_reconnects_by_itself(
    pg_desk: Desk, server_restart: dict[str, object]
) -> None:
    db = pg_desk.db
    t = pg_desk.log()
    stop, start = server_restart["stop"], server_restart["start"]
    assert callable(stop) and callable(start)
    stop()
    start()
    # the connection died with the old server; the next read opens a new one unasked
    assert [r.number for r in sv.queue_rows(db)] == [t.number]
    stop()
    start()
    # and so does the next write: its BEGIN is sent again on a new connection
    assert sv.note(db, pg_desk.clock, "tina", t.number, text="after the restart").version == 2
