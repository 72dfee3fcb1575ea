"""The escalations view for leads: grouped by tier, refused resolutions flagged, review."""

from __future__ import annotations

import datetime as dt

import peewee
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui.escalations_view import EscalationsView
from deskapp.gui.models.escalations_model import AT_TIER, FLAG, NOTE, THIRD_PARTY
from tests.gui.conftest import check_model
from tests.gui.seed import desk_for, log, seed
from tests.london import local

MON_9 = local(2026, 3, 9, 9, 0)


def test_grouped_flagged_and_reviewed(qtbot: QtBot, qtmodeltester: object, desk_db: peewee.Database) -> None:
    clock = FixedClock(MON_9)
    seed(desk_db, clock)
    a, b, c = (log(desk_db, clock, summary=s) for s in ("one", "two", "three"))
    for number in (a, b):
        services.assign(desk_db, clock, "tom", number, engineer="tom")
        services.escalate(desk_db, clock, "tom", number, note=f"steps for {number}")
    clock.advance(dt.timedelta(hours=2))
    services.escalate(desk_db, clock, "tess", b, note="vendor bug", provider="Microsoft", provider_ref="MS-9")
    services.third_party_update(desk_db, clock, "tess", b, note="patch Friday")
    services.resolve(desk_db, clock, "tess", b, reason="patched")
    services.reject(desk_db, clock, "lee", b, note="still failing")

    view = EscalationsView(desk_for(desk_db, clock, "lee"))
    qtbot.addWidget(view)
    view.show()
    view.reload()
    check_model(qtmodeltester, view.model)  # type: ignore[arg-type]
    m = view.model
    texts = [m.index(r, 0).data() for r in range(m.rowCount())]
    assert texts == ["Tier 3: 1 Third Party Provider engaged", b, "Tier 2: 1 escalated", a]
    assert c not in texts
    assert "MS-9" in m.index(1, THIRD_PARTY).data() and "patch Friday" in m.index(1, THIRD_PARTY).data()
    assert m.index(1, FLAG).data() == "REFUSED RESOLUTION"
    assert m.index(3, AT_TIER).data() == "2h 00m"
    assert m.index(3, NOTE).data() == f"steps for {a}"

    assert view.select_number(a)
    assert not view.return_selected()
    assert "reason for returning" in view.error_label.text()
    view.comment_edit.setText("follow the runbook")
    with qtbot.waitSignal(view.changed):
        assert view.return_selected()
    assert services.ticket_detail(desk_db, a).tier == 1
    assert view.select_number(b)
    assert view.acknowledge()
    assert services.ticket_detail(desk_db, b).history[-1].kind == "escalation_acknowledged"


def test_engineer_may_not_review(qtbot: QtBot, desk_db: peewee.Database) -> None:
    clock = FixedClock(MON_9)
    seed(desk_db, clock)
    a = log(desk_db, clock)
    services.assign(desk_db, clock, "tom", a, engineer="tom")
    services.escalate(desk_db, clock, "tom", a, note="x")
    view = EscalationsView(desk_for(desk_db, clock, "tess"))
    qtbot.addWidget(view)
    view.reload()
    assert view.select_number(a)
    assert not view.acknowledge()
    assert "may not acknowledge" in view.error_label.text()
