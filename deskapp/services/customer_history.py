"""The customer's history beside a ticket: the reseller's and the contact's other
tickets, open and closed, newest first, with their outcomes.

    customer_history(db, "INC-000123", limit=50) -> CustomerHistory

Two indexed queries (ticket by reseller, newest first; the counts), whatever the
size of the desk (schema v16 indexes ticket(reseller_id, id, contact_id, status): the
list in order, the counts from the index alone).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import peewee as pw

from deskapp.domain.lifecycle import Status
from deskapp.services.operation import load_ticket
from deskapp.store.connection import use
from deskapp.store.fields import to_utc
from deskapp.store.models import Contact, Reseller, Ticket


class PastTicket(NamedTuple):
    number: str
    priority: str
    status: str
    summary: str
    contact: str
    same_contact: bool
    logged_at: dt.datetime
    outcome: str  # "open: assigned", "resolved: <reason>", "closed: <reason>"


class CustomerHistory(NamedTuple):
    reseller: str
    contact: str
    total: int  # the reseller's other tickets
    open: int
    contact_total: int  # the contact's other tickets
    tickets: tuple[PastTicket, ...]  # the newest `limit`


def _outcome(status: str, reason: str | None) -> str:
    if status in (Status.RESOLVED.value, Status.CLOSED.value):
        text = " ".join((reason or "").split())
        return f"{status}: {text[:120]}" if text else status
    return f"open: {status.replace('_', ' ')}"


def customer_history(
    db: pw.Database, number: str, *, limit: int = 50, ticket: Ticket | None = None,
    names: tuple[str, str] | None = None,
) -> CustomerHistory:  # fmt: skip
    """`ticket`: the row of `number`, already read; `names`: its reseller's and contact's
    (`ticket_page` has both from the ticket's detail: two reads fewer)."""
    use(db)
    t = ticket if ticket is not None else load_ticket(number)
    reseller_id, contact_id = int(t.__data__["reseller"]), int(t.__data__["contact"])
    if names is None:
        names = (str(Reseller.get_by_id(reseller_id).name), str(Contact.get_by_id(contact_id).name))
    others = (Ticket.reseller == reseller_id) & (Ticket.id != t.id)
    query = (
        Ticket.select(
            Ticket.number,
            Ticket.priority,
            Ticket.status,
            Ticket.summary,
            Contact.name,
            Ticket.contact,
            Ticket.logged_at,
            Ticket.resolution_reason,
        )
        .join(Contact, on=(Ticket.contact == Contact.id))
        .where(others)
        .order_by(Ticket.id.desc())
        .limit(max(1, min(limit, 500)))
        .tuples()
    )
    rows: list[tuple[Any, ...]] = list(query)  # type: ignore[arg-type]
    tickets = tuple(
        PastTicket(
            str(n),
            str(p),
            str(s),
            str(summary),
            str(who),
            int(cid) == contact_id,
            to_utc(at) or dt.datetime.min.replace(tzinfo=dt.UTC),
            _outcome(str(s), reason),
        )
        for n, p, s, summary, who, cid, at, reason in rows
    )
    total, still_open, same = (
        Ticket.select(
            pw.fn.COUNT(Ticket.id),
            pw.fn.COALESCE(pw.fn.SUM(pw.Case(None, [(Ticket.status != Status.CLOSED.value, 1)], 0)), 0),
            pw.fn.COALESCE(pw.fn.SUM(pw.Case(None, [(Ticket.contact == contact_id, 1)], 0)), 0),
        )
        .where(others)
        .scalar(as_tuple=True)
    )
    return CustomerHistory(names[0], names[1], int(total), int(still_open), int(same), tickets)
