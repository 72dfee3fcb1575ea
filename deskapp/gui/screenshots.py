"""`deskapp screenshots --out DIR`: each view rendered with demo data, to PNG files.

A temporary training database is filled by `deskapp.demo.fill_demo` at a
fixed instant (a Tuesday morning, so countdowns run), the real window is
built by `deskapp.gui.app.DeskApp` with a FixedClock, and each view is
grabbed with `QWidget.grab()` (works offscreen). Qt is imported only when
the command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

DEMO_NOW = dt.datetime(2026, 3, 10, 11, 20, tzinfo=ZoneInfo("Europe/London"))
SIZE = (1600, 900)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("screenshots", help="render each view with demo data to PNG files")
    p.add_argument("--out", metavar="DIR", required=True, help="folder for the PNG files")
    p.add_argument("--tickets", type=int, default=150, help="demo tickets (default 150)")
    p.add_argument("--size", metavar="WxH", type=_size, default=SIZE,
                   help="the screen in pixels, e.g. 1280x720 (default 1600x900)")  # fmt: skip
    p.add_argument("--scale", type=_scale, default=1.0,
                   help="display scale, e.g. 1.5 for 150%% (default 1)")  # fmt: skip
    p.set_defaults(handler=run)


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    if not (
        width.isdigit() and height.isdigit() and 640 <= int(width) <= 3840 and 480 <= int(height) <= 2160
    ):
        raise argparse.ArgumentTypeError(
            f"not a screen size from 640x480 to 3840x2160 like 1600x900: {text[:20]!r}"
        )
    return int(width), int(height)


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 1 <= value <= 3:
        raise argparse.ArgumentTypeError(f"not a scale from 1 to 3 (1.5 is 150%): {text[:20]!r}")
    return value


def run(args: argparse.Namespace) -> int:
    written = render(Path(args.out), tickets=args.tickets, size=args.size, scale=args.scale)
    for path in written:
        print(path)
    return 0


class ScreenshotError(ValueError):
    """The --out folder cannot take the PNG files; the message names it."""


def _writable_folder(out: Path) -> None:
    """Make `out` (and its parents) if missing; refuse, naming it, if it is a file or
    cannot be written, before a minute of rendering is spent."""
    if out.exists() and not out.is_dir():
        raise ScreenshotError(f"--out {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".deskapp-probe-"):
            pass
    except OSError as exc:
        raise ScreenshotError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None


def render(out: Path, *, tickets: int = 150, size: tuple[int, int] = SIZE, scale: float = 1.0) -> list[Path]:
    """A fresh install's default layout on a screen of `size` pixels at `scale` (offscreen,
    the screen is made that size; under X it is the display's, e.g. `xvfb-run -s "-screen 0
    1600x900x24"`). Scale and screen take effect only if Qt has not started in this process."""
    _writable_folder(out)
    with tempfile.TemporaryDirectory(prefix="deskapp-shots-") as tmp:
        before = {key: os.environ.get(key) for key in ("QT_QPA_PLATFORM", "QT_SCALE_FACTOR")}
        platform = before["QT_QPA_PLATFORM"] or ""
        if platform == "offscreen" or (not platform and not os.environ.get("DISPLAY")):
            screen = Path(tmp) / "screen.json"
            width, height = size
            screen.write_text(json.dumps({"screens": [
                {"name": "deskapp", "x": 0, "y": 0, "width": width, "height": height,
                 "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))  # fmt: skip
            os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
        if scale != 1.0:
            os.environ["QT_SCALE_FACTOR"] = f"{scale:g}"
        try:
            return _render(out, Path(tmp), tickets, size, scale)
        finally:  # the screen file goes with the folder: this process's environment as it was
            for key, value in before.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _render(out: Path, tmp: Path, tickets: int, size: tuple[int, int], scale: float) -> list[Path]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QWidget

    from deskapp.demo import fill_demo
    from deskapp.domain.clock import FixedClock
    from deskapp.domain.lifecycle import Action, Role
    from deskapp.gui.app import DeskApp
    from deskapp.gui.launch import application
    from deskapp.gui.models.countdowns import AT_RISK, BREACHED
    from deskapp.gui.session import Session
    from deskapp.gui.settings_dialog import SettingsDialog, database_in_use
    from deskapp.gui.signin_dialog import SignInDialog
    from deskapp.services import directory
    from deskapp.store.connection import open_database

    app = application([sys.argv[0]])
    db = open_database(f"sqlite:///{tmp / 'demo.sqlite3'}")
    directory.mark_training(db)
    now = DEMO_NOW.astimezone(dt.UTC)
    fill_demo(db, now, tickets=tickets, seed=7)
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    clock = FixedClock(now)
    desk_app = DeskApp(db, clock, settings)
    written: list[Path] = []

    def settle() -> None:
        for _ in range(3):
            desk_app.wait_for_reads()  # a ticket opened, the queue refreshed: read on workers
            QApplication.processEvents()

    def shot(widget: QWidget, name: str) -> None:
        settle()
        path = out / name
        if not widget.grab().save(str(path)):
            raise ScreenshotError(f"cannot write the screenshot {path}")
        written.append(path)

    screen = app.primaryScreen().availableGeometry()
    logical = (min(round(size[0] / scale), screen.width()), min(round(size[1] / scale), screen.height()))

    def fit(width: int, height: int) -> tuple[int, int]:
        return min(width, logical[0]), min(height, logical[1])

    try:
        window = desk_app.start(Session("lead", "Lee Lead", Role.LEAD), start_timers=False)
        window.resize(*logical)
        window.show()  # a fresh install's split of the width (MainWindow.apply_default_split)
        model, view = desk_app.model, desk_app.queue_view
        assert model is not None and view is not None
        settle()
        view.on_tick(now)
        number = _interesting(model, (BREACHED, AT_RISK))
        if number:
            desk_app.open_ticket(number)
        shot(window, "main-window.png")
        tv = desk_app.ticket_view
        if number and tv is not None and Action.ASSIGN in tv.offered_actions():
            tv.actions_by_step[Action.ASSIGN].trigger()
            desk_app.wait_for_reads()  # who can take it: read on the worker
            tv.engineer_combo.setCurrentIndex(tv.engineer_combo.findData("dev"))
            tv.note_edit.setPlainText("Dev knows this tenant's calendar set-up")
            shot(window, "ticket-assign.png")
            tv.close_action()

        assert desk_app.escalations_view is not None
        window.work_tabs.setCurrentWidget(desk_app.escalations_view)
        shot(window, "escalations.png")
        window.work_tabs.setCurrentIndex(0)

        view.at_risk_check.setChecked(True)
        shot(window, "queue-at-risk-filter.png")
        view.clear_filters()

        intake = desk_app.open_intake()
        _fill_intake(intake)
        intake.resize(*fit(640, 720))
        shot(intake, "new-incident.png")
        intake.channel_combo.setCurrentIndex(intake.channel_combo.findData("phone"))
        intake.impact_combo.setCurrentIndex(intake.impact_combo.findData("all"))
        intake.save()
        desk_app.wait_for_writes()  # saved on the write thread: the number shown
        if intake.result_ticket is not None:
            intake.resize(*fit(640, 260))
            shot(intake, "new-incident-logged.png")
        intake.close()
        window.dismiss_notices()  # the P1 just logged: its notice would sit over every later shot

        signin = SignInDialog(db)
        signin.login_edit.setText("amy")
        signin.error_label.setText("login 'amy' and that password do not match")
        signin.resize(*fit(420, 200))
        signin.show()
        shot(signin, "sign-in.png")
        signin.close()

        dialog = SettingsDialog(settings, in_use=database_in_use(db), tray=False)
        dialog.resize(*fit(620, dialog.sizeHint().height()))
        dialog.show()
        shot(dialog, "settings.png")
        dialog.close()
        _mail_survey_and_reports(desk_app, window, db, clock, shot, fit)
        window.close()
    finally:
        desk_app.stop()
        db.close()
    del app
    return written


def _interesting(model: Any, bands: tuple[int, ...]) -> str | None:
    """A ticket worth showing: at risk or breached first, else the first row."""
    for row in range(model.rowCount()):
        if model.band(row) in bands:
            return str(model.row(row).number)
    return str(model.row(0).number) if model.rowCount() else None


def _fill_intake(intake: Any) -> None:
    intake.reseller_edit.setText("Liffey Systems")
    intake.contact_edit.setText("Aoife Byrne")
    intake.phone_edit.setText("+353 1 555 0100")
    intake.email_edit.setText("aoife@liffey.example")
    intake.tenant_edit.setText("contoso-ie")
    intake.end_users_edit.setText("all 40 users")
    intake.channel_combo.setCurrentIndex(intake.channel_combo.findData("email"))
    intake.impact_combo.setCurrentIndex(intake.impact_combo.findData("all"))
    intake.summary_edit.setText("Nobody can sign in to mail")
    intake.description_edit.setPlainText("Since 10:50 every user gets an authentication error.")


def _mail_survey_and_reports(desk_app: Any, window: Any, db: Any, clock: Any, shot: Any, fit: Any) -> None:
    """The outbox after a send with some refusals, the mail server dialog, a closed ticket's
    survey, and the reports (survey answers are recorded first so their chart has data)."""
    from PySide6.QtWidgets import QApplication, QScrollArea

    from deskapp import services
    from deskapp.domain.lifecycle import Role
    from deskapp.gui.desk import Desk
    from deskapp.gui.mail_settings_dialog import MailSettingsDialog
    from deskapp.gui.session import Session
    from deskapp.mail.sender import drain
    from deskapp.mail.smtp_transport import SendError
    from deskapp.services.mail_settings import set_smtp_settings
    from deskapp.store.models import Ticket

    desk_mail = "desk@cloudservices.example"
    smtp = set_smtp_settings(db, "admin", host="smtp.office365.com", port=587, security="starttls",
                             login=desk_mail, sender=desk_mail)  # fmt: skip
    calls = [0]

    def transport(settings: Any, message: Any, password: Any) -> None:
        calls[0] += 1
        if calls[0] % 7 == 3:
            raise SendError(f"the mail server refused the recipient: {{'{message['To']}': (550, "
                            "b'5.1.1 mailbox unavailable')}", permanent=True)  # fmt: skip

    report = drain(db, clock, smtp, "demo", worker="demo", limit=10_000, transport=transport)
    outbox = desk_app.outbox_view
    window.work_tabs.setCurrentWidget(outbox)
    outbox.reload()
    for row in range(outbox.proxy.rowCount()):
        if outbox.proxy.index(row, 0).data() == "failed":
            outbox.table.selectRow(row)
            outbox.table.scrollTo(outbox.proxy.index(row, 0))
            break
    outbox.send_status_label.setText("; ".join(report.lines()))
    shot(window, "outbox.png")

    admin = Desk(db, clock, Session("admin", "Alex Admin", Role.ADMIN))
    dialog = MailSettingsDialog(admin)
    dialog.password_edit.setText("not-a-real-password")
    dialog.resize(*fit(560, 360))
    dialog.show()
    shot(dialog, "mail-server.png")
    dialog.close()

    from deskapp.gui.directory_view import DirectoryView

    directory = DirectoryView(admin)
    directory.resize(*fit(*window.size().toTuple()))
    directory.show()
    directory.reload()
    directory.select_login("amy")
    directory.reseller_name_edit.setText("Liffey Cloud Partners")
    directory.country_combo.setCurrentIndex(directory.country_combo.findData("IE"))
    shot(directory, "directory.png")
    directory.close()

    sent = (Ticket.select(Ticket.number).where(Ticket.status == "closed", Ticket.survey_status == "sent")
            .order_by(Ticket.closed_at.desc()))  # fmt: skip
    closed = [str(t.number) for t in sent]
    for i, number in enumerate(closed[1:]):
        comment = ("quick and clear", "took a while", "", "fixed first time")[i % 4]
        services.record_survey(db, clock, "admin", number, score=(5, 4, 3, 5, 2, 4)[i % 6], comment=comment)
    if closed:
        desk_app.refresh_queue()
        desk_app.open_ticket(closed[0])
        panel = desk_app.ticket_view.survey_panel
        panel.enter_answer_button.click()
        panel.score_spin.setValue(4)
        panel.comment_edit.setText("Sorted the same morning, thanks")
        scroll = desk_app.ticket_view.findChild(QScrollArea, "fieldsScroll")
        if scroll is not None:
            for _ in range(3):
                QApplication.processEvents()
            scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
        shot(window, "ticket-survey.png")

    reports = desk_app.reports_view
    window.work_tabs.setCurrentWidget(reports)
    for name in ("compliance", "response-times", "surveys"):
        reports.run(name)
        shot(window, f"reports-{name}.png")
