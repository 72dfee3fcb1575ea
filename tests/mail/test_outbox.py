"""Each step's message arrives once, with the right content, through a real SMTP server."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from collections import Counter
from collections.abc import Iterator

import pytest

from deskapp import services as sv
from deskapp.mail.sender import drain, load_settings, save_settings
from deskapp.mail.smtp_transport import SmtpSettings
from deskapp.rules import run_rules
from deskapp.services import outbox
from deskapp.store.models import History, Outbox, SurveyInvitation, Ticket
from tests.desk_setup import Desk
from tests.london import local
from tests.mail.sender_worker import drain_once
from tests.mail.smtp_server import SmtpServer, free_port


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def settings_for(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security="none", sender="desk@example.co.uk", timeout=3)


def subjects(server: SmtpServer) -> list[str]:
    return [str(m["Subject"]) for m in server.inbox.messages]


def test_every_step_sends_its_message_once(desk: Desk, smtp: SmtpServer) -> None:
    db, clock = desk.db, desk.clock
    settings = settings_for(smtp.port)
    ticket = desk.log(email="pat@acme.example", phone=None)
    n = ticket.number

    outbox.queue_ticket_number(db, clock, "tina", n)
    assert Ticket.get_by_id(ticket.id).responded_at is None, "queued is not yet told"
    desk.at(local(2026, 3, 9, 9, 5))
    report = drain(db, clock, settings, None)
    assert len(report.sent) == 1
    assert subjects(smtp) == [f"[{n}] We have logged your incident"]
    assert smtp.inbox.messages[0]["To"] == "pat@acme.example"
    assert Ticket.get_by_id(ticket.id).responded_at == local(2026, 3, 9, 9, 5), "sending it is the response"

    sv.assign(db, clock, "tina", n, engineer="tina")
    sv.request_info(db, clock, "tina", n, note="Which mailbox is affected?")
    desk.at(local(2026, 3, 10, 9, 30))
    sv.chaser_sent(db, clock, "tina", n)
    sv.info_received(db, clock, "tina", n)
    sv.resolve(db, clock, "tina", n, reason="Mailbox permissions repaired")
    drain(db, clock, settings, None)
    assert subjects(smtp)[1:] == [
        f"[{n}] We need more information",
        f"[{n}] Reminder: we are waiting for your information",
        f"[{n}] Your incident has been resolved",
    ]
    bodies = [m.get_payload() for m in smtp.inbox.messages]
    assert "Which mailbox is affected?" in bodies[1]
    assert "Mailbox permissions repaired" in bodies[3]

    desk.at(local(2026, 3, 17, 9))  # resolved Tue 10th: the window ended at midnight ending Sun 15th
    summary = run_rules(db, clock)
    assert n in summary.applied["closed"]
    invitation = SurveyInvitation.get(SurveyInvitation.ticket == ticket.id)
    drain(db, clock, settings, None)
    assert subjects(smtp)[-1] == f"[{n}] How did we do?"
    assert invitation.ref in smtp.inbox.messages[-1].get_payload()
    saved = Ticket.get_by_id(ticket.id)
    assert saved.survey_status == "sent" and saved.survey_sent_at == local(2026, 3, 17, 9)
    assert len(smtp.inbox.messages) == 5
    assert drain(db, clock, settings, None).sent == [], "nothing goes twice"
    kinds = [h.kind for h in History.select().where(History.ticket == ticket.id, History.actor == "mailer")]
    assert kinds == ["notified", "message_sent", "message_sent", "message_sent", "survey_sent"]


def test_server_down_loses_nothing(desk: Desk) -> None:
    db, clock = desk.db, desk.clock
    port = free_port()
    ticket = desk.log(email="pat@acme.example", phone=None)
    outbox.queue_ticket_number(db, clock, "tina", ticket.number)
    first = drain(db, clock, settings_for(port), None)
    assert first.retrying and not first.sent
    message = Outbox.get()
    assert message.status == "pending" and message.attempts == 1 and message.last_error
    assert message.next_attempt_at > clock.now()
    assert drain(db, clock, settings_for(port), None).retrying == [], "not before its backoff"
    server = SmtpServer(port=port).start()
    try:
        desk.at(clock.now() + dt.timedelta(minutes=2))
        assert len(drain(db, clock, settings_for(port), None).sent) == 1
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()
    assert Outbox.get().status == "sent"


def test_failed_message_shows_and_retries(desk: Desk, smtp: SmtpServer) -> None:
    db, clock = desk.db, desk.clock
    ticket = desk.log(email="pat@acme.example", phone=None)
    outbox.queue_ticket_number(db, clock, "tina", ticket.number)
    Outbox.update(status="failed", last_error="550 mailbox unavailable").execute()
    (row,) = outbox.outbox_rows(db, status="failed")
    assert row.number == ticket.number and row.last_error == "550 mailbox unavailable"
    outbox.retry(db, clock, "tina", row.id)
    assert len(drain(db, clock, settings_for(smtp.port), None).sent) == 1
    with pytest.raises(sv.ValidationError, match="has not failed"):
        outbox.retry(db, clock, "tina", row.id)


def test_no_email_address_is_said_in_the_history(desk: Desk) -> None:
    db, clock = desk.db, desk.clock
    ticket = desk.log()  # the contact has a phone only, and Acme's email is the fallback
    assert outbox.recipient_of(ticket) == "desk@acme.example"
    phone_only = desk.log(reseller="Liffey Cloud", contact="Sean", tenant="liffey-1")
    with pytest.raises(sv.ValidationError, match="by phone"):
        outbox.queue_ticket_number(db, clock, "tina", phone_only.number)
    sv.assign(db, clock, "tina", phone_only.number, engineer="tina")
    sv.request_info(db, clock, "tina", phone_only.number)
    last = History.select().where(History.ticket == phone_only.id).order_by(History.id.desc()).get()
    assert "no email address" in last.note
    assert Outbox.select().where(Outbox.ticket == phone_only.id).count() == 0


def test_smtp_settings_are_kept_in_the_database(desk: Desk) -> None:
    assert load_settings(desk.db) is None
    save_settings(desk.db, SmtpSettings(host="smtp.example.co.uk", port=465, security="tls", login="desk"))
    got = load_settings(desk.db)
    assert got is not None and (got.host, got.port, got.security, got.login) == (
        "smtp.example.co.uk",
        465,
        "tls",
        "desk",
    )


def test_two_senders_send_each_message_once(desk: Desk, db_url: str, smtp: SmtpServer) -> None:
    db, clock = desk.db, desk.clock
    numbers = []
    for i in range(30):
        ticket = desk.log(email=f"user{i}@acme.example", phone=None, summary=f"issue {i}")
        outbox.queue_ticket_number(db, clock, "tina", ticket.number)
        numbers.append(ticket.number)
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    now = (clock.now() + dt.timedelta(seconds=1)).isoformat()
    procs = [
        ctx.Process(target=drain_once, args=(db_url, smtp.port, now, f"ws{k}", barrier, results))
        for k in range(2)
    ]
    for p in procs:
        p.start()
    sent = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert sorted(sent[0] + sent[1]) == sorted({*sent[0], *sent[1]}), "no message claimed twice"
    assert len(sent[0]) + len(sent[1]) == 30
    ids = Counter(str(m["Message-ID"]) for m in smtp.inbox.messages)
    assert len(ids) == 30 and set(ids.values()) == {1}
    assert Outbox.select().where(Outbox.status == "sent").count() == 30
