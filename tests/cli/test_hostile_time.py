"""Times at and beyond the edges of the span deskapp works in (years 1900 to 2099): every
one is refused with a message naming it, never a traceback, and every time inside the span
is stored and read back exactly on both databases."""

from __future__ import annotations

import datetime as dt

import peewee
import pytest

from deskapp import sla
from deskapp.store.connection import raw_sql
from deskapp.store.fields import DamagedValue, instant_reader
from deskapp.store.models import Ticket
from tests.cli.hostile import TrainingDesk, refused, run, training
from tests.owner_edits import owner_edits

__all__ = ["training"]

OUTSIDE = ["0001-01-01T00:00:00Z", "0999-06-01T10:00:00Z", "1899-12-31T23:59:59Z",
           "2100-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:00:00-05:00"]  # fmt: skip


@pytest.mark.parametrize("moment", OUTSIDE)
@pytest.mark.parametrize("priority", ["P1", "P2", "P3"])
def test_sla_due_and_explain_refuse_times_outside_the_span(
    capsys: pytest.CaptureFixture[str], moment: str, priority: str
) -> None:
    result = refused(capsys, "sla", "due", "--priority", priority, moment, naming=moment)
    assert result.out == "" and "1900 to 2099" in result.err
    refused(capsys, "sla", "explain", "--priority", priority, moment, naming=moment)


def test_sla_due_answers_at_both_ends_of_the_span(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "sla", "due", "--priority", "P3", "1900-01-01T00:00:00Z", "2099-12-31T23:59:59Z")
    assert result.code == 0, result
    assert result.out.splitlines() == ["1900-01-02T18:00:00Z", "2100-01-04T18:00:00Z"]


@pytest.mark.parametrize("year", ["9999", "1", "0", "-5", "99999999999999999999", "1" * 5000, "twenty"])
def test_calendar_refuses_a_year_outside_the_span(capsys: pytest.CaptureFixture[str], year: str) -> None:
    result = refused(capsys, "calendar", "--year", year, naming="--year")
    assert result.code == 2 and len(result.err) < 400  # a 5000-digit year is not echoed whole


def test_calendar_shows_the_last_year(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "calendar", "--year", "2099")
    assert result.code == 0 and "2099-12-25" in result.out


def test_public_api_refuses_instants_outside_the_span() -> None:
    far = dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)
    for priority in ("P1", "P2", "P3"):
        with pytest.raises(sla.OutOfRange, match="9999-12-31"):
            sla.response_due(priority, far)
        with pytest.raises(ValueError, match="0500-01-01"):
            sla.response_due(priority, dt.datetime(500, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(sla.OutOfRange):
        sla.business_time_between(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), far)


def test_the_engine_refuses_to_grow_its_tables_beyond_the_span() -> None:
    engine = sla.engine()
    with pytest.raises(sla.OutOfRange, match="5000-01-01"):
        engine.response_due("P2", dt.datetime(5000, 1, 1, tzinfo=dt.UTC))


@pytest.mark.parametrize("moment", OUTSIDE)
def test_clock_outside_the_span_changes_nothing(training: TrainingDesk, moment: str) -> None:
    number = training.log()
    before = training.ok("ticket", "show", number, "--json")
    training.refused(
        "--clock", moment, "--as", "lee", "ticket", "resolve", number, "--note", "x", naming=moment
    )
    training.refused("--clock", moment, "--as", "tina", "ticket", "log", "--reseller", "Acme", "--contact",
                     "Pat", "--email", "p@a.example", "--tenant", "t", "--impact", "some", "--channel",
                     "email", "--summary", "s", naming=moment)  # fmt: skip
    assert training.ok("ticket", "show", number, "--json") == before
    assert number in training.ok("ticket", "list")


def test_agreed_update_and_report_dates_outside_the_span_are_refused(training: TrainingDesk) -> None:
    number = training.log()
    training.refused("--as", "lee", "ticket", "agree-update", number, "--agreed-update",
                     "0999-01-01T00:00:00Z", naming="0999-01-01")  # fmt: skip
    training.refused("--as", "lee", "report", "compliance", "--since", "0001-01-01", naming="0001-01-01")
    training.refused("--as", "lee", "report", "compliance", "--until", "9999-12-31", naming="9999-12-31")


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        dt.datetime(999, 6, 1, 10, 0, 0, 7, tzinfo=dt.UTC),
        dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2099, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
    ],
)
def test_every_year_is_stored_and_read_back_exactly(training: TrainingDesk, moment: dt.datetime) -> None:
    """The store pads years to four digits (C strftime writes year 999 as "999"), so even a
    time outside the span that reaches the table some other way reads back and sorts."""
    from deskapp.store.connection import open_database

    number = training.log()
    db = open_database(training.url)
    try:
        with owner_edits(db):
            Ticket.update(logged_at=moment).where(Ticket.number == number).execute()
        assert Ticket.get(Ticket.number == number).logged_at == moment
        query = f"SELECT logged_at FROM ticket WHERE number = {db.param}"
        raw = raw_sql(db, query, (number,)).fetchone()[0]
        assert instant_reader(db)(raw) == moment
        earlier = Ticket.select().where(Ticket.logged_at <= moment)
        assert [t.number for t in earlier.where(Ticket.number == number)] == [number]
        later = Ticket.select().where((Ticket.logged_at > moment) & (Ticket.number == number))
        assert list(later) == []
    finally:
        db.close()


def test_unpadded_years_written_before_the_fix_still_read(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/old.sqlite3"
    desk = TrainingDesk(url, capsys)
    number = desk.log()
    db = peewee.SqliteDatabase(url.removeprefix("sqlite:///"))
    raw_sql(db, "UPDATE ticket SET logged_at = '999-06-01 10:00:00.000000' WHERE number = ?", (number,))
    db.close()
    assert number in desk.ok("ticket", "list")
    assert "0999-06-01T10:00:00Z" in desk.ok("ticket", "show", number, "--json")


def test_a_stored_time_that_cannot_be_read_is_named(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/bad.sqlite3"
    desk = TrainingDesk(url, capsys)
    number = desk.log()
    db = peewee.SqliteDatabase(url.removeprefix("sqlite:///"))
    raw_sql(db, "UPDATE ticket SET logged_at = 'not a time' WHERE number = ?", (number,))
    db.close()
    result = desk.refused("ticket", "show", number, "--json", naming="'not a time'")
    assert "damaged" in result.err
    with pytest.raises(DamagedValue):
        instant_reader(peewee.SqliteDatabase(":memory:"))("not a time")
