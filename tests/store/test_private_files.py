"""A SQLite desk, the settings and the logs are readable by their owner only (POSIX).

0600 files in 0700 folders: made so, and tightened when an older release left
them 0644 in a 0755 folder. (On Windows nothing is changed: the files live in
the user's profile; see deskapp.private_files.)
"""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path

import pytest

from deskapp.store.connection import default_sqlite_path, open_database, raw_sql

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes; Windows uses the profile")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _loose_umask() -> object:
    """The usual 022: what would leave files 0644 if the code did not see to it."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _write_something(url: str) -> None:
    from deskapp import services as sv
    from deskapp.domain.clock import SystemClock

    db = open_database(url)
    sv.add_staff(db, SystemClock(), None, "ada", name="Ada", role="admin", password="pw-ada-1")
    assert raw_sql(db, "PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_a_new_desk_in_the_default_folder_is_private() -> None:
    path = default_sqlite_path()
    assert not path.parent.exists()
    db = open_database(None)
    from deskapp import services as sv
    from deskapp.domain.clock import SystemClock

    sv.add_staff(db, SystemClock(), None, "ada", name="Ada", role="admin", password="pw-ada-1")
    wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
    assert wal.exists() and shm.exists()  # open: SQLite made them, with the file's mode
    assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    assert mode(path.parent) == 0o700
    db.close()


def test_an_existing_desk_is_tightened_at_open(tmp_path: Path) -> None:
    folder = tmp_path / "named-by-the-user"
    path = folder / "desk.sqlite3"
    _write_something(f"sqlite:///{path}")
    sides = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
    backup = path.with_name(path.name + ".v3-20260101T000000000000Z.bak")
    backup.write_bytes(b"")
    for f in (path, *sides, backup):
        f.touch()
        f.chmod(0o644)  # as an older release left them
    folder.chmod(0o755)
    db = open_database(f"sqlite:///{path}")
    assert [mode(f) for f in (path, *sides, backup)] == [0o600] * 4
    assert mode(folder) == 0o755  # a folder the user named is theirs to set
    db.close()


def test_a_folder_made_for_a_named_desk_is_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "desk.sqlite3"
    tmp_path.chmod(0o755)
    _write_something(f"sqlite:///{path}")
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    assert mode(tmp_path) == 0o755  # an existing parent is left as it was


def test_a_migration_backup_is_private(tmp_path: Path) -> None:
    from deskapp.store.migrations import backup_sqlite

    db = open_database(f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    copy = backup_sqlite(db, 7)
    assert copy is not None and mode(copy) == 0o600
    db.close()


def test_the_log_files_are_private(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from deskapp import logs

    folder = tmp_path / "logs"
    monkeypatch.setenv("DESKAPP_LOG_DIR", str(folder))
    monkeypatch.setattr(logs, "_MAX_BYTES", 200)  # rotate after a few lines
    for handler in list(logs.log.handlers):
        logs.log.removeHandler(handler)
    try:
        path = logs.setup_logging()
        for n in range(20):
            logs.log.error("line %d with enough text to make the file rotate soon", n)
        rotated = sorted(folder.glob("deskapp.log*"))
        assert len(rotated) >= 3
        assert {mode(f) for f in rotated} == {0o600}
        assert mode(path) == 0o600 and mode(folder) == 0o700
    finally:
        for handler in list(logs.log.handlers):
            handler.close()
            logs.log.removeHandler(handler)


def test_existing_log_files_are_tightened(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from deskapp import logs

    monkeypatch.setenv("DESKAPP_LOG_DIR", str(tmp_path))
    old = [tmp_path / "deskapp.log", tmp_path / "deskapp.log.1"]
    for f in old:
        f.write_text("older release\n")
        f.chmod(0o644)
    for handler in list(logs.log.handlers):
        logs.log.removeHandler(handler)
    try:
        logs.setup_logging(logging.INFO)
        assert [mode(f) for f in old] == [0o600, 0o600]
    finally:
        for handler in list(logs.log.handlers):
            handler.close()
            logs.log.removeHandler(handler)
