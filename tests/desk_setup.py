"""A small desk for service tests: staff of every role and resellers in GB and IE."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import peewee

from deskapp import services as sv
from deskapp.domain.clock import FixedClock
from deskapp.store.models import Ticket
from tests.london import local

START = local(2026, 3, 9, 9)  # Monday 09:00, London


@dataclass
class Desk:
    db: peewee.Database
    clock: FixedClock

    def at(self, moment: dt.datetime) -> Desk:
        self.clock.set(moment)
        return self

    def log(self, actor: str = "tina", **overrides: Any) -> Ticket:
        fields: dict[str, Any] = dict(
            reseller="Acme Networks", contact="Pat Jones", phone="+44 20 7946 0000",
            tenant="acme-main", impact="some", channel="email", summary="Mail is down",
            end_users="the sales team",
        )  # fmt: skip
        fields.update(overrides)
        return sv.log_ticket(self.db, self.clock, actor, **fields)


def make_desk(db: peewee.Database) -> Desk:
    # The tests act at chosen instants (a FixedClock): that is a training desk. On
    # PostgreSQL the database writes the history, with the server's time on a live desk
    # and the injected clock only on a training one (schema v10).
    sv.mark_training(db)
    clock = FixedClock(START - dt.timedelta(days=7))
    sv.add_staff(db, clock, None, "ada", name="Ada Admin", role="admin", password="pw-ada")
    for login, name, role in (
        ("lee", "Lee Lead", "lead"),
        ("tina", "Tina Tier1", "tier1"),
        ("tom", "Tom Tier1", "tier1"),
        ("tess", "Tess Tier2", "tier2"),
    ):
        sv.add_staff(db, clock, "ada", login, name=name, role=role)  # no hash: fast tests
    sv.add_reseller(db, clock, "ada", "Acme Networks", country="GB", email="desk@acme.example")
    sv.add_reseller(db, clock, "ada", "Liffey Cloud", country="IE", phone="+353 1 555 0100")
    clock.set(START)
    return Desk(db, clock)
