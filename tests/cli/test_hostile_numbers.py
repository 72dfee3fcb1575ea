"""Numbers no command can use (huge, zero, negative, inf, nan) are refused naming the
option, before anything is written; the SMTP port goes through the dialog's service."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from deskapp.demo import MAX_DEMO_TICKETS, fill_demo
from deskapp.mail.sender import load_settings
from deskapp.store.connection import open_database, raw_sql
from tests.cli.hostile import TrainingDesk, training

__all__ = ["training"]

HUGE = "99999999999999999999"


@pytest.mark.parametrize("version", [HUGE, "0", "-1", "9223372036854775808"])
def test_expect_version_out_of_any_range_is_refused(training: TrainingDesk, version: str) -> None:
    number = training.log()
    before = training.ok("ticket", "show", number, "--json")
    for step in ("note", "resolve"):
        training.refused("--as", "lee", "ticket", step, number, "--note", "x", "--expect-version", version,
                         naming="--expect-version")  # fmt: skip
    assert training.ok("ticket", "show", number, "--json") == before


def test_expect_version_out_of_range_is_named_by_the_service(training: TrainingDesk) -> None:
    from deskapp import services as sv
    from deskapp.domain.clock import FixedClock
    from deskapp.services.errors import ValidationError
    from deskapp.store.connection import open_database

    number = training.log()
    db = open_database(training.url)
    try:
        clock = FixedClock(dt.datetime(2026, 3, 16, 11, tzinfo=dt.UTC))
        with pytest.raises(ValidationError, match="99999999999999999999 is not a version"):
            sv.note(db, clock, "lee", number, text="x", expected_version=int(HUGE))
    finally:
        db.close()
    result = training.refused("--as", "lee", "ticket", "note", number, "--note", "x",
                              "--expect-version", "5", naming=number)  # fmt: skip
    assert "version 5" in result.err
    training.ok("--as", "lee", "ticket", "note", number, "--note", "x", "--expect-version", "1")


@pytest.mark.parametrize("interval", ["inf", "nan", "-inf", "0", "-1", "1e400", "86401", "soon"])
def test_rules_watch_interval_must_be_finite_and_positive(training: TrainingDesk, interval: str) -> None:
    result = training.refused("rules", "run", "--watch", "--interval", interval, naming="--interval")
    assert result.code == 2 and result.out == ""


@pytest.mark.parametrize("seconds", ["inf", "nan", "0", "-3"])
def test_mail_send_watch_must_be_finite_and_positive(training: TrainingDesk, seconds: str) -> None:
    training.refused("mail", "send", "--watch", seconds, naming="--watch")


@pytest.mark.parametrize("port", [HUGE, "0", "-1", "70000", "65536", "smtp"])
def test_mail_port_out_of_range_is_never_saved(training: TrainingDesk, port: str) -> None:
    training.ok("--as", "ada", "mail", "settings", "--host", "mail.example", "--port", "587",
                "--sender", "desk@example.com")  # fmt: skip
    training.refused("--as", "ada", "mail", "settings", "--port", port, naming="--port")
    shown = json.loads(training.ok("mail", "settings"))
    assert shown["port"] == 587


def test_mail_settings_cli_uses_the_dialogs_checks(training: TrainingDesk) -> None:
    training.refused("--as", "ada", "mail", "settings", "--host", "mail.example", "--sender", "nobody",
                     naming="'nobody'")  # fmt: skip
    training.refused("--as", "lee", "mail", "settings", "--host", "mail.example", "--sender", "d@e.com",
                     naming="administrator")  # fmt: skip
    assert "no SMTP server set" in training.ok("mail", "settings")


def test_a_bad_port_already_stored_stops_mail_send_with_a_message(training: TrainingDesk) -> None:
    training.ok("--as", "ada", "mail", "settings", "--host", "mail.example", "--security", "none",
                "--sender", "desk@example.com")  # fmt: skip
    number = training.log()
    training.ok("--as", "tina", "mail", "ticket-number", number)
    db = open_database(training.url)
    try:
        value = json.dumps({"host": "mail.example", "port": 70000, "security": "none", "login": None,
                            "sender": "desk@example.com", "timeout": 5.0})  # fmt: skip
        raw_sql(db, f"UPDATE meta SET value = {db.param} WHERE key = 'smtp'", (value,))
        with pytest.raises(ValueError, match="70000"):
            load_settings(db)
    finally:
        db.close()
    training.refused("mail", "send", naming="70000")
    assert "sending" not in training.ok("mail", "outbox")


@pytest.mark.parametrize("count", [str(MAX_DEMO_TICKETS + 1), HUGE, "0", "-5"])
def test_demo_tickets_has_limits(training: TrainingDesk, count: str) -> None:
    training.refused("demo", "--tickets", count, naming="--tickets")


def test_demo_service_refuses_too_many_tickets(training: TrainingDesk) -> None:
    import datetime as dt

    db = open_database(training.url)
    try:
        with pytest.raises(ValueError, match=str(MAX_DEMO_TICKETS)):
            fill_demo(db, dt.datetime(2026, 3, 17, tzinfo=dt.UTC), tickets=MAX_DEMO_TICKETS + 1)
    finally:
        db.close()


@pytest.mark.parametrize("argv", [("mail", "retry", HUGE), ("survey", "answer", "REF", "--score", HUGE)])
def test_other_whole_numbers_are_bounded(training: TrainingDesk, argv: tuple[str, ...]) -> None:
    training.refused("--as", "lee", *argv, naming="argument")
