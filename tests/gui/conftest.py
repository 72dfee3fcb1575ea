"""GUI test fixtures: settings in a temporary folder, one SLA engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import peewee
import pytest
from PySide6.QtCore import QAbstractItemModel, QSettings

from deskapp.domain.sla import SlaEngine
from deskapp.sla import engine as shared_engine

if TYPE_CHECKING:
    from pytestqt.modeltest import ModelTester


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
