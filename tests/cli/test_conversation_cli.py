"""`ticket show --json` carries the conversation: `messages`, in and out, with their
delivery state and attachments (exact field names: a public contract)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from deskapp.store.connection import open_database
from deskapp.store.models import Attachment, Message, Ticket
from tests.cli.test_store_cli import Cli, _training_desk
from tests.mail.smtp_server import SmtpServer

FIELDS = {"direction", "kind", "at", "from", "to", "subject", "text", "status", "attachments"}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def test_show_json_lists_the_messages_in_and_out(db_url: str, capsys: pytest.CaptureFixture[str],
                                                 smtp: SmtpServer) -> None:  # fmt: skip
    cli = Cli(db_url, capsys)
    _training_desk(cli)
    cli("--as", "ada", "mail", "settings", "--host", "127.0.0.1", "--port", str(smtp.port),
        "--security", "none", "--sender", "desk@example.co.uk")  # fmt: skip
    at = ("--clock", "2026-03-09T09:00:00Z")
    number = cli(*at, "--as", "tina", "ticket", "log", "--reseller", "Acme", "--contact", "Pat",
                 "--email", "pat@acme.example", "--tenant", "acme-1", "--impact", "some",
                 "--channel", "email", "--summary", "Mail down").strip()  # fmt: skip
    cli(*at, "--as", "tina", "mail", "ticket-number", number)
    cli("--clock", "2026-03-09T09:01:00Z", "mail", "send")
    cli(
        "--clock", "2026-03-09T09:05:00Z", "--as", "tina", "ticket", "note", number, "--note", "internal only"
    )
    cli("--clock", "2026-03-09T09:10:00Z", "--as", "tina", "ticket", "reply", number, "--text", "On it.")

    db = open_database(db_url)
    ticket = Ticket.get(Ticket.number == number)
    inbound = Message.create(
        direction="in", kind="reply", ticket=ticket.id, message_id="<r1@acme.example>",
        from_addr="pat@acme.example", from_header="Pat <pat@acme.example>", to_addr="desk@example.co.uk",
        subject=f"Re: [{number}] We have logged your incident", text="Screenshot attached.",
        status="received", created_at=dt.datetime(2026, 3, 9, 9, 20, tzinfo=dt.UTC),
        received_at=dt.datetime(2026, 3, 9, 9, 7, tzinfo=dt.UTC),
    )  # fmt: skip
    Attachment.create(message=inbound.id, name="error.png", content_type="image/png", size=2048, data=b"x")
    db.close()

    messages = cli.json("ticket", "show", number, "--json")["messages"]
    assert all(set(m) == FIELDS for m in messages)
    assert [(m["direction"], m["kind"], m["status"]) for m in messages] == [
        ("out", "ticket_number", "sent"), ("in", "reply", "received"), ("out", "reply", "pending"),
    ]  # fmt: skip
    first, reply_in, update = messages
    assert (first["at"], first["from"], first["to"]) == ("2026-03-09T09:01:00Z", "desk@example.co.uk",
                                                        "pat@acme.example")  # fmt: skip
    assert first["subject"] == f"[{number}] We have logged your incident" and first["attachments"] == []
    assert reply_in["at"] == "2026-03-09T09:07:00Z", "an inbound message is placed by its arrival"
    assert reply_in["from"] == "Pat <pat@acme.example>" and reply_in["text"] == "Screenshot attached."
    assert reply_in["attachments"] == [{"name": "error.png", "size": 2048}]
    assert "On it." in update["text"]
    assert not any("internal only" in m["text"] for m in messages), "notes are not messages"
    assert "-> pending  reply" in cli("ticket", "show", number)
