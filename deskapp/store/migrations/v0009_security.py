"""v9: on PostgreSQL, the staff administrator's functions (see v0009_security.sql).

Each function is owned by the role that migrates (the desk's owner) and runs
with its rights, with the search_path fixed to this desk's schema, so an
administrator adds, stops, re-roles and sets passwords for staff without
CREATEROLE. The group roles and grants they rely on are made by
`deskapp init --first-admin` (`deskapp.store.security.secure_desk`), not here:
roles are the server's, not one schema's. SQLite has no roles: nothing changes
there (the client checks roles, as before).
"""

from __future__ import annotations

from pathlib import Path

import peewee as pw
from playhouse.migrate import SchemaMigrator

from deskapp.domain.lifecycle import Role
from deskapp.store.connection import is_sqlite, raw_sql

VERSION = 9

SQL_FILE = Path(__file__).with_suffix(".sql")

# The roles come from the domain's one list (deskapp.domain.lifecycle.Role): a new
# role reaches the functions when `deskapp init` runs this step's SQL again.
ROLES = tuple(role.value for role in Role)
RESERVED = (
    "rules", "mail", "mailer", "postgres", "public", "none", "current_user", "current_role",
    "session_user", "user", "all",
)  # fmt: skip
LOCK_TIMEOUT, STATEMENT_TIMEOUT, IDLE_TIMEOUT = "10s", "120s", "60s"


def _literal_array(values: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def function_sql(schema: str) -> str:
    text = SQL_FILE.read_text(encoding="utf-8")
    replacements = {
        "@SCHEMA@": '"' + schema.replace('"', '""') + '"',
        "@ROLES@": _literal_array(ROLES),
        "@RESERVED@": _literal_array(RESERVED),
        "@LOCK_TIMEOUT@": f"'{LOCK_TIMEOUT}'",
        "@STATEMENT_TIMEOUT@": f"'{STATEMENT_TIMEOUT}'",
        "@IDLE_TIMEOUT@": f"'{IDLE_TIMEOUT}'",
    }
    for mark, value in replacements.items():
        text = text.replace(mark, value)
    # Run through the driver's parameter syntax (raw_sql): a literal % is %%.
    return text.replace("%", "%%")


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    if is_sqlite(db):
        return
    (schema,) = raw_sql(db, "SELECT current_schema()").fetchone()
    raw_sql(db, function_sql(str(schema)))
