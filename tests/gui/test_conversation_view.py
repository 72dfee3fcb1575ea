"""The ticket view is the conversation: messages in and out and internal notes in one
timeline with their delivery state; a composer whose Reply and Internal note halves are
apart; canned replies; a preview of exactly what the reseller receives; and a status-bar
warning when no mail server is set or the outbox is stuck. Real SMTP (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui.app import DeskApp
from deskapp.gui.models.conversation_model import STATE, WAY
from deskapp.gui.ticket_view import TicketView
from deskapp.mail.sender import drain, save_settings
from deskapp.mail.smtp_transport import SmtpSettings
from deskapp.services import outbox
from deskapp.store.models import Attachment, Message, Outbox, Ticket
from tests.gui.conftest import check_model
from tests.gui.seed import desk_for, seed
from tests.mail.smtp_server import SmtpServer, free_port
from tests.owner_edits import owner_edits


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def settings_for(port: int) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1", port=port, security="none", sender="desk@support.example", timeout=3
    )


def emailed_ticket(db: peewee.Database, clock: FixedClock) -> str:
    seed(db, clock)
    ticket = services.log_ticket(
        db, clock, "tom", reseller="Acme Cloud Ltd", contact="Jo Bloggs", tenant="acme.example",
        impact="some", channel="email", summary="Mailbox not syncing", email="jo@acme.example",
    )  # fmt: skip
    services.assign(db, clock, "tom", ticket.number, engineer="tom")
    return str(ticket.number)


def view_for(qtbot: QtBot, db: peewee.Database, clock: FixedClock, number: str) -> TicketView:
    view = TicketView(desk_for(db, clock, "tom"))
    qtbot.addWidget(view)
    view.resize(1000, 1000)
    view.show()
    view.show_ticket(number)
    return view


def test_one_timeline_of_in_out_and_notes_with_delivery_state(
    qtbot: QtBot, qtmodeltester: object, db: peewee.Database, clock: FixedClock, smtp: SmtpServer
) -> None:
    number = emailed_ticket(db, clock)
    save_settings(db, settings_for(smtp.port))
    outbox.queue_ticket_number(db, clock, "tom", number)
    drain(db, clock, settings_for(smtp.port), None)
    clock.advance(dt.timedelta(minutes=5))
    Message.create(
        direction="in", kind="reply", ticket=Ticket.get(Ticket.number == number).id,
        message_id="<r1@acme.example>", from_addr="jo@acme.example", from_header="Jo <jo@acme.example>",
        to_addr="desk@support.example", subject=f"Re: [{number}] logged", text="Here is the screenshot.",
        status="received", created_at=clock.now(), received_at=clock.now(),
    )  # fmt: skip
    clock.advance(dt.timedelta(minutes=5))
    view = view_for(qtbot, db, clock, number)
    panel = view.conversation
    check_model(qtmodeltester, panel.model)  # type: ignore[arg-type]

    panel.composer_tabs.setCurrentWidget(panel.note_tab)
    panel.note_edit.setPlainText("called Jo: she will test at noon")
    with qtbot.waitSignal(view.changed):
        assert panel.add_note()
    clock.advance(dt.timedelta(minutes=1))
    panel.composer_tabs.setCurrentWidget(panel.reply_tab)
    panel.reply_edit.setPlainText("Thanks, Jo: we are on it.")
    assert panel.send_reply()
    model = panel.model
    ways = [model.index(r, WAY).data() for r in range(model.rowCount())]
    assert ways == [
        "→ to reseller (ticket_number)", "← from reseller (reply)", "internal note", "→ to reseller (reply)",
    ]  # fmt: skip
    states = [model.index(r, STATE).data() for r in range(model.rowCount())]
    assert states == ["sent", "received", "—", "waiting to send"]
    assert panel.entry_text.toPlainText().startswith("Hello Jo Bloggs"), "the newest is shown, in full"
    assert "Thanks, Jo: we are on it." in panel.entry_text.toPlainText()
    Outbox.update(status="failed", last_error="550 no such user").where(Outbox.kind == "reply").execute()
    view.show_ticket(number)
    assert "FAILED: 550 no such user" in str(model.index(3, STATE).data())
    drain(db, clock, settings_for(smtp.port), None)
    assert len(smtp.inbox.messages) == 1, "the note was never sent"


def test_the_two_halves_are_apart_and_the_preview_is_what_goes(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock, smtp: SmtpServer
) -> None:
    number = emailed_ticket(db, clock)
    save_settings(db, settings_for(smtp.port))
    view = view_for(qtbot, db, clock, number)
    panel = view.conversation
    tabs = [panel.composer_tabs.tabText(i) for i in range(panel.composer_tabs.count())]
    assert tabs == ["&Reply to reseller", "&Internal note"]
    assert panel.reply_tab.property("role") != panel.note_tab.property("role")

    assert not panel.send_reply()
    assert "reply" in panel.error_label.text(), "an empty reply says so"
    titles = [panel.canned_combo.itemText(i) for i in range(panel.canned_combo.count())]
    assert "Please send a screenshot" in titles
    panel.canned_combo.activated.emit(titles.index("Please send a screenshot"))
    assert "screenshot of the error message" in panel.reply_edit.toPlainText()
    assert panel.preview()
    shown = panel.preview_text.toPlainText()
    assert f"Subject: [{number}] Update on your incident" in shown and "To: jo@acme.example" in shown
    assert panel.send_reply()
    assert panel.reply_edit.toPlainText() == "" and panel.preview_text.isHidden()
    drain(db, clock, settings_for(smtp.port), None)
    (got,) = smtp.inbox.messages
    payload = got.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert payload.decode().replace("\r\n", "\n") in shown, "the preview showed every word that went"


def test_a_closed_ticket_refuses_a_reply_and_keeps_the_text(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock
) -> None:
    number = emailed_ticket(db, clock)
    with owner_edits(db):
        Ticket.update(status="closed").where(Ticket.number == number).execute()
    view = view_for(qtbot, db, clock, number)
    view.conversation.reply_edit.setPlainText("one more thing")
    assert not view.conversation.send_reply()
    assert "closed" in view.conversation.error_label.text()
    assert view.conversation.reply_edit.toPlainText() == "one more thing"


def test_status_bar_warns_of_no_mail_server_and_a_stuck_outbox(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock
) -> None:
    number = emailed_ticket(db, clock)
    app = DeskApp(db, clock, QSettings())
    try:
        session = desk_for(db, clock, "tom").session
        window = app.start(session, start_timers=False)
        qtbot.addWidget(window)
        window.show()
        assert app.mail_label is not None
        assert "No mail server is set" in app.mail_label.text() and app.mail_label.isVisible()
        port = free_port()  # a server that is not there
        save_settings(db, settings_for(port))
        app.update_mail_warning()
        assert app.mail_label.text() == "" and not app.mail_label.isVisible()
        outbox.queue_ticket_number(db, clock, "tom", number)
        drain(db, clock, settings_for(port), None)  # refused: to be retried
        clock.advance(dt.timedelta(minutes=20))
        app.watch_timer.fire()
        assert "Outbox stuck" in app.mail_label.text() and "overdue" in app.mail_label.text()
        Outbox.update(status="failed").execute()
        app.watch_timer.fire()
        assert "1 message to resellers failed" in app.mail_label.text()
    finally:
        app.stop()
        if app.window is not None:
            app.window.close()


def test_an_attachment_opens_from_the_ticket(qtbot: QtBot, db: peewee.Database, clock: FixedClock) -> None:
    number = emailed_ticket(db, clock)
    ticket_id = Ticket.get(Ticket.number == number).id
    inbound = Message.create(
        direction="in", kind="reply", ticket=ticket_id, message_id="<r2@acme.example>",
        from_addr="jo@acme.example", subject=f"Re: [{number}]", text="see attached", status="received",
        created_at=clock.now(), received_at=clock.now(),
    )  # fmt: skip
    png = b"\x89PNG\r\n\x1a\n fake image"
    Attachment.create(message=inbound.id, name="../error shot.png", content_type="image/png", size=len(png),
                      data=png)  # fmt: skip
    Attachment.create(message=inbound.id, name="huge.zip", size=90_000_000, data=None,
                      note="over the 25 MB limit: not kept")  # fmt: skip
    opened: list[Path] = []
    view = TicketView(desk_for(db, clock, "tom"))
    qtbot.addWidget(view)
    view.show()
    panel = view.conversation
    panel._opener = opened.append
    view.show_ticket(number)
    assert panel.attachment_list.count() == 2 and panel.open_attachment_button.isVisible()
    path = panel.open_attachment()
    assert path is not None and opened == [path]
    assert path.read_bytes() == png and path.name.endswith("error shot.png") and ".." not in path.name
    panel.attachment_list.setCurrentRow(1)
    assert panel.open_attachment() is None and len(opened) == 1
    assert "over the 25 MB limit" in panel.error_label.text()
