"""Contract steps 2-5 and 9: respond, assign, wait for information, chase, note.

Every function has the shape

    fn(db, clock, actor, number, *, ..., expected_version=None, policy=None) -> Ticket

`actor` is the acting staff member's login; `expected_version` is the
`version` the caller showed the user (a stale one raises ConflictError naming
who changed the ticket and when). Each returns the ticket as saved.

    notify(db, clock, actor, number, *, note="", told_at=None, ...)   the response
    assign(db, clock, actor, number, *, engineer, note="", ...)
    request_info(db, clock, actor, number, *, note="", ...)
    info_received(db, clock, actor, number, *, note="", ...)
    chaser_sent(db, clock, actor, number, *, note="", ...)
    agree_update(db, clock, actor, number, *, agreed_update, note="", ...)
    third_party_update(db, clock, actor, number, *, note, provider_ref=None, ...)
    note(db, clock, actor, number, *, text, ...)
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import peewee as pw

from deskapp.domain import time_rules
from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import (
    Action,
    PermissionDenied,
    Role,
    check_assignable,
    check_works_tier,
)
from deskapp.domain.policy import Policy
from deskapp.services import outbox
from deskapp.services.errors import TransitionNotAllowed, ValidationError
from deskapp.services.operation import (
    load_staff,
    local_text,
    reload,
    require_text,
    ticket_operation,
)
from deskapp.store.models import Ticket

# What waiting for information leaves behind when the wait ends.
WAIT_CLEARED: dict[str, Any] = {
    "awaiting_info_since": None, "next_chaser_due": None, "auto_resolve_at": None,
    "chaser_flagged_at": None, "agreed_update_at": None,
}  # fmt: skip


class _LimitMove(NamedTuple):
    text: str  # appended to the history note
    fields: dict[str, Any]  # written to the ticket


def _limit_moved(before: dt.datetime | None, limit: dt.datetime | None, policy: Policy) -> _LimitMove:
    """A step that may move the auto-resolve limit (as the policy says): the history
    names the new limit, and only a changed limit is written."""
    if limit == before:
        return _LimitMove("", {})
    return _LimitMove(f"; auto-resolves {local_text(limit, policy)}", {"auto_resolve_at": limit})


def notify(
    db: pw.Database, clock: Clock, actor: str, number: str, *, note: str = "",
    told_at: dt.datetime | None = None, expected_version: int | None = None,
    policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """The reseller is told the ticket number: the response, recorded at the moment it
    was told (`told_at`, by default now), in any status before closure."""
    with ticket_operation(db, clock, actor, number, Action.NOTIFY, expected_version, policy) as op:
        when = _told_at(op.ticket, told_at, op.now, op.policy)
        if op.ticket.responded_at is not None:
            raise TransitionNotAllowed(
                f"the reseller was told {op.ticket.number} {local_text(op.ticket.responded_at, op.policy)} "
                "already: the response is recorded once (add a note to keep another call)"
            )
        fields: dict[str, Any] = {"responded_at": when}
        text = note or "reseller told the ticket number"
        if when != op.now:
            text += f" (told {local_text(when, op.policy)})"
        op.write("notified", text, **fields)
    return reload(op.ticket)


def _told_at(ticket: Ticket, told_at: dt.datetime | None, now: dt.datetime, policy: Policy) -> dt.datetime:
    """When the reseller heard the number: not before the ticket was logged, not later than now."""
    if told_at is None:
        return now
    if told_at.tzinfo is None:
        raise ValidationError("the time the number was told needs a time zone")
    if told_at > now:
        raise ValidationError(
            f"the number cannot have been told at {local_text(told_at, policy)}: that is later than now"
        )
    if told_at < ticket.logged_at:
        raise ValidationError(
            f"the number cannot have been told at {local_text(told_at, policy)}: {ticket.number} "
            f"was logged {local_text(ticket.logged_at, policy)}"
        )
    return told_at


def assign(
    db: pw.Database, clock: Clock, actor: str, number: str, *, engineer: str,
    note: str = "", expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """Give the ticket to an engineer. Engineers take tickets for themselves; a team lead
    or administrator assigns anyone who can work the ticket's tier."""
    with ticket_operation(db, clock, actor, number, Action.ASSIGN, expected_version, policy) as op:
        target = load_staff(require_text(engineer, "the engineer"))
        if op.role in (Role.TIER1, Role.TIER2) and target.id != op.actor.id:
            raise PermissionDenied(
                f"{op.role.a_label} takes tickets for themselves; a team lead assigns others"
            )
        check_assignable(Role(target.role), op.ticket.tier)
        if target.id == op.ticket.engineer_id:
            raise ValidationError(f"{op.ticket.number} is assigned to {target.login} already")
        text = note or f"assigned to {target.login} ({target.name})"
        op.write("assigned", text, engineer=target.id)
    return reload(op.ticket)


def _engineer_check(op_role: Role, tier: int, action: Action) -> None:
    check_works_tier(op_role, tier, action)


def request_info(
    db: pw.Database, clock: Clock, actor: str, number: str, *, note: str = "",
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """Ask the reseller for information: `awaiting_info`; starts the chaser and 3-day clocks."""
    with ticket_operation(db, clock, actor, number, Action.REQUEST_INFO, expected_version, policy) as op:
        _engineer_check(op.role, op.ticket.tier, Action.REQUEST_INFO)
        deadlines = time_rules.after_request(op.engine, op.now)
        text = note or "information requested from the reseller"
        message = outbox.queue(
            op.ticket, "info_request", op.now, op.policy, by=op.actor.login, note=text,
            auto_resolve_at=local_text(deadlines.auto_resolve_at, op.policy),
        )  # fmt: skip
        op.write(
            "info_requested",
            f"{text} (chaser due {local_text(deadlines.next_chaser_due, op.policy)}; "
            f"auto-resolves {local_text(deadlines.auto_resolve_at, op.policy)}); "
            f"{outbox.queued_note(message, 'the request')}",
            awaiting_info_since=op.now, next_chaser_due=deadlines.next_chaser_due,
            auto_resolve_at=deadlines.auto_resolve_at, chaser_flagged_at=None,
            agreed_update_at=None,
        )  # fmt: skip
    return reload(op.ticket)


def info_received(
    db: pw.Database, clock: Clock, actor: str, number: str, *, note: str = "",
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """The reseller or end user supplied information: back to `in_progress`, clocks stop."""
    with ticket_operation(db, clock, actor, number, Action.INFO_RECEIVED, expected_version, policy) as op:
        op.write("info_received", note or "information received", **WAIT_CLEARED)
    return reload(op.ticket)


def chaser_sent(
    db: pw.Database, clock: Clock, actor: str, number: str, *, note: str = "",
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """A chaser went to the reseller; the next is due one business day later. The
    auto-resolve limit stays, unless the policy's `chaser_restarts_auto_resolve`."""
    with ticket_operation(db, clock, actor, number, Action.CHASER_SENT, expected_version, policy) as op:
        due = time_rules.after_chaser(op.engine, op.now)
        before = op.ticket.auto_resolve_at
        limit = time_rules.limit_after_chaser(op.engine, op.now, before)
        message = outbox.queue(
            op.ticket, "chaser", op.now, op.policy, by=op.actor.login,
            auto_resolve_at=local_text(limit, op.policy) if limit else "",
        )  # fmt: skip
        moved = _limit_moved(before, limit, op.policy)
        op.write(
            "chaser_sent",
            f"{note or 'chaser sent'} (next due {local_text(due, op.policy)}{moved.text}); "
            f"{outbox.queued_note(message, 'the chaser')}",
            next_chaser_due=due, chaser_flagged_at=None, **moved.fields,
        )  # fmt: skip
    return reload(op.ticket)


def agree_update(
    db: pw.Database, clock: Clock, actor: str, number: str, *, agreed_update: dt.datetime,
    note: str = "", expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """Record an update timeframe agreed with the reseller: it sets when the next chaser
    is due (the 3-business-day auto-resolve still runs from the request, unless the
    policy's `agreed_update_moves_auto_resolve` counts it from the agreed instant). An
    agreed time after the limit is accepted, and the history says when the ticket will
    resolve (`deskapp.services.warnings` tells the person)."""
    with ticket_operation(db, clock, actor, number, Action.AGREE_UPDATE, expected_version, policy) as op:
        if agreed_update.tzinfo is None:
            raise ValidationError("the agreed update needs a time zone")
        if agreed_update <= op.now:
            raise ValidationError(
                f"the agreed update ({local_text(agreed_update, op.policy)}) must be later than now"
            )
        due = time_rules.after_agreed_update(agreed_update)
        before = op.ticket.auto_resolve_at
        limit = time_rules.limit_after_agreed_update(op.engine, agreed_update, before)
        moved = _limit_moved(before, limit, op.policy)
        early = ""
        if time_rules.resolves_before_agreed_update(agreed_update, limit):
            early = f"; warned: it auto-resolves {local_text(limit, op.policy)}, before the agreed update"
        op.write(
            "update_agreed",
            f"{note or 'update timeframe agreed'}: next chaser {local_text(due, op.policy)}"
            f"{moved.text}{early}",
            agreed_update_at=agreed_update, next_chaser_due=due, chaser_flagged_at=None,
            **moved.fields,
        )  # fmt: skip
    return reload(op.ticket)


def third_party_update(
    db: pw.Database, clock: Clock, actor: str, number: str, *, note: str,
    provider_ref: str | None = None, expected_version: int | None = None,
    policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """An update (or timescale) from the Third Party Provider on a Tier 3 ticket."""
    with ticket_operation(
        db, clock, actor, number, Action.THIRD_PARTY_UPDATE, expected_version, policy
    ) as op:
        text = require_text(note, "the provider's update")
        if op.ticket.tier != 3:
            raise TransitionNotAllowed(
                f"{op.ticket.number} is at Tier {op.ticket.tier}: a third-party update "
                "belongs to a Tier 3 ticket"
            )
        fields: dict[str, Any] = {"provider_ref": provider_ref.strip()} if provider_ref else {}
        op.write("third_party_update", f"{op.ticket.provider}: {text}", **fields)
    return reload(op.ticket)


def note(
    db: pw.Database, clock: Clock, actor: str, number: str, *, text: str,
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """Add a note to the history (any status, closed too)."""
    with ticket_operation(db, clock, actor, number, Action.NOTE, expected_version, policy) as op:
        op.write("note", require_text(text, "the note"))
    return reload(op.ticket)


__all__ = [
    "agree_update", "assign", "chaser_sent", "info_received", "note",
    "notify", "request_info", "third_party_update",
]  # fmt: skip
