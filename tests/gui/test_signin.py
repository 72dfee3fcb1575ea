"""Sign-in, and the first administrator on an empty database."""

from __future__ import annotations

import datetime as dt

import peewee
from pytestqt.qtbot import QtBot

from deskapp.domain.clock import FixedClock
from deskapp.domain.lifecycle import Role
from deskapp.gui.signin_dialog import FirstAdminDialog, SignInDialog
from deskapp.services import directory

NOW = dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC)


def test_first_run_creates_the_first_administrator(qtbot: QtBot, desk_db: peewee.Database) -> None:
    dialog = FirstAdminDialog(desk_db, FixedClock(NOW))
    qtbot.addWidget(dialog)
    dialog.login_edit.setText("alice")
    dialog.name_edit.setText("Alice Admin")
    dialog.password_edit.setText("correct horse")
    dialog.confirm_edit.setText("correct horsE")
    dialog.accept()
    assert "differ" in dialog.error_label.text()
    assert dialog.login_edit.text() == "alice"  # what was typed is kept
    dialog.confirm_edit.setText("correct horse")
    dialog.accept()
    assert dialog.result() == 1
    assert dialog.session is not None and dialog.session.role is Role.ADMIN
    assert directory.staff_count(desk_db) == 1


def test_sign_in_refuses_a_wrong_password_in_words(qtbot: QtBot, desk_db: peewee.Database) -> None:
    directory.add_staff(desk_db, FixedClock(NOW), None, "bob", name="Bob", role="admin", password="secret12")
    dialog = SignInDialog(desk_db)
    qtbot.addWidget(dialog)
    dialog.login_edit.setText("bob")
    dialog.password_edit.setText("nope")
    dialog.accept()
    assert "do not match" in dialog.error_label.text()
    assert dialog.session is None
    dialog.password_edit.setText("secret12")
    dialog.accept()
    assert dialog.session is not None and dialog.session.login == "bob"


def test_no_first_administrator_with_a_hash_on_a_postgresql_desk(qtbot: QtBot, pg_schema_url: str) -> None:
    """An empty live PostgreSQL desk without login roles (what the app's own open makes):
    the first-administrator step names the owner's command and makes nobody, so no
    password hash lands in the staff table."""
    from deskapp.store.connection import open_database

    db = open_database(pg_schema_url)
    try:
        dialog = FirstAdminDialog(db, FixedClock(NOW))
        qtbot.addWidget(dialog)
        text = dialog.error_label.text()
        assert "deskapp --db OWNER_URL init --first-admin LOGIN --name NAME" in text
        assert not dialog.login_edit.isEnabled()
        dialog.login_edit.setText("alice")
        dialog.name_edit.setText("Alice Admin")
        dialog.password_edit.setText("correct horse")
        dialog.confirm_edit.setText("correct horse")
        dialog.accept()
        assert dialog.result() != 1 and dialog.session is None
        assert directory.staff_count(db) == 0
    finally:
        db.close()
