"""The app and the command line open the same desk, and only init makes one."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from deskapp.cli.main import main
from deskapp.cli.session import database_url
from deskapp.gui import settings as conf
from deskapp.store.connection import ENV_DB


@pytest.fixture
def saved_settings(monkeypatch: pytest.MonkeyPatch) -> QSettings:
    """The app's settings file (in this test's own config folder, see conftest)."""
    monkeypatch.delenv(ENV_DB, raising=False)
    return conf.open_settings()


def test_commands_use_the_database_the_app_saved(
    saved_settings: QSettings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = tmp_path / "saved.sqlite3"
    conf.store_database_url(saved_settings, f"sqlite:///{desk}")
    saved_settings.sync()
    assert database_url(None) == f"sqlite:///{desk}"
    assert main(["--version"]) == 0
    assert str(desk) in capsys.readouterr().out
    # --db and DESKAPP_DB still win, in that order.
    monkeypatch.setenv(ENV_DB, "sqlite:///env.sqlite3")
    assert database_url(None) == "sqlite:///env.sqlite3"
    assert database_url("sqlite:///opt.sqlite3") == "sqlite:///opt.sqlite3"


def test_a_failing_command_makes_no_database(
    saved_settings: QSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "such" / "desk.sqlite3"
    code = main(["--db", f"sqlite:///{missing}", "ticket", "list"])
    assert code != 0
    err = capsys.readouterr().err
    assert "there is no desk at" in err and str(missing) in err and "deskapp init" in err
    assert not missing.exists() and not missing.parent.exists()
    # init makes it, folders and all; then the same command works.
    assert main(["--db", f"sqlite:///{missing}", "init", "--training"]) == 0
    assert missing.exists()
    assert main(["--db", f"sqlite:///{missing}", "ticket", "list"]) == 0
