"""The queue view: filters with counts, remembered filters, search, the countdown timer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from deskapp.domain.clock import FixedClock
from deskapp.domain.sla import SlaEngine
from deskapp.gui.models.queue_model import COUNTDOWN, NUMBER, QueueModel
from deskapp.gui.queue_view import QueueView
from deskapp.gui.timers import CountdownTimer
from tests.gui.conftest import MON_9
from tests.gui.factories import row


@pytest.fixture
def view(qtbot: QtBot, engine: SlaEngine, clock: FixedClock) -> Iterator[QueueView]:
    model = QueueModel(engine, clock.now())
    model.set_rows(
        [
            row(1, MON_9, priority="P2", engineer="ann"),
            row(2, MON_9 - dt.timedelta(minutes=30), priority="P1", reseller="Blue Sky IT"),
            row(3, MON_9, priority="P3", status="awaiting_info", engineer="ann", tier=2),
        ],
        clock.now(),
    )
    widget = QueueView(model, QSettings())
    qtbot.addWidget(widget)
    widget.resize(1200, 500)
    widget.show()
    widget.set_me("ann")
    yield widget


def _numbers(view: QueueView) -> list[str]:
    p = view.proxy
    return [p.index(r, NUMBER).data() for r in range(p.rowCount())]


def test_sorted_by_due_with_counts_on_each_filter(view: QueueView) -> None:
    assert _numbers(view) == ["INC-000002", "INC-000001", "INC-000003"]
    assert view.mine_check.text() == "Mine (2)"
    assert view.unassigned_check.text() == "Unassigned (1)"
    assert view.awaiting_info_check.text() == "Awaiting info (1)"
    assert view.priority_combo.itemText(1) == "P1 (1)"
    assert view.tier_combo.itemText(2) == "Tier 2 (1)"
    assert view.shown_label.text() == "3 open tickets"


def test_filters_and_search_are_applied_and_remembered(qtbot: QtBot, view: QueueView) -> None:
    view.mine_check.setChecked(True)
    assert _numbers(view) == ["INC-000001", "INC-000003"]
    view.tier_combo.setCurrentIndex(view.tier_combo.findData(2))
    assert _numbers(view) == ["INC-000003"]
    assert view.shown_label.text().startswith("FILTERED: 1 of 3 open tickets shown, 2 hidden by mine, tier 2")
    view.clear_filters()
    qtbot.keyClicks(view.search_edit, "blue")  # type: ignore[no-untyped-call]
    assert _numbers(view) == ["INC-000002"]

    again = QueueView(view.model, QSettings())
    qtbot.addWidget(again)
    assert again.search_edit.text() == "blue"
    assert again.current_filter() == view.current_filter()
    assert _numbers(again) == ["INC-000002"]


def test_countdown_timer_changes_band_when_the_fake_clock_moves(view: QueueView, clock: FixedClock) -> None:
    timer = CountdownTimer(clock)
    timer.fired.connect(view.on_tick)
    try:
        p1 = view.proxy.index(0, COUNTDOWN)
        assert p1.data() == "1h 30m left"
        clock.advance(dt.timedelta(minutes=61))  # 29 min of 2 h left: under a quarter
        timer.fire()
        assert p1.data() == "AT RISK 0h 29m"
        clock.advance(dt.timedelta(minutes=30))
        timer.fire()
        assert p1.data() == "BREACHED +0h 01m"
    finally:
        timer.stop()


def test_activating_a_row_names_the_ticket(qtbot: QtBot, view: QueueView) -> None:
    with qtbot.waitSignal(view.ticket_activated) as blocker:
        view.table.activated.emit(view.proxy.index(1, NUMBER))
    assert blocker.args == ["INC-000001"]
