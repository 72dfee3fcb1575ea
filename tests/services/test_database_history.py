"""The history on both databases (issue 14): written by the services on SQLite and by
PostgreSQL's triggers (schema v11), the same rows either way; the mailer's rows are
changes like any other; a move the database refuses reaches the app in words."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import peewee
import pytest

from deskapp import services as sv
from deskapp.domain.lifecycle import TransitionNotAllowed
from deskapp.mail.sender import drain
from deskapp.mail.smtp_transport import SmtpSettings
from deskapp.rules import run_rules
from deskapp.services import outbox
from deskapp.store.connection import is_sqlite, open_database, raw_sql, write_transaction
from deskapp.store.lifecycle_table import refresh_moves
from deskapp.store.models import History, Ticket
from tests.desk_setup import Desk, make_desk
from tests.london import local
from tests.mail.smtp_server import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def _settings(server: SmtpServer) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=server.port, security="none", sender="desk@example.co.uk")


def _walk(db: peewee.Database, server: SmtpServer) -> list[tuple[Any, ...]]:
    """Most of the steps a desk takes, by people, the rule pass and the mailer; the history."""
    desk = make_desk(db)
    db, c, mail = desk.db, desk.clock, _settings(server)
    a = desk.log(email="pat@acme.example", phone=None)
    b = desk.log(summary="Printer jams", impact="howto", channel="phone")
    dup = desk.log(summary="Mail is down again")
    outbox.queue_ticket_number(db, c, "tina", a.number)
    desk.at(local(2026, 3, 9, 9, 5))
    drain(db, c, mail, None)
    sv.assign(db, c, "tina", a.number, engineer="tina")
    sv.note(db, c, "tom", a.number, text="called the reseller")
    sv.request_info(db, c, "tina", a.number, note="Which mailbox?")
    sv.assign(db, c, "tina", b.number, engineer="tina")
    sv.escalate(db, c, "tina", b.number, note="needs Tier 2")
    sv.reprioritise(db, c, "lee", b.number, priority="P2", reason="the whole floor")
    sv.resolve(db, c, "tess", b.number, reason="roller replaced")
    sv.reject(db, c, "tina", b.number, note="still jams", provider="PrintCo", provider_ref="PC-1")
    sv.resolve(db, c, "lee", b.number, reason="PrintCo replaced it")
    sv.duplicate(db, c, "tina", dup.number, of=a.number, note="same outage")
    desk.at(local(2026, 3, 10, 10))
    run_rules(db, c)  # breaches and the chaser
    drain(db, c, mail, None)
    desk.at(local(2026, 3, 13, 10))
    run_rules(db, c)  # auto-resolves a
    desk.at(local(2026, 3, 23, 10))
    run_rules(db, c)  # closes a and b
    drain(db, c, mail, None)
    rows = (
        History.select(History, Ticket.number)
        .join(Ticket, on=(History.ticket == Ticket.id))
        .order_by(Ticket.number, History.id)
    )
    return [
        (h.ticket.number, h.actor, h.kind, h.from_status, h.to_status, h.from_tier, h.to_tier, h.note, h.at)
        for h in rows
    ]


def test_the_same_steps_write_the_same_history_on_both_databases(
    pg_schema_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    walked = {}
    for name, url in (("sqlite", f"sqlite:///{tmp_path / 'desk.sqlite3'}"), ("postgres", pg_schema_url)):
        db = open_database(url)
        try:
            walked[name] = _walk(db, smtp)
            users = {row[0] for row in raw_sql(db, "SELECT DISTINCT db_user FROM history").fetchall()}
            me = None if is_sqlite(db) else raw_sql(db, "SELECT session_user").fetchone()[0]
            # PostgreSQL records whose session wrote each row; SQLite has no such thing.
            assert users == {me}
        finally:
            db.close()
    kinds = {row[2] for row in walked["sqlite"]}
    assert {"logged", "notified", "assigned", "info_requested", "sla_breached", "chaser_due"} <= kinds
    assert {"auto_resolved", "closed", "survey_sent", "duplicate_closed", "reprioritised"} <= kinds
    assert walked["postgres"] == walked["sqlite"]


def test_a_message_sent_raises_the_version_and_is_blamed_on_no_one_else(desk: Desk, smtp: SmtpServer) -> None:
    db, c = desk.db, desk.clock
    t = desk.log(email="pat@acme.example", phone=None)
    sv.assign(db, c, "tina", t.number, engineer="tina")
    outbox.queue_ticket_number(db, c, "tina", t.number)
    opened = Ticket.get_by_id(t.id).version
    desk.at(local(2026, 3, 9, 9, 5))
    drain(db, c, _settings(smtp), None)
    assert Ticket.get_by_id(t.id).version == opened + 1, "the mailer's row is a version like any other"
    with pytest.raises(sv.ConflictError) as info:
        sv.note(db, c, "tom", t.number, text="late", expected_version=opened)
    assert info.value.changed_by == "mailer"
    # Another message that tells nothing new (no response, no survey) is a change too.
    sv.request_info(db, c, "tina", t.number, note="Which mailbox?")
    seen = Ticket.get_by_id(t.id).version
    drain(db, c, _settings(smtp), None)
    sv.note(db, c, "tess", t.number, text="looked at it")
    with pytest.raises(sv.ConflictError) as info:
        sv.note(db, c, "tom", t.number, text="mine", expected_version=seen)
    assert [ch.actor for ch in info.value.changes] == ["mailer", "tess"]
    assert info.value.changed_by == "tess", "the person who saved last, not the mailer"
    versions = Ticket.get_by_id(t.id).version
    assert History.select().where(History.ticket == t.id).count() == versions


def test_mailer_is_a_reserved_login(desk: Desk) -> None:
    for login in ("mailer", "rules", "mail"):
        with pytest.raises(sv.ValidationError, match="reserved"):
            sv.add_staff(desk.db, desk.clock, "ada", login, name="Not Me", role="tier1")


@pytest.mark.postgres
def test_a_move_the_database_refuses_is_said_in_words(pg_schema_url: str) -> None:
    db = open_database(pg_schema_url)
    try:
        desk = make_desk(db)
        t = desk.log()
        # A database whose table is stricter than the client (e.g. an older client):
        # the database's refusal is the app's own TransitionNotAllowed, in words.
        raw_sql(db, "DELETE FROM lifecycle_move WHERE who = 'tier1' AND action = 'resolve'")
        with pytest.raises(TransitionNotAllowed) as info:
            sv.resolve(db, desk.clock, "tina", t.number, reason="fixed")
        assert str(info.value) == (
            f"the database refused this: {t.number}: tina (tier1) may not move it from logged to resolved"
        )
        assert Ticket.get_by_id(t.id).status == "logged"
        with write_transaction(db):
            refresh_moves(db)  # `deskapp init` refills it from deskapp.domain.lifecycle
        assert sv.resolve(db, desk.clock, "tina", t.number, reason="fixed").status == "resolved"
    finally:
        db.close()


@pytest.mark.postgres
def test_a_rule_pass_over_many_tickets_is_one_statement_per_step(pg_schema_url: str) -> None:
    db = open_database(pg_schema_url)
    try:
        desk = make_desk(db)
        numbers = [desk.log(summary=f"outage {i}").number for i in range(60)]
        desk.at(local(2026, 3, 10, 10))
        statements: list[str] = []

        class Count(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                statements.append(str(record.msg))

        logger, handler = logging.getLogger("peewee"), Count(logging.DEBUG)
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        try:
            summary = run_rules(db, desk.clock)
        finally:
            logger.removeHandler(handler)
        assert sorted(summary.applied["sla_breached"]) == sorted(numbers)
        assert len(statements) < 15, statements
        breached = History.select().where(History.kind == "sla_breached")
        assert breached.count() == 60
        assert {h.at for h in breached} == {desk.clock.now() - dt.timedelta(0)}
    finally:
        db.close()
