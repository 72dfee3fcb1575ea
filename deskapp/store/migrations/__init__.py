"""Schema versions and the steps between them.

`meta.schema_version` says which release's schema a database holds. On open,
`ensure_schema` builds a new database by running every step from v1, or
upgrades an older one from where it stands, each step in its own transaction;
a SQLite file is copied aside first (`<file>.v<N>-<UTC stamp>.bak`). A
database from a newer release is refused rather than guessed at.

Each step is a module here (`v0001_initial.py`, ...) that describes its tables
as they were when it shipped (`frozen.py`), never through today's models, so a
new database and an upgraded one are built the same way and an old database
always meets the tables its next step expects. A step, once released, is never
edited: a change is a new step. `tests/store/test_migrations.py` checks that
the steps end where `deskapp.store.models` says, and upgrades from every version.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from types import ModuleType

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SchemaMigrator, SqliteMigrator

from deskapp.private_files import private_file
from deskapp.store.connection import is_sqlite, write_transaction
from deskapp.store.lifecycle_table import refresh_moves
from deskapp.store.migrations import (
    v0001_initial,
    v0002_rules_and_surveys,
    v0003_outbox,
    v0004_presence,
    v0005_due_index,
    v0006_steps,
    v0007_mail,
    v0008_views,
    v0009_security,
    v0010_reseller_active,
    v0011_history_triggers,
    v0012_guards,
    v0013_sessions,
    v0014_search_batch,
    v0015_search_email,
    v0016_open_indexes,
)
from deskapp.store.models import Meta

STEPS: tuple[ModuleType, ...] = (
    v0001_initial,
    v0002_rules_and_surveys,
    v0003_outbox,
    v0004_presence,
    v0005_due_index,
    v0006_steps,
    v0007_mail,
    v0008_views,
    v0009_security,
    v0010_reseller_active,
    v0011_history_triggers,
    v0012_guards,
    v0013_sessions,
    v0014_search_batch,
    v0015_search_email,
    v0016_open_indexes,
)
# Each step builds on the one before it: by default the version before its own; a step
# that says `PREVIOUS` builds on that one (a step written beside another, until both are in).
assert all(
    getattr(step, "PREVIOUS", step.VERSION - 1) == (STEPS[i - 1].VERSION if i else 0)
    for i, step in enumerate(STEPS)
), "each step builds on the step before it"
VERSIONS = tuple(step.VERSION for step in STEPS)
SCHEMA_VERSION = VERSIONS[-1]


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


def ensure_schema(db: pw.Database, *, create: bool = True, upto: int = SCHEMA_VERSION) -> int:
    """Create or upgrade the schema; returns the version it started from (0 = new).

    `upto` stops at an older version (tests build each old schema this way)."""
    found = schema_version(db)
    if found is None:
        if not create:
            raise SchemaError("the database has no deskapp schema; run `deskapp init` first")
        with write_transaction(db):
            if _lock_schema(db) is not None:  # another init made it meanwhile: upgrade that
                return ensure_schema(db, create=create, upto=upto)
            for step in _steps(0, upto):
                step.apply(db, _migrator(db))
            refresh_moves(db)
            set_meta("schema_version", str(upto))
            set_meta("created_at", dt.datetime.now(dt.UTC).isoformat())
        return 0
    if found > SCHEMA_VERSION:
        raise SchemaError(
            f"the database was made by a newer deskapp (schema v{found}; this release "
            f"knows up to v{SCHEMA_VERSION}); upgrade deskapp"
        )
    if found < upto:
        if is_sqlite(db):
            backup_sqlite(db, found)
        elif not _may_migrate(db):
            raise SchemaError(
                f"the desk holds schema v{found} and this release needs v{upto}: the desk's owner "
                "upgrades it with `deskapp --db OWNER_URL init` (a staff login cannot)"
            )
        for step in _steps(found, upto):
            with write_transaction(db):
                now_at = _lock_schema(db)
                if now_at is not None and now_at >= step.VERSION:
                    continue  # another init took this step meanwhile
                step.apply(db, _migrator(db))
                set_meta("schema_version", str(step.VERSION))
        with write_transaction(db):
            refresh_moves(db)
    return found


def _lock_schema(db: pw.Database) -> int | None:
    """PostgreSQL: wait for any other session building or upgrading this schema (two
    `deskapp init` at once), then the version it holds now. SQLite's IMMEDIATE
    transaction serialises already."""
    if not is_sqlite(db):
        from deskapp.store.connection import raw_sql

        raw_sql(db, "SELECT pg_advisory_xact_lock(hashtext('deskapp schema ' || current_schema()))")
    return schema_version(db)


def _may_migrate(db: pw.Database) -> bool:
    """PostgreSQL: this login may change the schema (the owner), not only work its rows."""
    from deskapp.store.connection import raw_sql

    (may,) = raw_sql(db, "SELECT has_schema_privilege(current_schema(), 'CREATE')").fetchone()
    return bool(may)


def _steps(after: int, upto: int) -> list[ModuleType]:
    """The steps from a database at version `after` up to version `upto`."""
    if upto not in (0, *VERSIONS):
        raise SchemaError(f"there is no schema v{upto} (this release has v{', v'.join(map(str, VERSIONS))})")
    return [step for step in STEPS if after < step.VERSION <= upto]


def backup_sqlite(db: pw.Database, version: int) -> Path | None:
    """Copy a SQLite file aside (consistent even in WAL mode); returns the copy's path."""
    name = str(db.database)
    if name == ":memory:":
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = private_file(Path(f"{name}.v{version}-{stamp}.bak"))  # 0600, as the desk is
    source: sqlite3.Connection = db.connection()  # type: ignore[no-untyped-call]
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()
    return target


def _migrator(db: pw.Database) -> SchemaMigrator:
    return SqliteMigrator(db) if is_sqlite(db) else PostgresqlMigrator(db)


def backups_of(path: str | Path) -> list[Path]:
    p = Path(path)
    return sorted(p.parent.glob(p.name + ".v*.bak"))
