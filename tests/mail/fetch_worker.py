"""Run in a child process: a workstation fetching the desk's shared mailbox."""

from __future__ import annotations

import datetime as dt
import os
import signal
from typing import Any


def fetch_loop(url: str, box: dict[str, Any], now_iso: str, worker: str, rounds: int, results: Any) -> None:
    """`rounds` fetch passes in a row; puts the message rows it imported."""
    from deskapp.domain.clock import FixedClock
    from deskapp.mail.fetch import ImapSettings, fetch_once
    from deskapp.store.connection import open_database

    db = open_database(url)
    settings = ImapSettings(**box["settings"])
    clock = FixedClock(dt.datetime.fromisoformat(now_iso))
    imported: list[int] = []
    for _ in range(rounds):
        imported += fetch_once(db, clock, settings, box["password"], worker=worker).imported
    results.put(imported)
    db.close()


def fetch_until_killed(url: str, box: dict[str, Any], now_iso: str, kill_after: int | None) -> None:
    """Fetch everything; with `kill_after`, die by SIGKILL right after that many commits
    (before the server is told); else the parent kills this process whenever it likes."""
    from deskapp.domain.clock import FixedClock
    from deskapp.mail.fetch import Fetcher, ImapSettings
    from deskapp.store.connection import open_database

    db = open_database(url)
    commits = 0

    def after_commit(uid: int) -> None:
        nonlocal commits
        commits += 1
        if kill_after is not None and commits >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    clock = FixedClock(dt.datetime.fromisoformat(now_iso))
    settings = ImapSettings(**box["settings"])
    Fetcher(db, clock, settings, box["password"], worker="doomed", after_commit=after_commit).fetch_once()
