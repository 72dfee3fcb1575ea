"""SQLite files that are not a desk: a path under a file, a folder, a file of junk, a
file with damaged pages. Each is refused naming it; `init` never reports success on one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.hostile import refused, run


def test_db_path_under_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b\n")
    url = f"sqlite:///{tmp_path / 'x.csv' / 'db.sqlite3'}"
    for argv in (("init",), ("ticket", "list")):
        result = refused(capsys, "--db", url, *argv, naming="x.csv is a file")
        assert result.code == 2
    assert (tmp_path / "x.csv").read_text() == "a,b\n"


def test_db_path_that_is_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    refused(capsys, "--db", f"sqlite:///{tmp_path}", "init", naming=f"{tmp_path} is a folder")


def test_a_file_that_is_not_a_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"garbage" * 1000)
    for argv in (("init",), ("ticket", "list")):
        result = refused(capsys, "--db", f"sqlite:///{junk}", *argv, naming=str(junk))
        assert "backup" in result.err
    assert junk.read_bytes() == b"garbage" * 1000


def _damage(path: Path) -> None:
    """Overwrite half of the history table's root page (not the file header)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'history'").fetchone()[0]
    con.close()
    with path.open("r+b") as f:
        f.seek((root - 1) * page_size + 8)
        f.write(b"\xa5" * (page_size // 2))
    con = sqlite3.connect(path)
    try:
        verdict = con.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        verdict = str(exc)
    finally:
        con.close()
    assert verdict != "ok"  # the damage is real


def test_init_refuses_a_damaged_desk(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    url = f"sqlite:///{path}"
    assert run(capsys, "--db", url, "init", "--training").code == 0
    assert run(capsys, "--db", url, "demo", "--tickets", "40").code == 0
    _damage(path)
    result = refused(capsys, "--db", url, "init", naming=str(path))
    assert "damaged" in result.err and "schema v" not in result.out
    refused(capsys, "--db", url, "init", "--training", naming=str(path))
