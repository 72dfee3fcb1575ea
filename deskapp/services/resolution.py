"""Contract steps 6-13: escalate, resolve, the reseller's answer, reopen, survey.

    escalate(db, clock, actor, number, *, note, provider=None, provider_ref=None,
             expected_version=None, policy=None) -> Ticket
    resolve(db, clock, actor, number, *, reason, ...) -> Ticket
    confirm(db, clock, actor, number, *, note="", ...) -> Ticket
    reject(db, clock, actor, number, *, note="", provider=None, provider_ref=None, ...) -> Ticket
    reopen(db, clock, actor, number, *, note="", ...) -> Ticket
    clear_lead_flag(db, clock, actor, number, *, note="", ...) -> Ticket
    mark_survey_sent(db, clock, actor, number, ...) -> Ticket
    record_survey(db, clock, actor, number, *, score, comment="", ...) -> Ticket

Same conventions as `deskapp.services.work` (actor login, expected_version,
the saved ticket returned).
"""

from __future__ import annotations

from typing import Any

import peewee as pw

from deskapp.domain import time_rules
from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import (
    TOP_TIER,
    Action,
    Role,
    Status,
    check_works_tier,
    may_work_tier,
    next_tier,
)
from deskapp.domain.policy import Policy
from deskapp.services import outbox
from deskapp.services.errors import (
    MissingField,
    ReopenAfterClosure,
    TransitionNotAllowed,
    ValidationError,
)
from deskapp.services.operation import Operation, local_text, reload, require_text, ticket_operation
from deskapp.services.text import check_text
from deskapp.services.work import WAIT_CLEARED
from deskapp.store.models import History, Staff, SurveyAnswer, Ticket

UNRESOLVED: dict[str, Any] = {"resolved_at": None, "resolution_reason": None, "closes_at": None}


def _keep_engineer(op: Operation, tier: int) -> dict[str, Any]:
    """The engineer stays if they can work the new tier; otherwise a lead reassigns."""
    engineer = op.ticket.engineer_id
    if engineer is None:
        return {}
    role = Role(Staff.get_by_id(engineer).role)
    return {} if may_work_tier(role, tier) else {"engineer": None}


def _escalation_notice(op: Operation, tier: int) -> Any:
    """Step 7: the reseller is told the ticket is escalated (queued with the step; the
    outbox shows it, and the step's history note stays the steps already taken)."""
    name = f"Tier {tier}" + (" (our specialist provider)" if tier == TOP_TIER else "")
    return outbox.queue(op.ticket, "escalation", op.now, op.policy, by=op.actor.login, tier_name=name)


def escalate(
    db: pw.Database, clock: Clock, actor: str, number: str, *, note: str,
    provider: str | None = None, provider_ref: str | None = None,
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """Escalate to the next tier (`in_progress`) with a note of the steps already taken;
    Tier 3 engages the Third Party Provider, so it needs the provider and its reference."""
    with ticket_operation(db, clock, actor, number, Action.ESCALATE, expected_version, policy) as op:
        steps = (note or "").strip()
        tier = next_tier(op.ticket.tier)
        missing = [] if steps else ["a note of the steps already taken"]
        if tier == TOP_TIER:
            if not (provider or "").strip():
                missing.append("the Third Party Provider")
            if not (provider_ref or "").strip():
                missing.append("the provider's reference")
        if missing:
            raise MissingField(missing, f"escalating to Tier {tier}")
        check_works_tier(op.role, op.ticket.tier, Action.ESCALATE)
        fields: dict[str, Any] = {**WAIT_CLEARED, **_keep_engineer(op, tier)}
        if tier == TOP_TIER:
            fields |= {"provider": (provider or "").strip(), "provider_ref": (provider_ref or "").strip()}
            steps = f"{steps} [provider {fields['provider']}, ref {fields['provider_ref']}]"
        _escalation_notice(op, tier)  # the note stays the steps taken: the leads' review reads it
        op.write("escalated", steps, to_tier=tier, **fields)
    return reload(op.ticket)


def resolve(
    db: pw.Database, clock: Clock, actor: str, number: str, *, reason: str,
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """Resolve (any open status): resolved_at now; the reopen window starts."""
    with ticket_operation(db, clock, actor, number, Action.RESOLVE, expected_version, policy) as op:
        why = require_text(reason, "the resolution")
        check_works_tier(op.role, op.ticket.tier, Action.RESOLVE)
        closes = time_rules.closes_at(op.engine, op.now)
        message = outbox.queue(
            op.ticket, "resolution", op.now, op.policy, by=op.actor.login, note=why,
            closes_at=local_text(closes, op.policy),
        )  # fmt: skip
        op.write(
            "resolved",
            f"{why} (reopenable until {local_text(closes, op.policy)}); "
            f"{outbox.queued_note(message, 'the resolution')}",
            resolved_at=op.now, resolution_reason=why, closes_at=closes, **WAIT_CLEARED,
        )  # fmt: skip
    return reload(op.ticket)


def _inside_window(op: Operation, what: str) -> None:
    closes = op.ticket.closes_at
    if closes is not None and not time_rules.reopen_allowed(op.now, closes):
        raise ReopenAfterClosure(
            f"{op.ticket.number}'s reopen window ended {local_text(closes, op.policy)}: it is "
            f"closed, permanently, and cannot be {what}; log a follow-up incident linked to it"
        )


def confirm(
    db: pw.Database, clock: Clock, actor: str, number: str, *, note: str = "",
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """The reseller confirms the resolution (it still closes at the end of the window)."""
    with ticket_operation(db, clock, actor, number, Action.CONFIRM, expected_version, policy) as op:
        _inside_window(op, "confirmed")
        if confirmed_since_resolution(op.ticket):
            raise TransitionNotAllowed(
                f"{op.ticket.number}'s resolution is confirmed already; it closes "
                f"{local_text(op.ticket.closes_at, op.policy)}"
            )
        op.write("confirmed", note or "reseller confirmed the resolution")
    return reload(op.ticket)


def confirmed_since_resolution(ticket: Ticket) -> bool:
    """Whether the reseller confirmed the ticket's current resolution already."""
    last = (
        History.select(History.kind)
        .where(History.ticket == ticket.id, History.kind.in_(("resolved", "auto_resolved", "confirmed")))
        .order_by(History.id.desc())
        .first()
    )
    return last is not None and last.kind == "confirmed"


def reject(
    db: pw.Database, clock: Clock, actor: str, number: str, *, note: str = "",
    provider: str | None = None, provider_ref: str | None = None,
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """The reseller says it is not resolved: escalate to the next tier in the same step
    and work on (`in_progress`). Reaching Tier 3 engages the Third Party Provider, so a
    rejection at Tier 2 takes the provider and its reference (a ticket that was at Tier 3
    before keeps its own unless others are given); at Tier 3 it stays there and the
    team lead is flagged."""
    with ticket_operation(db, clock, actor, number, Action.REJECT, expected_version, policy) as op:
        reject_in(op, note or "reseller says it is not resolved", provider, provider_ref)
    return reload(op.ticket)


def reject_in(op: Operation, text: str, provider: str | None = None, provider_ref: str | None = None) -> None:
    """The rejection itself, inside a REJECT operation (a person's, or a reply's): below
    Tier 3 it escalates, taking the provider when it reaches Tier 3."""
    _inside_window(op, "rejected")
    if op.ticket.tier < TOP_TIER:
        tier = op.ticket.tier + 1
        fields: dict[str, Any] = {**UNRESOLVED, **_keep_engineer(op, tier)}
        if tier == TOP_TIER:
            name = (provider or "").strip() or (op.ticket.provider or "")
            ref = (provider_ref or "").strip() or (op.ticket.provider_ref or "")
            missing = [] if name else ["the Third Party Provider"]
            missing += [] if ref else ["the provider's reference"]
            if missing:
                raise MissingField(missing, "a rejection at Tier 2, which escalates to Tier 3,")
            fields |= {"provider": name, "provider_ref": ref}
            text = f"{text} [provider {name}, ref {ref}]"
        _escalation_notice(op, tier)
        op.write("rejected", f"{text}; escalated to Tier {tier}", to_tier=tier, **fields)
    else:
        given = ((provider or "").strip(), (provider_ref or "").strip())
        known = (op.ticket.provider or "", op.ticket.provider_ref or "")
        if any(g and g != k for g, k in zip(given, known, strict=True)):
            raise ValidationError(
                f"{op.ticket.number} is at Tier 3 already: its provider is {op.ticket.provider} "
                "(a third-party update records a new reference)"
            )
        op.write(
            "rejected", f"{text}; stays at Tier 3, flagged to the team lead",
            lead_flagged_at=op.now, **UNRESOLVED,
        )  # fmt: skip


def reopen(
    db: pw.Database, clock: Clock, actor: str, number: str, *, note: str = "",
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """Reopen a resolved ticket strictly inside its window; after it, ReopenAfterClosure."""
    try:
        with ticket_operation(db, clock, actor, number, Action.REOPEN, expected_version, policy) as op:
            _inside_window(op, "reopened")
            op.write("reopened", note or "reopened", **UNRESOLVED)
    except TransitionNotAllowed as exc:
        if isinstance(exc, ReopenAfterClosure) or "closed" not in str(exc):
            raise
        raise ReopenAfterClosure(
            f"{number} is closed, permanently: log a follow-up incident linked to it"
        ) from None
    return reload(op.ticket)


def clear_lead_flag(
    db: pw.Database, clock: Clock, actor: str, number: str, *, note: str = "",
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """A team lead has dealt with a flagged Tier 3 rejection."""
    with ticket_operation(db, clock, actor, number, Action.CLEAR_LEAD_FLAG, expected_version, policy) as op:
        if op.ticket.lead_flagged_at is None:
            raise ValidationError(f"{op.ticket.number} is not flagged to the team lead")
        op.write("lead_flag_cleared", note or "team lead dealt with it", lead_flagged_at=None)
    return reload(op.ticket)


def mark_survey_sent(
    db: pw.Database, clock: Clock, actor: str, number: str, *,
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """The satisfaction survey marked to send on closure has gone out."""
    with ticket_operation(db, clock, actor, number, Action.RECORD_SURVEY, expected_version, policy) as op:
        if op.ticket.survey_status != "to_send":
            raise ValidationError(f"{op.ticket.number} has no survey waiting to be sent")
        op.write("survey_sent", "satisfaction survey sent", survey_status="sent", survey_sent_at=op.now)
    return reload(op.ticket)


def record_survey(
    db: pw.Database, clock: Clock, actor: str, number: str, *, score: int, comment: str = "",
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """Keep the reseller's survey answer (1 poor .. 5 excellent) with the closed ticket."""
    with ticket_operation(db, clock, actor, number, Action.RECORD_SURVEY, expected_version, policy) as op:
        if not 1 <= score <= 5:
            raise ValidationError("a survey score is 1 (poor) to 5 (excellent)")
        if op.ticket.survey_status == "answered":
            raise ValidationError(f"{op.ticket.number}'s survey is answered already")
        check_text(comment, "the comment")
        SurveyAnswer.create(ticket=op.ticket.id, answered_at=op.now, score=score, comment=comment)
        op.write("survey_answered", f"score {score}/5 {comment}".strip(), survey_status="answered")
    return reload(op.ticket)


__all__ = [
    "Status", "clear_lead_flag", "confirm", "escalate", "mark_survey_sent", "record_survey",
    "reject", "reopen", "resolve",
]  # fmt: skip
