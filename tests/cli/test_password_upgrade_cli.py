"""The command line's sign-in (`--as` with DESKAPP_PASSWORD) upgrades and refuses hashes
as the app's does."""

from __future__ import annotations

import pytest

from deskapp.cli.main import main
from deskapp.store.connection import open_database
from deskapp.store.models import Staff
from deskapp.store.passwords import Cost, cost_for_tests, hash_password
from tests.cli.old_mode import app_role_desk


def _run(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--db", url, *argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _stored(url: str, login: str) -> str:
    db = open_database(url)
    try:
        return str(Staff.get(Staff.login == login).password_hash)
    finally:
        db.close()


def test_cli_sign_in_rehashes_then_refuses_a_weak_hash(
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    if db_url.startswith("sqlite"):
        assert _run(capsys, db_url, "init")[0] == 0
    else:  # hashes on PostgreSQL: the old shared-role mode, by name (a plain `init` makes login roles)
        app_role_desk(db_url, request)
    monkeypatch.setenv("DESKAPP_PASSWORD", "ada-first-1")
    assert _run(capsys, db_url, "staff", "add", "ada", "--name", "Ada", "--role", "admin")[0] == 0
    old = _stored(db_url, "ada")
    with cost_for_tests(Cost(2**15, 8, 1)):  # a newer release's cost
        code, err = _run(capsys, db_url, "--as", "ada", "reseller", "add", "Acme", "--country", "GB")
        assert code == 0, err
    new = _stored(db_url, "ada")
    assert old.startswith("scrypt$16384$") and new.startswith("scrypt$32768$8$1$")

    with cost_for_tests(Cost(2**8, 8, 1)):
        weak = hash_password("ada-first-1")
    db = open_database(db_url)
    Staff.update(password_hash=weak).where(Staff.login == "ada").execute()
    db.close()
    code, err = _run(capsys, db_url, "--as", "ada", "reseller", "add", "Liffey", "--country", "IE")
    assert code == 1
    assert "cannot be trusted" in err and "an administrator must set a new one" in err
    assert _stored(db_url, "ada") == weak
