"""GUI test fixtures, shared by every tests/gui file: settings in a temporary folder, one SLA
engine, a fresh SQLite desk (`desk_db`), the clock at Monday 9 March 2026 09:00 London
(`clock`), the small seeded desk (`seeded`), the seeded app (`app`), and an in-memory keyring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import keyring
import peewee
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import QAbstractItemModel, QSettings
from pytestqt.qtbot import QtBot

from deskapp.domain.clock import FixedClock
from deskapp.domain.sla import SlaEngine
from deskapp.sla import engine as shared_engine
from tests.gui.seed import seed
from tests.london import local

if TYPE_CHECKING:
    from pytestqt.modeltest import ModelTester

    from deskapp.gui.app import DeskApp

MON_9 = local(2026, 3, 9, 9, 0)  # a Monday, the desk open


@pytest.fixture(autouse=True)
def _settings_in_tmp(tmp_path: Path) -> Iterator[None]:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield


@pytest.fixture
def engine() -> SlaEngine:
    return shared_engine()


def check_model(tester: ModelTester, model: QAbstractItemModel) -> None:
    """pytest-qt's model checker (its `check` is untyped)."""
    tester.check(model)  # type: ignore[no-untyped-call]


@pytest.fixture
def desk_db(tmp_path: Path) -> Iterator[peewee.Database]:
    """A fresh SQLite database (the GUI tests run on SQLite only)."""
    from deskapp.store.connection import open_database

    database = open_database(f"sqlite:///{tmp_path / 'gui.sqlite3'}")
    try:
        yield database
    finally:
        database.close()


@pytest.fixture(autouse=True)
def _no_modal_discard_question(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal "Discard?" box cannot be answered in a test (pytest-qt closes the widgets a
    test left open, and a half-typed form would ask): discard. Tests of the question set
    the form's own `confirm_discard`."""
    from deskapp.gui import form_keys

    monkeypatch.setattr(form_keys, "confirm_discard", lambda _parent, _what: True)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MON_9)


@pytest.fixture
def seeded(desk_db: peewee.Database, clock: FixedClock) -> peewee.Database:
    """`desk_db` with the staff of every role and two resellers (`tests.gui.seed`)."""
    seed(desk_db, clock)
    return desk_db


@pytest.fixture
def app(qtbot: QtBot, seeded: peewee.Database, clock: FixedClock) -> Iterator[DeskApp]:
    """The whole app on the seeded desk, not started (a test starts it as someone);
    its timers stopped and its window closed afterwards."""
    from deskapp.gui.app import DeskApp

    desk_app = DeskApp(seeded, clock, QSettings())
    yield desk_app
    desk_app.stop()
    if desk_app.window is not None:
        desk_app.window.close()


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-memory keyring in place of the OS one."""
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)
