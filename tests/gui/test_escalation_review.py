"""The lead's escalation review service (deskapp/services/escalation_review.py)."""

from __future__ import annotations

import datetime as dt

import peewee
import pytest

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.services.escalation_review import acknowledge, return_escalation
from tests.gui.seed import log, seed

NOW = dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC)


def test_acknowledge_and_return(desk_db: peewee.Database) -> None:
    clock = FixedClock(NOW)
    seed(desk_db, clock)
    number = log(desk_db, clock)
    services.assign(desk_db, clock, "tom", number, engineer="tom")
    with pytest.raises(services.TransitionNotAllowed, match="has not been escalated"):
        acknowledge(desk_db, clock, "lee", number)
    services.escalate(desk_db, clock, "tom", number, note="tried a restart")
    with pytest.raises(services.PermissionDenied, match="team leads and administrators"):
        acknowledge(desk_db, clock, "tess", number)
    t = acknowledge(desk_db, clock, "lee", number, comment="seen")
    assert t.tier == 2
    with pytest.raises(services.ValidationError, match="reason for returning"):
        return_escalation(desk_db, clock, "lee", number, comment=" ")
    with pytest.raises(services.ConflictError):
        return_escalation(desk_db, clock, "lee", number, comment="x", expected_version=1)
    t = return_escalation(desk_db, clock, "lee", number, comment="try the runbook first")
    assert (t.tier, t.status) == (1, "in_progress")
    kinds = [h.kind for h in services.ticket_detail(desk_db, number).history]
    assert kinds[-2:] == ["escalation_acknowledged", "escalation_returned"]


def test_escalations_read_side_flags_refusals(desk_db: peewee.Database) -> None:
    from deskapp.services.escalation_review import escalations

    clock = FixedClock(NOW)
    seed(desk_db, clock)
    a = log(desk_db, clock)
    services.assign(desk_db, clock, "tom", a, engineer="tom")
    services.resolve(desk_db, clock, "tom", a, reason="done")
    services.reject(desk_db, clock, "lee", a, note="not fixed")
    log(desk_db, clock)  # a Tier 1 ticket: not listed
    (row,) = escalations(desk_db)
    assert (row.number, row.tier, row.refused) == (a, 2, True)
    assert row.escalation_note == "not fixed; escalated to Tier 2"
