"""The wiring: queue loaded from the services, rules timer off the GUI thread, change watcher."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import peewee
import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.domain.lifecycle import Action
from deskapp.gui.app import DeskApp
from deskapp.gui.models.queue_model import STATUS
from deskapp.gui.signin_dialog import FirstAdminDialog, SignInDialog
from tests.gui.conftest import MON_9
from tests.gui.seed import STAFF, desk_for, log, seed


@pytest.fixture
def app(qtbot: QtBot, desk_db: peewee.Database, clock: FixedClock) -> Iterator[DeskApp]:
    desk_app = DeskApp(desk_db, clock, QSettings())
    yield desk_app
    desk_app.stop()
    if desk_app.window is not None:
        desk_app.window.close()


def _start(qtbot: QtBot, app: DeskApp, login: str) -> None:
    session = desk_for(app.db, app.clock, login).session  # type: ignore[arg-type]
    window = app.start(session, start_timers=False)
    qtbot.addWidget(window)
    window.show()


def _status_of(app: DeskApp, number: str) -> str:
    assert app.model is not None
    for r in range(app.model.rowCount()):
        if app.model.row(r).number == number:
            return str(app.model.index(r, STATUS).data())
    return "(not in the queue)"


def test_first_run_asks_for_the_first_administrator(app: DeskApp, clock: FixedClock) -> None:
    first = app.sign_in_dialog()
    assert isinstance(first, FirstAdminDialog)
    first.deleteLater()
    seed(app.db, clock)
    again = app.sign_in_dialog()
    assert isinstance(again, SignInDialog)
    again.deleteLater()


def test_queue_loads_and_an_action_refreshes_it(qtbot: QtBot, app: DeskApp, clock: FixedClock) -> None:
    seed(app.db, clock)
    number = log(app.db, clock)
    _start(qtbot, app, "tess")
    assert app.model is not None and app.model.rowCount() == 1
    assert app.window is not None and "Tess" in app.window.windowTitle()
    app.open_ticket(number)
    tv = app.ticket_view
    assert tv is not None and tv.detail is not None
    clock.advance(dt.timedelta(minutes=1))
    tv.actions_by_step[Action.ASSIGN].trigger()
    tv.engineer_combo.setEditText("tess")
    assert tv.submit_action()
    assert _status_of(app, number) == "assigned"
    assert app.queue_view is not None and app.queue_view.mine_check.text() == "Mine (1)"


def test_rules_timer_auto_resolves_a_ticket(qtbot: QtBot, app: DeskApp, clock: FixedClock) -> None:
    seed(app.db, clock)
    number = log(app.db, clock)
    services.assign(app.db, clock, "tess", number, engineer="tess")
    services.request_info(app.db, clock, "tess", number)
    _start(qtbot, app, "tess")
    assert _status_of(app, number) == "awaiting info"
    clock.advance(dt.timedelta(days=4))  # Friday 09:00: three business days have passed
    with qtbot.waitSignal(app.rules_ran, timeout=10_000) as blocker:
        app.rules_timer.fire()
    assert number in blocker.args[0].applied["auto_resolved"]
    assert _status_of(app, number) == "resolved"
    assert app.window is not None and "auto_resolved" in app.window.rules_label.text()


def test_change_watcher_refreshes_queue_and_open_ticket(
    qtbot: QtBot, app: DeskApp, clock: FixedClock
) -> None:
    seed(app.db, clock)
    number = log(app.db, clock)
    _start(qtbot, app, "tess")
    app.open_ticket(number)
    with qtbot.waitSignal(app.queue_refreshed, timeout=5000) as refreshed:
        app.refresh_queue()
    assert refreshed.args == [[]]  # nothing changed: nothing applied
    clock.advance(dt.timedelta(minutes=3))
    services.assign(app.db, clock, "lee", number, engineer="tom")  # another workstation
    p1 = log(app.db, clock, impact="all", summary="Whole tenant down")
    app.watch_timer.fire()
    assert _status_of(app, number) == "assigned"
    assert _status_of(app, p1) == "logged"
    tv = app.ticket_view
    assert tv is not None and tv.detail is not None and tv.detail.engineer == "tom"
    assert any(p1 in title for title, _msg in app.notifier.sent)


def test_countdown_timer_updates_visible_rows(qtbot: QtBot, app: DeskApp, clock: FixedClock) -> None:
    seed(app.db, clock)
    log(app.db, clock, impact="all")
    _start(qtbot, app, "tess")
    assert app.model is not None
    assert app.model.countdown_text(0) == "2h 00m left"
    clock.advance(dt.timedelta(minutes=100))
    app.countdown_timer.fire()
    assert app.model.countdown_text(0) == "AT RISK 0h 20m"


def test_staff_fixture_covers_every_role() -> None:
    assert {role for _name, role in STAFF.values()} == {r for r in STAFF["alice"][1].__class__}


def test_lead_gets_the_escalations_tab(qtbot: QtBot, app: DeskApp, clock: FixedClock) -> None:
    seed(app.db, clock)
    _start(qtbot, app, "lee")
    assert app.window is not None and app.window.work_tabs.count() == 6  # + outbox, inbox, reports, find
    assert app.escalations_view is not None
    assert app.window.work_tabs.indexOf(app.escalations_view) == 1


def test_engineer_has_no_escalations_tab(qtbot: QtBot, app: DeskApp, clock: FixedClock) -> None:
    seed(app.db, clock)
    _start(qtbot, app, "tom")
    assert app.window is not None and app.window.work_tabs.count() == 4  # the queue, outbox, inbox, find
    assert app.escalations_view is None


def test_queue_loads_off_the_gui_thread(qtbot: QtBot, app: DeskApp, clock: FixedClock) -> None:
    seed(app.db, clock)
    number = log(app.db, clock)
    session = desk_for(app.db, clock, "tess").session
    with qtbot.waitSignal(app.queue_loaded, timeout=10_000) as blocker:
        window = app.start(session, start_timers=False, load_async=True)
        qtbot.addWidget(window)
        with qtbot.assertNotEmitted(app.queue_refreshed):
            app.refresh_queue()  # nothing is read twice while the first load runs
    assert blocker.args == [1]
    assert _status_of(app, number) == "logged"


def test_turning_at_risk_notifies_and_layout_is_remembered(
    qtbot: QtBot, app: DeskApp, clock: FixedClock
) -> None:
    seed(app.db, clock)
    number = log(app.db, clock, impact="all")  # P1: due in 2 h of wall time
    _start(qtbot, app, "tess")
    clock.advance(dt.timedelta(minutes=95))
    with qtbot.waitSignal(app.rules_ran, timeout=10_000):
        app.rules_timer.fire()
    assert any(number in title and "AT RISK" in title for title, _m in app.notifier.sent)
    assert app.window is not None
    app.window.resize(760, 560)
    app.window.queue_splitter.setSizes([420, 300])
    app.window.save_layout()
    sizes = app.window.queue_splitter.sizes()
    again = DeskApp(app.db, clock, app.settings)
    try:
        other = again.start(desk_for(app.db, clock, "tess").session, start_timers=False)
        qtbot.addWidget(other)
        assert other.size().height() == 560
        other.show()
        assert other.queue_splitter.sizes() == sizes
    finally:
        again.stop()


def test_the_most_urgent_tickets_are_shown_before_the_rest(
    qtbot: QtBot, app: DeskApp, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import deskapp.gui.app as wiring

    monkeypatch.setattr(wiring, "FIRST_PAGE", 2)
    seed(app.db, clock)
    numbers = []
    for minutes in (0, 30, 60):  # three P2s: the first logged is due first
        clock.set(MON_9 + dt.timedelta(minutes=minutes))
        numbers.append(log(app.db, clock, channel="email"))
    session = desk_for(app.db, clock, "tess").session
    first: list[list[str]] = []
    app.queue_first_page.connect(
        lambda _n: first.append([app.model.row(r).number for r in range(app.model.rowCount())])  # type: ignore[union-attr]
    )
    with qtbot.waitSignal(app.queue_loaded, timeout=10_000):
        window = app.start(session, start_timers=False, load_async=True)
        qtbot.addWidget(window)
    assert first and sorted(first[0]) == sorted(numbers[:2]), "the two due first, alone"
    assert app.model is not None and app.model.rowCount() == 3


def test_at_launch_the_other_pages_follow_the_first_paint(
    qtbot: QtBot, app: DeskApp, clock: FixedClock
) -> None:
    seed(app.db, clock)
    log(app.db, clock)
    session = desk_for(app.db, clock, "lee").session
    painted_before_pages: list[bool] = []
    app.queue_first_page.connect(lambda _n: painted_before_pages.append(app.outbox_view is None))
    with qtbot.waitSignal(app.queue_loaded, timeout=10_000):
        window = app.start(session, start_timers=False, load_async=True)
        qtbot.addWidget(window)
        window.show()
        assert window.work_tabs.count() == 1, "only the queue until its first page is painted"
    assert painted_before_pages == [True]
    tabs = [window.work_tabs.tabText(i) for i in range(window.work_tabs.count())]
    assert tabs == ["&Queue", "&Escalations", "&Outbox", "&Inbox", "Re&ports", "&Find"]
    shortcuts = {a.objectName(): a.shortcut().toString() for a in window.view_menu.actions()}
    assert shortcuts["showEscalationsAction"] == "Ctrl+2" and shortcuts["showReportsAction"] == "Ctrl+4"
    assert shortcuts["showInboxAction"] == "Ctrl+6"
    assert len(set(shortcuts.values())) == len(shortcuts), "no two pages share a key"


def test_notices_show_in_the_window_where_there_is_no_tray(
    qtbot: QtBot, desk_db: peewee.Database, clock: FixedClock
) -> None:
    from deskapp.gui.notifier import Notifier

    seed(desk_db, clock)
    desk_app = DeskApp(desk_db, clock, QSettings(), notifier=Notifier(tray=False))
    try:
        _start(qtbot, desk_app, "lee")
        window = desk_app.window
        assert window is not None and window.notice_frame.isHidden()
        desk_app.notifier.notify("P1 logged: INC-000001", "Acme Cloud Ltd: tenant offline", urgent=True)
        assert window.notice_frame.isVisible()
        assert "P1 logged: INC-000001: Acme Cloud Ltd: tenant offline" in window.notice_label.text()
        window.notice_dismiss_button.click()
        assert window.notice_frame.isHidden()
        desk_app.notifier.enabled = False  # Settings: notices off
        desk_app.notifier.notify("P1 logged: INC-000002", "Acme Cloud Ltd: mail down")
        assert window.notice_frame.isHidden()
    finally:
        desk_app.stop()
