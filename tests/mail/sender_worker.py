"""Run in a child process: a workstation draining the shared outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any


def drain_once(url: str, port: int, now_iso: str, worker: str, barrier: Any, results: Any) -> None:
    from deskapp.domain.clock import FixedClock
    from deskapp.mail.sender import drain
    from deskapp.mail.smtp_transport import SmtpSettings
    from deskapp.store.connection import open_database

    db = open_database(url)
    # A generous timeout: under a loaded CI machine a slow answer must not look like a failure.
    settings = SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=60)
    barrier.wait(timeout=60)
    report = drain(
        db, FixedClock(dt.datetime.fromisoformat(now_iso)), settings, None, worker=worker, limit=500
    )
    results.put(report.sent)
    db.close()
