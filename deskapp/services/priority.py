"""Changing a ticket's priority: at logging (away from the impact's suggestion) and after.

    expected_priority(policy, impact, channel) -> str
    check_logged_priority(policy, impact, channel, code, reason) -> str | None
    reprioritise(db, clock, actor, number, *, priority, reason, ...) -> Ticket
    priority_history(ticket_id) -> list[PriorityEntry]

A priority other than the one the caller's impact suggests (lowered to the best
the channel allows) needs a reason, at logging and after. Re-prioritising is
for the roles the policy names (`process.reprioritise_roles`; on a PostgreSQL desk
the database also refuses any role not in its `reprioritise_role` table); the response due
time is counted again from the logging instant under the new priority's rule,
and the change (who, why, the due time before and after) is kept in the
history and in `priority_change`, which `ticket show` and the reports read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import peewee as pw

from deskapp.domain import time_rules
from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import Action, PermissionDenied, Role
from deskapp.domain.policy import Policy
from deskapp.services.errors import ChannelNotAllowed, MissingField, ValidationError
from deskapp.services.operation import local_text, reload, require_text, ticket_operation
from deskapp.store.fields import to_utc
from deskapp.store.models import PriorityChange, Ticket


@dataclass(frozen=True)
class PriorityEntry:
    at: dt.datetime
    actor: str
    from_priority: str
    to_priority: str
    reason: str
    from_due: dt.datetime | None  # None: set at logging
    to_due: dt.datetime


def expected_priority(policy: Policy, impact: str, channel: str) -> str:
    """The priority the impact suggests, or (when the channel may not raise it, e.g. a P1
    by email) the highest priority below it that the channel allows."""
    suggested = policy.suggested_priority(impact)
    codes = list(policy.priorities)
    for code in codes[codes.index(suggested) :]:
        if channel in policy.priorities[code].channels:
            return code
    return suggested


def check_logged_priority(
    policy: Policy, impact: str, channel: str, code: str, reason: str | None
) -> str | None:
    """The reason for logging at `code`, required when it is not the expected priority."""
    expected = expected_priority(policy, impact, channel)
    why = (reason or "").strip()
    if code != expected and not why:
        raise MissingField([f"a reason for {code} (the {impact!r} impact by {channel} suggests {expected})"])
    return why if code != expected else None


def reprioritise(
    db: pw.Database, clock: Clock, actor: str, number: str, *, priority: str, reason: str,
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """Change the priority (any status before closure); the response due time is counted
    again from the logging instant under the new priority's rule."""
    with ticket_operation(db, clock, actor, number, Action.REPRIORITISE, expected_version, policy) as op:
        # The workstation's policy first (the only check on SQLite); on PostgreSQL the
        # desk's own list (`reprioritise_role`, schema v12) is the database's to enforce.
        allowed = op.policy.reprioritise_roles
        if op.role.value not in allowed:
            names = ", ".join(Role(r).label for r in allowed)
            raise PermissionDenied(f"{op.role.a_label} may not change a priority (allowed: {names})")
        why = require_text(reason, "a reason for the new priority")
        try:
            prio = op.policy.priority((priority or "").strip())
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        t = op.ticket
        if prio.code == t.priority:
            raise ValidationError(f"{t.number} is {t.priority} already")
        if t.channel not in prio.channels:
            raise ChannelNotAllowed(
                f"a {prio.code} ({prio.name}) can be raised by {' or '.join(prio.channels)} only, not "
                f"by {t.channel}: ask the reseller to phone the desk and log the call"
            )
        due = time_rules.response_due(op.engine, prio.code, t.logged_at)
        fields: dict[str, Any] = {"priority": prio.code, "response_due": due}
        if t.responded_at is None and t.breach_recorded_at is not None and due >= op.now:
            fields["breach_recorded_at"] = None  # not breached under the new priority (yet)
        PriorityChange.create(
            ticket=t.id, at=op.now, actor=op.actor.login, from_priority=t.priority,
            to_priority=prio.code, reason=why, from_due=t.response_due, to_due=due,
        )  # fmt: skip
        op.write(
            "reprioritised",
            f"{t.priority} -> {prio.code}: {why} (response due {local_text(due, op.policy)}, "
            f"was {local_text(t.response_due, op.policy)})",
            **fields,
        )  # fmt: skip
    return reload(op.ticket)


def priority_history(ticket_id: int) -> list[PriorityEntry]:
    """Every priority change of a ticket, oldest first."""
    rows = PriorityChange.select().where(PriorityChange.ticket == ticket_id).order_by(PriorityChange.id)
    out = []
    for r in rows:
        at, to_due = to_utc(r.at), to_utc(r.to_due)
        assert at is not None and to_due is not None
        out.append(
            PriorityEntry(at, r.actor, r.from_priority, r.to_priority, r.reason, to_utc(r.from_due), to_due)
        )
    return out
