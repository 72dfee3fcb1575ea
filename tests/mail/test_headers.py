"""What a reseller's mail client sees: the ticket number in every subject, one thread
(In-Reply-To/References), a Date, a Message-ID in the desk's domain that a retry keeps;
and the SMTP password on a machine with no keyring."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import keyring
import pytest
from keyring.backends import fail

from deskapp import services as sv
from deskapp.mail.sender import drain, save_settings
from deskapp.mail.smtp_transport import SendError, SmtpSettings, password_from_keyring
from deskapp.services import outbox
from deskapp.store.models import Message, Outbox
from tests.cli.test_store_cli import Cli, _training_desk
from tests.desk_setup import Desk
from tests.london import local
from tests.mail.smtp_server import SmtpServer, free_port


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """A machine with no OS keyring (a server, a container), whatever this one has."""
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.set_keyring(before)


def settings_for(port: int, sender: str = "desk@support.example.co.uk") -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security="none", sender=sender, timeout=3)


def test_messages_thread_carry_the_number_a_date_and_our_domain(desk: Desk, smtp: SmtpServer) -> None:
    db, clock = desk.db, desk.clock
    save_settings(db, settings_for(smtp.port))
    ticket = desk.log(email="pat@acme.example", phone=None)
    n = ticket.number
    outbox.queue_ticket_number(db, clock, "tina", n)
    sv.assign(db, clock, "tina", n, engineer="tina")
    sv.request_info(db, clock, "tina", n, note="Which mailbox?")
    desk.at(local(2026, 3, 9, 9, 30))
    drain(db, clock, settings_for(smtp.port), None)
    first, second = smtp.inbox.messages
    for got in (first, second):
        assert f"[{n}]" in str(got["Subject"])
        assert str(got["Message-ID"]).endswith("@support.example.co.uk>")
        assert got["Auto-Submitted"] == "auto-generated"
    assert first["In-Reply-To"] is None and first["References"] is None, "the first starts the thread"
    assert second["In-Reply-To"] == first["Message-ID"]
    assert str(second["References"]).split() == [str(first["Message-ID"])]
    assert parsedate_to_datetime(str(first["Date"])) == Outbox.get(Outbox.kind == "ticket_number").created_at


def test_a_retry_is_the_same_message_in_the_sender_domain(desk: Desk) -> None:
    """Queued before any mail server was set, the message takes the sender's domain at its
    first attempt, and keeps that Message-ID through a failure and the retry that delivers."""
    db, clock = desk.db, desk.clock
    ticket = desk.log(email="pat@acme.example", phone=None)
    outbox.queue_ticket_number(db, clock, "tina", ticket.number)
    assert str(Outbox.get().message_id).endswith("@deskapp.invalid>")
    port = free_port()
    assert drain(db, clock, settings_for(port), None).retrying, "nobody listens yet"
    after_first = str(Outbox.get().message_id)
    assert after_first.startswith(f"<{ticket.number}.") and after_first.endswith("@support.example.co.uk>")
    server = SmtpServer(port=port).start()
    try:
        desk.at(Outbox.get().next_attempt_at)
        assert len(drain(db, clock, settings_for(port, "other@elsewhere.example"), None).sent) == 1
        (got,) = server.inbox.messages
        assert got["Message-ID"] == after_first, "a retry never changes the Message-ID"
    finally:
        server.stop()


def test_the_password_comes_from_the_environment_on_a_headless_machine(
    monkeypatch: pytest.MonkeyPatch, no_keyring: None
) -> None:
    settings = SmtpSettings(host="smtp.example", login="desk")
    monkeypatch.delenv("DESKAPP_SMTP_PASSWORD", raising=False)
    with pytest.raises(SendError, match="DESKAPP_SMTP_PASSWORD"):
        password_from_keyring(settings)
    monkeypatch.setenv("DESKAPP_SMTP_PASSWORD", "s3cret")
    assert password_from_keyring(settings) == "s3cret"
    assert password_from_keyring(SmtpSettings(host="smtp.example")) is None, "no login, no password"


def test_mail_send_with_no_keyring_says_what_to_set(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, no_keyring: None
) -> None:
    monkeypatch.delenv("DESKAPP_SMTP_PASSWORD", raising=False)
    server = SmtpServer(login=("desk", "s3cret")).start()
    try:
        cli = Cli(db_url, capsys)
        _training_desk(cli)
        cli("--as", "ada", "mail", "settings", "--host", "127.0.0.1", "--port", str(server.port),
            "--security", "none", "--login", "desk", "--sender", "desk@example.co.uk")  # fmt: skip
        number = cli("--as", "tina", "ticket", "log", "--reseller", "Acme", "--contact", "Pat",
                     "--email", "pat@acme.example", "--tenant", "acme-1", "--impact", "some",
                     "--channel", "email", "--summary", "Mail down").strip()  # fmt: skip
        cli("--as", "tina", "mail", "ticket-number", number)
        cli("mail", "send", code=1)
        assert "no OS keyring" in cli.err and "DESKAPP_SMTP_PASSWORD" in cli.err
        monkeypatch.setenv("DESKAPP_SMTP_PASSWORD", "s3cret")
        assert "sent 1" in cli("mail", "send")
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()


def test_an_answer_threads_under_the_resellers_own_mail(desk: Desk, smtp: SmtpServer) -> None:
    db, clock = desk.db, desk.clock
    ticket = desk.log(email="pat@acme.example", phone=None)
    outbox.queue_ticket_number(db, clock, "tina", ticket.number)
    drain(db, clock, settings_for(smtp.port), None)
    desk.at(local(2026, 3, 9, 9, 30))
    for ident, kind in (("<pat-1@acme.example>", "reply"), ("<ooo@acme.example>", "auto_reply")):
        Message.create(
            direction="in", kind=kind, ticket=ticket.id, message_id=ident, from_addr="pat@acme.example",
            subject=f"Re: [{ticket.number}]", text="more", status="received", created_at=clock.now(),
            received_at=clock.now(),
        )  # fmt: skip
    desk.at(local(2026, 3, 9, 9, 40))
    sv.reply(db, clock, "tina", ticket.number, text="Thanks, looking now.")
    drain(db, clock, settings_for(smtp.port), None)
    first, answer = smtp.inbox.messages
    assert answer["In-Reply-To"] == "<pat-1@acme.example>", "under the reseller's mail, not an auto-reply"
    assert str(answer["References"]).split() == [str(first["Message-ID"]), "<pat-1@acme.example>"]
