"""Where the desktop app's settings live: one INI file in the user's local config folder.

`%LOCALAPPDATA%\\deskapp\\deskapp.ini` on Windows (local, not roaming: the
database it names is this workstation's choice), `~/.config/deskapp/deskapp.ini`
on Linux (`$XDG_CONFIG_HOME`), `~/Library/Application Support/deskapp/deskapp.ini`
on macOS: the platformdirs user config folder, beside the edited message
templates. Never the Windows registry. Qt-free, so the command line finds the
same file; `deskapp.gui.settings.open_settings` opens it with QSettings.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from platformdirs.api import PlatformDirsABC

APP_NAME = "deskapp"
SETTINGS_FILE = "deskapp.ini"
# Where releases before the INI file kept the settings on Linux (QSettings' native
# format there); read once, when the INI file does not exist yet.
LEGACY_LINUX_FILE = "deskapp.conf"


def config_dir(dirs: type[PlatformDirsABC] = platformdirs.PlatformDirs) -> Path:
    return Path(dirs(appname=APP_NAME, appauthor=False, roaming=False).user_config_dir)


def settings_path(dirs: type[PlatformDirsABC] = platformdirs.PlatformDirs) -> Path:
    return config_dir(dirs) / SETTINGS_FILE
