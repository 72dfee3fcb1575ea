"""Issue 12's steps walked through the command line (and the app), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.cli.test_store_cli import Cli


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(db_url, capsys)
