"""Contract step 13, set-based: every ticket a rule pass closed gets a survey invitation
(with its unique reference) and the survey message in the outbox, in the pass's
closing transaction. One SELECT and two executemany calls, however many closed."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from typing import Any, cast

import peewee as pw

from deskapp.domain.lifecycle import RULES_ACTOR
from deskapp.domain.policy import Policy
from deskapp.mail.templates import render
from deskapp.services.outbox import desk_name, new_message_id
from deskapp.store.models import Contact, Outbox, Reseller, SurveyInvitation, Ticket


def survey_ref(ticket_id: int) -> str:
    """Unique by the ticket's id; the random tail keeps it from being guessed."""
    return f"SV-{ticket_id:06d}-{secrets.token_hex(2).upper()}"


def invite_closed(db: pw.Database, ticket_ids: list[int], now: dt.datetime, policy: Policy) -> int:
    """Invitations and survey messages for `ticket_ids`; returns how many messages were queued."""
    if not ticket_ids:
        return 0
    query = (
        Ticket.select(
            Ticket.id, Ticket.number, Ticket.summary, Ticket.priority, Ticket.contact_email,
            Contact.name, Contact.email, Reseller.email,
        )
        .join(Contact, on=(Ticket.contact == Contact.id))
        .switch(Ticket)
        .join(Reseller, on=(Ticket.reseller == Reseller.id))
        .where(Ticket.id.in_(ticket_ids))
    )  # fmt: skip
    at_invite = SurveyInvitation.created_at.db_value(now)
    at_outbox = Outbox.created_at.db_value(now)
    desk = desk_name()
    invitations, messages = [], []
    for row in cast(Iterable[tuple[Any, ...]], query.tuples()):
        ticket_id, number, summary, priority, ticket_email, contact, contact_email, reseller_email = row
        ref = survey_ref(int(ticket_id))
        invitations.append((ticket_id, ref, at_invite))
        to = ticket_email or contact_email or reseller_email
        if not to:
            continue  # the history of the closure says the survey is to send; staff phone instead
        msg = render("survey", {
            "number": number, "contact": contact, "summary": summary, "priority": priority,
            "priority_name": policy.priority(str(priority)).name, "desk": desk, "survey_ref": ref,
        })  # fmt: skip
        messages.append((
            ticket_id, "survey", to, msg.subject, msg.body,
            new_message_id(str(number), "survey"), at_outbox, "pending", 0, at_outbox, RULES_ACTOR,
        ))  # fmt: skip
    _insert(db, SurveyInvitation._meta.table_name, ("ticket_id", "ref", "created_at"), invitations)
    _insert(
        db, Outbox._meta.table_name,
        ("ticket_id", "kind", "recipient", "subject", "body", "message_id", "created_at", "status",
         "attempts", "next_attempt_at", "author"),
        messages,
    )  # fmt: skip
    return len(messages)


def _insert(db: pw.Database, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([db.param] * len(columns))})"
    logging.getLogger("peewee").debug((sql, f"[{len(rows)} parameter rows]"))
    db.cursor().executemany(sql, rows)  # type: ignore[no-untyped-call]
