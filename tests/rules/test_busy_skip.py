"""A workstation's periodic pass skips when another's holds the rules' lock (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import psycopg
import pytest

from deskapp.domain.clock import FixedClock
from deskapp.rules import engine, run_rules
from deskapp.store.connection import open_database
from deskapp.store.models import History, Ticket
from tests.desk_setup import Desk, make_desk


def _late_ticket(desk: Desk) -> tuple[str, FixedClock]:
    number = str(desk.log(summary="Printer offline").number)
    return number, FixedClock(desk.clock.now() + dt.timedelta(days=2))  # its response target passed


@pytest.fixture
def pg_desk(pg_schema_url: str) -> Iterator[Desk]:
    """PostgreSQL only: SQLite has one writer at a time and no rules' lock to find held."""
    db = open_database(pg_schema_url)
    try:
        yield make_desk(db)
    finally:
        db.close()


def test_a_background_pass_skips_while_another_holds_the_lock(pg_desk: Desk) -> None:
    desk = pg_desk
    number, later = _late_ticket(desk)
    params = dict(desk.db.connect_params, dbname=desk.db.database)
    with psycopg.connect(autocommit=True, **params) as holder:  # another workstation's pass
        holder.execute("SELECT pg_advisory_lock(%s)", (engine._ADVISORY_KEY,))
        started = time.monotonic()
        summary = run_rules(desk.db, later, skip_if_busy=True)
        took = time.monotonic() - started
        assert summary.skipped and summary.total == 0 and took < 2.0
        assert summary.lines() == ["another workstation is running the rule pass: this one was skipped"]
        assert Ticket.get(Ticket.number == number).breach_recorded_at is None
        started = time.monotonic()
        with pytest.raises(engine.RulesBusy, match="rules' lock has been held"):
            engine.RULES_LOCK_WAIT, saved = 0.3, engine.RULES_LOCK_WAIT
            try:
                run_rules(desk.db, later)  # `deskapp rules run`: waits, then says so
            finally:
                engine.RULES_LOCK_WAIT = saved
        assert time.monotonic() - started >= 0.3
    # Let go: the next background pass applies it, once (the lock is one for the whole
    # server, so another desk's pass may hold it a moment: try a few times).
    for _ in range(50):
        summary = run_rules(desk.db, later, skip_if_busy=True)
        if not summary.skipped:
            break
        time.sleep(0.1)
    assert summary.applied["sla_breached"] == [number]
    t = Ticket.get(Ticket.number == number)
    breaches = History.select().where(History.ticket == t.id, History.kind == "sla_breached").count()
    assert breaches == 1


def test_skip_if_busy_changes_nothing_when_no_other_pass_runs(desk: Desk) -> None:
    number, later = _late_ticket(desk)
    summary = run_rules(desk.db, later, skip_if_busy=True)
    for _ in range(50):  # PostgreSQL: another desk on the shared server may hold it a moment
        if not summary.skipped:
            break
        time.sleep(0.1)
        summary = run_rules(desk.db, later, skip_if_busy=True)
    assert summary.applied["sla_breached"] == [number] and not summary.skipped
