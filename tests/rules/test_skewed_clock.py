"""One clock: a workstation whose clock is minutes off neither breaches early nor closes late.

On PostgreSQL the CLI and the GUI run with `desk_clock(db)` (the server's
time); here the workstation's local clock is injected ten minutes fast or slow.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator

import peewee
import pytest

from deskapp import services as sv
from deskapp.cli import session
from deskapp.domain.clock import FixedClock, SystemClock
from deskapp.rules import run_rules
from deskapp.store.connection import is_sqlite, open_database, raw_sql
from deskapp.store.db_clock import ServerClock
from deskapp.store.models import History, Ticket
from tests.desk_setup import Desk, make_desk
from tests.owner_edits import owner_edits

SKEW = dt.timedelta(minutes=10)
CLOSE = dt.timedelta(seconds=5)


def _server_now(db: peewee.Database) -> dt.datetime:
    now: dt.datetime = raw_sql(db, "SELECT statement_timestamp()").fetchone()[0]
    return now.astimezone(dt.UTC) if now.tzinfo else now.replace(tzinfo=dt.UTC)


def _workstation(db: peewee.Database, skew: dt.timedelta) -> ServerClock:
    return ServerClock(db, local_now=lambda: dt.datetime.now(dt.UTC) + skew)


def test_the_cli_uses_the_desks_clock(db: peewee.Database, db_url: str) -> None:
    args = argparse.Namespace(db=db_url, clock=None)
    expected = SystemClock if is_sqlite(db) else ServerClock
    assert isinstance(session.clock(args, db), expected)
    sv.mark_training(db)
    fixed = session.clock(argparse.Namespace(db=db_url, clock="2026-03-12T14:00:00Z"), db)
    assert isinstance(fixed, FixedClock)  # training keeps --clock


@pytest.fixture
def pg_db(pg_schema_url: str) -> Iterator[peewee.Database]:
    """PostgreSQL only: on SQLite (one workstation) the local clock is the desk's clock."""
    database = open_database(pg_schema_url)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def pg_desk(pg_db: peewee.Database) -> Desk:
    return make_desk(pg_db)


def test_a_fast_workstation_does_not_breach_early(pg_desk: Desk, pg_db: peewee.Database) -> None:
    db = pg_db
    ticket = pg_desk.log()
    due = _server_now(db) + dt.timedelta(minutes=2)
    with owner_edits(db):
        Ticket.update(response_due=due).where(Ticket.id == ticket.id).execute()
    fast = _workstation(db, SKEW)
    assert dt.datetime.now(dt.UTC) + SKEW > due  # its own clock says the target passed
    summary = run_rules(db, fast)
    assert summary.applied["sla_breached"] == []
    assert Ticket.get_by_id(ticket.id).breach_recorded_at is None


def test_a_slow_workstation_does_not_breach_late(pg_desk: Desk, pg_db: peewee.Database) -> None:
    db = pg_db
    ticket = pg_desk.log()
    with owner_edits(db):
        Ticket.update(response_due=_server_now(db) - dt.timedelta(seconds=1)).where(
            Ticket.id == ticket.id
        ).execute()
    slow = _workstation(db, -SKEW)
    summary = run_rules(db, slow)
    assert summary.applied["sla_breached"] == [ticket.number]
    stamped = Ticket.get_by_id(ticket.id).breach_recorded_at
    assert abs(stamped - _server_now(db)) < CLOSE


def test_closures_follow_the_server_clock(pg_desk: Desk, pg_db: peewee.Database) -> None:
    db = pg_db
    early, late = pg_desk.log(summary="early"), pg_desk.log(summary="late")
    now = _server_now(db)
    for t, closes in ((early, now + dt.timedelta(minutes=2)), (late, now - dt.timedelta(seconds=1))):
        with owner_edits(db):
            Ticket.update(
                status="resolved", resolved_at=now - dt.timedelta(days=5), closes_at=closes,
                responded_at=now - dt.timedelta(days=6),
            ).where(Ticket.id == t.id).execute()  # fmt: skip
    assert run_rules(db, _workstation(db, SKEW)).applied["closed"] == [late.number]
    assert run_rules(db, _workstation(db, -SKEW)).applied["closed"] == []
    assert Ticket.get_by_id(early.id).status == "resolved"


def test_a_skewed_workstation_stamps_events_in_server_time(pg_desk: Desk, pg_db: peewee.Database) -> None:
    db = pg_db
    ticket = pg_desk.log()
    sv.note(db, _workstation(db, SKEW), "tina", ticket.number, text="called back")
    last = History.select().where(History.ticket == ticket.id).order_by(History.id.desc()).get()
    assert abs(last.at - _server_now(db)) < CLOSE
    assert abs(Ticket.get_by_id(ticket.id).updated_at - _server_now(db)) < CLOSE
