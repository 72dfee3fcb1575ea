"""Contract step 9: the engineer's updates to the reseller, written in the ticket.

    reply(db, clock, actor, number, *, text, expected_version=None, policy=None) -> Ticket
    conversation(db, number, *, notes=True) -> list[ConversationEntry]   in, out and notes
    preview_reply(db, number, text, actor, *, now) -> EmailMessage       what the reseller gets
    attachment(db, attachment_id) -> AttachedFile                        to open from the ticket

The update goes out by email (the outbox, threaded on the ticket's messages)
and its history event says so; an internal note stays `deskapp.services.note`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, cast

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import Action, Status
from deskapp.domain.policy import Policy, default_policy
from deskapp.mail.sender import compose, load_settings
from deskapp.mail.smtp_transport import SmtpSettings
from deskapp.mail.templates import render
from deskapp.services import outbox
from deskapp.services.errors import NotFound, TransitionNotAllowed, ValidationError
from deskapp.services.operation import load_staff, load_ticket, reload, require_text, ticket_operation
from deskapp.store.connection import use
from deskapp.store.fields import to_utc
from deskapp.store.models import Attachment, History, Message, Outbox, Ticket


def reply(
    db: pw.Database, clock: Clock, actor: str, number: str, *, text: str,
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """Send the reseller an update on the ticket (any status before closure)."""
    with ticket_operation(db, clock, actor, number, Action.NOTE, expected_version, policy) as op:
        words = require_text(text, "the reply")
        if op.ticket.status == Status.CLOSED.value:
            raise TransitionNotAllowed(
                f"{op.ticket.number} is closed: log a follow-up incident to write to the reseller"
            )
        message = outbox.queue(
            op.ticket, "reply", op.now, op.policy, by=op.actor.login, note=words, author=op.actor.name
        )
        if message is None:
            raise ValidationError(
                f"{op.ticket.number} has no email address for the contact or the reseller: "
                "phone them and record it as a note"
            )
        op.write("replied", f"update to the reseller queued to {message.recipient}: {words}")
    return reload(op.ticket)


# --- the conversation, read: every message of a ticket in and out, and its notes ---------


@dataclass(frozen=True)
class ConversationEntry:
    """One item of a ticket's timeline. `direction` is "in" (from the reseller), "out"
    (to the reseller) or "note" (internal, never sent); `status` is the delivery state
    of an outgoing message (pending, sending, sent, failed) or "received"/"note"."""

    direction: str
    kind: str
    at: dt.datetime
    sender: str
    to: str
    subject: str
    text: str
    status: str
    error: str | None = None
    attachments: tuple[tuple[str, int], ...] = ()
    author: str | None = None
    ref: int | None = None  # the outbox id (out) or message id (in)
    attachment_ids: tuple[int, ...] = ()  # for `attachment`, in the order of `attachments`


def conversation(
    db: pw.Database, number: str, *, notes: bool = True, ticket: Ticket | None = None
) -> list[ConversationEntry]:
    """The ticket's messages and (unless `notes=False`) internal notes, oldest first:
    four queries however long the conversation. `ticket`: the row of `number`, already read."""
    use(db)
    ticket = ticket if ticket is not None else load_ticket(number)
    settings = load_settings(db)
    sender = settings.sender if settings is not None else ""
    entries: list[ConversationEntry] = []
    for o in Outbox.select().where(Outbox.ticket == ticket.id):
        entries.append(ConversationEntry(
            "out", str(o.kind), _at(o.sent_at or o.created_at), sender, str(o.recipient),
            str(o.subject), str(o.body), str(o.status), o.last_error, ref=int(o.id),
        ))  # fmt: skip
    rows = list(
        Message.select().where(
            Message.ticket == ticket.id,
            (Message.direction == "in") | Message.outbox.is_null(),  # the outbox has the rest
        )
    )
    files: dict[int, list[tuple[int, str, int]]] = {}
    if rows:
        query = (
            Attachment.select(Attachment.id, Attachment.message, Attachment.name, Attachment.size)
            .where(Attachment.message.in_([m.id for m in rows]))
            .order_by(Attachment.id)
        )
        for ident, message_id, name, size in cast(Iterable[tuple[Any, ...]], query.tuples()):
            files.setdefault(int(message_id), []).append((int(ident), str(name), int(size)))
    for m in rows:
        moment = m.received_at or m.sent_at or m.created_at
        attached = files.get(int(m.id), [])
        entries.append(ConversationEntry(
            str(m.direction), str(m.kind), _at(moment), str(m.from_header or m.from_addr),
            str(m.to_addr), str(m.subject), str(m.text), str(m.status), m.error,
            tuple((name, size) for _, name, size in attached), m.author, int(m.id),
            tuple(ident for ident, _, _ in attached),
        ))  # fmt: skip
    if notes:
        for h in History.select().where(History.ticket == ticket.id, History.kind == "note"):
            entries.append(ConversationEntry(
                "note", "note", _at(h.at), str(h.actor), "", "", str(h.note), "note", author=str(h.actor),
            ))  # fmt: skip
    order = {"in": 0, "note": 1, "out": 2}
    entries.sort(key=lambda e: (e.at, order.get(e.direction, 3), e.ref or 0))
    return entries


@dataclass(frozen=True)
class AttachedFile:
    name: str
    data: bytes | None  # None: not kept (over the policy's limit, or undecodable): `note` says why
    note: str


def attachment(db: pw.Database, attachment_id: int) -> AttachedFile:
    """One stored attachment, to open from the ticket."""
    use(db)
    row = Attachment.get_or_none(Attachment.id == attachment_id)
    if row is None:
        raise NotFound(f"no attachment {attachment_id}")
    data = None if row.data is None else bytes(row.data)
    return AttachedFile(str(row.name) or f"attachment-{attachment_id}", data, str(row.note))


def _at(value: object) -> dt.datetime:
    moment = to_utc(value)
    assert moment is not None
    return moment


def preview_reply(db: pw.Database, number: str, text: str, actor: str, *, now: dt.datetime,
                  policy: Policy | None = None) -> EmailMessage:  # fmt: skip
    """Exactly what the reseller would receive if `text` were sent as a reply now:
    the headers and body the sender will build (ValidationError if it cannot go)."""
    use(db)
    policy = policy or default_policy()
    ticket = load_ticket(number)
    to = outbox.recipient_of(ticket)
    if to is None:
        raise ValidationError(f"{number} has no email address for the contact or the reseller")
    staff = load_staff(actor)
    values = {**outbox.common_values(ticket, now, policy), "note": text.strip(), "author": staff.name}
    rendered = render("reply", values)
    settings = load_settings(db) or SmtpSettings(host="(no mail server set)")
    draft = Outbox(
        ticket=ticket.id, kind="reply", recipient=to, subject=rendered.subject, body=rendered.body,
        message_id=outbox.new_message_id(str(ticket.number), "reply"), created_at=now,
        id=(Outbox.select(pw.fn.MAX(Outbox.id)).scalar() or 0) + 1,
    )  # fmt: skip
    return compose(settings, draft)
