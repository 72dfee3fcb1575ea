"""v12: the database guards the mail lease, the outbox's authors and who re-prioritises.

- `mail_lease.db_user`: the PostgreSQL role whose session holds the lease
  (session_user), whatever workstation name `holder` says. On PostgreSQL a staff
  session takes the lease only when it is free or expired by the server's clock, in
  its own name, and renews, releases or moves the reading position only while the
  live lease is its own; the expiry is at most the server's time plus
  `deskapp.mail.lease.TTL`.
- `outbox.author`: who wrote a message to a reseller (a staff login, or `rules`,
  `mail`, `mailer` for the desk's own steps); `outbox.db_user`: the session that
  queued it. On PostgreSQL the author is checked against the session's actor (as the
  history's is, v11), and what was queued is never rewritten: only the delivery
  columns change. None on rows queued before v12 (and `db_user` on SQLite).
- `reprioritise_role`: the roles that may change a ticket's priority, seeded from the
  default policy file's `process.reprioritise_roles` when the step runs; an
  administrator changes the rows (INSERT/DELETE, granted to the admin group by
  `deskapp init`). On PostgreSQL a priority change by any other role is refused by a
  trigger on `priority_change`, in words; on SQLite the client's policy decides, as before.

The PostgreSQL part is `v0012_guards.sql`, beside this file. Builds on v11.
"""

from __future__ import annotations

from pathlib import Path

import peewee as pw
from playhouse.migrate import SchemaMigrator

from deskapp.domain.lifecycle import Role
from deskapp.store.connection import is_sqlite, raw_sql
from deskapp.store.migrations.frozen import FrozenModel, create
from deskapp.store.refusals import PERMISSION_STATE, REFUSED_STATE

VERSION = 12
SQL_FILE = Path(__file__).with_suffix(".sql")
# The roles on the day this step shipped (deskapp.domain.lifecycle.Role): the table's CHECK.
ROLES = ("tier1", "tier2", "lead", "admin")


class ReprioritiseRole(FrozenModel):
    role = pw.CharField(primary_key=True, max_length=16)

    class Meta:
        table_name = "reprioritise_role"
        # peewee reads the table's constraints from this list
        constraints = [pw.SQL("CHECK (role IN (" + ", ".join(f"'{r}'" for r in ROLES) + "))")]  # noqa: RUF012


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def postgres_sql(schema: str) -> list[str]:
    """The step's statements for a desk in `schema`: the lease's TTL and the roles' words
    come from the app's own definitions (deskapp.mail.lease, deskapp.domain.lifecycle)."""
    from deskapp.mail.lease import TTL

    labels = ", ".join(
        f"({_literal(role.value)}, {_literal(role.a_label)}, {rank})" for rank, role in enumerate(Role)
    )
    text = SQL_FILE.read_text(encoding="utf-8")
    for key, value in {
        "@schema@": _quoted(schema),
        "@ttl@": f"interval '{int(TTL.total_seconds())} seconds'",
        "@role_labels@": labels,
        "@refused@": REFUSED_STATE,
        "@permission@": PERMISSION_STATE,
    }.items():
        text = text.replace(key, value)
    return [s.strip() for s in text.split("\n--;\n") if s.strip()]


def _add_column(db: pw.Database, table: str, column: str, size: int) -> None:
    # Plain ALTER TABLE (see v10): playhouse's SQLite migrator rebuilds tables, and the
    # rebuild would drop v8's triggers on them.
    if column not in {c.name for c in db.get_columns(table)}:
        raw_sql(db, f'ALTER TABLE "{table}" ADD COLUMN "{column}" VARCHAR({size})')


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    from deskapp.domain.policy import default_policy

    _add_column(db, "mail_lease", "db_user", 64)
    _add_column(db, "outbox", "author", 64)
    _add_column(db, "outbox", "db_user", 64)
    if not db.table_exists("reprioritise_role"):
        create(db, ReprioritiseRole)
        roles = [r for r in default_policy().reprioritise_roles if r in ROLES]
        if roles:
            marks = ", ".join(["(" + db.param + ")"] * len(roles))
            raw_sql(db, f"INSERT INTO reprioritise_role (role) VALUES {marks}", roles)
    if is_sqlite(db):
        return
    (schema,) = raw_sql(db, "SELECT current_schema()").fetchone()
    cursor = db.cursor()  # type: ignore[no-untyped-call]
    for statement in postgres_sql(str(schema)):
        cursor.execute(statement)  # no parameters: the functions' '%' are PL/pgSQL's own
