"""Two workstations log a ticket for the same new contact and tenant at the same moment."""

from __future__ import annotations

import threading

import peewee

from deskapp import services as sv
from deskapp.store.models import Contact, Tenant
from tests.desk_setup import Desk


def test_simultaneous_logs_share_a_new_contact(desk: Desk) -> None:
    """Each thread has its own connection (peewee keeps one per thread): four workstations."""
    start = threading.Barrier(4)
    numbers: list[str] = []
    failures: list[BaseException] = []

    def log() -> None:
        own: peewee.Database = desk.db
        try:
            start.wait(10)
            for _ in range(3):
                ticket = sv.log_ticket(
                    own, desk.clock, "tina", reseller="Acme Networks", contact="Brand New Person",
                    phone="+44 20 7946 0001", tenant="new-tenant", impact="some", channel="phone",
                    summary="VPN down",
                )  # fmt: skip
                numbers.append(ticket.number)
        except BaseException as exc:
            failures.append(exc)
        finally:
            own.close()  # this thread's connection only

    threads = [threading.Thread(target=log) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    assert len(set(numbers)) == 12
    assert Contact.select().where(Contact.name == "Brand New Person").count() == 1
    assert Tenant.select().where(Tenant.name == "new-tenant").count() == 1
