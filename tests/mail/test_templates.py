"""Templates and canned replies live in the database: one wording for the whole desk,
edited by an administrator, the shipped text until then."""

from __future__ import annotations

import pytest

from deskapp import services as sv
from deskapp.mail import templates
from deskapp.mail.templates import CannedReply
from deskapp.services import outbox
from deskapp.services import templates as texts
from deskapp.store.models import Outbox
from tests.desk_setup import Desk
from tests.london import local


def test_an_administrator_edits_a_template_for_every_workstation(desk: Desk) -> None:
    db, clock = desk.db, desk.clock
    rows = {row.kind: row for row in texts.template_rows(db)}
    assert set(rows) == set(templates.KINDS) and not any(r.edited for r in rows.values())
    assert rows["ticket_number"].text == templates.shipped_text("ticket_number")
    with pytest.raises(sv.PermissionDenied, match="administrator"):
        texts.set_template(db, "tina", "ticket_number", "Subject: [$number] hi\n\nHi.\n")
    with pytest.raises(sv.ValidationError, match="Subject"):
        texts.set_template(db, "ada", "ticket_number", "no subject line")
    with pytest.raises(sv.ValidationError, match=r"\$number"):
        texts.set_template(db, "ada", "ticket_number", "Subject: hello\n\nHi.\n")
    with pytest.raises(sv.ValidationError, match="no message template called 'nope'"):
        texts.set_template(db, "ada", "nope", "Subject: [$number]\n\nHi.\n")
    texts.set_template(db, "ada", "ticket_number", "Subject: Ticket [$number]\n\nHi $contact.\n")
    assert {r.kind for r in texts.template_rows(db) if r.edited} == {"ticket_number"}

    ticket = desk.log(email="pat@acme.example", phone=None)
    outbox.queue_ticket_number(db, clock, "tina", ticket.number)
    sent = Outbox.get()
    assert (sent.subject, sent.body) == (f"Ticket [{ticket.number}]", f"Hi {ticket.contact.name}.\n")
    texts.reset_template(db, "ada", "ticket_number")
    assert texts.template_rows(db)[0].text == templates.shipped_text("ticket_number")


def test_shipped_texts_say_hours_out_of_hours_the_due_time_and_what_happens_next(desk: Desk) -> None:
    db, clock = desk.db, desk.clock
    desk.at(local(2026, 3, 13, 19, 30))  # Friday evening: the desk is closed
    ticket = desk.log(email="pat@acme.example", phone=None)
    outbox.queue_ticket_number(db, clock, "tina", ticket.number)
    body = str(Outbox.get().body)
    assert "Our desk is closed now" in body
    assert "08:00-18:00 Monday to Friday, except UK and Irish public holidays" in body
    assert "Mon 16 Mar 2026 08:00 GMT" in body, "when it opens, in UK local time"
    assert "What happens next" in body and "$" not in body
    assert "\n\n\n" not in body

    desk.at(local(2026, 3, 16, 9))  # Monday, open: no closed-desk line
    sv.assign(db, clock, "tina", ticket.number, engineer="tina")
    sv.request_info(db, clock, "tina", ticket.number, note="Which mailbox?")
    request = Outbox.get(Outbox.kind == "info_request")
    assert "closed now" not in request.body
    assert "Fri 20 Mar 2026 09:00 GMT" in request.body, "3 business days on (17 March is a holiday)"


def test_canned_replies_are_shared_and_edited_by_an_administrator(desk: Desk) -> None:
    db = desk.db
    shipped = texts.canned_replies(db)
    assert shipped and all(r.title and r.text for r in shipped)
    with pytest.raises(sv.PermissionDenied):
        texts.set_canned_replies(db, "tina", [])
    with pytest.raises(sv.ValidationError, match="same title"):
        texts.set_canned_replies(db, "ada", [CannedReply("A", "x"), CannedReply("A", "y")])
    texts.set_canned_replies(db, "ada", [CannedReply("Looking", "We are on it.")])
    assert texts.canned_replies(db) == [CannedReply("Looking", "We are on it.")]


def test_preview_fills_a_template_with_sample_values(desk: Desk) -> None:
    got = texts.preview(desk.db, "escalation", templates.shipped_text("escalation"))
    assert got.subject.startswith("[WC-000123]") and "$" not in got.body
    with pytest.raises(sv.ValidationError):
        texts.preview(desk.db, "escalation", "nothing")
