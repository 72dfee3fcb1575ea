"""The new-incident form: priority suggestion, P1 by phone only, Territory, the number shown."""

from __future__ import annotations

import peewee
import pytest
from PySide6.QtGui import QGuiApplication, QStandardItemModel
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui.intake_view import IntakeDialog
from deskapp.store.models import Reseller
from tests.gui.seed import desk_for, seed


@pytest.fixture
def dialog(qtbot: QtBot, desk_db: peewee.Database, clock: FixedClock) -> IntakeDialog:
    seed(desk_db, clock)
    widget = IntakeDialog(desk_for(desk_db, clock, "tom"), resellers=["Acme Cloud Ltd"])
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _fill(
    d: IntakeDialog, *, reseller: str = "Acme Cloud Ltd", channel: str = "phone", impact: str = "all"
) -> None:
    d.reseller_edit.setText(reseller)
    d.contact_edit.setText("Jo Bloggs")
    d.phone_edit.setText("+44 20 7946 0000")
    d.tenant_edit.setText("acme.example")
    d.summary_edit.setText("Nobody can sign in")
    d.channel_combo.setCurrentIndex(d.channel_combo.findData(channel))
    d.impact_combo.setCurrentIndex(d.impact_combo.findData(impact))


def test_logging_a_ticket_shows_the_number_and_records_the_response(
    qtbot: QtBot, dialog: IntakeDialog, desk_db: peewee.Database
) -> None:
    _fill(dialog)
    assert dialog.priority_combo.currentData() == "P1"  # the impact suggests it
    assert dialog.tier_two_check.isVisibleTo(dialog)
    with qtbot.waitSignal(dialog.logged) as blocker:
        assert dialog.save()
    number = blocker.args[0]
    assert dialog.number_label.text() == number
    assert dialog.intake_stack.currentIndex() == 1
    assert dialog.due_label.text() == "P1: response due Mon 09 Mar 2026 11:00"
    dialog.copy_number_button.click()
    assert QGuiApplication.clipboard().text() == number
    assert dialog.record_told()
    assert "reseller was told" in dialog.told_label.text()
    detail = services.ticket_detail(desk_db, number)
    assert detail.responded_at is not None and detail.priority == "P1"


def test_p1_is_offered_only_by_phone_and_refused_by_email(dialog: IntakeDialog) -> None:
    _fill(dialog, channel="email", impact="all")
    model = dialog.priority_combo.model()
    assert isinstance(model, QStandardItemModel)
    assert not model.item(dialog.priority_combo.findData("P1")).isEnabled()
    assert dialog.priority_combo.currentData() == "P2"
    assert "offered only for a phone call" in dialog.priority_hint_label.text()
    # forced anyway: the service refuses, in words, and nothing typed is lost
    dialog.priority_combo.setCurrentIndex(dialog.priority_combo.findData("P1"))
    assert not dialog.save()
    assert "can be raised by phone only, not by email" in dialog.error_label.text()
    assert dialog.summary_edit.text() == "Nobody can sign in"
    assert dialog.intake_stack.currentIndex() == 0


def test_reseller_outside_the_territory_is_refused(dialog: IntakeDialog, clock: FixedClock) -> None:
    Reseller.create(name="Fjord Cloud AS", country="NO", created_at=clock.now())
    _fill(dialog, reseller="Fjord Cloud AS", impact="some")
    assert not dialog.save()
    assert "outside the Territory" in dialog.error_label.text()


def test_missing_fields_are_named(dialog: IntakeDialog) -> None:
    assert not dialog.save()
    assert "needs a reseller" in dialog.error_label.text()
