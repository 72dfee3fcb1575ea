"""What a migration step may build tables from: frozen copies, never today's models.

A step describes its tables as they were on the day it shipped, with these
bases, so that a later change to `deskapp.store.models` cannot change what an
old step creates (an upgrade from v1 must build v1's tables, not today's).
"""

from __future__ import annotations

import peewee as pw

from deskapp.store.connection import raw_sql


class Instant(pw.Field):
    """An instant's column type as every step has written it (see deskapp.store.fields)."""

    field_type = "TIMESTAMP"


class FrozenModel(pw.Model):
    class Meta:
        database = None
        legacy_table_names = False


def stub(table: str) -> type[FrozenModel]:
    """A table another step made, named only so a foreign key can point at it."""
    return type(table, (FrozenModel,), {"Meta": type("Meta", (), {"table_name": table})})


def create(db: pw.Database, *models: type[FrozenModel]) -> None:
    """Create these tables and their indexes (skipping any that already exist)."""
    with db.bind_ctx(models, bind_refs=False, bind_backrefs=False):
        db.create_tables(models, safe=True)


def create_index(db: pw.Database, table: str, *columns: str, unique: bool = False) -> None:
    """An index named as peewee names it (`table_col1_col2`), made only if missing."""
    name = "_".join((table, *columns))
    cols = ", ".join(f'"{c}"' for c in columns)
    kind = "UNIQUE INDEX" if unique else "INDEX"
    raw_sql(db, f'CREATE {kind} IF NOT EXISTS "{name}" ON "{table}" ({cols})')


def drop_index(db: pw.Database, name: str) -> None:
    raw_sql(db, f'DROP INDEX IF EXISTS "{name}"')
