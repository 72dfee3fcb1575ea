"""A team lead's review of an escalation: acknowledge it, or return it a tier down.

    escalations(db) -> list[EscalationRow]          the read side, two queries
    acknowledge(db, clock, actor, number, *, comment="", expected_version=None, policy=None)
    return_escalation(db, clock, actor, number, *, comment, expected_version=None, policy=None)

Only team leads and administrators review. Acknowledging writes a history
event and changes nothing else; returning needs a comment, moves the ticket
back one tier (never below Tier 1) and keeps its status. Both go through
`ticket_operation`, so roles, optimistic locking and the history event are
handled as for every other step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import Action, PermissionDenied, Role
from deskapp.domain.policy import Policy
from deskapp.services.errors import TransitionNotAllowed
from deskapp.services.operation import Operation, reload, require_text, ticket_operation
from deskapp.store.connection import use
from deskapp.store.fields import to_utc
from deskapp.store.models import History, Reseller, Ticket

REVIEWERS = frozenset({Role.LEAD, Role.ADMIN})


@dataclass(frozen=True)
class EscalationRow:
    """What a lead reviews about one open ticket at Tier 2 or 3."""

    id: int
    number: str
    priority: str
    reseller: str
    summary: str
    status: str
    tier: int
    version: int
    logged_at: dt.datetime
    at_tier_since: dt.datetime  # when it reached its current tier
    escalation_note: str  # the note of that move (the steps already taken)
    provider: str | None
    provider_ref: str | None
    last_provider_update: tuple[dt.datetime, str] | None
    refused: bool  # a resolution was rejected by the reseller (or flagged to the lead)


def escalations(db: pw.Database) -> list[EscalationRow]:
    """Open tickets at Tier 2 and 3, oldest at their tier first: two queries, whatever the count."""
    use(db)
    escalated = (Ticket.tier >= 2) & Ticket.status.not_in(["closed"])
    tickets = cast(Iterable[tuple[Any, ...]], (
        Ticket.select(
            Ticket.id, Ticket.number, Ticket.priority, Reseller.name, Ticket.summary, Ticket.status,
            Ticket.tier, Ticket.version, Ticket.logged_at, Ticket.provider, Ticket.provider_ref,
            Ticket.lead_flagged_at,
        )
        .join(Reseller, on=(Ticket.reseller == Reseller.id))
        .where(escalated)
        .tuples()
    ))  # fmt: skip
    facts: dict[int, dict[str, Any]] = {}
    for r in tickets:
        facts[r[0]] = {
            "row": r, "since": to_utc(r[8]), "note": "", "update": None, "refused": r[11] is not None,
        }  # fmt: skip
    events = cast(Iterable[tuple[Any, ...]], (
        History.select(
            History.ticket, History.at, History.kind, History.from_tier, History.to_tier, History.note
        )
        .join(Ticket, on=(History.ticket == Ticket.id))
        .where(escalated)
        .order_by(History.id)
        .tuples()
    ))  # fmt: skip
    for ticket_id, at, kind, from_tier, to_tier, note in events:
        f = facts.get(ticket_id)
        if f is None:
            continue
        if from_tier is not None and to_tier is not None and from_tier != to_tier and to_tier == f["row"][6]:
            f["since"], f["note"] = to_utc(at), note
        if kind == "third_party_update":
            f["update"] = (to_utc(at), note)
        if kind == "rejected":
            f["refused"] = True
    out = [
        EscalationRow(
            id=r[0],
            number=r[1],
            priority=r[2],
            reseller=r[3],
            summary=r[4],
            status=r[5],
            tier=r[6],
            version=r[7],
            logged_at=cast(dt.datetime, to_utc(r[8])),
            at_tier_since=f["since"],
            escalation_note=f["note"],
            provider=r[9],
            provider_ref=r[10],
            last_provider_update=f["update"],
            refused=f["refused"],
        )
        for f in facts.values()
        for r in [f["row"]]
    ]
    return sorted(out, key=lambda e: (-e.tier, e.at_tier_since))


def _check(op: Operation, what: str) -> None:
    if op.role not in REVIEWERS:
        raise PermissionDenied(
            f"{op.role.a_label} may not {what} an escalation (team leads and administrators do)"
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
