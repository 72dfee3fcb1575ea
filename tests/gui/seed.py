"""A small desk for GUI tests: staff of every role, resellers, and a way to log tickets."""

from __future__ import annotations

import peewee

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.domain.lifecycle import Role
from deskapp.gui.desk import Desk
from deskapp.gui.session import Session

STAFF = {
    "alice": ("Alice Admin", Role.ADMIN),
    "tom": ("Tom Tier-One", Role.TIER1),
    "tess": ("Tess Tier-Two", Role.TIER2),
    "lee": ("Lee Lead", Role.LEAD),
}
PASSWORD = "password1"


def seed(db: peewee.Database, clock: FixedClock) -> None:
    # The tests act at chosen instants (a FixedClock): that is a training desk. On
    # PostgreSQL the database writes the history and stamps priority changes, with the
    # server's time on a live desk and the injected clock only on a training one (v11).
    services.mark_training(db)
    services.add_staff(db, clock, None, "alice", name="Alice Admin", role="admin", password=PASSWORD)
    for login, (name, role) in STAFF.items():
        if login != "alice":
            services.add_staff(db, clock, "alice", login, name=name, role=role.value, password=PASSWORD)
    services.add_reseller(db, clock, "alice", "Acme Cloud Ltd", country="GB")
    services.add_reseller(db, clock, "alice", "Shamrock IT", country="IE")


def desk_for(db: peewee.Database, clock: FixedClock, login: str) -> Desk:
    name, role = STAFF[login]
    return Desk(db, clock, Session(login, name, role))


def log(db: peewee.Database, clock: FixedClock, *, impact: str = "some", channel: str = "phone",
        summary: str = "Mailbox not syncing", reseller: str = "Acme Cloud Ltd") -> str:  # fmt: skip
    ticket = services.log_ticket(
        db, clock, "tom", reseller=reseller, contact="Jo Bloggs", tenant="acme.example",
        impact=impact, channel=channel, summary=summary, phone="+44 20 7946 0000",
    )  # fmt: skip
    return str(ticket.number)
