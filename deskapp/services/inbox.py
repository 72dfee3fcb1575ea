"""The Inbox: inbound messages on no ticket yet, and what a person does with them.

    inbox_rows(db, *, policy=None) -> list[InboxRow]     waiting, oldest first, with countdowns
    log_from_message(db, clock, actor, message_id, **overrides) -> Ticket
    attach(db, clock, actor, message_id, number) -> Ticket
    discard(db, clock, actor, message_id, *, reason="") -> None   kept, marked discarded

An emailed incident is logged in one step from its parsed fields (flags given
override them), on channel email, with its response clock started when the
message reached the desk's mailbox; it is never a P1 (the contract: P1 is by
phone), and its acknowledgement says so with the number from the policy file.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import peewee as pw

from deskapp.domain import time_rules
from deskapp.domain.clock import Clock
from deskapp.domain.policy import Policy, default_policy
from deskapp.services import outbox
from deskapp.services.errors import NotFound, ValidationError
from deskapp.services.inbound import WAITING, take_reply_step
from deskapp.services.intake import log_ticket
from deskapp.services.operation import engine_for, load_staff, load_ticket
from deskapp.store.connection import use, write_transaction
from deskapp.store.models import Message, Ticket


@dataclass(frozen=True)
class InboxRow:
    id: int
    from_addr: str
    subject: str
    received_at: dt.datetime
    kind: str
    fields: dict[str, str]
    reason: str
    notes: str
    priority: str  # what it would be logged at (never P1)
    response_due: dt.datetime  # counted from its arrival
    text: str = ""  # the message as text (what a person reads before deciding)


def email_priority(policy: Policy, impact: str | None) -> str:
    """The priority an emailed incident is logged at: as its impact suggests, but never
    one the email channel may not raise (a P1 becomes the highest email may)."""
    allowed = [code for code, p in policy.priorities.items() if "email" in p.channels]
    try:
        code = policy.suggested_priority(impact or "")
    except ValueError:
        code = allowed[0]
    return code if code in allowed else allowed[0]


def inbox_rows(db: pw.Database, *, policy: Policy | None = None) -> list[InboxRow]:
    use(db)
    policy = policy or default_policy()
    engine = engine_for(policy)
    rows: list[InboxRow] = []
    query = Message.select().where(Message.inbox_state == WAITING).order_by(Message.received_at, Message.id)
    for m in query:
        fields = json.loads(m.fields) if m.fields else {}
        arrived = m.received_at or m.created_at
        prio = email_priority(policy, fields.get("impact"))
        rows.append(InboxRow(
            m.id, m.from_addr, m.subject, arrived, m.kind, fields, m.inbox_reason or "", m.notes,
            prio, time_rules.response_due(engine, prio, arrived), m.text or "",
        ))  # fmt: skip
    return rows


def _waiting(message_id: int) -> Message:
    m = Message.get_or_none((Message.id == message_id) & (Message.direction == "in"))
    if m is None:
        raise NotFound(f"no inbound message {message_id}")
    if m.inbox_state != WAITING:
        where = f" (on {Ticket.get_by_id(m.ticket_id).number})" if m.ticket_id else ""
        raise ValidationError(
            f"message {message_id} is not waiting in the Inbox: it is {m.inbox_state or 'on a ticket'}{where}"
        )
    return m


def log_from_message(
    db: pw.Database, clock: Clock, actor: str, message_id: int, *, policy: Policy | None = None,
    **overrides: Any,
) -> Ticket:  # fmt: skip
    """Log an Inbox message as a ticket, in one transaction with the message's move."""
    use(db)
    policy = policy or default_policy()
    with write_transaction(db):
        m = _waiting(message_id)
        fields: dict[str, Any] = json.loads(m.fields) if m.fields else {}
        given = {k: v for k, v in overrides.items() if v not in (None, "")}
        values: dict[str, Any] = {
            "reseller": fields.get("reseller"), "contact": fields.get("contact"),
            "tenant": fields.get("tenant"), "impact": fields.get("impact"),
            "summary": fields.get("summary") or m.subject, "phone": fields.get("phone"),
            "email": fields.get("email") or m.from_addr or None,
            "description": fields.get("description") or ("" if m.fields else m.text),
            "end_users": fields.get("end_users", ""), "channel": "email",
        }  # fmt: skip
        values.update(given)
        asked_p1 = values.get("impact") == "all" or str(values.get("priority") or "").upper() == "P1"
        if "priority" not in given or asked_p1:
            values["priority"] = email_priority(policy, values.get("impact"))
        ticket = log_ticket(db, clock, actor, policy=policy, arrived_at=m.received_at, **values)
        now = clock.now()
        Message.update(ticket=ticket.id, inbox_state="logged", inbox_by=actor, inbox_at=now).where(
            Message.id == m.id
        ).execute()
        p1 = (
            f"\n\nA P1 (every end user on a tenant affected) is raised by phone only: "
            f"please ring the desk on {policy.p1_phone}."
        )
        outbox.queue(
            ticket, "ticket_number", now, policy, by=actor, p1_note=p1.strip(),
            must_say=(policy.p1_phone, p1.strip()),
        )  # fmt: skip
    return Ticket.get_by_id(ticket.id)


def attach(db: pw.Database, clock: Clock, actor: str, message_id: int, number: str) -> Ticket:
    """A person says the message belongs to `number`: it joins the ticket and does what a
    reply there does (information received, confirm, refuse, flag)."""
    use(db)
    with write_transaction(db):
        load_staff(actor)
        m = _waiting(message_id)
        ticket = load_ticket(number)
        Message.update(
            ticket=ticket.id, kind="reply" if m.kind == "other" else m.kind, inbox_state="attached",
            inbox_by=actor, inbox_at=clock.now(),
        ).where(Message.id == m.id).execute()  # fmt: skip
        take_reply_step(db, clock, actor, Message.get_by_id(m.id), ticket, default_policy(), system=False)
    return Ticket.get_by_id(ticket.id)


def discard(db: pw.Database, clock: Clock, actor: str, message_id: int, *, reason: str = "") -> None:
    """Take it out of the Inbox; the message is kept, marked discarded, with who and why."""
    use(db)
    with write_transaction(db):
        load_staff(actor)
        m = _waiting(message_id)
        why = (reason or "").strip()
        Message.update(
            inbox_state="discarded", inbox_by=actor, inbox_at=clock.now(),
            inbox_reason=f"{m.inbox_reason or ''}; discarded: {why}" if why else m.inbox_reason,
        ).where(Message.id == m.id).execute()  # fmt: skip
