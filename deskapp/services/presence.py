"""Who else has this ticket open: presence rows with a heartbeat (schema v4, `editing`).

    others = open_ticket(db, clock, login, number, workstation)   # also the heartbeat
    close_ticket(db, login, number, workstation)
    editors(db, clock, number, exclude=(login, workstation)) -> list[Editor]

A workstation that has a ticket open keeps its row fresh (every
`HEARTBEAT` or so); a row whose heartbeat is older than `STALE_AFTER`
(a crashed or disconnected workstation) is ignored, and cleared by the next
`open_ticket` of that ticket. The clock is the desk's clock, so workstations
with wrong clocks agree on what is stale.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.policy import Policy
from deskapp.services.operation import load_ticket, local_text
from deskapp.store.connection import use, write_transaction
from deskapp.store.fields import to_utc
from deskapp.store.models import Editing, Staff

HEARTBEAT = dt.timedelta(seconds=30)
STALE_AFTER = dt.timedelta(seconds=90)


def this_workstation() -> str:
    return socket.gethostname() or "this workstation"


@dataclass(frozen=True)
class Editor:
    login: str
    name: str
    workstation: str
    since: dt.datetime

    def describe(self, policy: Policy | None = None) -> str:
        return f"{self.name} ({self.login}) at {self.workstation}, since {local_text(self.since, policy)}"


def editors(
    db: pw.Database, clock: Clock, number: str, *, exclude: tuple[str, str] | None = None,
    now: dt.datetime | None = None,
) -> list[Editor]:  # fmt: skip
    """Everyone with a fresh presence row on the ticket, longest-open first."""
    use(db)
    now = now or clock.now()
    ticket = load_ticket(number)
    query = (
        Editing.select(Editing.login, Staff.name, Editing.workstation, Editing.since)
        .join(Staff, pw.JOIN.LEFT_OUTER, on=(Staff.login == Editing.login))
        .where(Editing.ticket == ticket.id, Editing.heartbeat_at >= now - STALE_AFTER)
        .order_by(Editing.since, Editing.id)
    )
    out = []
    rows = cast(Iterable[tuple[str, str | None, str, object]], query.tuples())
    for login, name, workstation, since in rows:
        if exclude is not None and (login, workstation) == exclude:
            continue
        out.append(Editor(login, name or login, workstation, _instant(since)))
    return out


def _instant(value: object) -> dt.datetime:
    moment = to_utc(value)
    assert moment is not None
    return moment


def open_ticket(
    db: pw.Database, clock: Clock, login: str, number: str, workstation: str | None = None
) -> list[Editor]:
    """Say that `login` has the ticket open here (or is still there: the heartbeat);
    returns the others who have it open."""
    use(db)
    now = clock.now()
    workstation = workstation or this_workstation()
    with write_transaction(db):
        ticket = load_ticket(number)
        Editing.delete().where(
            Editing.ticket == ticket.id, Editing.heartbeat_at < now - STALE_AFTER
        ).execute()
        Editing.insert(
            ticket=ticket.id, login=login, workstation=workstation, since=now, heartbeat_at=now
        ).on_conflict(
            conflict_target=[Editing.ticket, Editing.login, Editing.workstation],
            update={Editing.heartbeat_at: now},
        ).execute()
    return editors(db, clock, number, exclude=(login, workstation), now=now)


def close_ticket(db: pw.Database, login: str, number: str, workstation: str | None = None) -> None:
    use(db)
    workstation = workstation or this_workstation()
    ticket = load_ticket(number)
    Editing.delete().where(
        Editing.ticket == ticket.id, Editing.login == login, Editing.workstation == workstation
    ).execute()
