"""Saved views per person: the filters shown, under a name, on any workstation."""

from __future__ import annotations

from collections.abc import Iterator

import peewee
import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from deskapp.domain.clock import FixedClock
from deskapp.gui.app import DeskApp
from deskapp.gui.models.queue_filter import QueueFilter
from tests.gui.seed import desk_for, log, seed


def _app(qtbot: QtBot, db: peewee.Database, clock: FixedClock, login: str) -> DeskApp:
    app = DeskApp(db, clock, QSettings())
    window = app.start(desk_for(db, clock, login).session, start_timers=False)
    qtbot.addWidget(window)
    return app


@pytest.fixture
def apps() -> Iterator[list[DeskApp]]:
    made: list[DeskApp] = []
    yield made
    for app in made:
        app.stop()


def test_a_saved_view_is_kept_for_its_owner_and_shown_when_picked(
    qtbot: QtBot, desk_db: peewee.Database, clock: FixedClock, apps: list[DeskApp]
) -> None:
    seed(desk_db, clock)
    log(desk_db, clock, impact="all", summary="Whole tenant down")  # P1
    log(desk_db, clock, summary="Mailbox not syncing")  # P2
    tom = _app(qtbot, desk_db, clock, "tom")
    apps.append(tom)
    assert tom.queue_view is not None and tom.saved_views is not None
    tom.queue_view.priority_combo.setCurrentIndex(tom.queue_view.priority_combo.findData("P1"))
    tom.queue_view.at_risk_check.setChecked(True)
    assert tom.saved_views.save("My P1s at risk")
    assert not tom.saved_views.save("   ")  # refused in words, not a traceback
    tom.queue_view.clear_filters()

    again = _app(qtbot, desk_db, clock, "tom")  # another workstation, the same person
    apps.append(again)
    assert again.saved_views is not None and again.saved_views.names() == ["My P1s at risk"]
    assert again.queue_view is not None and again.queue_view.current_filter() == QueueFilter()
    combo = again.saved_views.views_combo
    combo.setCurrentIndex(combo.findText("My P1s at risk"))
    combo.activated.emit(combo.currentIndex())  # as a pick from the list does
    assert again.queue_view.current_filter() == QueueFilter(priority="P1", at_risk=True)
    assert again.queue_view.shown_label.text().startswith("FILTERED")

    lee = _app(qtbot, desk_db, clock, "lee")
    apps.append(lee)
    assert lee.saved_views is not None and lee.saved_views.names() == []  # views are per person
    assert again.saved_views.delete("My P1s at risk")
    again.saved_views.reload()
    assert again.saved_views.names() == []
