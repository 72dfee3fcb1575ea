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
