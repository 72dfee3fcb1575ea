"""Settings: one INI file in the platformdirs user config folder, the same for app and CLI.

`%LOCALAPPDATA%\\deskapp\\deskapp.ini` on Windows, as the README and the
installer say; never the registry. Checked on the real path (the test's own
XDG_CONFIG_HOME, see conftest) and by a real command-line process.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import platformdirs.windows
import pytest
from PySide6.QtCore import QSettings

from deskapp.gui import settings as conf
from deskapp.settings_file import settings_path

ROOT = Path(__file__).resolve().parents[2]


def test_the_settings_file_is_an_ini_in_the_user_config_folder(tmp_path: Path) -> None:
    expected = Path(os.environ["XDG_CONFIG_HOME"]) / "deskapp" / "deskapp.ini"
    assert settings_path() == expected
    settings = conf.open_settings()
    assert settings.format() == QSettings.Format.IniFormat
    assert Path(settings.fileName()) == expected
    assert not expected.exists(), "opening the settings writes nothing"
    desk = tmp_path / "desk.sqlite3"
    conf.store_database_url(settings, f"sqlite:///{desk}")
    conf.write(settings, conf.COUNTDOWN_MS, 500)
    settings.sync()
    ini = configparser.ConfigParser(interpolation=None)
    assert ini.read(expected, encoding="utf-8") == [str(expected)]
    assert ini["database"]["url"] == f"sqlite:///{desk}"
    assert ini["timers"]["countdown_ms"] == "500"
    # A separate command-line process reads the same file and opens the same desk.
    env = {k: v for k, v in os.environ.items() if k != "DESKAPP_DB"}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-m", "deskapp", "--version"], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert f"database sqlite:///{desk}" in out


def test_on_windows_it_is_under_localappdata_not_roaming(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCALAPPDATA", r"C:\Users\pat\AppData\Local")
    monkeypatch.setenv("APPDATA", r"C:\Users\pat\AppData\Roaming")
    # Off Windows, platformdirs' Windows rules read the folders from these variables.
    monkeypatch.setattr(
        platformdirs.windows, "get_win_folder", platformdirs.windows.get_win_folder_from_env_vars
    )
    path = PureWindowsPath(settings_path(platformdirs.windows.Windows))
    assert path == PureWindowsPath(r"C:\Users\pat\AppData\Local\deskapp\deskapp.ini")


def test_an_older_releases_settings_are_taken_over_once(tmp_path: Path) -> None:
    legacy = settings_path().with_name("deskapp.conf")  # where QSettings' native format put them
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_text("[database]\nurl=sqlite:////srv/old.sqlite3\n", encoding="utf-8")
    assert conf.database_url(conf.open_settings()) == "sqlite:////srv/old.sqlite3"
    assert settings_path().is_file()
    # From then on the INI file is the settings: the old file is not read again.
    legacy.write_text("[database]\nurl=sqlite:////srv/changed.sqlite3\n", encoding="utf-8")
    assert conf.database_url(conf.open_settings()) == "sqlite:////srv/old.sqlite3"


def test_docs_and_installer_name_the_same_file() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert r"%LOCALAPPDATA%\deskapp\deskapp.ini" in readme and "~/.config/deskapp/deskapp.ini" in readme
    iss = (ROOT / "packaging" / "deskapp.iss").read_text(encoding="utf-8")
    assert r"%LOCALAPPDATA%\deskapp\deskapp.ini" in iss
