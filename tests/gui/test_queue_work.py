"""Work from the keyboard: take it (Ctrl+T), assign the selected, next most urgent (Ctrl+J),
and the F1 cheat-sheet."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QItemSelectionModel
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui.app import DeskApp
from deskapp.gui.shortcuts_dialog import entries
from tests.gui.seed import desk_for, log


def _start(qtbot: QtBot, app: DeskApp, login: str) -> None:
    window = app.start(desk_for(app.db, app.clock, login).session, start_timers=False)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()


def _select(app: DeskApp, *numbers: str) -> None:
    qv = app.queue_view
    assert qv is not None
    selection = qv.table.selectionModel()
    selection.clearSelection()
    for number in numbers:
        at = qv.model.row_of_number(number)
        assert at is not None
        index = qv.proxy.mapFromSource(qv.model.index(at, 0))
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        selection.select(index, flags)


def _engineer(app: DeskApp, number: str) -> str | None:
    return services.ticket_detail(app.db, number).engineer


def test_take_the_selected_tickets_in_one_keystroke(qtbot: QtBot, app: DeskApp, clock: FixedClock) -> None:
    a, b, c = (log(app.db, clock, summary=f"Mailbox {i}") for i in range(3))
    _start(qtbot, app, "tom")
    assert app.window is not None and app.queue_work is not None
    services.assign(app.db, clock, "lee", c, engineer="tess")  # changed meanwhile: reported, not lost
    _select(app, a, b, c)
    app.window.take_action.trigger()
    assert (_engineer(app, a), _engineer(app, b)) == ("tom", "tom")
    assert _engineer(app, c) == "tess"
    message = app.window.statusBar().currentMessage()
    assert message.startswith("Taken: 2 done, 1 not: " + c)
    assert app.queue_view is not None and app.queue_view.mine_check.text() == "Mine (2)"


def test_an_administrator_assigns_the_selected_and_is_told_take_it_is_for_engineers(
    qtbot: QtBot, app: DeskApp, clock: FixedClock
) -> None:
    a, b = log(app.db, clock), log(app.db, clock)
    _start(qtbot, app, "alice")
    assert app.window is not None and app.queue_work is not None
    _select(app, a, b)
    app.window.take_action.trigger()
    assert "Take it is for engineers" in app.window.statusBar().currentMessage()
    result = app.queue_work.assign_selected("tom")
    assert result is not None and result.done == (a, b)
    assert _engineer(app, a) == _engineer(app, b) == "tom"


def test_next_most_urgent_opens_what_needs_action_first(
    qtbot: QtBot, app: DeskApp, clock: FixedClock
) -> None:
    calm = log(app.db, clock, summary="How do I add a user", impact="howto")
    clock.advance(dt.timedelta(minutes=5))
    urgent = log(app.db, clock, impact="all", summary="Whole tenant down")
    others = log(app.db, clock, impact="all", summary="Another tenant down")
    services.assign(app.db, clock, "lee", others, engineer="tess")  # someone else's
    _start(qtbot, app, "tom")
    assert app.window is not None and app.ticket_view is not None
    app.window.next_urgent_action.trigger()
    assert app.ticket_view.number == urgent
    app.window.next_urgent_action.trigger()
    assert app.ticket_view.number == calm


def test_f1_lists_every_shortcut_from_the_menus(qtbot: QtBot, app: DeskApp) -> None:
    _start(qtbot, app, "tom")
    assert app.window is not None
    listed = {(keys, what) for _menu, keys, what in entries(app.window)}
    assert ("Ctrl+T", "Take it (the selected, or the open one)") in listed
    assert ("Ctrl+J", "Next most urgent") in listed
    assert ("Ctrl+F", "Search the queue") in listed
    dialog = app.window.show_shortcuts()
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == len(entries(app.window))
