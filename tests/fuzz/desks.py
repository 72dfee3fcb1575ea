"""A training desk for the fuzz suite, made through the command line like a user's."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.fuzz.harness import run_cli
from tests.fuzz.strategies import Ctx

PG_ENV = "DESKAPP_TEST_PG_URL"


def _ok(*argv: str) -> str:
    outcome = run_cli(argv)
    assert outcome.code == 0 and outcome.error is None, (argv, outcome.err, outcome.trace)
    return outcome.out


def make_desk(url: str, folder: Path) -> Ctx:
    """`init --training`, `demo --tickets 30`, an SMTP server that refuses (port 1)."""
    folder.mkdir(parents=True, exist_ok=True)
    _ok("--db", url, "init", "--training")
    _ok("--db", url, "demo", "--tickets", "30")
    _ok("--db", url, "--as", "admin", "mail", "settings", "--host", "127.0.0.1", "--port", "1")
    logins = [s["login"] for s in json.loads(_ok("--db", url, "staff", "list", "--json"))]
    numbers = [t["number"] for t in json.loads(_ok("--db", url, "ticket", "list", "--all", "--json"))]
    resellers = [r["name"] for r in json.loads(_ok("--db", url, "reseller", "list", "--json"))]
    from deskapp.store.connection import open_database
    from deskapp.store.models import SurveyInvitation

    db = open_database(url)
    try:
        refs = [str(row.ref) for row in SurveyInvitation.select(SurveyInvitation.ref)]
    finally:
        db.close()
    return Ctx(url=url, folder=folder, logins=logins, numbers=numbers, refs=refs, resellers=resellers)


@contextlib.contextmanager
def pg_schema() -> Iterator[str]:
    """A PostgreSQL URL on a new schema, dropped afterwards (as tests/conftest.py does)."""
    import pytest

    from deskapp.store.connection import database_from_url, raw_sql
    from tests.conftest import _drop_desk_roles, _with_schema

    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("CI") or os.environ.get("DESKAPP_REQUIRE_PG"):
            pytest.fail(f"{PG_ENV} is not set, and CI needs the PostgreSQL tests to run")
        pytest.skip(f"{PG_ENV} is not set")
    schema = f"fz_{uuid.uuid4().hex[:16]}"
    admin = database_from_url(base)
    admin.connect()
    raw_sql(admin, f'CREATE SCHEMA "{schema}"')
    try:
        yield _with_schema(base, schema)
    finally:
        raw_sql(admin, "SELECT 1")
        _drop_desk_roles(admin, schema)  # a fuzzed `init --first-admin` makes server roles
        raw_sql(admin, f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()
