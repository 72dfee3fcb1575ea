"""Duplicates: warn at intake, and close a duplicate into the ticket that goes on.

    similar_open_tickets(db, *, reseller, tenant, summary, exclude=None, policy=None)
        -> list[SimilarTicket]
    duplicate(db, clock, actor, number, *, of, note="", expected_version=None, policy=None)
        -> Ticket

A ticket is a possible duplicate when the same reseller and tenant has an open
ticket whose summary is alike (`process.duplicate_similarity`, difflib's ratio of
the lower-cased words, or one summary holding the other): intake warns, a
person decides. `duplicate` closes the duplicate at once, with no resolution
message and no survey; both tickets link to each other (`duplicate_of`, and the
surviving ticket's history); the duplicate's notes are copied to the surviving
ticket's history (the history is append-only, so they stay on the duplicate too).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import OPEN_STATUSES, Action, Status
from deskapp.domain.policy import Policy, default_policy
from deskapp.services.errors import TransitionNotAllowed, ValidationError
from deskapp.services.operation import load_ticket, local_text, reload, require_text, ticket_operation
from deskapp.services.work import WAIT_CLEARED
from deskapp.store.change_feed import announce
from deskapp.store.connection import use
from deskapp.store.fields import to_utc
from deskapp.store.models import History, Reseller, Tenant, Ticket
from deskapp.store.step_context import say_step, writes_history


@dataclass(frozen=True)
class SimilarTicket:
    number: str
    summary: str
    status: str
    logged_at: dt.datetime

    def describe(self, policy: Policy | None = None) -> str:
        return (
            f"{self.number} ({Status(self.status).label}, logged {local_text(self.logged_at, policy)}): "
            f"{self.summary}"
        )


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def alike(a: str, b: str, threshold: float) -> bool:
    """Whether two summaries look like the same incident."""
    x, y = _words(a), _words(b)
    if not x or not y:
        return False
    return x in y or y in x or SequenceMatcher(None, x, y).ratio() >= threshold


def similar_open_tickets(
    db: pw.Database, *, reseller: str, tenant: str, summary: str, exclude: str | None = None,
    policy: Policy | None = None,
) -> list[SimilarTicket]:  # fmt: skip
    """Open tickets of the same reseller and tenant with a summary like `summary`."""
    use(db)
    threshold = (policy or default_policy()).duplicate_similarity
    query = (
        Ticket.select(Ticket.number, Ticket.summary, Ticket.status, Ticket.logged_at)
        .join(Reseller, on=(Ticket.reseller == Reseller.id))
        .switch(Ticket)
        .join(Tenant, on=(Ticket.tenant == Tenant.id))
        .where(
            Reseller.name == (reseller or "").strip(), Tenant.name == (tenant or "").strip(),
            Ticket.status.in_(sorted(s.value for s in OPEN_STATUSES)),
        )
        .order_by(Ticket.id)
        .tuples()
    )  # fmt: skip
    out = []
    rows: list[tuple[Any, ...]] = list(query)  # type: ignore[arg-type]
    for number, text, status, logged in rows:
        if number != exclude and alike(summary, str(text), threshold):
            at = to_utc(logged)
            assert at is not None
            out.append(SimilarTicket(str(number), str(text), str(status), at))
    return out


def duplicate(
    db: pw.Database, clock: Clock, actor: str, number: str, *, of: str, note: str = "",
    expected_version: int | None = None, policy: Policy | None = None,
) -> Ticket:  # fmt: skip
    """Close `number` as a duplicate of `of` (see the module docstring)."""
    with ticket_operation(db, clock, actor, number, Action.DUPLICATE, expected_version, policy) as op:
        dup = op.ticket
        survivor = load_ticket(require_text(of, "the ticket it duplicates (--of)"))
        if survivor.id == dup.id:
            raise ValidationError(f"{dup.number} cannot be a duplicate of itself")
        if not Status(survivor.status).open and survivor.status != Status.RESOLVED.value:
            raise TransitionNotAllowed(
                f"{survivor.number} is closed: a duplicate goes into a ticket that is still going on "
                f"(log a follow-up of {survivor.number}, or close {dup.number} the usual way)"
            )
        if survivor.reseller_id != dup.reseller_id:  # type: ignore[attr-defined]
            raise ValidationError(
                f"{dup.number} and {survivor.number} belong to different resellers: "
                "they are not the same incident"
            )
        notes = list(
            History.select().where(History.ticket == dup.id, History.kind == "note").order_by(History.id)
        )
        text = (note or "").strip()
        moved = f"; {len(notes)} note(s) copied there" if notes else ""
        fields: dict[str, Any] = {
            **WAIT_CLEARED, "duplicate_of": survivor.id, "closed_at": op.now, "closes_at": None,
            "resolution_reason": f"duplicate of {survivor.number}", "lead_flagged_at": None,
        }  # fmt: skip
        op.write(
            "duplicate_closed",
            f"closed as a duplicate of {survivor.number}{': ' + text if text else ''}{moved} "
            "(no resolution message, no survey)",
            **fields,
        )  # fmt: skip
        _merge_into(survivor, dup, notes, op.actor.login, op.now, text, op.policy)
    return reload(op.ticket)


def _merge_into(
    survivor: Ticket, dup: Ticket, notes: list[History], login: str, now: dt.datetime, text: str,
    policy: Policy,
) -> None:  # fmt: skip
    """The surviving ticket's side: one history event per note copied and one for the
    link, its version moved on by as many (each version is one history event)."""
    entries = [f"[from {dup.number}, {h.actor} {local_text(to_utc(h.at), policy)}] {h.note}" for h in notes]
    entries.append(f"{dup.number} closed as a duplicate of this ticket{': ' + text if text else ''}")
    db = Ticket._meta.database
    for i, entry in enumerate(entries):
        kind = "note" if i < len(notes) else "duplicate_merged"
        # One statement per event: on PostgreSQL each writes its own history row.
        say_step(db, actor=login, kind=kind, note=entry, now=now)
        changed = (
            Ticket.update(version=Ticket.version + 1, updated_at=now)
            .where(Ticket.id == survivor.id, Ticket.version == survivor.version + i)
            .execute()
        )
        if changed != 1:
            raise ValidationError(f"{survivor.number} changed meanwhile; try again")
        if not writes_history(db):
            History.create(
                ticket=survivor.id, at=now, actor=login, kind=kind,
                from_status=survivor.status, to_status=survivor.status, from_tier=survivor.tier,
                to_tier=survivor.tier, note=entry,
            )  # fmt: skip
    announce(Ticket._meta.database, [str(survivor.number)])


def duplicates_of(ticket_id: int) -> list[str]:
    """The numbers of the tickets closed as duplicates of this one."""
    query = Ticket.select(Ticket.number).where(Ticket.duplicate_of == ticket_id).order_by(Ticket.id)
    return [str(t.number) for t in query]
