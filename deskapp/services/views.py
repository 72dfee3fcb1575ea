"""What each person keeps at the desk (schema v6): saved queue views and seen marks.

    save_view(db, clock, login, "My P1s at risk", {"priority": "P1", "at_risk": True})
    saved_views(db, login) -> [SavedViewRow(name, spec)]
    delete_view(db, login, name)

    mark_seen(db, clock, login, number, version)     # the person looked at this version
    seen_versions(db, login) -> {ticket id: version}  # open tickets only

A ticket whose version is newer than the one a person last looked at was
changed by someone else since ("updated since you looked"): a person's own
steps are marked seen as they are taken. Views are plain JSON of filter
fields; the GUI says which fields there are (`deskapp.gui.models.queue_filter`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, NamedTuple

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import Status
from deskapp.services.errors import NotFound, ValidationError
from deskapp.services.operation import load_ticket
from deskapp.store.connection import is_sqlite, use, write_transaction
from deskapp.store.models import SavedView, Ticket, TicketSeen

MAX_NAME = 100
MAX_VIEWS = 50


class SavedViewRow(NamedTuple):
    name: str
    spec: dict[str, Any]


def _name(name: str) -> str:
    clean = " ".join(str(name).split())
    if not clean:
        raise ValidationError("a saved view needs a name")
    if len(clean) > MAX_NAME:
        raise ValidationError(f"the view name {clean[:20]!r}… is longer than {MAX_NAME} characters")
    return clean


def save_view(db: pw.Database, clock: Clock, login: str, name: str, spec: Mapping[str, Any]) -> SavedViewRow:
    """Save (or replace) a person's view under `name`."""
    use(db)
    clean = _name(name)
    try:
        text = json.dumps(dict(spec), sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"the view {clean!r} cannot be saved: {exc}") from None
    with write_transaction(db):
        exists = SavedView.get_or_none(SavedView.login == login, SavedView.name == clean)
        if exists is None and SavedView.select().where(SavedView.login == login).count() >= MAX_VIEWS:
            raise ValidationError(f"{login} has {MAX_VIEWS} saved views already; delete one first")
        SavedView.insert(login=login, name=clean, spec=text, created_at=clock.now()).on_conflict(
            conflict_target=[SavedView.login, SavedView.name], update={SavedView.spec: text}
        ).execute()
    return SavedViewRow(clean, json.loads(text))


def saved_views(db: pw.Database, login: str) -> list[SavedViewRow]:
    use(db)
    out = []
    for v in SavedView.select().where(SavedView.login == login).order_by(SavedView.name):
        try:
            spec = json.loads(v.spec)
        except ValueError:
            spec = {}
        out.append(SavedViewRow(str(v.name), spec if isinstance(spec, dict) else {}))
    return out


def delete_view(db: pw.Database, login: str, name: str) -> None:
    use(db)
    clean = _name(name)
    if not SavedView.delete().where(SavedView.login == login, SavedView.name == clean).execute():
        raise NotFound(f"{login} has no saved view called {clean!r}")


def mark_seen(db: pw.Database, clock: Clock, login: str, number: str, version: int) -> None:
    """`login` looked at `version` of ticket `number` (a later look at an older version
    never moves the mark back)."""
    use(db)
    ticket = load_ticket(number)
    now: dt.datetime = clock.now()
    newest = pw.fn.MAX if is_sqlite(db) else pw.fn.GREATEST  # SQLite's two-argument max
    with write_transaction(db):
        TicketSeen.insert(ticket=ticket.id, login=login, seen_version=version, seen_at=now).on_conflict(
            conflict_target=[TicketSeen.login, TicketSeen.ticket],
            update={
                TicketSeen.seen_version: newest(TicketSeen.seen_version, version),
                TicketSeen.seen_at: now,
            },
        ).execute()


def seen_versions(db: pw.Database, login: str) -> dict[int, int]:
    """{ticket id: the version `login` last looked at}, for tickets not closed."""
    use(db)
    query = (
        TicketSeen.select(TicketSeen.ticket, TicketSeen.seen_version)
        .join(Ticket, on=(TicketSeen.ticket == Ticket.id))
        .where(TicketSeen.login == login, Ticket.status != Status.CLOSED.value)
        .tuples()
    )
    pairs: list[tuple[Any, Any]] = list(query)  # type: ignore[arg-type]
    return {int(ticket): int(seen) for ticket, seen in pairs}
