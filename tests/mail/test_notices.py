"""The steps the reseller is told about besides the five first notices: the escalation
(step 7), the engineer's updates (step 9), the automatic resolution (step 10); each
arrives once, through a real SMTP server, on the ticket's thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.message import Message

import pytest

from deskapp import services as sv
from deskapp.mail.sender import drain
from deskapp.mail.smtp_transport import SmtpSettings
from deskapp.rules import run_rules
from deskapp.services import conversation, outbox
from deskapp.store.models import History, Outbox, Ticket
from tests.cli.test_store_cli import Cli, _training_desk
from tests.desk_setup import Desk
from tests.london import local
from tests.mail.smtp_server import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def text(message: Message) -> str:
    """The body as the reseller reads it (decoded from quoted-printable)."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "ascii")


def send(desk: Desk, smtp: SmtpServer) -> list[str]:
    settings = SmtpSettings(host="127.0.0.1", port=smtp.port, security="none",
                            sender="desk@support.example.co.uk", timeout=3)  # fmt: skip
    drain(desk.db, desk.clock, settings, None)
    return [str(m["Subject"]) for m in smtp.inbox.messages]


def test_escalation_and_updates_reach_the_reseller_once(desk: Desk, smtp: SmtpServer) -> None:
    db, clock = desk.db, desk.clock
    ticket = desk.log(email="pat@acme.example", phone=None)
    n = ticket.number
    outbox.queue_ticket_number(db, clock, "tina", n)
    sv.assign(db, clock, "tina", n, engineer="tina")
    sv.reply(db, clock, "tina", n, text="We are checking the mail gateway now.")
    sv.note(db, clock, "tina", n, text="gateway logs look clean (internal)")
    sv.escalate(db, clock, "tina", n, note="restarted the connector; no change")
    assert send(desk, smtp) == [
        f"[{n}] We have logged your incident",
        f"[{n}] Update on your incident",
        f"[{n}] Your incident has been escalated",
    ]
    update, escalation = smtp.inbox.messages[1:]
    assert "We are checking the mail gateway now." in text(update)
    assert "Tina Tier1" in text(update), "signed by its engineer"
    assert update["Auto-Submitted"] is None, "a person wrote it: replies are welcome"
    assert "internal" not in "".join(text(m) for m in smtp.inbox.messages)
    assert "Tier 2" in text(escalation)
    assert escalation["In-Reply-To"] == update["Message-ID"]
    assert str(escalation["References"]).split()[0] == smtp.inbox.messages[0]["Message-ID"]
    send(desk, smtp)
    assert len(smtp.inbox.messages) == 3, "nothing goes twice"
    kinds = [h.kind for h in History.select().where(History.ticket == ticket.id).order_by(History.id)]
    assert "replied" in kinds and "note" in kinds
    # each message names its author (schema v12): the engineer whose steps queued them
    assert [o.author for o in Outbox.select().order_by(Outbox.id)] == ["tina", "tina", "tina"]


def test_a_reply_needs_words_an_address_and_an_open_ticket(desk: Desk) -> None:
    db, clock = desk.db, desk.clock
    ticket = desk.log()
    with pytest.raises(sv.ValidationError, match="reply"):
        sv.reply(db, clock, "tina", ticket.number, text="  ")
    phone_only = desk.log(reseller="Liffey Cloud", contact="Sean", tenant="liffey-1")
    with pytest.raises(sv.ValidationError, match="phone them"):
        sv.reply(db, clock, "tina", phone_only.number, text="hello")
    assert Outbox.select().count() == 0
    with pytest.raises(sv.NotFound):
        sv.reply(db, clock, "tina", "INC-999999", text="hello")


def test_automatic_resolution_is_told_once_however_often_rules_run(desk: Desk, smtp: SmtpServer) -> None:
    db, clock = desk.db, desk.clock
    ticket = desk.log(email="pat@acme.example", phone=None)
    n = ticket.number
    sv.assign(db, clock, "tina", n, engineer="tina")
    sv.request_info(db, clock, "tina", n, note="Which mailbox?")  # Mon 9 March 09:00
    desk.at(local(2026, 3, 12, 9, 30))  # past Thu 09:00: 3 business days, nothing received
    for _ in range(3):
        run_rules(db, clock)
    assert Ticket.get_by_id(ticket.id).status == "resolved"
    notices = [s for s in send(desk, smtp) if "automatically" in s]
    assert notices == [f"[{n}] Your incident has been resolved automatically"]
    body = text(smtp.inbox.messages[-1])
    assert "not resolved" in body and "$closes_at" not in body
    assert "Wed 18 Mar 2026 00:00 GMT" in body, "until when it may be refused, UK time"
    notice = Outbox.get(Outbox.kind == "auto_resolved")
    assert (notice.author, Outbox.get(Outbox.kind == "info_request").author) == ("rules", "tina")


def test_ticket_reply_from_the_shell(
    db_url: str, capsys: pytest.CaptureFixture[str], smtp: SmtpServer
) -> None:
    cli = Cli(db_url, capsys)
    _training_desk(cli)
    cli("--as", "ada", "mail", "settings", "--host", "127.0.0.1", "--port", str(smtp.port),
        "--security", "none", "--sender", "desk@example.co.uk")  # fmt: skip
    number = cli("--as", "tina", "ticket", "log", "--reseller", "Acme", "--contact", "Pat",
                 "--email", "pat@acme.example", "--tenant", "acme-1", "--impact", "some",
                 "--channel", "email", "--summary", "Mail down").strip()  # fmt: skip
    assert "queued" in cli("--as", "tina", "ticket", "reply", number, "--text", "Looking at it now.")
    cli("--as", "tina", "ticket", "reply", "INC-424242", "--text", "x", code=1)
    assert "INC-424242" in cli.err
    assert "sent 1" in cli("mail", "send")
    assert "Looking at it now." in text(smtp.inbox.messages[0])


def test_the_preview_is_what_the_reseller_receives(desk: Desk, smtp: SmtpServer) -> None:
    db, clock = desk.db, desk.clock
    ticket = desk.log(email="pat@acme.example", phone=None)
    outbox.queue_ticket_number(db, clock, "tina", ticket.number)
    send(desk, smtp)
    preview = conversation.preview_reply(db, ticket.number, "Please restart the connector.", "tina",
                                         now=clock.now())  # fmt: skip
    sv.reply(db, clock, "tina", ticket.number, text="Please restart the connector.")
    send(desk, smtp)
    got = smtp.inbox.messages[-1]
    for header in ("Subject", "To", "In-Reply-To", "References", "Date"):
        assert str(got[header]) == str(preview[header]), header
    assert text(got).replace("\r\n", "\n") == preview.get_content()
    desk.at(clock.now() + dt.timedelta(minutes=1))
    sv.note(db, clock, "tina", ticket.number, text="asked them to restart")
    timeline = conversation.conversation(db, ticket.number)
    assert [(e.direction, e.kind) for e in timeline] == [
        ("out", "ticket_number"),
        ("out", "reply"),
        ("note", "note"),
    ]
    assert [e.status for e in timeline] == ["sent", "sent", "note"]
