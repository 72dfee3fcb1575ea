"""Issue 12's steps in the app's ticket view, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import peewee
import pytest
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.domain.lifecycle import Action
from deskapp.gui.actions import SPEC_BY_ACTION
from deskapp.gui.ticket_view import TicketView
from tests.gui.seed import desk_for, log, seed
from tests.london import local

MON_9 = local(2026, 3, 9, 9, 0)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MON_9)


@pytest.fixture
def seeded(db: peewee.Database, clock: FixedClock) -> peewee.Database:
    seed(db, clock)
    return db


def _view(qtbot: QtBot, db: peewee.Database, clock: FixedClock, login: str) -> TicketView:
    view = TicketView(desk_for(db, clock, login))
    qtbot.addWidget(view)
    view.resize(900, 900)
    view.show()
    return view


def _step(view: TicketView, action: Action, note: str = "", **fields: str) -> bool:
    assert action in view.offered_actions(), f"{action} not offered; offered {view.offered_actions()}"
    view.actions_by_step[action].trigger()
    assert view.current_action is SPEC_BY_ACTION[action]
    view.note_edit.setPlainText(note)
    if "provider" in fields:
        view.provider_edit.setText(fields["provider"])
    if "ref" in fields:
        view.provider_ref_edit.setText(fields["ref"])
    return view.submit_action()


def test_the_number_is_told_after_the_resolution(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    number = log(seeded, clock, impact="howto")
    services.assign(seeded, clock, "tom", number, engineer="tom")
    clock.advance(dt.timedelta(minutes=10))
    services.resolve(seeded, clock, "tom", number, reason="explained")
    view = _view(qtbot, seeded, clock, "tom")
    view.show_ticket(number)
    clock.advance(dt.timedelta(minutes=5))
    assert _step(view, Action.NOTIFY)
    assert view.detail is not None
    assert (view.detail.status, view.detail.responded_at) == ("resolved", clock.now())
    assert view.countdown_label.text().startswith("met")
