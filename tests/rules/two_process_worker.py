"""Run in a child process: open the database, wait for the sibling, run one rule pass."""

from __future__ import annotations

import datetime as dt
from typing import Any


def run_pass(url: str, now_iso: str, barrier: Any, results: Any) -> None:
    from deskapp.domain.clock import FixedClock
    from deskapp.rules import run_rules
    from deskapp.store.connection import open_database

    db = open_database(url)
    clock = FixedClock(dt.datetime.fromisoformat(now_iso))
    barrier.wait(timeout=60)
    summary = run_rules(db, clock)
    results.put(summary.applied)
    db.close()
