"""The sign-in dialog upgrades an older password hash and refuses an untrustworthy one in words."""

from __future__ import annotations

import datetime as dt

import peewee
from pytestqt.qtbot import QtBot

from deskapp.domain.clock import FixedClock
from deskapp.gui.signin_dialog import SignInDialog
from deskapp.services import directory
from deskapp.store.models import Staff
from deskapp.store.passwords import Cost, cost_for_tests, hash_password

NOW = dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC)


def _stored(login: str) -> str:
    return str(Staff.get(Staff.login == login).password_hash)


def test_sign_in_rehashes_an_older_hash(qtbot: QtBot, desk_db: peewee.Database) -> None:
    directory.add_staff(desk_db, FixedClock(NOW), None, "bob", name="Bob", role="admin", password="secret12")
    old = _stored("bob")
    with cost_for_tests(Cost(2**15, 8, 1)):
        dialog = SignInDialog(desk_db)
        qtbot.addWidget(dialog)
        dialog.login_edit.setText("bob")
        dialog.password_edit.setText("secret12")
        dialog.accept()
    assert dialog.session is not None and dialog.session.login == "bob"
    assert old.startswith("scrypt$16384$") and _stored("bob").startswith("scrypt$32768$8$1$")


def test_sign_in_refuses_a_hash_below_the_floor(qtbot: QtBot, desk_db: peewee.Database) -> None:
    directory.add_staff(desk_db, FixedClock(NOW), None, "bob", name="Bob", role="admin", password="secret12")
    with cost_for_tests(Cost(2**9, 8, 1)):
        Staff.update(password_hash=hash_password("secret12")).where(Staff.login == "bob").execute()
    dialog = SignInDialog(desk_db)
    qtbot.addWidget(dialog)
    dialog.login_edit.setText("bob")
    dialog.password_edit.setText("secret12")
    dialog.accept()
    assert dialog.session is None
    assert "an administrator must set a new one" in dialog.error_label.text()
