"""v11: the database writes each ticket's history and enforces the process (PostgreSQL).

- `history.db_user`: the PostgreSQL role whose session made the change
  (session_user). None on SQLite, where the services write the history, and on
  rows written before v11.
- `lifecycle_move`: the moves the process allows each role and each of the desk's
  own actors, generated from `deskapp.domain.lifecycle.enforced_moves` (one source
  of truth; `deskapp.store.lifecycle_table` refills it after every upgrade and on
  `deskapp init`). On both databases, so the schema is the same; only PostgreSQL
  reads it.
- `app_role`: the shared app role of a desk made with `deskapp init --app-role`,
  whose sessions may name the staff member they act for (as the owner's may); any
  other role that is no staff member acts as itself, with no role.
- PostgreSQL only (`v0011_history_triggers.sql`, beside this file): statement-level
  triggers with transition tables on `ticket` refuse a move the table does not
  allow for the acting role, and write one history row per changed ticket with the
  server's time (a training desk's injected clock), the actor from the session and
  the step's kind and note from the session's settings; `history` takes rows from
  those triggers only; `priority_change` is append-only and stamped with the
  session's actor; tickets, messages and attachments are never deleted; a person
  sees and writes only their own saved views and "seen" marks (row security).

Builds on v10 (v9 made the staff login roles, v10 retired resellers).
"""

from __future__ import annotations

from pathlib import Path

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate

from deskapp.store.connection import is_sqlite, raw_sql
from deskapp.store.migrations.frozen import FrozenModel, create
from deskapp.store.refusals import MOVE_STATE, PERMISSION_STATE, REFUSED_STATE

VERSION = 11
SQL_FILE = Path(__file__).with_suffix(".sql")
# The desk's own actors on the day this step shipped (deskapp.domain.lifecycle.SYSTEM_ACTIONS).
SYSTEM_ACTORS = ("mail", "mailer", "rules")


class LifecycleMove(FrozenModel):
    id = pw.AutoField()
    kind = pw.CharField(max_length=16)
    who = pw.CharField(max_length=64)
    action = pw.CharField(max_length=32)
    from_value = pw.CharField(max_length=16)
    to_value = pw.CharField(max_length=16)

    class Meta:
        table_name = "lifecycle_move"
        indexes = ((("kind", "who", "from_value", "to_value", "action"), True),)


class AppRole(FrozenModel):
    id = pw.AutoField()
    name = pw.CharField(unique=True, max_length=64)

    class Meta:
        table_name = "app_role"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def postgres_sql(schema: str) -> list[str]:
    """The step's statements for a desk in `schema`."""
    text = SQL_FILE.read_text(encoding="utf-8")
    for key, value in {
        "@schema@": _quoted(schema),
        "@schema_name@": schema.replace("'", "''"),
        "@system_actors@": ", ".join(f"'{a}'" for a in SYSTEM_ACTORS),
        "@rules@": "rules",
        "@refused@": REFUSED_STATE,
        "@move@": MOVE_STATE,
        "@permission@": PERMISSION_STATE,
    }.items():
        text = text.replace(key, value)
    return [s.strip() for s in text.split("\n--;\n") if s.strip()]


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    if "db_user" not in {c.name for c in db.get_columns("history")}:
        migrate(migrator.add_column("history", "db_user", pw.CharField(null=True, max_length=64)))
    create(db, LifecycleMove, AppRole)
    if is_sqlite(db):
        return
    (schema,) = raw_sql(db, "SELECT current_schema()").fetchone()
    cursor = db.cursor()  # type: ignore[no-untyped-call]
    for statement in postgres_sql(str(schema)):
        cursor.execute(statement)  # no parameters: the functions' '%' are PL/pgSQL's own
