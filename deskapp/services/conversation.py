"""Contract step 9: the engineer's updates to the reseller, written in the ticket.

    reply(db, clock, actor, number, *, text, expected_version=None, policy=None) -> Ticket

The update goes out by email (the outbox, threaded on the ticket's messages)
and its history event says so; an internal note stays `deskapp.services.note`.
"""

from __future__ import annotations

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import Action, Status
from deskapp.domain.policy import Policy
from deskapp.services import outbox
from deskapp.services.errors import TransitionNotAllowed, ValidationError
from deskapp.services.operation import reload, require_text, ticket_operation
from deskapp.store.models import Ticket


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
        message = outbox.queue(op.ticket, "reply", op.now, op.policy, note=words, author=op.actor.name)
        if message is None:
            raise ValidationError(
                f"{op.ticket.number} has no email address for the contact or the reseller: "
                "phone them and record it as a note"
            )
        op.write("replied", f"update to the reseller queued to {message.recipient}: {words}")
    return reload(op.ticket)
