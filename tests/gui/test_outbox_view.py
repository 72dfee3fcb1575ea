"""The outbox view: failures with their error, retry, Send now off the GUI thread, the
mail server dialog (password in the keyring only), survey answers imported from CSV."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import peewee
import pytest
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui.mail_settings_dialog import MailSettingsDialog
from deskapp.gui.models.outbox_model import ATTEMPTS, KIND, LAST_ERROR, STATUS, TICKET
from deskapp.gui.outbox_view import OutboxView
from deskapp.mail.sender import drain, load_settings, save_settings
from deskapp.mail.smtp_transport import KEYRING_SERVICE, SendError, SmtpSettings
from deskapp.services import outbox
from deskapp.store.models import SurveyInvitation
from tests.gui.conftest import MemoryKeyring, check_model
from tests.gui.seed import desk_for, seed
from tests.london import local

MON_9 = local(2026, 3, 9, 9, 0)
SMTP = SmtpSettings(host="smtp.example", port=587, security="starttls", login="desk", sender="desk@example")


def _refused(settings: SmtpSettings, message: EmailMessage, password: str | None) -> None:
    raise SendError("the mail server refused the recipient: jo@acme.example", permanent=True)


def _queued(db: peewee.Database, clock: FixedClock) -> str:
    ticket = services.log_ticket(
        db, clock, "tom", reseller="Acme Cloud Ltd", contact="Jo Bloggs", tenant="acme.example",
        impact="some", channel="email", summary="Mailbox not syncing", email="jo@acme.example",
    )  # fmt: skip
    outbox.queue_ticket_number(db, clock, "tom", str(ticket.number))
    return str(ticket.number)


@pytest.fixture
def clock(desk_db: peewee.Database) -> FixedClock:
    clock = FixedClock(MON_9)
    seed(desk_db, clock)
    return clock


def _view(qtbot: QtBot, db: peewee.Database, clock: FixedClock, transport: object = None) -> OutboxView:
    view = OutboxView(desk_for(db, clock, "tom"), transport=transport)
    qtbot.addWidget(view)
    view.show()
    view.reload()
    return view


def test_failed_message_shows_its_error_and_retry_makes_it_pending(
    qtbot: QtBot, qtmodeltester: object, desk_db: peewee.Database, clock: FixedClock
) -> None:
    number = _queued(desk_db, clock)
    drain(desk_db, clock, SMTP, None, transport=_refused)
    view = _view(qtbot, desk_db, clock)
    check_model(qtmodeltester, view.model)  # type: ignore[arg-type]
    check_model(qtmodeltester, view.proxy)  # type: ignore[arg-type]
    p = view.proxy
    assert p.rowCount() == 1
    assert [p.index(0, c).data() for c in (STATUS, TICKET, KIND, ATTEMPTS)] == [
        "failed",
        number,
        "ticket number",
        "1",
    ]
    assert "refused the recipient" in p.index(0, LAST_ERROR).data()
    assert "1 failed" in view.summary_label.text()

    assert not view.retry_button.isEnabled()
    assert not view.retry_selected()
    assert "select a failed message" in view.error_label.text()
    view.failed_only_check.setChecked(True)
    assert p.rowCount() == 1
    view.table.selectRow(0)
    assert view.retry_button.isEnabled()
    assert view.retry_selected()
    assert [r.status for r in outbox.outbox_rows(desk_db)] == ["pending"]
    assert p.rowCount() == 0  # failed only: nothing failed now
    view.failed_only_check.setChecked(False)
    assert p.index(0, STATUS).data() == "pending" and p.index(0, LAST_ERROR).data() == ""


def test_newest_first(qtbot: QtBot, desk_db: peewee.Database, clock: FixedClock) -> None:
    first, second = _queued(desk_db, clock), _queued(desk_db, clock)
    view = _view(qtbot, desk_db, clock)
    assert [view.proxy.index(r, TICKET).data() for r in range(2)] == [second, first]


def test_send_now_runs_off_the_gui_thread_with_the_keyring_password(
    qtbot: QtBot, desk_db: peewee.Database, clock: FixedClock, memory_keyring: MemoryKeyring
) -> None:
    number = _queued(desk_db, clock)
    save_settings(desk_db, SMTP)
    memory_keyring.set_password(KEYRING_SERVICE, "desk@smtp.example", "pw")
    delivered: list[tuple[str, str | None]] = []

    def transport(settings: SmtpSettings, message: EmailMessage, password: str | None) -> None:
        delivered.append((str(message["To"]), password))

    view = _view(qtbot, desk_db, clock, transport=transport)
    with qtbot.waitSignal(view.send_finished, timeout=10_000) as got:
        assert view.send_now()
    view.stop()
    assert got.args == ["sent 1, to retry 0, failed 0"]
    assert delivered == [("jo@acme.example", "pw")]
    assert view.proxy.index(0, STATUS).data() == "sent"
    assert services.ticket_detail(desk_db, number).responded_at is not None


def test_send_now_without_a_mail_server_says_so(
    qtbot: QtBot, desk_db: peewee.Database, clock: FixedClock
) -> None:
    _queued(desk_db, clock)
    view = _view(qtbot, desk_db, clock)
    with qtbot.waitSignal(view.send_finished, timeout=10_000):
        view.send_now()
    view.stop()
    assert "no mail server is set" in view.error_label.text()
    assert view.send_now_button.isEnabled()


def test_admin_sets_the_mail_server_password_only_in_the_keyring(
    qtbot: QtBot, tmp_path: Path, desk_db: peewee.Database, clock: FixedClock, memory_keyring: MemoryKeyring
) -> None:
    dialog = MailSettingsDialog(desk_for(desk_db, clock, "alice"))
    qtbot.addWidget(dialog)
    dialog.host_edit.setText("smtp.example")
    dialog.port_spin.setValue(465)
    dialog.security_combo.setCurrentIndex(dialog.security_combo.findData("tls"))
    dialog.login_edit.setText("desk")
    dialog.password_edit.setText("s3cret")
    dialog.sender_edit.setText("not-an-address")
    assert not dialog.save()
    assert "not an email address" in dialog.error_label.text()
    dialog.sender_edit.setText("support@desk.example")
    assert dialog.save()
    assert load_settings(desk_db) == SmtpSettings(
        host="smtp.example", port=465, security="tls", login="desk", sender="support@desk.example"
    )
    assert memory_keyring.items == {(KEYRING_SERVICE, "desk@smtp.example"): "s3cret"}
    assert not any(b"s3cret" in p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())


def test_engineer_may_keep_the_password_but_not_change_the_server(
    qtbot: QtBot, desk_db: peewee.Database, clock: FixedClock, memory_keyring: MemoryKeyring
) -> None:
    save_settings(desk_db, SMTP)
    dialog = MailSettingsDialog(desk_for(desk_db, clock, "tom"))
    qtbot.addWidget(dialog)
    assert not dialog.host_edit.isEnabled() and dialog.host_edit.text() == "smtp.example"
    dialog.password_edit.setText("pw2")
    assert dialog.save()
    assert memory_keyring.items == {(KEYRING_SERVICE, "desk@smtp.example"): "pw2"}
    with pytest.raises(services.PermissionDenied, match="administrator"):
        from deskapp.services.mail_settings import set_smtp_settings

        set_smtp_settings(desk_db, "tom", host="x", port=25, security="none", login=None, sender="a@b")


def test_import_survey_answers_shows_saved_count_and_line_errors(
    qtbot: QtBot, tmp_path: Path, desk_db: peewee.Database, clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from tests.gui.test_survey_panel import closed_ticket

    number = closed_ticket(desk_db, clock)
    ref = SurveyInvitation.get(SurveyInvitation.ticket == services.ticket_detail(desk_db, number).id).ref
    path = tmp_path / "answers.csv"
    path.write_text(f"reference,score,comment\n{ref},5,great\nNOPE-1,4,\n{ref},x,\n")
    view = _view(qtbot, desk_db, clock)
    monkeypatch.setattr(
        "deskapp.gui.outbox_view.QFileDialog.getOpenFileName", lambda *a, **k: (str(path), "")
    )
    with qtbot.waitSignal(view.tickets_changed):
        result = view.import_surveys()
    assert result is not None and result.saved == [(2, number)]
    assert view.send_status_label.text() == "saved 1 answers, 2 rows not saved"
    assert "line 3: no survey has the reference 'NOPE-1'" in view.error_label.text()
    assert "line 4: score 'x'" in view.error_label.text()
    assert services.ticket_detail(desk_db, number).survey_score == 5


def test_test_connection_tries_the_typed_server_without_saving(
    qtbot: QtBot, desk_db: peewee.Database, clock: FixedClock, memory_keyring: MemoryKeyring
) -> None:
    from tests.mail.smtp_server import SmtpServer, free_port

    server = SmtpServer(login=("desk", "s3cret")).start()
    try:
        dialog = MailSettingsDialog(desk_for(desk_db, clock, "alice"))
        qtbot.addWidget(dialog)
        dialog.host_edit.setText("127.0.0.1")
        dialog.port_spin.setValue(server.port)
        dialog.security_combo.setCurrentIndex(dialog.security_combo.findData("none"))
        dialog.login_edit.setText("desk")
        memory_keyring.items[(KEYRING_SERVICE, "desk@127.0.0.1")] = "s3cret"  # as a send would use it
        assert dialog.test_connection()
        assert not dialog.test_button.isEnabled()  # one test at a time
        qtbot.waitUntil(lambda: dialog.result_label.text().startswith("OK"), timeout=10_000)
        answer = dialog.result_label.text()
        assert f"127.0.0.1:{server.port} answered (no encryption, logged in as desk)" in answer
        assert server.inbox.messages == [] and load_settings(desk_db) is None  # nothing sent, nothing saved

        dialog.port_spin.setValue(free_port())
        assert dialog.test_connection()
        qtbot.waitUntil(lambda: dialog.result_label.text().startswith("Failed"), timeout=15_000)
        assert "cannot send through" in dialog.result_label.text()
        dialog.host_edit.clear()
        assert not dialog.test_connection()
        assert "host name is empty" in dialog.result_label.text()
    finally:
        server.stop()
