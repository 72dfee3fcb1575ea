"""Messages to resellers: queued in the same transaction as the step that says them.

    queue(ticket, kind, now, policy, by=, **values) -> Outbox | None   inside a step's transaction
    queue_ticket_number(db, clock, actor, number, ...) -> Ticket   email the number (the response)
    outbox_rows(db, *, status=None, limit=500) -> list[OutboxRow]  for the outbox view and CLI
    retry(db, clock, actor, message_id) -> None                    a failed message back in the queue

Sending (claiming, SMTP, retries) is `deskapp.mail.sender`; this module only
writes and reads rows. A ticket whose contact, and whose reseller, has no
email address gets no message; the step's history says so instead.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import Action
from deskapp.domain.policy import Policy, default_policy
from deskapp.mail.sender import load_settings
from deskapp.mail.smtp_transport import sender_domain
from deskapp.mail.templates import render
from deskapp.services.errors import NotFound, ValidationError
from deskapp.services.operation import engine_for, load_staff, local_text, reload, ticket_operation
from deskapp.store.connection import use, write_transaction
from deskapp.store.fields import to_utc
from deskapp.store.models import Meta, Outbox, Ticket

DESK_NAME_KEY = "desk_name"
DEFAULT_DESK_NAME = "Cloud Services"


def recipient_of(ticket: Ticket) -> str | None:
    """Where a ticket's messages go: the contact's address on the ticket, the
    contact's own, else the reseller's (the reseller is the single point of contact)."""
    if ticket.contact_email:
        return str(ticket.contact_email)
    contact = ticket.contact
    if contact.email:
        return str(contact.email)
    reseller = ticket.reseller
    return str(reseller.email) if reseller.email else None


def desk_name() -> str:
    row = Meta.get_or_none(Meta.key == DESK_NAME_KEY)
    return str(row.value) if row else DEFAULT_DESK_NAME


def new_message_id(number: str, kind: str) -> str:
    """A Message-ID in the desk's sender domain, unique, kept across retries."""
    domain = sender_domain(load_settings(Meta._meta.database))
    return f"<{number}.{kind}.{uuid.uuid4().hex[:12]}@{domain}>"


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def desk_hours(policy: Policy) -> str:
    """The desk's hours as a reseller reads them: "08:00-18:00 Monday to Friday, ..."."""
    days = sorted(policy.business_weekdays)
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        named = f"{WEEKDAY_NAMES[days[0]]} to {WEEKDAY_NAMES[days[-1]]}"
    else:
        named = ", ".join(WEEKDAY_NAMES[d] for d in days)
    return f"{policy.open_time:%H:%M}-{policy.close_time:%H:%M} {named}, except UK and Irish public holidays"


def common_values(
    ticket: Ticket | None, now: dt.datetime | None = None, policy: Policy | None = None
) -> dict[str, object]:
    """What every template may say: the desk, its hours, and (out of hours) when it opens."""
    policy = policy or default_policy()
    values: dict[str, object] = {
        "desk": desk_name(), "desk_hours": desk_hours(policy),
        "awaiting_limit": policy.awaiting_info_limit_days, "out_of_hours": "",
    }  # fmt: skip
    if ticket is not None:
        contact = ticket.contact
        values |= {
            "number": ticket.number, "contact": contact.name, "summary": ticket.summary,
            "priority": ticket.priority, "priority_name": policy.priority(str(ticket.priority)).name,
            "due": local_text(to_utc(ticket.response_due), policy),
        }  # fmt: skip
    if now is not None:
        calendar = engine_for(policy).calendar
        if not calendar.is_business_time(now):
            values["out_of_hours"] = (
                f"\nOur desk is closed now (our hours are {desk_hours(policy)}, UK time). "
                f"We will pick this up when we open, {local_text(calendar.next_opening(now), policy)}.\n"
            )
    return values


def queue(
    ticket: Ticket, kind: str, now: dt.datetime, policy: Policy, *, by: str,
    must_say: tuple[str, str] | None = None, **values: Any,
) -> Outbox | None:  # fmt: skip
    """Write one message for `ticket` to the outbox (call inside the step's transaction).
    `by`: its author (the acting staff login, or one of the desk's own actors).
    `must_say` (words, paragraph): the paragraph is added to the end of the body when
    the template left the words out (a template an administrator edited). What is
    queued is final: PostgreSQL refuses any later change but the delivery's (v12)."""
    to = recipient_of(ticket)
    if to is None:
        return None
    message = render(kind, {**common_values(ticket, now, policy), **values})
    body = message.body
    if must_say is not None and must_say[0] not in body:
        body = body.rstrip() + "\n\n" + must_say[1] + "\n"
    return Outbox.create(
        ticket=ticket.id, kind=kind, recipient=to, subject=message.subject, body=body,
        message_id=new_message_id(str(ticket.number), kind), author=by,
        created_at=now, status="pending", attempts=0, next_attempt_at=now,
    )  # fmt: skip


def queued_note(message: Outbox | None, what: str) -> str:
    if message is None:
        return f"no email address for the contact or the reseller: {what} by phone"
    return f"{what} queued to {message.recipient}"


def queue_ticket_number(
    db: pw.Database, clock: Clock, actor: str, number: str, *,
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """Email the ticket number: the response is recorded when the message is sent."""
    with ticket_operation(db, clock, actor, number, Action.NOTIFY, expected_version, policy) as op:
        message = queue(op.ticket, "ticket_number", op.now, op.policy, by=op.actor.login)
        if message is None:
            raise ValidationError(
                f"{number} has no email address for the contact or the reseller: "
                "tell them the number by phone and record it"
            )
        op.write("ticket_number_queued", queued_note(message, "the ticket number"))
    return reload(op.ticket)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    number: str | None
    kind: str
    recipient: str
    subject: str
    status: str
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str | None


def outbox_rows(db: pw.Database, *, status: str | None = None, limit: int = 500) -> list[OutboxRow]:
    """The newest messages first (one query), optionally of one status."""
    use(db)
    query = (
        Outbox.select(
            Outbox.id, Ticket.number, Outbox.kind, Outbox.recipient, Outbox.subject,
            Outbox.status, Outbox.attempts, Outbox.created_at, Outbox.next_attempt_at,
            Outbox.sent_at, Outbox.last_error,
        )
        .join(Ticket, pw.JOIN.LEFT_OUTER)
        .order_by(Outbox.id.desc())
        .limit(limit)
    )  # fmt: skip
    if status:
        query = query.where(Outbox.status == status)
    rows: list[OutboxRow] = []
    for values in cast(Iterable[tuple[Any, ...]], query.tuples()):
        ident, number, kind, to, subject, state, attempts, created, next_at, sent, error = values
        rows.append(OutboxRow(
            ident, number, kind, to, subject, state, attempts, _utc(created), _utc(next_at),
            to_utc(sent), error,
        ))  # fmt: skip
    return rows


def _utc(value: object) -> dt.datetime:
    moment = to_utc(value)
    assert moment is not None
    return moment


def retry(db: pw.Database, clock: Clock, actor: str, message_id: int) -> None:
    """Put a failed message back in the queue, to go at the next send."""
    use(db)
    now = clock.now()
    with write_transaction(db):
        load_staff(actor)
        changed = (
            Outbox.update(status="pending", next_attempt_at=now, last_error=None, attempts=0)
            .where(Outbox.id == message_id, Outbox.status == "failed")
            .execute()
        )
        if changed != 1:
            if Outbox.get_or_none(Outbox.id == message_id) is None:
                raise NotFound(f"no message {message_id} in the outbox")
            raise ValidationError(f"message {message_id} has not failed: nothing to retry")


STUCK_AFTER = dt.timedelta(minutes=15)


def mail_warning(db: pw.Database, now: dt.datetime, *, policy: Policy | None = None) -> str | None:
    """What a workstation's status bar warns of (None: all is well): no mail server set,
    failed messages, or messages overdue by more than STUCK_AFTER (nobody is sending, or
    the server keeps refusing). Two small indexed queries."""
    use(db)
    if load_settings(db) is None:
        return "No mail server is set: messages to resellers wait in the outbox (Outbox > Mail server…)"
    late = now - STUCK_AFTER
    counts = dict(
        cast(
            Iterable[tuple[str, int]],
            Outbox.select(Outbox.status, pw.fn.COUNT(Outbox.id))
            .where(
                (Outbox.status == "failed")
                | ((Outbox.status == "pending") & (Outbox.next_attempt_at < late))
                | ((Outbox.status == "sending") & (Outbox.claimed_until < late))
            )
            .group_by(Outbox.status)
            .tuples(),
        )
    )
    failed, stuck = counts.get("failed", 0), counts.get("pending", 0) + counts.get("sending", 0)
    if not failed and not stuck:
        return None
    parts = []
    if failed:
        parts.append(f"{failed} message{'s' if failed != 1 else ''} to resellers failed")
    if stuck:
        minutes = int(STUCK_AFTER.total_seconds() // 60)
        parts.append(f"{stuck} overdue by more than {minutes} minutes (is anything sending?)")
    return f"Outbox stuck: {'; '.join(parts)}; see the Outbox"
