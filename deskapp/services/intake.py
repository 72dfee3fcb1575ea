"""Contract step 1: log a ticket (and a follow-up to a closed one).

    log_ticket(db, clock, actor, *, reseller, contact, tenant, impact, channel, summary,
               phone=None, email=None, description="", end_users="", priority=None,
               tier=1, policy=None, priority_reason=None) -> Ticket
    log_follow_up(db, clock, actor, closed_number, **the same keywords) -> Ticket

(`arrived_at`: an emailed incident's response clock starts when it reached the
desk's mailbox.)

Every missing fact is named at once and nothing is saved; a priority the
channel may not raise (a P1 by email), a reseller outside the Territory or an
unknown reseller is refused; a priority other than the one the impact suggests
(lowered to the best the channel allows) needs `priority_reason`. The contact
and tenant are found by name under the reseller, or added. The response is due by the policy in force, whose
version is recorded on the ticket.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import peewee as pw

from deskapp.domain import time_rules
from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import Action, Role, Status, check_role, initial_tier, next_status
from deskapp.domain.policy import CHANNELS, Policy, default_policy
from deskapp.domain.time_range import quote
from deskapp.services.email_address import checked_email
from deskapp.services.errors import (
    ChannelNotAllowed,
    MissingField,
    NotFound,
    OutsideTerritory,
    TransitionNotAllowed,
    ValidationError,
)
from deskapp.services.operation import engine_for, load_staff, load_ticket
from deskapp.services.priority import check_logged_priority, expected_priority
from deskapp.services.text import MAX_TEXT, check_text
from deskapp.store.change_feed import announce
from deskapp.store.connection import is_sqlite, raw_sql, use, write_transaction
from deskapp.store.models import TERRITORY, Contact, History, PriorityChange, Reseller, Tenant, Ticket
from deskapp.store.step_context import say_step, writes_history

NUMBER_FORMAT = "INC-{:06d}"


def log_ticket(
    db: pw.Database, clock: Clock, actor: str, *, reseller: str, contact: str, tenant: str,
    impact: str, channel: str, summary: str, phone: str | None = None,
    email: str | None = None, description: str = "", end_users: str = "",
    priority: str | None = None, tier: int = 1, policy: Policy | None = None,
    linked_to: str | None = None, priority_reason: str | None = None,
    arrived_at: dt.datetime | None = None,
) -> Ticket:  # fmt: skip
    """Log a new ticket (status `logged`); returns it with its number. `arrived_at`:
    when the incident reached the desk (an email's arrival in the desk's mailbox),
    where its response clock starts; else when it is logged."""
    use(db)
    policy = policy or default_policy()
    facts = {
        "a reseller": reseller, "a contact name": contact, "a tenant": tenant,
        "an impact": impact, "a channel": channel, "a summary": summary,
    }  # fmt: skip
    missing = [label for label, value in facts.items() if not (value or "").strip()]
    if not (phone or "").strip() and not (email or "").strip():
        missing.insert(2, "the contact's phone or email")
    if missing:
        raise MissingField(missing)
    for value, what, limit in (
        (summary, "the summary", Ticket.summary.max_length),
        (contact, "the contact name", Contact.name.max_length),
        (tenant, "the tenant", Tenant.name.max_length),
        (reseller, "the reseller", Reseller.name.max_length),
        (phone, "the phone", Ticket.contact_phone.max_length),
        (email, "the email", Ticket.contact_email.max_length),
        (end_users, "the end users", MAX_TEXT), (description, "the description", MAX_TEXT),
        (linked_to, "the linked ticket", Ticket.number.max_length),
    ):  # fmt: skip
        check_text(value, what, limit)
    email = checked_email(email, "the contact's email")
    channel = channel.strip().lower()
    if channel not in CHANNELS:
        raise ValidationError(f"{quote(channel)} is not a channel (use {', '.join(CHANNELS)})")
    impact = impact.strip().lower()
    if impact not in policy.impacts:
        raise ValidationError(f"{quote(impact)} is not an impact (use {', '.join(policy.impacts)})")
    code = (priority or policy.suggested_priority(impact)).strip().upper()
    try:
        prio = policy.priority(code)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if channel not in prio.channels:
        raise ChannelNotAllowed(
            f"a {prio.code} ({prio.name}) can be raised by {' or '.join(prio.channels)} only, "
            f"not by {channel}: ask the reseller to phone the desk, or log it at a lower "
            "priority"
        )
    why = check_logged_priority(policy, impact, channel, prio.code, priority_reason)
    top = next(iter(policy.priorities))
    start_tier = initial_tier(tier, prio.code, top)
    engine = engine_for(policy)
    now = clock.now()
    with write_transaction(db):
        staff = load_staff(actor)
        check_role(Action.LOG, Role(staff.role))
        seller = Reseller.get_or_none(Reseller.name == reseller.strip())
        if seller is None:
            raise NotFound(f"no reseller is named {quote(reseller.strip())}; an administrator adds it")
        if not seller.active:
            raise ValidationError(
                f"{seller.name} is retired: no new incidents are logged for it (an administrator "
                "restores it in the Directory)"
            )
        if seller.country not in TERRITORY:
            raise OutsideTerritory(
                f"{seller.name} is in {seller.country}, outside the Territory (the UK and the "
                "Republic of Ireland): the desk cannot log its tickets"
            )
        person = _contact(seller, contact.strip(), phone, email)
        place = _tenant(seller, tenant.strip())
        earlier = _closed_ticket(linked_to) if linked_to else None
        note = summary.strip()
        if earlier is not None:
            note = f"follow-up of {earlier.number}: {note}"
        expected = expected_priority(policy, impact, channel)
        if why is not None:
            note = f"{note} [{prio.code}, not {expected}: {why}]"
        ident, number = _new_number(db)
        # PostgreSQL writes the "logged" history row itself, from what the step says.
        say_step(db, actor=staff.login, kind="logged", note=note, now=now)
        ticket = Ticket.create(
            **({} if ident is None else {"id": ident}), number=number,
            reseller=seller, contact=person, contact_phone=(phone or "").strip() or None,
            contact_email=(email or "").strip() or None, tenant=place,
            end_users=end_users.strip(), summary=summary.strip(),
            description=description.strip(), impact=impact, priority=prio.code,
            channel=channel, status=Status.LOGGED.value, tier=start_tier, logged_by=staff,
            logged_at=now, policy_version=policy.version,
            response_due=time_rules.response_due(engine, prio.code, min(arrived_at or now, now)),
            linked_to=earlier, updated_at=now,
        )  # fmt: skip
        if ident is None:
            ticket.number = NUMBER_FORMAT.format(ticket.id)
            Ticket.update(number=ticket.number).where(Ticket.id == ticket.id).execute()
        if earlier is not None:
            _record_follow_up(earlier, ticket.number, staff.login, now)
        if why is not None:
            PriorityChange.create(
                ticket=ticket, at=now, actor=staff.login, from_priority=expected,
                to_priority=prio.code, reason=why, from_due=None, to_due=ticket.response_due,
            )  # fmt: skip
        if not writes_history(db):
            History.create(
                ticket=ticket, at=now, actor=staff.login, kind="logged", to_status="logged",
                to_tier=start_tier, note=note,
            )  # fmt: skip
        announce(db, [ticket.number, *([earlier.number] if earlier is not None else [])])
    return Ticket.get_by_id(ticket.id)


def log_follow_up(db: pw.Database, clock: Clock, actor: str, closed_number: str, **fields: Any) -> Ticket:
    """Log a new incident linked to a closed ticket (after its reopen window)."""
    return log_ticket(db, clock, actor, linked_to=closed_number, **fields)


def _contact(seller: Reseller, name: str, phone: str | None, email: str | None) -> Contact:
    person = Contact.get_or_none(Contact.reseller == seller, Contact.name == name)
    if person is None:
        # Two workstations may add the same new contact at once: the second insert does
        # nothing (ON CONFLICT DO NOTHING waits for the first to commit) and both use the row.
        Contact.insert(
            reseller=seller, name=name, phone=phone or None, email=email or None
        ).on_conflict_ignore().execute()
        person = Contact.get(Contact.reseller == seller, Contact.name == name)
    return person


def _tenant(seller: Reseller, name: str) -> Tenant:
    place = Tenant.get_or_none(Tenant.reseller == seller, Tenant.name == name)
    if place is None:
        Tenant.insert(reseller=seller, name=name).on_conflict_ignore().execute()
        place = Tenant.get(Tenant.reseller == seller, Tenant.name == name)
    return place


def _closed_ticket(number: str) -> Ticket:
    earlier = load_ticket(number)
    if earlier.status != Status.CLOSED.value:
        raise TransitionNotAllowed(
            f"{earlier.number} is {Status(earlier.status).label}, not closed: a follow-up is "
            "logged only for a closed ticket (reopen or note the open one instead)"
        )
    return earlier


def _new_number(db: pw.Database) -> tuple[int | None, str]:
    """The new ticket's id and number. On PostgreSQL the id is drawn first, so the ticket
    is inserted with its number (its history's one row is "logged", never a renumbering);
    on SQLite the number is set from the id after the insert, in the same transaction."""
    if is_sqlite(db):
        return None, f"new-{uuid.uuid4().hex[:24]}"  # replaced by the id-based number
    (ident,) = raw_sql(db, "SELECT nextval(pg_get_serial_sequence('ticket', 'id'))").fetchone()
    return int(ident), NUMBER_FORMAT.format(int(ident))


def _record_follow_up(earlier: Ticket, new_number: str, login: str, now: Any) -> None:
    next_status(Action.NOTE, Status.CLOSED)  # a note is the only thing a closed ticket takes
    db = Ticket._meta.database
    note = f"follow-up incident {new_number} logged"
    say_step(db, actor=login, kind="follow_up_logged", note=note, now=now)
    Ticket.update(version=Ticket.version + 1, updated_at=now).where(Ticket.id == earlier.id).execute()
    if not writes_history(db):
        History.create(
            ticket=earlier, at=now, actor=login, kind="follow_up_logged",
            from_status="closed", to_status="closed", from_tier=earlier.tier,
            to_tier=earlier.tier, note=note,
        )  # fmt: skip
