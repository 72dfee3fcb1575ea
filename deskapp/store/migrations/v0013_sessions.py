"""v13 (PostgreSQL): sessions end when their person is stopped or when they stall the desk.

- `deskapp_staff_set_active(login, false)` also ends the person's open sessions in
  this database (a NOLOGIN role keeps the connections it has; now it does not).
- `deskapp_end_stalled_sessions(idle, statement)`: the watchdog every rule pass calls
  (`deskapp.store.watchdog`). It ends this desk's login sessions that sit idle in a
  transaction, or run one statement, longer than the limits configured for their
  login role, whatever they SET for themselves, and those of stopped people.
- The owner becomes a member of each login role (it needs that to signal a session:
  see the .sql file's head); a login made before v13 is granted here.

The SQL is `v0013_sessions.sql` beside this file; `deskapp init` runs it again after
v9's (`function_sql`), since v9's text holds older versions of two of its functions.
SQLite has no sessions to end: nothing changes there.
"""

from __future__ import annotations

from pathlib import Path

import peewee as pw
from playhouse.migrate import SchemaMigrator

from deskapp.store.connection import is_sqlite, raw_sql
from deskapp.store.migrations.v0009_security import (
    IDLE_TIMEOUT,
    RESERVED,
    STATEMENT_TIMEOUT,
    _literal_array,
)

VERSION = 13

SQL_FILE = Path(__file__).with_suffix(".sql")
# deskapp.rules.engine's advisory lock on the day this step shipped ("deskrule").
RULES_KEY = 0x6465_736B_7275_6C65
WATCHDOG = "deskapp_end_stalled_sessions"
GROUPS = ("tier1", "tier2", "lead", "admin")  # the desk's group roles on the day this step shipped


def function_sql(schema: str) -> str:
    text = SQL_FILE.read_text(encoding="utf-8")
    for mark, value in {
        "@SCHEMA@": '"' + schema.replace('"', '""') + '"',
        "@RESERVED@": _literal_array(RESERVED),
        "@STATEMENT_TIMEOUT@": f"'{STATEMENT_TIMEOUT}'",
        "@IDLE_TIMEOUT@": f"'{IDLE_TIMEOUT}'",
        "@RULES_KEY@": str(RULES_KEY),
    }.items():
        text = text.replace(mark, value)
    return text.replace("%", "%%")  # run through the driver's parameter syntax (raw_sql)


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    if is_sqlite(db):
        return
    (schema,) = raw_sql(db, "SELECT current_schema()").fetchone()
    raw_sql(db, function_sql(str(schema)))
    row = raw_sql(db, "SELECT value FROM meta WHERE key = 'role_prefix'").fetchone()
    if row is None:
        return  # no login roles yet: `init` makes them, with these functions
    prefix = str(row[0])
    # Logins made before this step: the owner may now end their sessions.
    logins = raw_sql(
        db,
        "SELECT DISTINCT r.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles r ON r.oid = m.member WHERE g.rolname LIKE %s ORDER BY 1",
        (prefix.replace("_", "\\_") + "\\_%",),
    ).fetchall()
    for (login,) in logins:
        raw_sql(db, "SELECT deskapp_watch_login(%s)", (str(login),))
    # Every group may run the watchdog (it is called from every rule pass).
    groups = (f"{prefix}_{role}" for role in GROUPS)
    names = ", ".join('"' + name.replace('"', '""') + '"' for name in groups)
    raw_sql(db, f"GRANT EXECUTE ON FUNCTION {WATCHDOG}(interval, interval) TO {names}")
