"""`deskapp rules run --watch`: a headless rules runner that stops cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import peewee
import pytest

from deskapp.store.models import History
from tests.desk_setup import Desk

ROOT = Path(__file__).resolve().parents[2]


def test_watch_runs_passes_until_ctrl_c(desk: Desk, db: peewee.Database, db_url: str) -> None:
    t = desk.log()  # logged in March 2026 at the fixed clock: long overdue by now
    child = subprocess.Popen(
        [sys.executable, "-m", "deskapp", "--db", db_url, "rules", "run", "--watch", "--interval", "0.2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert f"sla_breached: 1 ({t.number})" in first
        assert child.stdout.readline().rstrip().endswith("nothing was due")  # exactly once
        child.send_signal(signal.SIGINT)
        _out, err = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0
    assert "rules: stopped" in err and "Traceback" not in err
    breaches = History.select().where(History.ticket == t.id, History.kind == "sla_breached").count()
    assert breaches == 1


def test_watch_refuses_a_bad_interval(db_url: str, db: peewee.Database) -> None:
    from deskapp.cli.main import main

    # Refused while the arguments are read (argparse's exit 2), before the database opens.
    with pytest.raises(SystemExit) as exited:
        main(["--db", db_url, "rules", "run", "--watch", "--interval", "0"])
    assert exited.value.code == 2
