"""Schema v4: a v3 database gains the `editing` (presence) table on open."""

from __future__ import annotations

import peewee

from deskapp.store.connection import open_database, raw_sql
from deskapp.store.migrations import SCHEMA_VERSION, schema_version, set_meta


def test_v3_database_gains_the_editing_table(db: peewee.Database, db_url: str) -> None:
    assert SCHEMA_VERSION >= 4
    raw_sql(db, 'DROP TABLE "editing"')
    set_meta("schema_version", "3")
    db.close()
    again = open_database(db_url)
    try:
        assert again.table_exists("editing")
        assert schema_version(again) == SCHEMA_VERSION
    finally:
        again.close()
