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


def test_a_rejection_at_tier_two_asks_for_the_provider(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    number = log(seeded, clock)
    services.assign(seeded, clock, "lee", number, engineer="tess")
    services.escalate(seeded, clock, "lee", number, note="checked the basics")
    services.resolve(seeded, clock, "tess", number, reason="rebuilt the profile")
    view = _view(qtbot, seeded, clock, "tess")
    view.show_ticket(number)
    view.actions_by_step[Action.REJECT].trigger()
    assert view.provider_edit.isVisible() and view.provider_ref_edit.isVisible()
    assert not _step(view, Action.REJECT, "still broken")
    assert "the Third Party Provider" in view.action_error_label.text()
    assert _step(view, Action.REJECT, "still broken", provider="Microsoft", ref="MS-1")
    assert view.detail is not None
    assert (view.detail.status, view.detail.tier, view.detail.provider) == ("in_progress", 3, "Microsoft")
    services.resolve(seeded, clock, "tess", number, reason="provider fixed it")
    view.reload()
    view.actions_by_step[Action.REJECT].trigger()
    assert not view.provider_edit.isVisible()  # at Tier 3 it stays and flags the lead
    assert _step(view, Action.REJECT, "still broken")
    assert view.detail.lead_flagged_at is not None


def test_an_update_agreed_after_the_limit_shows_a_warning(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    number = log(seeded, clock)
    services.assign(seeded, clock, "tom", number, engineer="tom")
    services.request_info(seeded, clock, "tom", number, note="which users?")
    view = _view(qtbot, seeded, clock, "tom")
    view.show_ticket(number)
    assert not view.warning_label.isVisible()
    view.actions_by_step[Action.AGREE_UPDATE].trigger()
    view.agreed_update_edit.setDateTime(view.agreed_update_edit.dateTime().addDays(7))
    assert view.submit_action()
    assert view.warning_label.isVisible()
    assert "resolved automatically Thu 12 Mar 2026 09:00 GMT" in view.warning_label.text()


def test_the_reports_view_shows_local_times(qtbot: QtBot, seeded: peewee.Database, clock: FixedClock) -> None:
    from deskapp.gui.models.report_model import ReportModel
    from deskapp.reports.catalogue import run_report

    clock.set(local(2026, 3, 30, 9))  # BST
    log(seeded, clock)
    clock.set(local(2026, 3, 31, 9))
    table = run_report("breaches", seeded, now=clock.now())
    model = ReportModel()
    model.set_table(table)
    due = model.index(0, table.columns.index("due"))
    assert model.data(due) == "Mon 30 Mar 2026 13:00 BST"


def test_the_reports_view_gives_every_report_a_period(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    from PySide6.QtCore import QDate

    from deskapp.gui.reports_view import ReportsView

    march = log(seeded, clock)
    services.assign(seeded, clock, "lee", march, engineer="tom")
    services.escalate(seeded, clock, "tom", march, note="checked the basics")
    view = ReportsView(desk_for(seeded, clock, "lee"))
    qtbot.addWidget(view)
    view.show()
    view.select_report("escalations")
    assert view.since_edit.isEnabled()
    view.since_edit.setDate(QDate(2026, 2, 1))
    view.until_edit.setDate(QDate(2026, 2, 28))
    with qtbot.waitSignal(view.report_shown):
        table = view.run("escalations")
    assert table is not None and {r["tier"]: r["escalated into"] for r in table.as_dicts()}["Tier 2"] == 0
    view.until_edit.setDate(QDate(2026, 3, 31))
    with qtbot.waitSignal(view.report_shown):
        table = view.run("escalations")
    assert table is not None and {r["tier"]: r["escalated into"] for r in table.as_dicts()}["Tier 2"] == 1


def test_a_lead_changes_the_priority_in_the_ticket_view(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    number = log(seeded, clock, impact="all")
    tom = _view(qtbot, seeded, clock, "tom")
    tom.show_ticket(number)
    assert Action.REPRIORITISE not in tom.offered_actions()  # not a Tier 1's (the policy says)
    view = _view(qtbot, seeded, clock, "lee")
    view.show_ticket(number)
    view.actions_by_step[Action.REPRIORITISE].trigger()
    assert view.priority_change_combo.isVisible()
    assert view.priority_change_combo.currentData() == "P2"
    assert not _step(view, Action.REPRIORITISE, "")
    assert "needed" in view.action_error_label.text()
    assert _step(view, Action.REPRIORITISE, "two users only")
    assert view.detail is not None
    assert (view.detail.priority, view.detail.response_due) == ("P2", local(2026, 3, 9, 13))
    shown = view._field_labels["priorityHistory"].text()
    assert shown.startswith("P1 → P2 Mon 09 Mar 2026 09:00 GMT by lee: two users only")
    assert view._field_labels["responseDue"].text() == "Mon 09 Mar 2026 13:00 GMT"


def test_intake_asks_why_when_the_priority_is_not_the_impacts(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    from deskapp.gui.intake_view import IntakeDialog

    dialog = IntakeDialog(desk_for(seeded, clock, "tom"), resellers=["Acme Cloud Ltd"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reseller_edit.setText("Acme Cloud Ltd")
    dialog.contact_edit.setText("Jo Bloggs")
    dialog.phone_edit.setText("+44 20 7946 0000")
    dialog.tenant_edit.setText("acme.example")
    dialog.summary_edit.setText("How do I share a calendar?")
    dialog.channel_combo.setCurrentIndex(dialog.channel_combo.findData("phone"))
    dialog.impact_combo.setCurrentIndex(dialog.impact_combo.findData("howto"))
    assert not dialog.priority_reason_edit.isVisible()
    dialog.priority_combo.setCurrentIndex(dialog.priority_combo.findData("P2"))
    assert dialog.priority_reason_edit.isVisible()
    assert not dialog.save()
    assert "a reason for P2" in dialog.error_label.text()
    dialog.priority_reason_edit.setText("the whole board is waiting")
    assert dialog.save()


def test_a_duplicate_is_closed_from_the_ticket_view(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    first = log(seeded, clock, summary="Exchange down")
    second = log(seeded, clock, summary="Exchange down")
    view = _view(qtbot, seeded, clock, "tom")
    view.show_ticket(second)
    view.actions_by_step[Action.DUPLICATE].trigger()
    assert view.duplicate_of_edit.isVisible()
    view.duplicate_of_edit.setText(first)
    assert view.submit_action()
    assert view.detail is not None
    assert (view.detail.status, view.detail.duplicate_of) == ("closed", first)
    assert view._field_labels["duplicateOf"].text() == first
    assert Action.DUPLICATE not in view.offered_actions()
    view.show_ticket(first)
    assert view._field_labels["duplicates"].text() == second


def test_intake_warns_of_a_possible_duplicate(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    from deskapp.gui.intake_view import IntakeDialog

    first = log(seeded, clock, summary="Mailbox not syncing")
    dialog = IntakeDialog(desk_for(seeded, clock, "tom"), resellers=["Acme Cloud Ltd"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reseller_edit.setText("Acme Cloud Ltd")
    dialog.contact_edit.setText("Jo Bloggs")
    dialog.phone_edit.setText("+44 20 7946 0000")
    dialog.tenant_edit.setText("acme.example")
    dialog.summary_edit.setText("mailbox not syncing")
    assert not dialog.save()
    assert "Possibly a duplicate" in dialog.error_label.text() and first in dialog.error_label.text()
    assert dialog.save()  # the person decided: it is another incident


def test_steps_already_taken_are_not_offered_again(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock
) -> None:
    number = log(seeded, clock)
    view = _view(qtbot, seeded, clock, "tom")
    view.show_ticket(number)
    assert _step(view, Action.NOTIFY)
    assert Action.NOTIFY not in view.offered_actions()
    services.assign(seeded, clock, "tom", number, engineer="tom")
    services.resolve(seeded, clock, "tom", number, reason="fixed")
    view.reload()
    assert _step(view, Action.CONFIRM)
    assert Action.CONFIRM not in view.offered_actions()
    assert Action.REOPEN in view.offered_actions()


def test_the_app_catches_a_mistyped_email(qtbot: QtBot, seeded: peewee.Database, clock: FixedClock) -> None:
    from deskapp.gui.directory_view import DirectoryView
    from deskapp.gui.intake_view import IntakeDialog

    page = DirectoryView(desk_for(seeded, clock, "alice"))
    qtbot.addWidget(page)
    page.show()
    page.reseller_name_edit.setText("Bravo Ltd")
    page.reseller_email_edit.setText("desk@bravo,ie")
    assert not page.add_reseller()
    assert "is not an email address" in page.reseller_message.text()
    assert page.reseller_email_edit.text() == "desk@bravo,ie"  # kept to correct
    dialog = IntakeDialog(desk_for(seeded, clock, "tom"), resellers=["Acme Cloud Ltd"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reseller_edit.setText("Acme Cloud Ltd")
    dialog.contact_edit.setText("Jo Bloggs")
    dialog.email_edit.setText("jo@@acme.example")
    dialog.tenant_edit.setText("acme.example")
    dialog.summary_edit.setText("Calendar sharing")
    assert not dialog.save()
    assert "'jo@@acme.example' is not an email address" in dialog.error_label.text()
