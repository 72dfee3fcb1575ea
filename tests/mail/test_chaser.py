"""The daily chaser sends itself: the rule pass queues it once each business day (or at
the agreed update time) until information arrives or the ticket resolves itself; never
on a weekend or a UK/Irish holiday, exactly once however often the rules run."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest

from deskapp import services as sv
from deskapp.domain.policy import default_policy
from deskapp.mail.sender import drain
from deskapp.mail.smtp_transport import SmtpSettings
from deskapp.rules import run_rules
from deskapp.store.models import History, Ticket
from tests.desk_setup import Desk
from tests.london import local
from tests.mail.smtp_server import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def chasers(smtp: SmtpServer) -> list[str]:
    return [str(m["Date"]) for m in smtp.inbox.messages if "Reminder" in str(m["Subject"])]


def every_half_hour(desk: Desk, smtp: SmtpServer, first: dt.datetime, last: dt.datetime) -> list[dt.date]:
    """Run the rules (twice each time, as two workstations would) and the sender every 30
    minutes, day and night; the local dates on which a chaser reached the reseller."""
    settings = SmtpSettings(host="127.0.0.1", port=smtp.port, security="none",
                            sender="desk@support.example.co.uk", timeout=3)  # fmt: skip
    days: list[dt.date] = []
    moment = first
    while moment <= last:
        desk.at(moment)
        run_rules(desk.db, desk.clock)
        run_rules(desk.db, desk.clock)
        before = len(chasers(smtp))
        drain(desk.db, desk.clock, settings, None)
        days += [moment.astimezone(local(2026, 1, 1).tzinfo).date()] * (len(chasers(smtp)) - before)
        moment += dt.timedelta(minutes=30)
    return days


def waiting(desk: Desk, at: dt.datetime) -> str:
    db, clock = desk.db, desk.clock
    ticket = desk.log(email="pat@acme.example", phone=None)
    sv.assign(db, clock, "tina", ticket.number, engineer="tina")
    desk.at(at)
    sv.request_info(db, clock, "tina", ticket.number, note="Which mailbox?")
    return ticket.number


def test_a_chaser_each_business_day_skipping_the_weekend_and_a_holiday_until_auto_resolve(
    desk: Desk, smtp: SmtpServer
) -> None:
    number = waiting(desk, local(2026, 3, 13, 10))  # Fri; Tue 17 March is an Irish holiday
    days = every_half_hour(desk, smtp, local(2026, 3, 13, 10), local(2026, 3, 19, 12))
    assert days == [dt.date(2026, 3, 16), dt.date(2026, 3, 18)], "Mon, then Wed; never Sat/Sun/Tue"
    t = Ticket.get(Ticket.number == number)
    assert t.status == "resolved", "auto-resolved Thu 19 10:00, and the chaser stopped"
    subjects = [str(m["Subject"]) for m in smtp.inbox.messages]
    assert subjects == [
        f"[{number}] We need more information",
        f"[{number}] Reminder: we are waiting for your information",
        f"[{number}] Reminder: we are waiting for your information",
        f"[{number}] Your incident has been resolved automatically",
    ]
    assert "Thu 19 Mar 2026 10:00 GMT" in str(smtp.inbox.messages[1].get_payload(decode=True))
    notes = [h.note for h in History.select().where(History.kind == "chaser_due")]
    assert len(notes) == 2 and all("emailed" in n for n in notes)


def test_information_received_stops_the_chaser(desk: Desk, smtp: SmtpServer) -> None:
    number = waiting(desk, local(2026, 3, 9, 10))  # Monday
    assert every_half_hour(desk, smtp, local(2026, 3, 9, 10), local(2026, 3, 10, 12)) == [
        dt.date(2026, 3, 10)
    ]
    sv.info_received(desk.db, desk.clock, "tina", number, note="screenshot arrived")
    assert every_half_hour(desk, smtp, local(2026, 3, 10, 12), local(2026, 3, 13, 12)) == []


def test_an_agreed_update_time_sets_the_chaser_and_out_of_hours_waits_for_the_opening(
    desk: Desk, smtp: SmtpServer
) -> None:
    number = waiting(desk, local(2026, 3, 9, 10))
    desk.at(local(2026, 3, 9, 11))
    sv.agree_update(desk.db, desk.clock, "tina", number, agreed_update=local(2026, 3, 10, 19, 30))
    days = every_half_hour(desk, smtp, local(2026, 3, 9, 11), local(2026, 3, 11, 9))
    assert days == [dt.date(2026, 3, 11)], (
        "agreed for 19:30 Tuesday, after hours: sent at Wednesday's opening"
    )
    sent = Ticket.get(Ticket.number == number)
    # One business day (10 business hours) after Wednesday's 08:00 is its 18:00 close:
    # the next goes at Thursday's opening.
    assert sent.next_chaser_due == local(2026, 3, 11, 18)
    assert every_half_hour(desk, smtp, local(2026, 3, 11, 9), local(2026, 3, 12, 9)) == [dt.date(2026, 3, 12)]


def test_no_address_flags_the_chaser_for_a_phone_call_each_day(desk: Desk) -> None:
    db, clock = desk.db, desk.clock
    ticket = desk.log(reseller="Liffey Cloud", contact="Sean", tenant="liffey-1")
    sv.assign(db, clock, "tina", ticket.number, engineer="tina")
    sv.request_info(db, clock, "tina", ticket.number)
    for day in (10, 11):
        desk.at(local(2026, 3, day, 9, 30))
        assert run_rules(db, clock).applied["chaser_due"] == [ticket.number]
        assert run_rules(db, clock).applied["chaser_due"] == []
        assert Ticket.get_by_id(ticket.id).chaser_flagged_at == local(2026, 3, day, 9, 30), "flagged again"
    notes = [h.note for h in History.select().where(History.kind == "chaser_due")]
    assert len(notes) == 2 and all("phone the reseller" in n for n in notes)


def test_the_pass_chaser_never_keeps_a_silent_ticket_open(desk: Desk) -> None:
    """With `chaser_restarts_auto_resolve` a chaser a person sends restarts the 3-day clock;
    the pass's daily chaser does not, or a silent ticket would never resolve."""
    restarts = dataclasses.replace(default_policy(), chaser_restarts_auto_resolve=True)
    db, clock = desk.db, desk.clock
    number = waiting(desk, local(2026, 3, 9, 10))
    limit = Ticket.get(Ticket.number == number).auto_resolve_at
    for day in (10, 11):
        desk.at(local(2026, 3, day, 10))
        assert run_rules(db, clock, policy=restarts).applied["chaser_due"] == [number]
        assert Ticket.get(Ticket.number == number).auto_resolve_at == limit
    desk.at(limit)
    assert run_rules(db, clock, policy=restarts).applied["auto_resolved"] == [number]
