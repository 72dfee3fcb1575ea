"""The desk's watchdog on PostgreSQL: end the sessions that stall it (schema v13).

    end_stalled_sessions(db) -> list[Ended]

One statement (`deskapp_end_stalled_sessions()`, run with the owner's rights): this
desk's login sessions idle in a transaction, or running one statement, longer than
their login role's configured limits, whatever they SET for themselves; an idle
session holding the rules' lock past the idle limit; and every session of a stopped
person. Called by every rule pass before it takes the rules' lock (and while it
waits for it), so every workstation's rules timer is the heartbeat that enforces
the timeouts, and by `staff deactivate` right after its commit. A desk without
login roles (SQLite, a plain or app-role PostgreSQL desk) has nothing to end.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import peewee as pw

from deskapp.store.connection import raw_sql
from deskapp.store.migrations.v0013_sessions import WATCHDOG
from deskapp.store.security import is_postgres_secured

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ended:
    login: str
    pid: int
    reason: str

    def sentence(self) -> str:
        return f"ended the session of {self.login} (server process {self.pid}): {self.reason}"


def end_stalled_sessions(db: pw.Database) -> list[Ended]:
    # Only a desk with login roles has sessions of its own to end, and grants its groups
    # the function (an app-role desk's shared role may not run it).
    if not is_postgres_secured(db):
        return []
    rows = raw_sql(db, f"SELECT login, pid, reason FROM {WATCHDOG}()").fetchall()
    ended = [Ended(str(login), int(pid), str(reason)) for login, pid, reason in rows]
    for one in ended:
        log.warning("deskapp: %s", one.sentence())
    return ended
