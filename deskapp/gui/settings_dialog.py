"""Settings: the database in use now and the one for the next start (a SQLite file, or a
PostgreSQL URL whose password goes to the OS keyring), the timer intervals, the notices,
and where this computer keeps the settings and the log."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import peewee as pw
from PySide6.QtCore import QSettings
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QSystemTrayIcon,
)

from deskapp.gui import settings as conf
from deskapp.gui.forms import child, load_form
from deskapp.logs import log_path
from deskapp.store.connection import default_sqlite_path, redact

SQLITE, POSTGRES = "sqlite", "postgresql"


def database_in_use(db: pw.Database) -> str:
    """The database this window works on, named in full but for its password."""
    if isinstance(db, pw.SqliteDatabase):
        return f"the SQLite file {db.database}"
    params = db.connect_params or {}
    user = f"{params['user']}@" if params.get("user") else ""
    port = f":{params['port']}" if params.get("port") else ""
    return f"PostgreSQL {user}{params.get('host', 'localhost')}{port}/{db.database} (password not shown)"


class SettingsDialog(QDialog):
    def __init__(
        self, settings: QSettings, parent: Any = None, *, in_use: str = "", tray: bool | None = None
    ) -> None:
        """`in_use` names the database the app runs on now (`database_in_use`); `tray` says
        whether notices go to the system tray (None: ask Qt)."""
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("deskapp: settings")
        self._settings = settings
        form = load_form("settings_dialog.ui", self)
        self.database_kind_combo = child(form, QComboBox, "databaseKindCombo")
        self.sqlite_path_edit = child(form, QLineEdit, "sqlitePathEdit")
        self.postgres_url_edit = child(form, QLineEdit, "postgresUrlEdit")
        self.postgres_password_edit = child(form, QLineEdit, "postgresPasswordEdit")
        self.countdown_spin = child(form, QSpinBox, "countdownSpin")
        self.rules_spin = child(form, QSpinBox, "rulesSpin")
        self.watch_spin = child(form, QSpinBox, "watchSpin")
        self.in_use_label = child(form, QLabel, "inUseLabel")
        self.notices_check = child(form, QCheckBox, "noticesCheck")
        self.notices_where_label = child(form, QLabel, "noticesWhereLabel")
        self.settings_file_label = child(form, QLabel, "settingsFileLabel")
        self.log_file_label = child(form, QLabel, "logFileLabel")
        self.error_label = child(form, QLabel, "errorLabel")
        self.error_label.setProperty("role", "error")
        self._database_layout = child(form, QFormLayout, "databaseLayout")
        buttons = child(form, QDialogButtonBox, "buttonBox")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.database_kind_combo.addItem("Local SQLite file", SQLITE)
        self.database_kind_combo.addItem("Shared PostgreSQL server", POSTGRES)
        self.database_kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.in_use_label.setText(f"In use now: {in_use}." if in_use else "")
        self.in_use_label.setVisible(bool(in_use))
        self.sqlite_path_edit.setPlaceholderText(f"empty: {default_sqlite_path()}")
        if tray is None:
            tray = QSystemTrayIcon.isSystemTrayAvailable()
        self.notices_where_label.setText(
            "Shown in the system tray." if tray else "This desktop has no system tray: shown in the window."
        )
        self.settings_file_label.setText(settings.fileName())
        self.log_file_label.setText(str(log_path()))
        self._load()

    def showEvent(self, event: QShowEvent) -> None:
        """A dialog is sized to its layout's height at its hint's width, before a wrapped line
        (a long database path) knows its own: made tall enough for it once shown, within the
        screen."""
        super().showEvent(event)
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return
        need = layout.totalHeightForWidth(self.width())
        screen = self.screen()
        if screen is not None:
            need = min(need, screen.availableGeometry().height())
        if need > self.height():
            self.resize(self.width(), need)

    def _load(self) -> None:
        url = str(conf.read(self._settings, conf.DATABASE_URL))
        if url.startswith(("postgres://", "postgresql://")):
            self.database_kind_combo.setCurrentIndex(1)
            # A password an older release left in the saved URL (user:pw@ or ?password=) is
            # never shown in the URL field: it moves to the masked password field, and from
            # there to the keyring when the dialog is saved.
            try:
                bare, embedded = conf.split_password(url)
            except ValueError:  # too broken to read: shown with anything secret hidden
                bare, embedded = redact(url), None
            self.postgres_url_edit.setText(bare)
            if embedded:
                self.postgres_password_edit.setText(embedded)
        else:
            self.database_kind_combo.setCurrentIndex(0)
            self.sqlite_path_edit.setText(url.removeprefix("sqlite:///"))
        self.countdown_spin.setValue(conf.read(self._settings, conf.COUNTDOWN_MS) // 1000)
        self.rules_spin.setValue(conf.read(self._settings, conf.RULES_MS) // 1000)
        self.watch_spin.setValue(conf.read(self._settings, conf.WATCH_MS) // 1000)
        self.notices_check.setChecked(bool(conf.read(self._settings, conf.NOTICES)))
        self._kind_changed()

    def _kind_changed(self) -> None:
        pg = self.database_kind_combo.currentData() == POSTGRES
        self._database_layout.setRowVisible(self.sqlite_path_edit, not pg)
        self._database_layout.setRowVisible(self.postgres_url_edit, pg)
        self._database_layout.setRowVisible(self.postgres_password_edit, pg)

    def database_url(self) -> str:
        if self.database_kind_combo.currentData() == POSTGRES:
            url = self.postgres_url_edit.text().strip()
            password = self.postgres_password_edit.text()
            bare, embedded = conf.split_password(url)
            return conf.with_password(bare, password or embedded)
        path = self.sqlite_path_edit.text().strip()
        return f"sqlite:///{Path(path).expanduser()}" if path else ""

    def accept(self) -> None:
        url = self.database_url()
        if self.database_kind_combo.currentData() == POSTGRES:
            parts = urlsplit(url)
            if parts.scheme not in ("postgres", "postgresql") or not parts.hostname:
                self.error_label.setText(
                    "the PostgreSQL URL needs the form postgresql://user@host:5432/database"
                )
                return
        try:
            conf.store_database_url(self._settings, url)
        except Exception as exc:  # keyring backends raise their own types
            self.error_label.setText(f"the password could not be kept in the system keyring: {exc}")
            return
        conf.write(self._settings, conf.COUNTDOWN_MS, self.countdown_spin.value() * 1000)
        conf.write(self._settings, conf.RULES_MS, self.rules_spin.value() * 1000)
        conf.write(self._settings, conf.WATCH_MS, self.watch_spin.value() * 1000)
        conf.write(self._settings, conf.NOTICES, int(self.notices_check.isChecked()))
        self._settings.sync()
        super().accept()
