"""A password in a URL's query string is hidden like one in `user:pw@`."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from deskapp.gui import settings as conf
from deskapp.store.connection import redact


def test_query_string_password_is_redacted() -> None:
    shown = redact("postgresql://ann@db.example/desk?sslmode=require&password=s3cr%26t")
    assert "s3cr" not in shown
    assert "password=***" in shown and "sslmode=require" in shown
    assert redact("postgresql://ann:pw1@db.example/desk?PASSWORD=pw2") == (
        "postgresql://ann:***@db.example/desk?PASSWORD=***"
    )
    assert redact("sqlite:////tmp/desk.sqlite3") == "sqlite:////tmp/desk.sqlite3"


def test_query_string_password_is_never_saved() -> None:
    bare, password = conf.split_password("postgresql://ann@db.example/desk?password=s3cret&sslmode=require")
    assert password == "s3cret"
    assert "s3cret" not in bare and "sslmode=require" in bare
    assert conf.split_password("sqlite:////tmp/d.sqlite3") == ("sqlite:////tmp/d.sqlite3", None)
    assert conf.split_password("postgresql://ann:pw@h/desk") == ("postgresql://ann@h/desk", "pw")


def test_saved_settings_hold_no_query_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    stored: dict[tuple[str, str], str] = {}
    monkeypatch.setattr(keyring, "set_password", lambda s, n, pw: stored.__setitem__((s, n), pw))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    conf.store_database_url(settings, "postgresql://ann@db.example/desk?password=s3cret")
    settings.sync()
    assert "s3cret" not in (tmp_path / "s.ini").read_text()
    assert "db.example/desk" in (tmp_path / "s.ini").read_text()
    assert list(stored.values()) == ["s3cret"]


SECRET = "s3cret-in-the-url"
HOSTILE_URLS = [
    f"postgresql://u@127.0.0.1:5432/deskapp_ci?password={SECRET}",  # refused by the server
    f"postgresql://u@127.0.0.1:5432/deskapp_ci?password={SECRET}&bogus=1",  # refused by libpq
    f"postgresql://u@127.0.0.1:5432/?password={SECRET}",  # no database name
    f"mysql://u@h/x?password={SECRET}",  # unknown kind
    f"postgresql://u@127.0.0.1:5432/deskapp_ci?pass%77ord={SECRET}",  # the key percent-encoded
    f"postgresql://u@127.0.0.1:5432/deskapp_ci?sslpassword={SECRET}&sslmode=require",
    f"postgresql://u:{SECRET}@[broken/desk?password={SECRET}",  # not parseable at all
    f"postgresql://u@127.0.0.1:99999/desk?password={SECRET}",  # port out of range
]


def test_redact_never_raises_and_hides_every_secret() -> None:
    for url in HOSTILE_URLS:
        shown = redact(url)
        assert SECRET not in shown, shown
    assert redact(f"postgresql://u:{SECRET}@[broken/desk?x=1") == "postgresql://***@[broken/desk?***"
    assert "sslpassword=***" in redact(f"postgresql://u@h/d?sslpassword={SECRET}")


def test_a_percent_encoded_password_key_is_never_saved() -> None:
    bare, password = conf.split_password(f"postgresql://ann@db.example/desk?pass%77ord={SECRET}")
    assert password == SECRET and SECRET not in bare


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_no_command_error_version_or_log_shows_a_query_password(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from deskapp.cli.main import main
    from deskapp.logs import log_dir

    for argv in (["--db", url, "staff", "list"], ["--db", url, "--as", "ada", "ticket", "list"]):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code != 0 and err.startswith("deskapp: ")
        assert SECRET not in out + err, err
        assert "Traceback" not in err
    monkeypatch.setenv("DESKAPP_DB", url)
    assert main(["--version"]) == 0
    out, err = capsys.readouterr()
    assert "database " in out and SECRET not in out + err
    logged = "".join(p.read_text() for p in log_dir().glob("deskapp.log*")) if log_dir().exists() else ""
    assert SECRET not in logged
    assert os.environ["DESKAPP_LOG_DIR"]  # the conftest's folder: this test's own log


def test_the_settings_dialog_never_shows_a_saved_query_password(
    qtbot: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An older release may have saved `?password=` in the settings file."""
    import keyring

    from deskapp.gui.settings_dialog import SettingsDialog

    stored: dict[tuple[str, str], str] = {}
    monkeypatch.setattr(keyring, "set_password", lambda s, n, pw: stored.__setitem__((s, n), pw))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("database/url", f"postgresql://ann@db.example/desk?sslmode=require&password={SECRET}")
    dialog = SettingsDialog(settings)
    assert SECRET not in dialog.postgres_url_edit.text()
    assert "sslmode=require" in dialog.postgres_url_edit.text()
    assert dialog.postgres_password_edit.text() == SECRET  # masked, and kept on saving
    dialog.accept()
    settings.sync()
    assert SECRET not in (tmp_path / "s.ini").read_text()
    assert list(stored.values()) == [SECRET]
