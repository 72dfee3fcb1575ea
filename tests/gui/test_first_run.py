"""First run: local, training, or the desk's PostgreSQL (tested, password to the keyring)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from deskapp.gui import settings as conf
from deskapp.gui.first_run import FirstRunDialog, needs_first_run
from deskapp.gui.first_run import test_connection as check_connection
from deskapp.store.connection import DatabaseUrlError, default_sqlite_path
from tests.mail.smtp_server import free_port


@pytest.fixture
def keyring_store(monkeypatch: pytest.MonkeyPatch) -> dict[tuple[str, str], str]:
    import keyring

    store: dict[tuple[str, str], str] = {}
    monkeypatch.setattr(keyring, "set_password", lambda s, u, p: store.__setitem__((s, u), p))
    monkeypatch.setattr(keyring, "get_password", lambda s, u: store.get((s, u)))
    return store


def test_first_run_only_when_nothing_names_a_database(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = QSettings()
    assert needs_first_run(settings, None)
    assert not needs_first_run(settings, "sqlite:////tmp/x.sqlite3")
    monkeypatch.setenv("DESKAPP_DB", "sqlite:////tmp/y.sqlite3")
    assert not needs_first_run(settings, None)
    monkeypatch.delenv("DESKAPP_DB")
    conf.write(settings, conf.DATABASE_URL, "sqlite:////tmp/z.sqlite3")
    assert not needs_first_run(settings, None)


def test_local_and_training_choices(qtbot: QtBot) -> None:
    settings = QSettings()
    dialog = FirstRunDialog(settings)
    qtbot.addWidget(dialog)
    assert not dialog.server_group.isEnabled()
    dialog.accept()
    assert dialog.url == f"sqlite:///{default_sqlite_path()}" and not dialog.training
    assert conf.read(settings, conf.DATABASE_URL) == dialog.url
    training = FirstRunDialog(settings)
    qtbot.addWidget(training)
    training.training_radio.setChecked(True)
    training.accept()
    assert training.training and str(training.url).endswith("training.sqlite3")


def test_a_server_that_does_not_answer_is_not_saved(qtbot: QtBot, keyring_store: dict[object, str]) -> None:
    settings = QSettings()
    dialog = FirstRunDialog(settings)
    qtbot.addWidget(dialog)
    dialog.server_radio.setChecked(True)
    assert dialog.server_group.isEnabled()
    dialog.host_edit.setText("127.0.0.1")
    dialog.port_spin.setValue(free_port())
    dialog.password_edit.setText("typed and kept")
    dialog.accept()
    assert dialog.result() != FirstRunDialog.DialogCode.Accepted
    assert "Not connected" in dialog.test_result_label.text()
    assert "must answer" in dialog.error_label.text()
    assert conf.read(settings, conf.DATABASE_URL) == "" and keyring_store == {}
    assert dialog.password_edit.text() == "typed and kept"


def test_the_desk_server_is_tested_then_saved_without_its_password(
    qtbot: QtBot, pg_schema_url: str, keyring_store: dict[tuple[str, str], str]
) -> None:
    parts = urlsplit(pg_schema_url)
    settings = QSettings()
    dialog = FirstRunDialog(settings)
    qtbot.addWidget(dialog)
    dialog.server_radio.setChecked(True)
    dialog.host_edit.setText(parts.hostname or "")
    dialog.port_spin.setValue(parts.port or 5432)
    dialog.database_edit.setText(parts.path.lstrip("/"))
    dialog.user_edit.setText(parts.username or "")
    dialog.password_edit.setText(parts.password or "")
    dialog.test_button.click()
    assert dialog.test_result_label.text().startswith("Connected.")
    dialog.accept()
    saved = str(conf.read(settings, conf.DATABASE_URL))
    assert saved.startswith("postgresql://") and f":{parts.password}@" not in saved
    assert list(keyring_store.values()) == [parts.password]
    # The password comes back from the keyring.
    assert f":{parts.password}@" in str(conf.database_url(settings))


def test_connection_errors_are_sentences(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUrlError, match="cannot connect"):
        check_connection(f"postgresql://nobody@127.0.0.1:{free_port()}/none")


def test_an_empty_server_database_is_made_by_the_owners_init(pg_schema_url: str) -> None:
    """The first run says who makes a desk on a server, and how: the app makes no first
    administrator there (tests/gui/test_signin.py)."""
    text = check_connection(pg_schema_url)  # a brand-new, empty schema
    assert text.startswith("Connected. The database is empty")
    assert "deskapp --db OWNER_URL init --first-admin LOGIN --name NAME" in text
