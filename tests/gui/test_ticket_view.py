"""The ticket view: every process action through its form, errors inline, roles, conflicts."""

from __future__ import annotations

import datetime as dt

import peewee
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.domain.lifecycle import Action
from deskapp.gui.actions import SPEC_BY_ACTION
from deskapp.gui.forms import child
from deskapp.gui.ticket_view import TicketView
from tests.gui.conftest import check_model
from tests.gui.seed import desk_for, log


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
    if "engineer" in fields:
        view.engineer_combo.setEditText(fields["engineer"])
    if "provider" in fields:
        view.provider_edit.setText(fields["provider"])
    if "ref" in fields:
        view.provider_ref_edit.setText(fields["ref"])
    return view.submit_action()


def test_every_process_action_from_the_detail_view(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    number = log(seeded, clock)
    view = _view(qtbot, seeded, clock, "tess")
    view.show_ticket(number)
    assert view.header_label.text().startswith(number)
    assert "4 hours of business time" in view.sla_explanation_text.toPlainText()
    assert view.countdown_label.text() == "4h 00m left (business time)"
    assert child(view, QLabel, "resellerValue").text() == "Acme Cloud Ltd (GB)"

    with qtbot.waitSignal(view.changed):
        assert _step(view, Action.NOTIFY)
    assert view.countdown_label.text().startswith("met")
    assert _step(view, Action.ASSIGN, engineer="tess")
    assert view.detail is not None and view.detail.status == "assigned"
    assert _step(view, Action.REQUEST_INFO, "Which users are affected?")
    assert view.detail.status == "awaiting_info"
    clock.advance(dt.timedelta(hours=1))
    view.actions_by_step[Action.AGREE_UPDATE].trigger()
    assert view.submit_action()
    assert view.detail.agreed_update_at is not None
    assert _step(view, Action.CHASER_SENT)
    assert _step(view, Action.INFO_RECEIVED, "list of users")
    assert view.detail.status == "in_progress"
    assert _step(view, Action.ESCALATE, "restarted sync, rebuilt profile")
    assert view.detail.tier == 2
    assert _step(view, Action.ESCALATE, "checked tenant", provider="Microsoft", ref="MS-123")
    assert (view.detail.tier, view.detail.provider_ref) == (3, "MS-123")
    assert _step(view, Action.THIRD_PARTY_UPDATE, "fix rolling out", ref="MS-123b")
    assert _step(view, Action.RESOLVE, "fixed by provider")
    assert view.detail.status == "resolved"
    assert _step(view, Action.REJECT, "still broken")
    assert view.detail.lead_flagged_at is not None
    assert Action.CLEAR_LEAD_FLAG not in view.offered_actions()  # Tier 2 engineer: not theirs
    lead = _view(qtbot, seeded, clock, "lee")
    lead.show_ticket(number)
    assert _step(lead, Action.CLEAR_LEAD_FLAG)
    view.reload()
    assert _step(view, Action.RESOLVE, "fixed for real")
    assert _step(view, Action.REOPEN, "came back")
    assert _step(view, Action.RESOLVE, "fixed again")
    assert _step(view, Action.CONFIRM)
    assert _step(view, Action.NOTE, "reseller happy")
    kinds = [h.kind for h in view.detail.history]
    for kind in ("notified", "assigned", "info_requested", "update_agreed", "chaser_sent",
                 "info_received", "escalated", "third_party_update", "resolved", "rejected",
                 "lead_flag_cleared", "reopened", "confirmed", "note"):  # fmt: skip
        assert kind in kinds
    assert view.history_model.rowCount() == len(kinds)


def test_errors_inline_in_words_and_typed_text_kept(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    number = log(seeded, clock)
    view = _view(qtbot, seeded, clock, "tess")
    view.show_ticket(number)
    assert not _step(view, Action.ASSIGN, "please", engineer="alice")  # a Tier 2 takes only for self
    assert "takes tickets for themselves" in view.action_error_label.text()
    assert view.note_edit.toPlainText() == "please"
    assert view.action_form_group.isVisible()
    view.actions_by_step[Action.RESOLVE].trigger()
    view.note_edit.setPlainText("")
    assert not view.submit_action()
    assert "Resolution is needed" in view.action_error_label.text()


def test_actions_hidden_and_refused_by_role(qtbot: QtBot, seeded: peewee.Database, clock: FixedClock) -> None:
    number = log(seeded, clock)
    services.assign(seeded, clock, "tom", number, engineer="tom")
    admin = _view(qtbot, seeded, clock, "alice")
    admin.show_ticket(number)
    offered = admin.offered_actions()
    assert Action.RESOLVE not in offered and Action.ESCALATE not in offered
    assert not admin.buttons_by_step[Action.RESOLVE].isVisible()
    assert admin.buttons_by_step[Action.NOTE].isVisible()
    # even if the form is forced open, the services refuse in words
    admin.actions_by_step[Action.RESOLVE].setEnabled(True)
    admin.actions_by_step[Action.RESOLVE].setVisible(True)
    admin.actions_by_step[Action.RESOLVE].trigger()
    admin.note_edit.setPlainText("done")
    assert not admin.submit_action()
    assert "administrator may not resolve" in admin.action_error_label.text()

    services.escalate(seeded, clock, "tom", number, note="tried")
    tier1 = _view(qtbot, seeded, clock, "tom")
    tier1.show_ticket(number)
    assert Action.RESOLVE not in tier1.offered_actions()  # Tier 1 does not work a Tier 2 ticket


def test_conflict_message_when_another_session_changed_the_ticket(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    number = log(seeded, clock)
    view = _view(qtbot, seeded, clock, "tess")
    view.show_ticket(number)
    view.actions_by_step[Action.NOTE].trigger()
    view.note_edit.setPlainText("my careful note")
    clock.advance(dt.timedelta(minutes=2))
    services.notify(seeded, clock, "lee", number)  # another workstation
    assert not view.submit_action()
    assert view.conflict_frame.isVisible()
    assert f"{number} was changed by lee" in view.conflict_label.text()
    assert view.note_edit.toPlainText() == "my careful note"
    view.reload_button.click()
    assert not view.conflict_frame.isVisible()
    assert view.note_edit.toPlainText() == "my careful note"
    assert view.submit_action()


def test_history_model_passes_qtmodeltester(qtbot: QtBot, qtmodeltester: object, seeded: peewee.Database,
                                             clock: FixedClock) -> None:  # fmt: skip
    number = log(seeded, clock)
    view = _view(qtbot, seeded, clock, "tess")
    view.show_ticket(number)
    check_model(qtmodeltester, view.history_model)  # type: ignore[arg-type]


def test_assign_offers_the_staff_who_can_take_the_ticket(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    number = log(seeded, clock)
    lead = _view(qtbot, seeded, clock, "lee")
    lead.show_ticket(number)
    lead.actions_by_step[Action.ASSIGN].trigger()
    combo = lead.engineer_combo
    offered = [combo.itemData(i) for i in range(combo.count())]
    assert offered == ["lee", "tess", "tom"]  # by name; not the administrator
    assert combo.itemText(offered.index("tom")) == "tom — Tom Tier-One (Tier 1 engineer)"
    assert combo.currentData() == "lee"  # unassigned: the lead themselves, until someone is chosen
    combo.setCurrentIndex(offered.index("tom"))
    assert lead.submit_action()
    assert lead.detail is not None and lead.detail.engineer == "tom"

    tom = _view(qtbot, seeded, clock, "tom")
    tom.show_ticket(number)
    tom.actions_by_step[Action.ASSIGN].trigger()
    assert [tom.engineer_combo.itemData(i) for i in range(tom.engineer_combo.count())] == ["tom"]

    escalated = log(seeded, clock, impact="all")
    services.assign(seeded, clock, "tess", escalated, engineer="tess")
    services.escalate(seeded, clock, "tess", escalated, note="restarted the sync")
    lead.show_ticket(escalated)
    lead.actions_by_step[Action.ASSIGN].trigger()
    tier2 = [combo.itemData(i) for i in range(combo.count())]
    assert tier2 == ["lee", "tess"], "a Tier 1 engineer cannot take a Tier 2 ticket"
    assert combo.currentText() == "", "a reassignment names no one until chosen"
    assert not lead.submit_action()
    assert lead.action_error_label.text() != ""
