"""The customer's history beside a ticket: the reseller's and the contact's other tickets."""

from __future__ import annotations

import datetime as dt

from deskapp import services as sv
from deskapp.domain.clock import FixedClock
from deskapp.rules import run_rules
from deskapp.services.customer_history import customer_history
from tests.desk_setup import Desk


def test_other_tickets_of_the_reseller_and_contact_with_outcomes(desk: Desk) -> None:
    old = desk.log(summary="Outlook not syncing", contact="Pat Jones").number
    sv.assign(desk.db, desk.clock, "lee", old, engineer="tina")
    sv.resolve(desk.db, desk.clock, "tina", old, reason="Reset the sync token")
    run_rules(desk.db, FixedClock(desk.clock.now() + dt.timedelta(days=30)))
    desk.clock.advance(dt.timedelta(days=31))
    colleague = desk.log(summary="Printer offline", contact="Sam Lee").number
    elsewhere = desk.log(summary="VPN down", reseller="Liffey Cloud", contact="Pat Jones").number
    now = desk.log(summary="Outlook again", contact="Pat Jones").number

    h = customer_history(desk.db, now)
    assert (h.reseller, h.contact) == ("Acme Networks", "Pat Jones")
    assert [t.number for t in h.tickets] == [colleague, old]  # newest first; not this one
    assert elsewhere not in [t.number for t in h.tickets]  # another reseller's
    assert (h.total, h.open, h.contact_total) == (2, 1, 1)
    by_number = {t.number: t for t in h.tickets}
    assert by_number[old].outcome == "closed: Reset the sync token" and by_number[old].same_contact
    assert by_number[colleague].outcome == "open: logged" and not by_number[colleague].same_contact
    assert [t.number for t in customer_history(desk.db, now, limit=1).tickets] == [colleague]
