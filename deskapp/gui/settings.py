"""The desktop client's settings, declared once: key, type, default, label.

Values live in one INI file, read and written through QSettings in IniFormat
(`open_settings`; where the file is: `deskapp.settings_file`), never in the
Windows registry; tests point it at a temporary folder through the platformdirs
variables. A PostgreSQL password is never stored here: it goes to the OS
keyring through `keyring`, keyed by the URL's user@host.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from PySide6.QtCore import QSettings

from deskapp.private_files import private_file, private_folder
from deskapp.settings_file import LEGACY_LINUX_FILE, settings_path

KEYRING_SERVICE = "deskapp"


@dataclass(frozen=True)
class Setting:
    key: str
    kind: type
    default: Any
    label: str


DATABASE_URL = Setting("database/url", str, "", "Database (empty: the local SQLite file)")
COUNTDOWN_MS = Setting("timers/countdown_ms", int, 1000, "Countdown refresh (ms)")
RULES_MS = Setting("timers/rules_ms", int, 30_000, "Rule pass every (ms)")
WATCH_MS = Setting("timers/watch_ms", int, 3000, "Check for other workstations' changes every (ms)")
NOTICES = Setting("notices/enabled", int, 1, "Tell me when a P1 is logged or a ticket turns at risk")
ALL = (DATABASE_URL, COUNTDOWN_MS, RULES_MS, WATCH_MS, NOTICES)


class PrivateSettings(QSettings):
    """QSettings whose INI file (and its folder) only its owner can read: before the first
    write the file is made 0600 in a 0700 folder, and QSettings keeps an existing file's
    mode when it saves (`deskapp.private_files`). An open file is tightened at once."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path), QSettings.Format.IniFormat)
        self._path = path
        self._private = False
        if path.exists():
            private_folder(path.parent)
            private_file(path)
            self._private = True

    def _make_private(self) -> None:
        if not self._private:
            private_folder(self._path.parent)
            private_file(self._path)
            self._private = True

    def setValue(self, key: str, value: Any) -> None:
        self._make_private()
        super().setValue(key, value)


def open_settings() -> QSettings:
    """The app's settings file (the app and the command line open this one).

    The first time, settings an older release kept where QSettings puts them
    natively (the Windows registry, a macOS plist, `deskapp.conf` on Linux) are
    copied in, so an upgrade keeps the desk it was set up for.
    """
    path = settings_path()
    settings = PrivateSettings(path)
    if not path.exists():
        legacy = _legacy_settings()
        keys = legacy.allKeys() if legacy is not None else []
        for key in keys:
            settings.setValue(key, legacy.value(key))  # type: ignore[union-attr]
        if keys:
            settings.sync()
    return settings


def _legacy_settings() -> QSettings | None:
    if sys.platform == "win32":
        return QSettings(r"HKEY_CURRENT_USER\Software\deskapp\deskapp", QSettings.Format.NativeFormat)
    if sys.platform == "darwin":
        return QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, "deskapp", "deskapp")
    # An explicit path: Qt's own native path is worked out once per process.
    legacy = settings_path().with_name(LEGACY_LINUX_FILE)
    return QSettings(str(legacy), QSettings.Format.IniFormat) if legacy.is_file() else None


def desk_key(db: Any) -> str:
    """A short, stable name for one database (its kind, host, name and schema; never a
    password), so what a person chose on one desk never shows on another."""
    import hashlib

    params = getattr(db, "connect_params", {}) or {}
    parts = (type(db).__name__, str(db.database), str(params.get("host", "")), str(params.get("port", "")),
             str(params.get("options", "")))  # fmt: skip
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def read(settings: QSettings, setting: Setting) -> Any:
    raw = settings.value(setting.key, setting.default)
    try:
        return setting.kind(raw)
    except (TypeError, ValueError):
        return setting.default


def write(settings: QSettings, setting: Setting, value: Any) -> None:
    settings.setValue(setting.key, setting.kind(value))


def split_password(url: str) -> tuple[str, str | None]:
    """The URL without its password, and the password (None if it had none)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if parts.password is None and not any(key.lower() == "password" for key, _ in pairs):
        return url, None
    # A password may also come in the query string (`?password=`): it is taken
    # out the same way, so it is never saved in the settings file.
    in_query = [value for key, value in pairs if key.lower() == "password"]
    if in_query:
        rest = [(key, value) for key, value in pairs if key.lower() != "password"]
        parts = parts._replace(query=urlencode(rest))
    password = unquote(parts.password) if parts.password is not None else None
    if password is None and in_query:
        password = in_query[-1]
    if password is None:
        return urlunsplit(parts), None
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{host}")), password


def keyring_name(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.username or ''}@{parts.hostname or ''}:{parts.port or 5432}{parts.path}"


def with_password(url: str, password: str | None) -> str:
    if not password:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:{quote(password, safe='')}@{host}"))


def store_database_url(settings: QSettings, url: str) -> None:
    """Keep the URL in settings without its password; the password goes to the keyring."""
    bare, password = split_password(url.strip())
    if password is not None:
        import keyring

        keyring.set_password(KEYRING_SERVICE, keyring_name(bare), password)
    write(settings, DATABASE_URL, bare)


def database_url(settings: QSettings) -> str | None:
    """The configured database URL with its password from the keyring (None: the default file)."""
    bare = str(read(settings, DATABASE_URL)).strip()
    if not bare:
        return None
    if bare.startswith(("postgres://", "postgresql://")):
        import keyring

        try:
            password = keyring.get_password(KEYRING_SERVICE, keyring_name(bare))
        except keyring.errors.KeyringError:
            password = None
        return with_password(bare, password)
    return bare
