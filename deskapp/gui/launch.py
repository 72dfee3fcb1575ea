"""Start the desktop app (the `deskapp` command with no arguments).

deskapp                          sign in on the configured database
deskapp --db URL                 another database
deskapp --db URL --clock ISO --as LOGIN
                                 a training database at a chosen instant (the
                                 clock then runs on from there), signed in as LOGIN
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from typing import Any

from deskapp.domain.clock import Clock, SystemClock


class OffsetClock:
    """Real time, shifted so that it read `start` when made (training databases)."""

    def __init__(self, start: dt.datetime, real: Clock | None = None) -> None:
        self._real = real or SystemClock()
        self._offset = start - self._real.now()

    def now(self) -> dt.datetime:
        return self._real.now() + self._offset


def application(argv: list[str] | None = None) -> Any:
    """The QApplication, with the desk's names, icon and stylesheet."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from deskapp.resources import resource_path

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setOrganizationName("deskapp")
    app.setApplicationName("deskapp")
    app.setWindowIcon(QIcon(str(resource_path("icons", "deskapp.svg"))))
    style = resource_path("styles", "deskapp.qss")
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


class FullServerNotice:
    """While a full PostgreSQL server is waited for at launch, a small window (and stderr)
    says so, so the person knows why the desk has not opened yet."""

    def __init__(self) -> None:
        self.label: Any = None
        self.shown: list[str] = []

    def show(self, text: str) -> None:
        from PySide6.QtWidgets import QApplication, QLabel

        print(f"deskapp: {text}", file=sys.stderr, flush=True)
        self.shown.append(text)
        if self.label is None:
            self.label = QLabel()
            self.label.setObjectName("serverFullNotice")
            self.label.setWindowTitle("deskapp: waiting for the database")
            self.label.setWordWrap(True)
            self.label.setMargin(16)
            self.label.setMinimumWidth(420)
        self.label.setText(f"{text}.\n\nThe desk opens as soon as a connection is free.")
        self.label.show()
        QApplication.processEvents()  # painted before the wait that follows

    def close(self) -> None:
        if self.label is not None:
            self.label.close()
            self.label.deleteLater()
            self.label = None


def run_gui(args: argparse.Namespace) -> int:
    if (
        not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
    ):
        print("deskapp: no display found; set DISPLAY, or QT_QPA_PLATFORM=offscreen", file=sys.stderr)
        return 2
    from deskapp.gui.preload import preload

    preload()  # before Qt: see there why
    from PySide6.QtWidgets import QDialog

    from deskapp.cli.timestamps import parse_instant
    from deskapp.domain.lifecycle import DeskError, Role
    from deskapp.domain.policy import PolicyError, load_policy
    from deskapp.gui import crash
    from deskapp.gui import settings as conf
    from deskapp.gui.app import DeskApp
    from deskapp.gui.first_run import FirstRunDialog, needs_first_run
    from deskapp.gui.session import Session
    from deskapp.gui.single_instance import SingleInstance, install_qt_log
    from deskapp.services import directory
    from deskapp.services.operation import load_staff
    from deskapp.store.connection import ENV_DB, GUI_STATEMENT_TIMEOUT_MS, DatabaseUrlError, open_database
    from deskapp.store.db_clock import desk_clock

    app = application()
    crash.install()
    install_qt_log()
    seat = SingleInstance.claim()
    if seat is None:
        print("deskapp: already running for you on this workstation; that window was brought to the front",
              file=sys.stderr)  # fmt: skip
        return 0
    settings = conf.open_settings()
    first_run = None
    if needs_first_run(settings, getattr(args, "db", None)):
        first_run = FirstRunDialog(settings)
        if first_run.exec() != QDialog.DialogCode.Accepted:
            return 0
    # The same order as the command line (deskapp.cli.session.database_url).
    url = getattr(args, "db", None) or os.environ.get(ENV_DB) or conf.database_url(settings)
    notice = FullServerNotice()
    try:
        db = open_database(url, on_full=notice.show, statement_timeout_ms=GUI_STATEMENT_TIMEOUT_MS)
    except DatabaseUrlError as exc:
        # A desk where each person signs in to PostgreSQL as themselves: the password
        # is theirs, asked for here and given to the connection (never kept).
        notice.close()
        password = _ask_server_password(url or "", str(exc))
        if password is None:
            print(f"deskapp: {exc}", file=sys.stderr)
            return 1
        try:
            db = open_database(
                url, password=password, on_full=notice.show, statement_timeout_ms=GUI_STATEMENT_TIMEOUT_MS
            )
        except DatabaseUrlError as again:
            notice.close()
            print(f"deskapp: {again}", file=sys.stderr)
            return 1
    notice.close()
    if first_run is not None and first_run.training and not directory.is_training(db):
        directory.mark_training(db)
    training = directory.is_training(db)
    clock: Clock = desk_clock(db)  # the server's clock on PostgreSQL
    if getattr(args, "clock", None):
        if not training:
            print("deskapp: --clock works only on a training database", file=sys.stderr)
            return 2
        clock = OffsetClock(parse_instant(args.clock))
    session: Session | None = None
    login = (getattr(args, "as_login", None) or "").strip().lower()
    from deskapp.store.security import is_postgres_secured, session_login

    if is_postgres_secured(db):  # the server signed the person in: that is who works
        try:
            staff = load_staff(session_login(db))
        except DeskError as exc:
            print(f"deskapp: {exc} (sign in as yourself: postgresql://LOGIN@HOST/DESK)", file=sys.stderr)
            return 1
        session = Session(staff.login, staff.name, Role(staff.role))
    if login and training:
        try:
            staff = load_staff(login)
        except DeskError as exc:
            print(f"deskapp: {exc}", file=sys.stderr)
            return 1
        session = Session(staff.login, staff.name, Role(staff.role))
    try:
        policy = load_policy(args.policy) if getattr(args, "policy", None) else None
    except PolicyError as exc:
        print(f"deskapp: {exc}", file=sys.stderr)
        return 2
    try:
        return work_sessions(app, lambda: DeskApp(db, clock, settings, policy=policy), session, seat)
    finally:
        seat.release()


def _ask_server_password(url: str, message: str) -> str | None:
    """PostgreSQL's password for the URL's login, from DESKAPP_PASSWORD or a dialog;
    None when the server did not ask for one or the person cancelled."""
    from urllib.parse import urlsplit

    if "no password supplied" not in message and "password authentication failed" not in message:
        return None
    if os.environ.get("DESKAPP_PASSWORD"):
        return os.environ["DESKAPP_PASSWORD"]
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    user = urlsplit(url).username or "you"
    text, ok = QInputDialog.getText(
        None, "Sign in", f"Password for {user} on the desk's server:", QLineEdit.EchoMode.Password
    )
    return text if ok and text else None


def work_sessions(app: Any, make_desk_app: Any, session: Any = None, seat: Any = None) -> int:
    """Sign in, work, and after "Sign out" sign in again (someone else, on the same
    workstation) until the window is closed or the sign-in is cancelled."""
    while True:
        desk_app = make_desk_app()
        if session is None:
            session = desk_app.sign_in()
        if session is None:
            return 0
        window = desk_app.start(session, load_async=True)
        window.show()
        if seat is not None:
            seat.raise_requested.connect(window.bring_to_front)
        try:
            code = int(app.exec())
        finally:
            desk_app.stop()
        if not desk_app.signed_out:
            return code
        window.deleteLater()
        session = None
