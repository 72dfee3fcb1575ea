"""Least privilege on PostgreSQL: the owner role migrates, the app role only works rows.

    grant_app_role(db, "desk_app")     # run by `deskapp init --app-role desk_app`

On the schema the desk's tables live in (the connection's `current_schema()`),
the app role gets USAGE (no CREATE), SELECT/INSERT/UPDATE/DELETE on every
table, USAGE/SELECT on every sequence, and on `history` SELECT/INSERT only:
the history is append-only for the app, and `lifecycle_move` and `app_role`
read-only; the role is named in `app_role`, so its sessions may name the staff
member they act for (the database writes the history, schema v11). It owns nothing, so it cannot ALTER,
DROP or TRUNCATE anything. Granting is idempotent; run it again after an
upgrade (`deskapp init` migrates, then grants, so new tables are covered).
"""

from __future__ import annotations

import peewee as pw

from deskapp.store.connection import is_sqlite, raw_sql

APPEND_ONLY = ("history",)
# Written by the owner only (`deskapp init` refills it from deskapp.domain.lifecycle).
READ_ONLY = ("lifecycle_move", "app_role")


class PrivilegeError(ValueError):
    pass


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def current_schema(db: pw.Database) -> str:
    (schema,) = raw_sql(db, "SELECT current_schema()").fetchone()
    return str(schema)


def grant_statements(schema: str, role: str) -> list[str]:
    s, r = quote_ident(schema), quote_ident(role)
    statements = [
        f"REVOKE ALL ON SCHEMA {s} FROM {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
    ]
    for table in APPEND_ONLY:
        statements.append(f"REVOKE UPDATE, DELETE ON {s}.{quote_ident(table)} FROM {r}")
    for table in READ_ONLY:
        statements.append(f"REVOKE INSERT, UPDATE, DELETE ON {s}.{quote_ident(table)} FROM {r}")
    return statements


def grant_app_role(db: pw.Database, role: str) -> str:
    """Give `role` the app's rights on the desk's schema (see the module docstring);
    returns the schema's name."""
    if is_sqlite(db):
        raise PrivilegeError("database roles are PostgreSQL's: a SQLite desk has none")
    role = role.strip()
    if not role:
        raise PrivilegeError("name the app role")
    if raw_sql(db, "SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
        raise PrivilegeError(
            f"there is no role {role!r}: create it first, e.g. "
            f"CREATE ROLE {quote_ident(role)} LOGIN PASSWORD '...'"
        )
    schema = current_schema(db)
    with db.atomic():
        for statement in grant_statements(schema, role):
            raw_sql(db, statement)
        if db.table_exists("app_role"):
            # Its sessions may name the staff member they act for (schema v11).
            raw_sql(db, "INSERT INTO app_role (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (role,))
    return schema
