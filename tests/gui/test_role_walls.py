"""Role walls explained: a step the ticket is ready for but the person may not take says who may
and why (under the step buttons, and on the greyed Ticket menu entry); after an escalation to
Tier 2 with nobody at Tier 2, Assign says so instead of offering an empty list."""

from __future__ import annotations

from pathlib import Path

import peewee
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.domain.lifecycle import Action, Role, role_wall
from deskapp.gui.actions import walls
from deskapp.gui.ticket_view import TicketView
from deskapp.services import directory
from tests.gui.seed import desk_for, log


def _view(qtbot: QtBot, db: peewee.Database, clock: FixedClock, login: str) -> TicketView:
    view = TicketView(desk_for(db, clock, login))
    qtbot.addWidget(view)
    view.show()
    return view


def test_an_administrator_is_told_who_may_resolve_and_why(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    number = log(seeded, clock)
    services.assign(seeded, clock, "tom", number, engineer="tom")
    admin = _view(qtbot, seeded, clock, "alice")
    admin.show_ticket(number)
    text = admin.role_wall_label.text()
    assert admin.role_wall_label.isVisible()
    assert "Request info, Escalate, Resolve" in text
    assert (
        "Request info, Escalate, Resolve: only a Tier 1 engineer, a Tier 2 engineer or a team lead may;"
        in text
    )
    assert "administrators run the desk's records, not its tickets" in text
    resolve = admin.actions_by_step[Action.RESOLVE]
    assert resolve.isVisible() and not resolve.isEnabled()  # greyed in the menu, not gone
    assert "administrators run the desk's records" in resolve.statusTip()
    assert Action.RESOLVE not in admin.offered_actions()
    assert not admin.buttons_by_step[Action.RESOLVE].isVisible()


def test_an_engineer_who_may_take_every_step_sees_no_wall(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    number = log(seeded, clock)
    services.assign(seeded, clock, "lee", number, engineer="lee")
    lead = _view(qtbot, seeded, clock, "lee")
    lead.show_ticket(number)
    assert lead.role_wall_label.isHidden() and lead.role_wall_label.text() == ""
    assert all(act.statusTip() == "" for act in lead.actions_by_step.values())


def test_a_tier_one_engineer_is_told_who_works_tier_two() -> None:
    kept = dict((spec.action, why) for spec, why in walls("in_progress", 2, Role.TIER1))
    assert kept[Action.RESOLVE] == (
        "at Tier 2 only a Tier 2 engineer or a team lead may; a Tier 1 engineer works Tier 1 tickets"
    )
    assert (
        kept[Action.REPRIORITISE]
        == "the desk's policy lets only a Tier 2 engineer or a team lead change a priority"
    )
    assert role_wall(Action.RESOLVE, Role.TIER1, tier=1, tier_work=True) is None
    assert Action.NOTE not in kept  # a step anyone may take is no wall


def test_assign_at_tier_two_with_nobody_there_says_so(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    number = log(seeded, clock)
    services.assign(seeded, clock, "lee", number, engineer="tom")
    services.escalate(seeded, clock, "tom", number, note="restarted the sync; still failing")
    for login in ("tess", "lee"):  # nobody left who works Tier 2
        directory.set_staff_active(seeded, clock, "alice", login, active=False)
    admin = _view(qtbot, seeded, clock, "alice")
    admin.show_ticket(number)
    admin.actions_by_step[Action.ASSIGN].trigger()
    assert admin.engineer_combo.count() == 0
    said = admin.action_error_label.text()
    assert said.startswith("Nobody is at Tier 2: the directory has no active Tier 2 engineer or team lead")
    assert "An administrator adds one in the Directory" in said
    tom = _view(qtbot, seeded, clock, "tom")
    tom.show_ticket(number)
    tom.actions_by_step[Action.ASSIGN].trigger()
    assert "You cannot take a Tier 2 ticket: at Tier 2, a Tier 2 engineer or a team lead may" in (
        tom.action_error_label.text()
    )


def test_a_walled_steps_shortcut_says_why_on_the_ticket_and_the_status_bar(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock, tmp_path: Path
) -> None:
    """An administrator presses Escalate's keys (Ctrl+Shift+E): nothing opens, no box, but the
    reason the wall gives is said under the buttons and on the status bar; a Tier 1 engineer
    pressing Confirm's keys on a ticket in progress is told what the state lacks."""
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    from deskapp.gui.app import DeskApp

    number = log(seeded, clock)
    services.assign(seeded, clock, "tom", number, engineer="tom")
    for login, keys, said in (
        ("alice", "E", "Escalate: only a Tier 1 engineer, a Tier 2 engineer or a team lead may; "
         "administrators run the desk's records, not its tickets; you are an administrator"),
        ("tom", "O", "Reseller confirmed: only a resolved ticket can be confirmed"),
    ):  # fmt: skip
        ini = tmp_path / f"{login}.ini"
        desk_app = DeskApp(seeded, clock, QSettings(str(ini), QSettings.Format.IniFormat))
        try:
            window = desk_app.start(desk_for(seeded, clock, login).session, start_timers=False)
            qtbot.addWidget(window)
            window.show()
            qtbot.waitExposed(window)
            window.activateWindow()
            qtbot.waitUntil(window.isActiveWindow)
            desk_app.open_ticket(number)
            desk_app.wait_for_reads()
            tv = desk_app.ticket_view
            assert tv is not None and tv.number == number
            key = getattr(Qt.Key, f"Key_{keys}")
            modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
            assert desk_app.queue_view is not None
            desk_app.queue_view.table.setFocus()
            qtbot.keyClick(desk_app.queue_view.table, key, modifiers)  # type: ignore[no-untyped-call]
            assert tv.current_action is None and tv.action_form_group.isHidden()  # nothing opened
            assert tv.step_refused_label.isVisible() and tv.step_refused_label.text() == said
            assert window.statusBar().currentMessage() == said
            assert not any(
                isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()
            )
            # a step that is offered: its keys open it as before (no ambiguous pair of shortcuts)
            qtbot.keyClick(desk_app.queue_view.table, Qt.Key.Key_M, modifiers)  # type: ignore[no-untyped-call]
            assert tv.current_action is not None and tv.current_action.action is Action.NOTE
            assert tv.step_refused_label.isHidden()
        finally:
            desk_app.stop()


def test_why_a_step_is_not_offered_names_the_state_or_the_role() -> None:
    from deskapp.gui.actions import SPEC_BY_ACTION, why_not

    assert why_not(SPEC_BY_ACTION[Action.NOTE], "in_progress", 1, Role.TIER1) is None  # offered
    assert why_not(SPEC_BY_ACTION[Action.RESOLVE], "closed", 1, Role.LEAD) == (
        "the ticket is closed, permanently; log a follow-up incident linked to it"
    )
    assert why_not(SPEC_BY_ACTION[Action.ESCALATE], "in_progress", 3, Role.LEAD) == (
        "the ticket is already at Tier 3, the top tier"
    )
    assert why_not(SPEC_BY_ACTION[Action.NOTIFY], "in_progress", 1, Role.TIER1, responded=True) == (
        "the reseller was already told the number"
    )
    tier1_resolves_tier2 = why_not(SPEC_BY_ACTION[Action.RESOLVE], "in_progress", 2, Role.TIER1)
    assert tier1_resolves_tier2 is not None and tier1_resolves_tier2.endswith("; you are a Tier 1 engineer")
