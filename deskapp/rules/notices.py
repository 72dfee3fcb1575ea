"""Messages a rule pass queues itself, set-based, in the pass's transaction: the
automatic-resolution notice (step 10) and the daily chaser (steps 4-5).

    queue_notices(db, kind, ticket_ids, now, policy) -> set[int]   ids of tickets that got one

One SELECT and one executemany, however many tickets; a ticket with no email
address for its contact or reseller gets none (the caller flags it for a person).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

import peewee as pw

from deskapp.domain.lifecycle import RULES_ACTOR
from deskapp.domain.policy import Policy
from deskapp.mail.templates import render
from deskapp.rules.survey_step import _insert
from deskapp.services.operation import local_text
from deskapp.services.outbox import common_values, new_message_id
from deskapp.store.fields import to_utc
from deskapp.store.models import Contact, Outbox, Reseller, Ticket

COLUMNS = (
    "ticket_id", "kind", "recipient", "subject", "body", "message_id", "created_at", "status",
    "attempts", "next_attempt_at", "author",
)  # fmt: skip


def queue_notices(
    db: pw.Database, kind: str, ticket_ids: list[int], now: dt.datetime, policy: Policy
) -> set[int]:
    if not ticket_ids:
        return set()
    query = (
        Ticket.select(
            Ticket.id, Ticket.number, Ticket.summary, Ticket.priority, Ticket.contact_email,
            Ticket.response_due, Ticket.closes_at, Ticket.auto_resolve_at, Contact.name,
            Contact.email, Reseller.email,
        )
        .join(Contact, on=(Ticket.contact == Contact.id))
        .switch(Ticket)
        .join(Reseller, on=(Ticket.reseller == Reseller.id))
        .where(Ticket.id.in_(ticket_ids))
    )  # fmt: skip
    common = common_values(None, now, policy)
    at = Outbox.created_at.db_value(now)
    rows, queued = [], set()
    for row in cast(Iterable[tuple[Any, ...]], query.tuples()):
        ident, number, summary, priority, ticket_email, due, closes, limit, contact, contact_email, rs = row
        to = ticket_email or contact_email or rs
        if not to:
            continue
        message = render(kind, {
            **common, "number": number, "contact": contact, "summary": summary, "priority": priority,
            "priority_name": policy.priority(str(priority)).name,
            "due": local_text(to_utc(due), policy), "closes_at": local_text(to_utc(closes), policy),
            "auto_resolve_at": local_text(to_utc(limit), policy),
        })  # fmt: skip
        rows.append((
            ident, kind, to, message.subject, message.body, new_message_id(str(number), kind), at,
            "pending", 0, at, RULES_ACTOR,
        ))  # fmt: skip
        queued.add(int(ident))
    _insert(db, Outbox._meta.table_name, COLUMNS, rows)
    return queued
