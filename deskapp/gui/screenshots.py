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
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    written = render(Path(args.out), tickets=args.tickets)
    for path in written:
        print(path)
    return 0


def render(out: Path, *, tickets: int = 150) -> list[Path]:
    if not os.environ.get("DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="deskapp-shots-") as tmp:
        return _render(out, Path(tmp), tickets)


def _render(out: Path, tmp: Path, tickets: int) -> list[Path]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QWidget

    from deskapp.demo import fill_demo
    from deskapp.domain.clock import FixedClock
    from deskapp.domain.lifecycle import Role
    from deskapp.gui.app import DeskApp
    from deskapp.gui.launch import application
    from deskapp.gui.models.countdowns import AT_RISK, BREACHED
    from deskapp.gui.session import Session
    from deskapp.gui.settings_dialog import SettingsDialog
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
            QApplication.processEvents()

    def shot(widget: QWidget, name: str) -> None:
        settle()
        path = out / name
        if not widget.grab().save(str(path)):
            raise OSError(f"cannot write {path}")
        written.append(path)

    try:
        window = desk_app.start(Session("lead", "Lee Lead", Role.LEAD), start_timers=False)
        window.resize(*SIZE)
        window.show()
        window.queue_splitter.setSizes([1000, 600])
        model, view = desk_app.model, desk_app.queue_view
        assert model is not None and view is not None
        settle()
        view.on_tick(now)
        number = _interesting(model, (BREACHED, AT_RISK))
        if number:
            desk_app.open_ticket(number)
        shot(window, "main-window.png")

        assert desk_app.escalations_view is not None
        window.work_tabs.setCurrentWidget(desk_app.escalations_view)
        shot(window, "escalations.png")
        window.work_tabs.setCurrentIndex(0)

        view.at_risk_check.setChecked(True)
        shot(window, "queue-at-risk-filter.png")
        view.clear_filters()

        intake = desk_app.open_intake()
        _fill_intake(intake)
        intake.resize(640, 720)
        shot(intake, "new-incident.png")
        intake.channel_combo.setCurrentIndex(intake.channel_combo.findData("phone"))
        intake.impact_combo.setCurrentIndex(intake.impact_combo.findData("all"))
        if intake.save():
            intake.resize(640, 260)
            shot(intake, "new-incident-logged.png")
        intake.close()

        signin = SignInDialog(db)
        signin.login_edit.setText("amy")
        signin.error_label.setText("login 'amy' and that password do not match")
        signin.resize(420, 200)
        signin.show()
        shot(signin, "sign-in.png")
        signin.close()

        dialog = SettingsDialog(settings)
        dialog.resize(560, 380)
        dialog.show()
        shot(dialog, "settings.png")
        dialog.close()
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
