"""The survey on the ticket view: state, reference, answer; entering an answer for a closed ticket."""

from __future__ import annotations

import datetime as dt

import peewee
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui.ticket_view import TicketView
from deskapp.rules import run_rules
from deskapp.services.survey_read import survey_of
from tests.gui.seed import desk_for, log, seed
from tests.london import local

MON_9 = local(2026, 3, 9, 9, 0)


def closed_ticket(db: peewee.Database, clock: FixedClock) -> str:
    """A ticket resolved Monday and closed by the rule pass when its window ran out."""
    ticket = services.log_ticket(
        db, clock, "tom", reseller="Acme Cloud Ltd", contact="Jo Bloggs", tenant="acme.example",
        impact="some", channel="email", summary="Mailbox not syncing", email="jo@acme.example",
    )  # fmt: skip
    number = str(ticket.number)
    services.notify(db, clock, "tom", number)
    services.assign(db, clock, "tom", number, engineer="tom")
    services.resolve(db, clock, "tom", number, reason="profile rebuilt")
    clock.advance(dt.timedelta(days=10))
    run_rules(db, clock)
    assert services.ticket_detail(db, number).status == "closed"
    return number


def test_survey_state_reference_and_answer(qtbot: QtBot, desk_db: peewee.Database) -> None:
    clock = FixedClock(MON_9)
    seed(desk_db, clock)
    open_one = log(desk_db, clock, summary="still open")
    number = closed_ticket(desk_db, clock)
    view = TicketView(desk_for(desk_db, clock, "tom"))
    qtbot.addWidget(view)
    view.show()
    panel = view.survey_panel

    view.show_ticket(open_one)
    assert panel.state_label.text().startswith("none")
    assert panel.ref_label.text() == "—"
    assert not panel.enter_answer_button.isVisible()

    view.show_ticket(number)
    ref = survey_of(desk_db, number).ref
    assert ref is not None and panel.ref_label.text() == ref
    assert panel.state_label.text().startswith("to send") or panel.state_label.text().startswith("sent")
    assert panel.enter_answer_button.isVisible()
    panel.enter_answer_button.click()
    assert panel.answer_form.isVisible()
    panel.score_spin.setValue(4)
    panel.comment_edit.setText("quick and polite")
    with qtbot.waitSignal(view.changed):
        assert panel.save_answer()
    assert panel.state_label.text() == "answered"
    assert panel.answer_label.text().startswith("4/5: “quick and polite”")
    assert not panel.enter_answer_button.isVisible()
    assert services.ticket_detail(desk_db, number).survey_score == 4


def test_a_second_answer_is_refused_in_words(qtbot: QtBot, desk_db: peewee.Database) -> None:
    clock = FixedClock(MON_9)
    seed(desk_db, clock)
    number = closed_ticket(desk_db, clock)
    view = TicketView(desk_for(desk_db, clock, "tom"))
    qtbot.addWidget(view)
    view.show_ticket(number)
    services.record_survey(desk_db, clock, "lee", number, score=2)  # meanwhile, elsewhere
    view.survey_panel.open_answer()
    assert not view.survey_panel.save_answer()
    assert view.survey_panel.error_label.text() != ""
