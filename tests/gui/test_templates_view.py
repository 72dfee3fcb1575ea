"""Administrators edit the desk's templates and canned replies in the app; the next
message any workstation queues uses the edit."""

from __future__ import annotations

import peewee
import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui.app import DeskApp
from deskapp.gui.templates_view import TemplatesView
from deskapp.mail.templates import KINDS, shipped_text
from deskapp.services import outbox
from deskapp.services import templates as texts
from deskapp.store.models import Outbox
from tests.gui.seed import desk_for, seed
from tests.london import local


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(local(2026, 3, 9, 9))


def test_an_administrator_edits_previews_and_resets_a_template(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock
) -> None:
    seed(db, clock)
    view = TemplatesView(desk_for(db, clock, "alice"))
    qtbot.addWidget(view)
    view.show()
    view.reload()
    assert view.template_list.count() == len(KINDS)
    assert view.current_kind() == "ticket_number"
    assert view.template_edit.toPlainText() == shipped_text("ticket_number")
    view.template_edit.setPlainText("Subject: Logged: [$number]\n\nHello $contact, your number is $number.\n")
    assert view.preview()
    assert "Subject: Logged: [WC-000123]" in view.preview_text.toPlainText()
    assert view.save()
    assert "(edited)" in view.template_list.item(0).text()
    ticket = services.log_ticket(
        db, clock, "tom", reseller="Acme Cloud Ltd", contact="Jo", tenant="acme.example", impact="some",
        channel="email", summary="Mail", email="jo@acme.example",
    )  # fmt: skip
    outbox.queue_ticket_number(db, clock, "tom", ticket.number)
    assert Outbox.get().subject == f"Logged: [{ticket.number}]"

    view.template_edit.setPlainText("Subject: no number here\n\nHi.\n")
    assert not view.save()
    assert "$number" in view.message_label.text()
    assert view.template_edit.toPlainText() == "Subject: no number here\n\nHi.\n", "what was typed is kept"
    assert view.reset()
    assert view.template_edit.toPlainText() == shipped_text("ticket_number")

    view.canned_edit.setPlainText("## Hello\nWe are on it.\n\n## Bye\nClosing now.\n")
    assert view.save_canned()
    assert [r.title for r in texts.canned_replies(db)] == ["Hello", "Bye"]


def test_only_administrators_get_the_templates_page(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock
) -> None:
    seed(db, clock)
    for login, has in (("alice", True), ("lee", False), ("tom", False)):
        app = DeskApp(db, clock, QSettings())
        try:
            window = app.start(desk_for(db, clock, login).session, start_timers=False)
            qtbot.addWidget(window)
            tabs = [window.work_tabs.tabText(i) for i in range(window.work_tabs.count())]
            assert ("&Templates" in tabs) is has, (login, tabs)
        finally:
            app.stop()
            window.close()
