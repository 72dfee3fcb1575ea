"""A PostgreSQL server with no connection slot left: said in words, and waited out.

    connect_patiently(db, on_wait=print)

When every slot is taken (SQLSTATE 53300 too_many_connections: "sorry, too many
clients already", "remaining connection slots are reserved ...", or a role's or
database's CONNECTION LIMIT), a workstation starting up should not fail with the
server's FATAL line: it says what is happening (`on_wait`, once per attempt) and
tries again with backoff, because slots free up as other workstations close. It
gives up after `give_up_after` seconds with `ServerFull`, whose message names the
server and tells how to size it (README, "Sizing the server"). Any other failure
to connect is raised at once, unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import peewee as pw

FULL_SQLSTATE = "53300"
# What the server says when it is full (psycopg has no SQLSTATE for a refused startup).
FULL_WORDS = (
    "too many clients already",
    "remaining connection slots are reserved",
    "too many connections for role",
    "too many connections for database",
)
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0)
GIVE_UP_AFTER = 120.0


class ServerFull(pw.OperationalError):
    """No connection slot came free in time."""


def is_server_full(exc: BaseException) -> bool:
    """Whether a failed connect was the server refusing for want of a free slot."""
    seen: BaseException | None = exc
    for _ in range(4):  # peewee wraps psycopg's error: look through the wrapping
        if seen is None:
            break
        if getattr(seen, "sqlstate", None) == FULL_SQLSTATE:
            return True
        text = str(seen).lower()
        if any(words in text for words in FULL_WORDS):
            return True
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = inner or seen.__cause__ or seen.__context__
    return False


def server_words(exc: BaseException) -> str:
    """The server's own sentence, without libpq's "connection to server ... failed:" prefix."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.split("FATAL:", 1)[-1].strip()


def connect_patiently(
    db: pw.Database, where: str, on_wait: Callable[[str], None] | None = None, *,
    backoff: Sequence[float] = BACKOFF_SECONDS, give_up_after: float = GIVE_UP_AFTER,
    sleep: Callable[[float], None] = time.sleep,
) -> None:  # fmt: skip
    """`db.connect()`, waiting while the server is full (see the module docstring)."""
    started = time.monotonic()
    attempt = 0
    while True:
        try:
            db.connect(reuse_if_open=True)
            return
        except pw.OperationalError as exc:
            if not is_server_full(exc):
                raise
            waited = time.monotonic() - started
            pause = backoff[min(attempt, len(backoff) - 1)]
            if waited + pause > give_up_after:
                raise ServerFull(
                    f"{where} is full ({server_words(exc)}): no connection came free in "
                    f"{waited:.0f} s; try again later, or ask the administrator to raise "
                    'max_connections (README, "Sizing the server")'
                ) from None
            if on_wait is not None:
                on_wait(
                    f"{where} is full ({server_words(exc)}); waiting for a free connection, "
                    f"trying again in {pause:g} s"
                )
            sleep(pause)
            attempt += 1
