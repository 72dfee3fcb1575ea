"""The one way a service changes a ticket: check, change, record, in one transaction.

    with ticket_operation(db, clock, actor, number, Action.X, expected_version) as op:
        ...checks that may raise...
        op.write("kind", note, to_status=..., to_tier=..., field=value, ...)

`ticket_operation` opens a write transaction, loads the actor and the ticket,
checks the actor's role, refuses a stale `expected_version` with a
`ConflictError` naming who changed the ticket and when (from its history),
and works out the status the state machine allows. `op.write` updates the
ticket only if its version is still the one read (so two desks cannot both
win), bumps `version` and `updated_at`, appends the history event (on PostgreSQL the
database's trigger writes it, from what `say_step` tells it), and
announces the change to other workstations (`deskapp.store.change_feed`). Any
exception rolls the whole transaction back: nothing is ever half-saved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import (
    MAIL_ACTOR,
    MAILER_ACTOR,
    RULES_ACTOR,
    SYSTEM_ACTIONS,
    Action,
    Role,
    Status,
    check_role,
    next_status,
)
from deskapp.domain.policy import Policy, default_policy
from deskapp.domain.sla import SlaEngine
from deskapp.domain.time_range import quote
from deskapp.services.errors import Change, ConflictError, NotFound, ValidationError
from deskapp.services.text import MAX_TEXT, check_text
from deskapp.store.change_feed import announce
from deskapp.store.connection import is_sqlite, use, write_transaction
from deskapp.store.models import History, Staff, Ticket
from deskapp.store.step_context import say_step, writes_history

# The desk's own actors (deskapp.domain.lifecycle): the rule pass (`rules`), the steps
# the desk's mailbox takes by itself (`mail`: a reseller's reply records information
# received, a confirmation, a refusal) and the outbox's sender (`mailer`). Reserved names.
SYSTEM_ACTORS = frozenset(SYSTEM_ACTIONS)
__all__ = ["MAILER_ACTOR", "MAIL_ACTOR", "RULES_ACTOR", "SYSTEM_ACTORS"]


def engine_for(policy: Policy | None) -> SlaEngine:
    from deskapp.sla import engine

    return engine(policy or default_policy())


def local_text(moment: dt.datetime | None, policy: Policy | None = None) -> str:
    if moment is None:
        return "an unknown time"
    tz = (policy or default_policy()).tz
    return moment.astimezone(tz).strftime("%a %d %b %Y %H:%M %Z")


def load_staff(login: str) -> Staff:
    check_text(login, "the login", Staff.login.max_length)
    staff = Staff.get_or_none(Staff.login == login)
    if staff is None or not staff.active:
        raise NotFound(f"no active staff member has the login {quote(login)}")
    return staff


def load_ticket(number: str, *, lock: bool = False) -> Ticket:
    """`lock` (inside a write transaction, PostgreSQL): SELECT ... FOR UPDATE, so a second
    workstation changing the same ticket waits for this one to commit and then reads the
    version it made (SQLite's IMMEDIATE transaction already serializes every writer)."""
    check_text(number, "the ticket number", Ticket.number.max_length)
    query = Ticket.select().where(Ticket.number == number.strip().upper())
    if lock and not is_sqlite(Ticket._meta.database):
        query = query.for_update()
    ticket: Ticket | None = query.first()
    if ticket is None:
        raise NotFound(f"no ticket has the number {quote(number)}")
    return ticket


MAX_VERSION = 2**63 - 1  # the largest the version column holds on either database


def staff_role(staff: Staff) -> Role:
    return Role(staff.role)


def conflict(ticket_id: int, number: str, expected: int, policy: Policy | None) -> ConflictError:
    """Who changed the ticket last, and every step since version `expected` (each
    version is one history event: the ticket is logged at version 1 with one)."""
    current = Ticket.get_by_id(ticket_id)
    since = list(History.select().where(History.ticket == ticket_id).order_by(History.id).offset(expected))
    last = since[-1] if since else (
        History.select().where(History.ticket == ticket_id).order_by(History.id.desc()).first()
    )  # fmt: skip
    who = last.actor if last else "someone"
    when = last.at if last else None
    changes = tuple(
        Change(
            h.at,
            h.actor,
            h.kind,
            h.from_status,
            h.to_status,
            h.from_tier,
            h.to_tier,
            h.note,
            local_text(h.at, policy),
        )
        for h in since
    )
    return ConflictError(number, who, when, expected, current.version, local_text(when, policy), changes)


def require_text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"{what} is required")
    return text


@dataclass
class Operation:
    ticket: Ticket
    actor: Staff
    role: Role
    action: Action
    now: dt.datetime
    to_status: Status
    engine: SlaEngine
    policy: Policy
    written: bool = field(default=False)

    @property
    def status(self) -> Status:
        return Status(self.ticket.status)

    def write(
        self, kind: str, note: str = "", *, to_status: Status | None = None,
        to_tier: int | None = None, **fields: Any,
    ) -> None:  # fmt: skip
        """Update the ticket (if still at the version read) and append one history event."""
        check_text(note, "the note")
        for name, value in fields.items():
            if isinstance(value, str):
                field_ = getattr(Ticket, name)
                check_text(value, name.replace("_", " "), getattr(field_, "max_length", None) or MAX_TEXT)
        t = self.ticket
        new_status = to_status or self.to_status
        new_tier = to_tier if to_tier is not None else t.tier
        changes: dict[Any, Any] = {getattr(Ticket, k): v for k, v in fields.items()}
        changes[Ticket.status] = new_status.value
        changes[Ticket.tier] = new_tier
        changes[Ticket.version] = Ticket.version + 1
        changes[Ticket.updated_at] = self.now
        db = Ticket._meta.database
        # PostgreSQL writes the history row itself, from what the step says it is.
        say_step(db, actor=self.actor.login, kind=kind, note=note, now=self.now)
        query = Ticket.update(changes).where(Ticket.id == t.id, Ticket.version == t.version)
        if query.execute() != 1:
            raise conflict(t.id, str(t.number), t.version, self.policy)
        if not writes_history(db):
            History.create(
                ticket=t.id, at=self.now, actor=self.actor.login, kind=kind,
                from_status=t.status, to_status=new_status.value,
                from_tier=t.tier, to_tier=new_tier, note=note,
            )  # fmt: skip
        announce(db, [str(t.number)])  # delivered on commit
        self.written = True


@contextlib.contextmanager
def ticket_operation(
    db: pw.Database, clock: Clock, actor: str, number: str, action: Action,
    expected_version: int | None = None, policy: Policy | None = None, *, system: bool = False,
) -> Iterator[Operation]:  # fmt: skip
    """`system`: the desk itself acts (`actor` one of SYSTEM_ACTORS, no staff row, no
    role check); the state machine still decides what may happen."""
    use(db)
    policy = policy or default_policy()
    now = clock.now()
    with write_transaction(db):
        # Who acts, for all the transaction writes (a priority change is stamped with it).
        say_step(db, actor=actor, kind="", note="", now=now)
        if system:
            if actor not in SYSTEM_ACTORS:
                raise ValueError(f"{actor!r} is not one of the desk's own actors")
            staff = Staff(login=actor, name=actor, role=Role.ADMIN.value)
            role = Role.ADMIN
        else:
            staff = load_staff(actor)
            role = staff_role(staff)
            check_role(action, role)
        # Locked: without an expected version, a change made meanwhile by another workstation
        # is waited for, not refused as a conflict (op.write's version check then holds).
        ticket = load_ticket(number, lock=True)
        if expected_version is not None and not 1 <= expected_version <= MAX_VERSION:
            raise ValidationError(
                f"{quote(expected_version)} is not a version a ticket can have "
                f"({ticket.number} is at version {ticket.version})"
            )
        if expected_version is not None and expected_version != ticket.version:
            raise conflict(ticket.id, str(ticket.number), expected_version, policy)
        to_status = next_status(action, Status(ticket.status))
        op = Operation(ticket, staff, role, action, now, to_status, engine_for(policy), policy)
        yield op
        if not op.written:
            raise RuntimeError(f"{action.value} wrote nothing")  # a bug in the service


def reload(ticket: Ticket) -> Ticket:
    return Ticket.get_by_id(ticket.id)
