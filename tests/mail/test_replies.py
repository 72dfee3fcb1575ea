"""Replies drive the process: information received, confirm and refuse by reply, a
reply to a resolved ticket flagged; a spoofed ticket number waits in the Inbox;
automatic replies and bounces change no ticket's state. All read from Dovecot."""

from __future__ import annotations

from deskapp import services as sv
from deskapp.mail.fetch import fetch_once
from deskapp.store.models import History, Message, Outbox, Ticket
from tests.desk_setup import Desk
from tests.mail.dovecot import Mailbox
from tests.mail.letters import DESK, letter, settings_for


def fetch(desk: Desk, mailbox: Mailbox, *raw: bytes) -> list[int]:
    mailbox.deliver(*raw)
    report = fetch_once(desk.db, desk.clock, settings_for(mailbox), mailbox.password, worker="ws1")
    return report.imported


def awaiting(desk: Desk) -> Ticket:
    t = desk.log(email="pat@acme.example", phone=None)
    sv.assign(desk.db, desk.clock, "tina", t.number, engineer="tina")
    return sv.request_info(desk.db, desk.clock, "tina", t.number, note="which mailbox?")


def resolved(desk: Desk) -> Ticket:
    t = desk.log(email="pat@acme.example", phone=None)
    sv.assign(desk.db, desk.clock, "tina", t.number, engineer="tina")
    return sv.resolve(desk.db, desk.clock, "tina", t.number, reason="restarted the service")


def last_history(t: Ticket) -> History:
    return History.select().where(History.ticket == t.id).order_by(History.id.desc()).get()


def test_a_reply_on_an_awaiting_ticket_records_information_received(desk: Desk, mailbox: Mailbox) -> None:
    t = awaiting(desk)
    assert t.auto_resolve_at is not None
    (row,) = fetch(desk, mailbox, letter(f"Re: [{t.number}] We need more information", "It is sales@"))
    after = Ticket.get_by_id(t.id)
    assert after.status == "in_progress"
    assert after.auto_resolve_at is None and after.next_chaser_due is None, "the clocks stop"
    event = last_history(after)
    assert (event.kind, event.actor) == ("info_received", "mail")
    assert f"message {row}" in event.note, "the message is the evidence"
    message = Message.get_by_id(row)
    assert (message.ticket_id, message.kind, message.inbox_state) == (t.id, "reply", None)


def test_a_reply_threads_by_in_reply_to_without_a_number(desk: Desk, mailbox: Mailbox) -> None:
    t = awaiting(desk)
    request = Outbox.get(Outbox.ticket == t.id, Outbox.kind == "info_request")
    fetch(desk, mailbox, letter("Re: your question", "sales@", in_reply_to=request.message_id))
    assert Ticket.get_by_id(t.id).status == "in_progress"


def test_a_spoofed_ticket_number_from_another_reseller_lands_in_the_inbox(
    desk: Desk, mailbox: Mailbox
) -> None:
    sv.add_reseller(desk.db, desk.clock, "ada", "Other Ltd", country="GB", email="help@other.example")
    t = awaiting(desk)
    (row,) = fetch(desk, mailbox, letter(f"Re: [{t.number}] done", "close it", sender="eve@other.example"))
    after = Ticket.get_by_id(t.id)
    assert (after.status, after.version) == ("awaiting_info", t.version), "the ticket is untouched"
    message = Message.get_by_id(row)
    assert message.ticket_id is None and message.inbox_state == "waiting"
    reason = str(message.inbox_reason)
    assert t.number in reason and "Acme Networks" in reason
    # A lookalike on a free mail service is not the reseller either.
    fetch(desk, mailbox, letter(f"Re: [{t.number}]", "x", sender="acme.example@gmail.com"))
    assert Ticket.get_by_id(t.id).status == "awaiting_info"


def test_a_colleague_at_the_resellers_domain_is_the_reseller(desk: Desk, mailbox: Mailbox) -> None:
    t = awaiting(desk)
    fetch(desk, mailbox, letter(f"Re: [{t.number}]", "here you are", sender="Sam <Sam@ACME.example>"))
    assert Ticket.get_by_id(t.id).status == "in_progress"


def test_confirm_and_refuse_by_reply(desk: Desk, mailbox: Mailbox) -> None:
    yes, no = resolved(desk), resolved(desk)
    fetch(
        desk, mailbox,
        letter(f"Re: [{yes.number}] resolved", "Confirmed, thanks!\n\n> If the issue is not resolved"),
        letter(f"Re: [{no.number}] resolved", "NOT RESOLVED - still bouncing\n> Confirmed"),
    )  # fmt: skip
    assert last_history(Ticket.get_by_id(yes.id)).kind == "confirmed"
    refused = Ticket.get_by_id(no.id)
    assert (refused.status, refused.tier) == ("in_progress", 2), "a refusal escalates"
    assert last_history(refused).kind == "rejected"


def test_another_reply_to_a_resolved_ticket_flags_it_for_its_engineer(desk: Desk, mailbox: Mailbox) -> None:
    t = resolved(desk)
    fetch(desk, mailbox, letter(f"Re: [{t.number}] resolved", "What caused it?"))
    after = Ticket.get_by_id(t.id)
    assert after.status == "resolved" and after.tier == 1
    assert after.engineer_flagged_at == desk.clock.now()
    assert last_history(after).kind == "reply_flagged"


def test_auto_replies_change_no_state(desk: Desk, mailbox: Mailbox) -> None:
    t = awaiting(desk)
    rows = fetch(
        desk, mailbox,
        letter(f"Out of office: [{t.number}]", "away", Auto_Submitted="auto-replied"),
        letter(f"Re: [{t.number}]", "list copy", Precedence="bulk"),
        letter(f"Automatic reply: [{t.number}]", "away", Precedence="auto_reply"),
    )  # fmt: skip
    assert len(rows) == 3
    after = Ticket.get_by_id(t.id)
    assert (after.status, after.version) == ("awaiting_info", t.version)
    assert {m.kind for m in Message.select()} == {"auto_reply"}
    assert all(m.ticket_id == t.id for m in Message.select()), "kept on the ticket's conversation"


def bounce_of(message_id: str, reason: str) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes one."""
    return f"""\
From: MAILER-DAEMON@mx.acme.example (Mail Delivery System)
To: {DESK}
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.acme.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

This is the mail system. Your message could not be delivered.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.example

Final-Recipient: rfc822; pat@acme.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; {reason}

--B1
Content-Type: message/rfc822

From: {DESK}
To: pat@acme.example
Subject: [INC-000001] We need more information
Message-ID: {message_id}

...

--B1--
""".replace("\n", "\r\n").encode()


def test_a_bounce_marks_the_outgoing_message_failed_and_changes_no_state(
    desk: Desk, mailbox: Mailbox
) -> None:
    t = awaiting(desk)
    request = Outbox.get(Outbox.ticket == t.id, Outbox.kind == "info_request")
    (row,) = fetch(desk, mailbox, bounce_of(request.message_id, "550 5.1.1 <pat@acme.example>: user unknown"))
    failed = Outbox.get_by_id(request.id)
    assert failed.status == "failed"
    error = str(failed.last_error)
    assert "user unknown" in error and "pat@acme.example" in error
    after = Ticket.get_by_id(t.id)
    assert (after.status, after.version) == ("awaiting_info", t.version)
    assert Message.get_by_id(row).kind == "bounce"
