"""Change my password: the current one proves it is you; the new one is typed twice."""

from __future__ import annotations

import peewee
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui.app import DeskApp
from deskapp.gui.password_dialog import PasswordDialog
from tests.gui.seed import PASSWORD, desk_for, seed
from tests.london import local


def test_an_engineer_changes_their_own_password(qtbot: QtBot, desk_db: peewee.Database) -> None:
    clock = FixedClock(local(2026, 3, 9, 9, 0))
    seed(desk_db, clock)
    app = DeskApp(desk_db, clock, QSettings())
    try:
        window = app.start(desk_for(desk_db, clock, "tom").session, start_timers=False)
        qtbot.addWidget(window)
        action = window.findChild(QAction, "changePasswordAction")
        assert action is not None
        dialog = app.open_password_dialog()
        assert isinstance(dialog, PasswordDialog)
        dialog.current_edit.setText("not it")
        dialog.new_edit.setText("tom's new password")
        dialog.again_edit.setText("tom's new password")
        assert not dialog.save()
        assert dialog.error_label.text() == "the current password is not right"
        dialog.current_edit.setText(PASSWORD)
        dialog.again_edit.setText("a typo")
        assert not dialog.save()
        assert "differ" in dialog.error_label.text()
        dialog.new_edit.setText("short")
        dialog.again_edit.setText("short")
        assert not dialog.save()
        assert "at least 8 characters" in dialog.error_label.text()
        dialog.new_edit.setText("tom's new password")
        dialog.again_edit.setText("tom's new password")
        dialog.accept()
        assert dialog.result() == PasswordDialog.DialogCode.Accepted
        assert services.authenticate(desk_db, "tom", "tom's new password").login == "tom"
        with pytest.raises(services.AuthenticationFailed):
            services.authenticate(desk_db, "tom", PASSWORD)
    finally:
        app.stop()
        if app.window is not None:
            app.window.close()
