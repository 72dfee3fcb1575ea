"""The read side for views: queue rows and one ticket's full detail.

    queue_rows(db, *, include_closed=False, since=None) -> list[QueueRow]
    ticket_detail(db, number, *, now=None, policy=None) -> TicketDetail

`queue_rows` is one query (tickets joined to reseller, contact and engineer),
ordered by id. `since` returns only tickets changed after that instant, for
an incremental refresh; tickets that closed after `since` are included then
(status "closed") even without `include_closed`, so a view can drop them.
`numbers` returns just those tickets, closed or not (the change feed names
them: `deskapp.store.change_feed`); `ids` the same by id (search results).
`ticket_detail` is four queries: the ticket with its joins, its history,
its survey answer and its survey invitation. With `now`, the detail carries the response SLA band.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

import peewee as pw

from deskapp.domain.policy import Policy
from deskapp.services.duplicates import duplicates_of
from deskapp.services.history_entry import HistoryEntry
from deskapp.services.operation import engine_for, load_ticket
from deskapp.services.priority import PriorityEntry, priority_history
from deskapp.store.connection import raw_sql, use
from deskapp.store.fields import instant_reader, to_utc
from deskapp.store.models import (
    OPEN_TICKET,
    Contact,
    History,
    Reseller,
    Staff,
    SurveyAnswer,
    SurveyInvitation,
    Tenant,
    Ticket,
)


class QueueRow(NamedTuple):
    """One open ticket as the queue shows it. A NamedTuple, not a frozen dataclass:
    the queue builds 100k of these at launch, and a tuple is six times cheaper to make."""

    id: int
    number: str
    priority: str
    reseller: str
    contact: str
    summary: str
    status: str
    tier: int
    engineer: str | None  # login
    engineer_name: str | None
    logged_at: dt.datetime
    response_due: dt.datetime
    responded_at: dt.datetime | None
    awaiting_info_since: dt.datetime | None
    next_chaser_due: dt.datetime | None
    version: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class TicketDetail:
    id: int
    number: str
    status: str
    tier: int
    priority: str
    impact: str
    channel: str
    reseller: str
    reseller_country: str
    contact: str
    contact_phone: str | None
    contact_email: str | None
    tenant: str
    end_users: str
    summary: str
    description: str
    engineer: str | None
    engineer_name: str | None
    logged_by: str | None
    logged_at: dt.datetime
    policy_version: str
    response_due: dt.datetime
    responded_at: dt.datetime | None
    sla_band: str | None  # at the `now` given to ticket_detail
    breach_recorded_at: dt.datetime | None
    awaiting_info_since: dt.datetime | None
    next_chaser_due: dt.datetime | None
    chaser_flagged_at: dt.datetime | None
    auto_resolve_at: dt.datetime | None
    agreed_update_at: dt.datetime | None
    resolved_at: dt.datetime | None
    resolution_reason: str | None
    closes_at: dt.datetime | None
    closed_at: dt.datetime | None
    survey_status: str
    survey_sent: bool
    survey_sent_at: dt.datetime | None
    survey_score: int | None
    survey_comment: str | None
    survey_ref: str | None  # the reference the survey email quotes, once the ticket closed
    provider: str | None
    provider_ref: str | None
    linked_to: str | None
    lead_flagged_at: dt.datetime | None
    version: int
    updated_at: dt.datetime
    history: tuple[HistoryEntry, ...]
    priority_history: tuple[PriorityEntry, ...] = ()
    duplicate_of: str | None = None  # closed as a duplicate of this ticket
    duplicates: tuple[str, ...] = ()  # tickets closed as duplicates of this one


def _utc(value: object) -> dt.datetime:
    moment = to_utc(value)
    assert moment is not None
    return moment


def queue_rows(
    db: pw.Database, *, include_closed: bool = False, since: dt.datetime | None = None,
    numbers: Collection[str] | None = None, most_urgent: int | None = None,
    ids: Collection[int] | None = None,
) -> list[QueueRow]:  # fmt: skip
    """The queue, one query, no N+1 (see the module docstring for `since` and `numbers`).

    `most_urgent=N` reads only the N open tickets whose response falls due first:
    the page a desk sees at launch, painted while the rest loads."""
    use(db)
    engineer = Staff.alias()
    query = (
        Ticket.select(
            Ticket.id,
            Ticket.number,
            Ticket.priority,
            Reseller.name,
            Contact.name,
            Ticket.summary,
            Ticket.status,
            Ticket.tier,
            engineer.login,
            engineer.name,
            Ticket.logged_at,
            Ticket.response_due,
            Ticket.responded_at,
            Ticket.awaiting_info_since,
            Ticket.next_chaser_due,
            Ticket.version,
            Ticket.updated_at,
        )
        # Outer joins, though every ticket has its reseller and contact: they keep the
        # ticket the outer loop, so SQLite reads it through the open tickets' index (v16);
        # inner, it may start from the 200 resellers and look up each one's ten years.
        .join(Reseller, pw.JOIN.LEFT_OUTER, on=(Ticket.reseller == Reseller.id))
        .switch(Ticket)
        .join(Contact, pw.JOIN.LEFT_OUTER, on=(Ticket.contact == Contact.id))
        .switch(Ticket)
        .join(engineer, pw.JOIN.LEFT_OUTER, on=(Ticket.engineer == engineer.id))
        .order_by(Ticket.id)
    )
    if ids is not None:
        query = query.where(Ticket.id.in_(list(ids)))
    elif numbers is not None:
        query = query.where(Ticket.number.in_(list(numbers)))
    elif since is not None:
        query = query.where(Ticket.updated_at > since)
    elif not include_closed:
        query = query.where(OPEN_TICKET)  # read through the open tickets' own indexes (v16)
    if most_urgent is not None:
        query = query.order_by(Ticket.response_due, Ticket.id).limit(most_urgent)
    # The queue's hot path (100k rows at launch): fetch plain tuples and convert
    # the five instants with one C call each, instead of peewee's per-field converters.
    # Rows are made as the cursor goes (not after a fetchall: 100k raw tuples at once
    # beside the rows), and the texts a desk repeats on thousands of tickets (priority,
    # reseller, contact, status, engineer) are one string each: a third of the queue's memory.
    sql, params = query.sql()
    instant = instant_reader(db)
    shared: dict[Any, Any] = {}
    same = shared.setdefault
    return [
        QueueRow(
            r[0],
            r[1],
            same(r[2], r[2]),
            same(r[3], r[3]),
            same(r[4], r[4]),
            r[5],
            same(r[6], r[6]),
            r[7],
            same(r[8], r[8]),
            same(r[9], r[9]),
            instant(r[10]),
            instant(r[11]),
            instant(r[12]),
            instant(r[13]),
            instant(r[14]),
            r[15],
            instant(r[16]),
        )
        for r in raw_sql(db, sql, params)
    ]


def ticket_detail(
    db: pw.Database, number: str, *, now: dt.datetime | None = None,
    policy: Policy | None = None, ticket: Ticket | None = None,
) -> TicketDetail:  # fmt: skip
    """Every field of one ticket and its history, oldest first (NotFound if no such number).
    `ticket`: the row of `number`, already read in this transaction (`ticket_page`)."""
    use(db)
    t = ticket if ticket is not None else load_ticket(number)
    engineer = Staff.alias()
    logger = Staff.alias()
    earlier = Ticket.alias()
    row: tuple[Any, ...] = (
        Ticket.select(
            Reseller.name,
            Reseller.country,
            Contact.name,
            Tenant.name,
            engineer.login,
            engineer.name,
            logger.login,
            earlier.number,
        )
        .join(Reseller, on=(Ticket.reseller == Reseller.id))
        .switch(Ticket)
        .join(Contact, on=(Ticket.contact == Contact.id))
        .switch(Ticket)
        .join(Tenant, on=(Ticket.tenant == Tenant.id))
        .switch(Ticket)
        .join(engineer, pw.JOIN.LEFT_OUTER, on=(Ticket.engineer == engineer.id))
        .switch(Ticket)
        .join(logger, pw.JOIN.LEFT_OUTER, on=(Ticket.logged_by == logger.id))
        .switch(Ticket)
        .join(earlier, pw.JOIN.LEFT_OUTER, on=(Ticket.linked_to == earlier.id))
        .where(Ticket.id == t.id)
        .tuples()
        .get()  # type: ignore[assignment]
    )
    history = tuple(
        HistoryEntry(
            at=_utc(h.at),
            actor=h.actor,
            kind=h.kind,
            from_status=h.from_status,
            to_status=h.to_status,
            from_tier=h.from_tier,
            to_tier=h.to_tier,
            note=h.note,
        )
        for h in History.select().where(History.ticket == t.id).order_by(History.id)
    )
    survey = SurveyAnswer.get_or_none(SurveyAnswer.ticket == t.id)
    invitation = SurveyInvitation.get_or_none(SurveyInvitation.ticket == t.id)
    band = None
    if now is not None:
        band = (
            engine_for(policy)
            .countdown(t.priority, t.logged_at, now, t.responded_at, due=t.response_due)
            .band.value
        )
    return TicketDetail(
        id=t.id, number=str(t.number), status=t.status, tier=t.tier, priority=t.priority,
        impact=t.impact, channel=t.channel, reseller=row[0], reseller_country=row[1],
        contact=row[2], contact_phone=t.contact_phone, contact_email=t.contact_email,
        tenant=row[3], end_users=t.end_users, summary=t.summary, description=t.description,
        engineer=row[4], engineer_name=row[5], logged_by=row[6], logged_at=t.logged_at,
        policy_version=t.policy_version, response_due=t.response_due,
        responded_at=t.responded_at, sla_band=band, breach_recorded_at=t.breach_recorded_at,
        awaiting_info_since=t.awaiting_info_since, next_chaser_due=t.next_chaser_due,
        chaser_flagged_at=t.chaser_flagged_at, auto_resolve_at=t.auto_resolve_at,
        agreed_update_at=t.agreed_update_at, resolved_at=t.resolved_at,
        resolution_reason=t.resolution_reason, closes_at=t.closes_at, closed_at=t.closed_at,
        survey_status=t.survey_status, survey_sent=t.survey_status in ("sent", "answered"),
        survey_sent_at=t.survey_sent_at, survey_score=survey.score if survey else None,
        survey_comment=survey.comment if survey else None,
        survey_ref=str(invitation.ref) if invitation else None, provider=t.provider,
        provider_ref=t.provider_ref, linked_to=row[7], lead_flagged_at=t.lead_flagged_at,
        version=t.version, updated_at=t.updated_at, history=history,
        priority_history=tuple(priority_history(t.id)),
        duplicate_of=_number_of(t.duplicate_of_id), duplicates=tuple(duplicates_of(t.id)),
    )  # fmt: skip


def _number_of(ticket_id: int | None) -> str | None:
    if ticket_id is None:
        return None
    return str(Ticket.select(Ticket.number).where(Ticket.id == ticket_id).scalar())
