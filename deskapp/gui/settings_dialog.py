"""Settings: the database (a SQLite file, or a PostgreSQL URL whose password goes to
the OS keyring) and the timer intervals."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox

from deskapp.gui import settings as conf
from deskapp.gui.forms import child, load_form
from deskapp.store.connection import redact

SQLITE, POSTGRES = "sqlite", "postgresql"


class SettingsDialog(QDialog):
    def __init__(self, settings: QSettings, parent: Any = None) -> None:
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
        self.error_label = child(form, QLabel, "errorLabel")
        self.error_label.setProperty("role", "error")
        self._database_layout = child(form, QFormLayout, "databaseLayout")
        buttons = child(form, QDialogButtonBox, "buttonBox")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.database_kind_combo.addItem("Local SQLite file", SQLITE)
        self.database_kind_combo.addItem("Shared PostgreSQL server", POSTGRES)
        self.database_kind_combo.currentIndexChanged.connect(self._kind_changed)
        self._load()

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
        self._settings.sync()
        super().accept()
