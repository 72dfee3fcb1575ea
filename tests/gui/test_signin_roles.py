"""Sign-in on a PostgreSQL desk with login roles: the dialog's password goes to the
server, which connects as the person (no hash in any table is checked)."""

from __future__ import annotations

import uuid

import pytest
from pytestqt.qtbot import QtBot

from deskapp.cli.main import main
from deskapp.domain.clock import SystemClock
from deskapp.domain.lifecycle import Role
from deskapp.gui.signin_dialog import SignInDialog
from deskapp.services import directory
from deskapp.store.connection import open_database, raw_sql
from deskapp.store.security import session_login


def test_the_dialog_signs_in_to_the_server_as_the_person(
    qtbot: QtBot, pg_schema_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tag = uuid.uuid4().hex[:8]
    ada, tina = f"ada_{tag}", f"tina_{tag}"
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "ada-password")
    assert main(["--db", pg_schema_url, "init", "--first-admin", ada, "--name", "Ada"]) == 0
    capsys.readouterr()
    db = open_database(pg_schema_url)  # as the launch opens it: the owner's URL, here
    try:
        clock = SystemClock()
        directory.add_staff(db, clock, None, tina, name="Tina", role="tier1", password="tina-password")
        owner = session_login(db)
        dialog = SignInDialog(db)
        qtbot.addWidget(dialog)
        dialog.login_edit.setText(tina)
        dialog.password_edit.setText("not-hers")
        dialog.accept()
        assert "do not match" in dialog.error_label.text()
        assert session_login(db) == owner  # the connection it had is back
        dialog.password_edit.setText("tina-password")
        dialog.accept()
        assert dialog.result() == 1
        assert dialog.session is not None and dialog.session.role is Role.TIER1
        assert session_login(db) == tina  # from now on the server knows who works
        assert raw_sql(db, "SELECT has_table_privilege('staff', 'UPDATE')").fetchone() == (False,)
    finally:
        db.close()
