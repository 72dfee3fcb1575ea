"""Settings: the PostgreSQL password goes to the keyring, never into the settings file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from deskapp.gui import settings as conf
from deskapp.gui.settings_dialog import POSTGRES, SettingsDialog
from tests.gui.conftest import MemoryKeyring


def test_postgres_password_in_keyring_not_in_file(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    settings = QSettings(str(tmp_path / "deskapp.ini"), QSettings.Format.IniFormat)
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.database_kind_combo.setCurrentIndex(dialog.database_kind_combo.findData(POSTGRES))
    dialog.postgres_url_edit.setText("postgresql://desk@db.example:5432/deskapp")
    dialog.postgres_password_edit.setText("s3cret!")
    dialog.rules_spin.setValue(45)
    dialog.accept()
    assert dialog.result() == 1
    text = (tmp_path / "deskapp.ini").read_text()
    assert "s3cret" not in text
    assert "postgresql://desk@db.example:5432/deskapp" in text
    assert conf.database_url(settings) == "postgresql://desk:s3cret%21@db.example:5432/deskapp"
    assert conf.read(settings, conf.RULES_MS) == 45_000


def test_bad_postgres_url_is_refused_in_words(qtbot: QtBot, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "deskapp.ini"), QSettings.Format.IniFormat)
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.database_kind_combo.setCurrentIndex(1)
    dialog.postgres_url_edit.setText("db.example")
    dialog.accept()
    assert "postgresql://user@host" in dialog.error_label.text()


def test_sqlite_file_setting(qtbot: QtBot, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "deskapp.ini"), QSettings.Format.IniFormat)
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.sqlite_path_edit.setText(str(tmp_path / "desk.sqlite3"))
    dialog.accept()
    assert conf.database_url(settings) == f"sqlite:///{tmp_path / 'desk.sqlite3'}"


def test_settings_name_the_database_in_use_without_its_password(qtbot: QtBot, tmp_path: Path) -> None:
    """The app may run on another database than the saved setting (--db, DESKAPP_DB): the dialog
    names the one in use, user, host, port and database, never the password."""
    from deskapp.gui.settings_dialog import database_in_use
    from deskapp.store.connection import database_from_url

    db = database_from_url("postgresql://desk:s3cret%21x@db.example:6432/deskapp")  # not connected
    settings = QSettings(str(tmp_path / "deskapp.ini"), QSettings.Format.IniFormat)
    dialog = SettingsDialog(settings, in_use=database_in_use(db), tray=False)
    qtbot.addWidget(dialog)
    shown = dialog.in_use_label.text()
    assert shown == "In use now: PostgreSQL desk@db.example:6432/deskapp (password not shown)."
    assert "s3cret" not in shown
    assert "user data folder" not in dialog.sqlite_path_edit.placeholderText()
    assert dialog.sqlite_path_edit.placeholderText().endswith("deskapp.sqlite3")


def test_settings_name_a_sqlite_file_in_use(qtbot: QtBot, tmp_path: Path) -> None:
    from deskapp.gui.settings_dialog import database_in_use
    from deskapp.store.connection import open_database

    db = open_database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        dialog = SettingsDialog(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                                in_use=database_in_use(db), tray=False)  # fmt: skip
    finally:
        db.close()
    qtbot.addWidget(dialog)
    assert dialog.in_use_label.text() == f"In use now: the SQLite file {tmp_path / 'other.sqlite3'}."


def test_notices_can_be_turned_off_and_say_where_they_show(qtbot: QtBot, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "deskapp.ini"), QSettings.Format.IniFormat)
    dialog = SettingsDialog(settings, tray=False)
    qtbot.addWidget(dialog)
    assert dialog.notices_check.isChecked()  # on by default
    assert "no system tray" in dialog.notices_where_label.text()
    assert dialog.settings_file_label.text() == str(tmp_path / "deskapp.ini")
    assert dialog.log_file_label.text().endswith("deskapp.log")
    dialog.notices_check.setChecked(False)
    dialog.accept()
    assert conf.read(settings, conf.NOTICES) == 0
