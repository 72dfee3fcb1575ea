"""The old shared-role mode on PostgreSQL, by name: `init --app-role ROLE` with a role made
for the test (unique: roles are the server's) and dropped after it."""

from __future__ import annotations

import uuid

import pytest

from deskapp.cli.main import main
from deskapp.store.connection import open_database, raw_sql


def app_role_desk(url: str, request: pytest.FixtureRequest) -> str:
    """`init --app-role` on the PostgreSQL desk at `url` (owner's); the role's name."""
    role = f"app_{uuid.uuid4().hex[:8]}"
    db = open_database(url)
    try:
        raw_sql(db, f'CREATE ROLE "{role}" NOLOGIN')
    finally:
        db.close()
    request.addfinalizer(lambda: _drop(url, role))  # before the schema goes (LIFO)
    assert main(["--db", url, "init", "--app-role", role]) == 0
    return role


def _drop(url: str, role: str) -> None:
    db = open_database(url)
    try:
        (schema,) = raw_sql(db, "SELECT current_schema()").fetchone()
        for what in ("ALL TABLES IN SCHEMA", "ALL SEQUENCES IN SCHEMA", "SCHEMA"):
            raw_sql(db, f'REVOKE ALL ON {what} "{schema}" FROM "{role}"')
        raw_sql(db, f'DROP ROLE "{role}"')
    finally:
        db.close()
