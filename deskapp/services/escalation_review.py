"""A team lead's review of an escalation: acknowledge it, or return it a tier down.

    acknowledge(db, clock, actor, number, *, comment="", expected_version=None, policy=None)
    return_escalation(db, clock, actor, number, *, comment, expected_version=None, policy=None)

Only team leads and administrators review. Acknowledging writes a history
event and changes nothing else; returning needs a comment, moves the ticket
back one tier (never below Tier 1) and keeps its status. Both go through
`ticket_operation`, so roles, optimistic locking and the history event are
handled as for every other step.
"""

from __future__ import annotations

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import Action, PermissionDenied, Role
from deskapp.domain.policy import Policy
from deskapp.services.errors import TransitionNotAllowed
from deskapp.services.operation import Operation, reload, require_text, ticket_operation
from deskapp.store.models import Ticket

REVIEWERS = frozenset({Role.LEAD, Role.ADMIN})


def _check(op: Operation, what: str) -> None:
    if op.role not in REVIEWERS:
        raise PermissionDenied(
            f"a {op.role.label} may not {what} an escalation (team leads and administrators do)"
        )
    if op.ticket.tier < 2:
        raise TransitionNotAllowed(f"{op.ticket.number} is at Tier 1: it has not been escalated")
    if not op.status.open:
        raise TransitionNotAllowed(
            f"{op.ticket.number} is {op.status.label}: only open escalations are reviewed"
        )


def acknowledge(
    db: pw.Database, clock: Clock, actor: str, number: str, *, comment: str = "",
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """The lead has seen the escalation (a history event; nothing else changes)."""
    with ticket_operation(db, clock, actor, number, Action.NOTE, expected_version, policy) as op:
        _check(op, "acknowledge")
        op.write(
            "escalation_acknowledged", comment.strip() or f"Tier {op.ticket.tier} escalation acknowledged"
        )
    return reload(op.ticket)


def return_escalation(
    db: pw.Database, clock: Clock, actor: str, number: str, *, comment: str,
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """Send the ticket back one tier with the lead's reason; the status is kept."""
    with ticket_operation(db, clock, actor, number, Action.NOTE, expected_version, policy) as op:
        why = require_text(comment, "the reason for returning it")
        _check(op, "return")
        tier = op.ticket.tier - 1
        op.write("escalation_returned", f"returned to Tier {tier}: {why}", to_tier=tier)
    return reload(op.ticket)
