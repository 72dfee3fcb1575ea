"""The window's SQLite connections keep a small page cache each; a rule pass its own large one."""

from __future__ import annotations

import threading

import peewee
import pytest
from PySide6.QtCore import QCoreApplication, QThreadPool

from deskapp.domain.clock import FixedClock
from deskapp.gui.app import DeskApp
from deskapp.gui.workers import RulesRun, RulesSignals
from deskapp.store.connection import GUI_SQLITE_CACHE_KIB, RULE_PASS_CACHE_KIB, raw_sql


def _cache_kib(db: peewee.Database) -> int:
    return -int(raw_sql(db, "PRAGMA cache_size").fetchone()[0])


def _on_a_new_thread(db: peewee.Database) -> int:
    got: list[int] = []

    def read() -> None:
        got.append(_cache_kib(db))
        db.close()

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    return got[0]


def test_the_window_limits_every_threads_cache(app: DeskApp) -> None:
    assert _cache_kib(app.db) == GUI_SQLITE_CACHE_KIB  # the connection open already
    assert _on_a_new_thread(app.db) == GUI_SQLITE_CACHE_KIB  # and each one opened later
    assert GUI_SQLITE_CACHE_KIB < RULE_PASS_CACHE_KIB


def test_a_rule_pass_reads_with_the_large_cache(
    app: DeskApp, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []  # the pass's connection, as the rules would read through it

    def run_rules(
        db: peewee.Database, _clock: FixedClock, policy: object = None, skip_if_busy: bool = False
    ) -> str:
        seen.append(_cache_kib(db))
        return "summary"

    monkeypatch.setattr("deskapp.rules.run_rules", run_rules)
    signals = RulesSignals()
    done: list[object] = []
    signals.finished.connect(done.append)
    pool = QThreadPool()
    pool.start(RulesRun(app.db, clock.now(), app.policy, signals))
    pool.waitForDone(10_000)
    QCoreApplication.sendPostedEvents()  # the pass's result, queued to this thread
    assert seen == [RULE_PASS_CACHE_KIB] and done == ["summary"]
    assert _on_a_new_thread(app.db) == GUI_SQLITE_CACHE_KIB  # only that pass's connection
