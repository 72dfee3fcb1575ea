"""Schema versions and the steps between them.

`meta.schema_version` says which release's schema a database holds. On open,
`ensure_schema` creates a new database at `SCHEMA_VERSION`, or upgrades an
older one step by step, each step in its own transaction; a SQLite file is
copied aside first (`<file>.v<N>-<UTC stamp>.bak`). A database from a newer
release is refused rather than guessed at.

History of the schema:
- v1: resellers, contacts, tenants, staff, tickets, history, meta.
- v2: survey answers; tickets gain `lead_flagged_at` (a rejected resolution
  at Tier 3) and `rule_pass` (which rule pass wrote the row, so a pass
  writes its history with one statement); indexes for every rule query;
  the (status, updated_at) and history(ticket_id) indexes dropped.
  (`rule_pass` is no longer written: a pass reads its rows from UPDATE ... RETURNING.)
- v3: the outbox of messages to resellers, and survey invitations with their
  unique references.
- v4: `editing`, who has a ticket open at which workstation (presence rows
  with a heartbeat).
- v5: an index on tickets' response due time, for the queue's first page.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SchemaMigrator, SqliteMigrator, migrate

from deskapp.store import models as m
from deskapp.store.connection import is_sqlite, raw_sql, write_transaction
from deskapp.store.fields import UtcDateTimeField
from deskapp.store.models import MODELS, History, Meta, SurveyAnswer, Ticket

SCHEMA_VERSION = 5


class SchemaError(RuntimeError):
    pass


def schema_version(db: pw.Database) -> int | None:
    """The version a database holds, or None when it has no deskapp schema."""
    if not db.table_exists("meta"):
        return None
    row = Meta.get_or_none(Meta.key == "schema_version")
    if row is None:
        raise SchemaError("the database has a meta table but no schema_version: not deskapp's?")
    return int(row.value)


def set_meta(key: str, value: str) -> None:
    Meta.insert(key=key, value=value).on_conflict(
        conflict_target=[Meta.key], update={Meta.value: value}
    ).execute()


def get_meta(key: str) -> str | None:
    row = Meta.get_or_none(Meta.key == key)
    return None if row is None else str(row.value)


def ensure_schema(db: pw.Database, *, create: bool = True) -> int:
    """Create or upgrade the schema; returns the version it started from (0 = new)."""
    found = schema_version(db)
    if found is None:
        if not create:
            raise SchemaError("the database has no deskapp schema; run `deskapp init` first")
        with write_transaction(db):
            db.create_tables(MODELS)
            set_meta("schema_version", str(SCHEMA_VERSION))
            set_meta("created_at", dt.datetime.now(dt.UTC).isoformat())
        return 0
    if found > SCHEMA_VERSION:
        raise SchemaError(
            f"the database was made by a newer deskapp (schema v{found}; this release "
            f"knows up to v{SCHEMA_VERSION}); upgrade deskapp"
        )
    if found < SCHEMA_VERSION:
        if is_sqlite(db):
            backup_sqlite(db, found)
        for version in range(found + 1, SCHEMA_VERSION + 1):
            with write_transaction(db):
                STEPS[version](db, _migrator(db))
                set_meta("schema_version", str(version))
    return found


def backup_sqlite(db: pw.Database, version: int) -> Path | None:
    """Copy a SQLite file aside (consistent even in WAL mode); returns the copy's path."""
    name = str(db.database)
    if name == ":memory:":
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = Path(f"{name}.v{version}-{stamp}.bak")
    source: sqlite3.Connection = db.connection()  # type: ignore[no-untyped-call]
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()
    return target


def _migrator(db: pw.Database) -> SchemaMigrator:
    return SqliteMigrator(db) if is_sqlite(db) else PostgresqlMigrator(db)


def _v2(db: pw.Database, migrator: SchemaMigrator) -> None:
    migrate(
        migrator.add_column("ticket", "lead_flagged_at", UtcDateTimeField(null=True)),
        migrator.add_column("ticket", "rule_pass", pw.CharField(null=True, max_length=64)),
    )
    db.create_tables([SurveyAnswer], safe=True)
    # v1's (status, updated_at) and history(ticket_id) indexes only slowed writes.
    raw_sql(db, 'DROP INDEX IF EXISTS "ticket_status_updated_at"')
    raw_sql(db, 'DROP INDEX IF EXISTS "history_ticket_id"')
    Ticket._schema.create_indexes(safe=True)  # type: ignore[attr-defined]
    History._schema.create_indexes(safe=True)  # type: ignore[attr-defined]


def _v3(db: pw.Database, migrator: SchemaMigrator) -> None:
    db.create_tables([m.SurveyInvitation, m.Outbox], safe=True)


def _v4(db: pw.Database, migrator: SchemaMigrator) -> None:
    db.create_tables([m.Editing], safe=True)


def _v5(db: pw.Database, migrator: SchemaMigrator) -> None:
    Ticket._schema.create_indexes(safe=True)  # type: ignore[attr-defined]


STEPS: dict[int, Callable[[pw.Database, SchemaMigrator], None]] = {2: _v2, 3: _v3, 4: _v4, 5: _v5}


def backups_of(path: str | Path) -> list[Path]:
    p = Path(path)
    return sorted(p.parent.glob(p.name + ".v*.bak"))


def copy_file(src: Path, dst: Path) -> None:  # pragma: no cover - helper for support staff
    shutil.copy2(src, dst)
