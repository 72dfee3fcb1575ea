"""The settings file is readable by its owner only: 0600 in a 0700 folder (POSIX)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from deskapp.gui import settings as conf
from deskapp.settings_file import settings_path

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes; Windows uses the profile")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_settings_file_is_made_private(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        path = settings_path()
        settings = conf.open_settings()
        assert not path.exists()  # opening writes nothing
        conf.store_database_url(settings, f"sqlite:///{tmp_path / 'desk.sqlite3'}")
        settings.sync()
        assert "database" in path.read_text()
        assert mode(path) == 0o600 and mode(path.parent) == 0o700
    finally:
        os.umask(before)


def test_an_existing_settings_file_is_tightened_at_open() -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text("[timers]\ncountdown_ms=500\n")
    path.chmod(0o644)
    path.parent.chmod(0o755)
    settings = conf.open_settings()
    assert conf.read(settings, conf.COUNTDOWN_MS) == 500
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
