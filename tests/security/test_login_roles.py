"""A PostgreSQL desk where each person signs in as themselves: init --first-admin, the
staff commands through the server's functions, --as, the app-role upgrade, no race."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import psycopg
import pytest

from deskapp.cli.main import main
from deskapp.store.connection import open_database, raw_sql
from deskapp.store.migrations import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]


class Desk:
    """The owner's URL of a test schema, and URLs for its people."""

    def __init__(self, owner_url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.owner_url = owner_url
        self.capsys = capsys
        self.tag = uuid.uuid4().hex[:8]

    def login(self, name: str) -> str:
        return f"{name}_{self.tag}"

    def url_for(self, login: str, password: str | None = None) -> str:
        parts = urlsplit(self.owner_url)
        secret = f":{quote(password, safe='')}" if password else ""
        return f"postgresql://{login}{secret}@{parts.hostname}:{parts.port or 5432}{parts.path}?{parts.query}"

    def run(self, *argv: str, url: str | None = None, code: int = 0) -> str:
        self.capsys.readouterr()
        got = main(["--db", url or self.owner_url, *argv])
        out, err = self.capsys.readouterr()
        assert got == code, (argv, out, err)
        assert "Traceback" not in err
        self.err = err
        return out


@pytest.fixture
def desk(pg_schema_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Desk:
    d = Desk(pg_schema_url, capsys)
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "first-admin-pw")
    out = d.run("init", "--first-admin", d.login("ada"), "--name", "Ada")
    assert f"first administrator {d.login('ada')}" in out
    monkeypatch.delenv("DESKAPP_NEW_PASSWORD")
    return d


def test_first_admin_signs_in_as_themselves_and_no_hash_is_kept(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada, tina = desk.login("ada"), desk.login("tina")
    ada_url = desk.url_for(ada)  # no password in the URL: DESKAPP_PASSWORD gives it
    monkeypatch.setenv("DESKAPP_PASSWORD", "first-admin-pw")
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "tina-password")
    assert desk.run("staff", "add", tina, "--name", "Tina", "--role", "tier1", url=ada_url) == (
        f"{tina}: Tina (tier1)\n"
    )
    # --as must be who signed in, or left out
    desk.run("--as", tina, "staff", "deactivate", tina, url=ada_url, code=1)
    assert "--as" in desk.err and f"({ada})" in desk.err
    # the server checks Tina's password; her role is her group's
    with psycopg.connect(desk.url_for(tina, "tina-password").split("?")[0]) as conn:
        assert conn.execute("SELECT session_user").fetchone() == (tina,)
    db = open_database(desk.owner_url)
    try:
        rows = raw_sql(db, "SELECT login, role, password_hash FROM staff ORDER BY login").fetchall()
        assert rows == [(ada, "admin", None), (tina, "tier1", None)]
        prefix = raw_sql(db, "SELECT value FROM meta WHERE key = 'role_prefix'").fetchone()[0]
        member = raw_sql(
            db,
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = %s",
            (tina,),
        ).fetchall()
        assert member == [(f"{prefix}_tier1",)]
    finally:
        db.close()
    # re-role, stop and restore: staff.role and the group move together; NOLOGIN stops her
    assert desk.run("staff", "role", tina, "--role", "tier2", url=ada_url) == f"{tina}: tier2\n"
    assert desk.run("staff", "deactivate", tina, url=ada_url) == f"{tina}: inactive\n"
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        psycopg.connect(desk.url_for(tina, "tina-password").split("?")[0])
    assert desk.run("staff", "activate", tina, url=ada_url) == f"{tina}: active\n"
    # a Tier 2 engineer cannot add staff (the client says so; the server would too)
    monkeypatch.setenv("DESKAPP_PASSWORD", "tina-password")
    desk.run("staff", "add", desk.login("x"), "--name", "X", "--role", "admin",
             url=desk.url_for(tina), code=1)  # fmt: skip
    assert "may not add staff" in desk.err
    # her own password: yes; the administrator's: no (the server refuses)
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "tina-new-password")
    assert desk.run("staff", "password", tina, url=desk.url_for(tina)) == f"{tina}: password changed\n"
    monkeypatch.setenv("DESKAPP_PASSWORD", "tina-new-password")
    desk.run("staff", "password", ada, url=desk.url_for(tina), code=1)
    assert "administrator" in desk.err


def test_reserved_and_taken_names_are_refused(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKAPP_PASSWORD", "first-admin-pw")
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "some-password")
    ada_url = desk.url_for(desk.login("ada"))
    for name in ("rules", "mailer", "postgres", "pg_evil"):
        desk.run("staff", "add", name, "--name", "X", "--role", "tier1", url=ada_url, code=1)
        assert "reserved" in desk.err, desk.err
    # a role the server has already (here: the owner's) is never adopted
    owner = str(urlsplit(desk.owner_url).username)
    desk.run("staff", "add", owner, "--name", "X", "--role", "tier1", url=ada_url, code=1)
    assert "has a role" in desk.err


def test_a_live_desk_never_becomes_training(desk: Desk) -> None:
    desk.run("init", "--training", code=1)
    assert "never become a training desk" in desk.err
    desk.run("demo", code=1)
    assert "live" in desk.err


@pytest.mark.parametrize("schema", ["empty", "made"])
def test_two_first_admins_at_once_make_one(
    schema: str, pg_schema_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """On an empty schema (both inits build the tables too) or a made one."""
    if schema == "made":
        assert main(["--db", pg_schema_url, "init"]) == 0
        capsys.readouterr()
    tag = uuid.uuid4().hex[:8]
    env = {**os.environ, "DESKAPP_NEW_PASSWORD": "first-admin-pw", "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "deskapp",
                "--db",
                pg_schema_url,
                "init",
                "--first-admin",
                f"{who}_{tag}",
                "--name",
                who,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("ann", "bob")
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    refused = next(err for code, _, err in results if code == 1)
    assert "has an administrator already" in refused and "Traceback" not in refused
    db = open_database(pg_schema_url)
    try:
        assert raw_sql(db, "SELECT count(*) FROM staff WHERE role = 'admin'").fetchone() == (1,)
    finally:
        db.close()


def test_an_app_role_desk_is_converted(pg_schema_url: str, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Today's desk: one shared app role, hashes in the staff table. `init --first-admin`
    as the owner gives each member a login role with a fresh password, and takes the
    app role's rights away."""
    tag = uuid.uuid4().hex[:8]
    app_role = f"app_{tag}"
    db = open_database(pg_schema_url)
    raw_sql(db, f"CREATE ROLE \"{app_role}\" LOGIN PASSWORD 'app-secret'")
    try:
        assert main(["--db", pg_schema_url, "init", "--app-role", app_role]) == 0
        monkeypatch.setenv("DESKAPP_PASSWORD", "old-password")
        monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "old-password")
        ada, tom = f"ada_{tag}", f"tom_{tag}"
        assert main(["--db", pg_schema_url, "staff", "add", ada, "--name", "Ada", "--role", "admin"]) == 0
        assert (
            main(["--db", pg_schema_url, "--as", ada, "staff", "add", tom, "--name", "T", "--role", "lead"])
            == 0
        )
        raw_sql(db, "SELECT 1")
        assert raw_sql(db, "SELECT count(*) FROM staff WHERE password_hash IS NOT NULL").fetchone() == (2,)
        capsys.readouterr()
        assert main(["--db", pg_schema_url, "init", "--first-admin", ada, "--name", "Ada"]) == 0
        out = capsys.readouterr().out
        assert f"old app role {app_role}: its rights" in out
        assert "passwords set afresh" in out
        fresh = dict(line.strip().split(": ", 1) for line in out.splitlines() if line.startswith("  "))
        assert sorted(fresh) == [ada, tom]
        assert raw_sql(db, "SELECT count(*) FROM staff WHERE password_hash IS NOT NULL").fetchone() == (0,)
        parts = urlsplit(pg_schema_url)
        base: dict[str, Any] = {"host": parts.hostname, "port": parts.port or 5432, "dbname": parts.path[1:]}
        with psycopg.connect(**base, user=tom, password=fresh[tom]) as conn:
            assert conn.execute("SELECT session_user").fetchone() == (tom,)
        schema = raw_sql(db, "SELECT current_schema()").fetchone()[0]
        refused = (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedTable)
        options = f"-csearch_path={schema}"
        with (
            psycopg.connect(**base, user=app_role, password="app-secret", options=options) as conn,
            pytest.raises(refused),
        ):
            conn.execute("SELECT * FROM ticket")
    finally:
        raw_sql(db, "SELECT 1")
        with db.atomic():
            from deskapp.store.security import drop_desk_roles

            drop_desk_roles(db)
        schema = raw_sql(db, "SELECT current_schema()").fetchone()[0]
        raw_sql(db, f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM "{app_role}"')
        raw_sql(db, f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "{schema}" FROM "{app_role}"')
        raw_sql(db, f'REVOKE ALL ON SCHEMA "{schema}" FROM "{app_role}"')
        raw_sql(db, f'DROP ROLE "{app_role}"')
        db.close()


def test_sqlite_has_no_login_roles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    assert main(["--db", url, "init", "--first-admin", "ada", "--name", "Ada"]) == 1
    assert "PostgreSQL desk" in capsys.readouterr().err


def test_the_desk_works_as_each_person(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """The grants are enough for the app's own work: each person, signed in as
    themselves, does their part of the process end to end (and a re-run of init as
    the owner keeps it so)."""
    ada, tina, tess, lee = (desk.login(n) for n in ("ada", "tina", "tess", "lee"))
    ada_url = desk.url_for(ada)
    monkeypatch.setenv("DESKAPP_PASSWORD", "first-admin-pw")
    for login, role in ((tina, "tier1"), (tess, "tier2"), (lee, "lead")):
        monkeypatch.setenv("DESKAPP_NEW_PASSWORD", f"pw-{login}")
        desk.run("staff", "add", login, "--name", login, "--role", role, url=ada_url)
    desk.run("reseller", "add", "Acme", "--country", "GB", "--email", "a@acme.example", url=ada_url)
    desk.run("mail", "settings", "--host", "smtp.acme.example", "--port", "587", "--security", "starttls",
             "--sender", "desk@acme.example", url=ada_url)  # fmt: skip
    out = desk.run("init")  # the owner again: grants brought up to date, nothing else
    assert "up to date" in out

    def as_(login: str, *argv: str, code: int = 0) -> str:
        monkeypatch.setenv("DESKAPP_PASSWORD", f"pw-{login}")
        return desk.run(*argv, url=desk.url_for(login), code=code)

    number = as_(
        tina, "ticket", "log", "--reseller", "Acme", "--contact", "Pat", "--email", "pat@acme.example",
        "--tenant", "acme-1", "--impact", "some", "--channel", "email", "--summary", "Mail down",
    ).strip()  # fmt: skip
    assert number.startswith("INC-")
    as_(tina, "ticket", "notify", number)
    as_(tina, "ticket", "assign", number, "--engineer", tina)
    as_(tina, "ticket", "note", number, "--note", "looking at the relay")
    as_(tina, "ticket", "reply", number, "--text", "We are on it.")
    as_(tina, "ticket", "escalate", number, "--note", "needs tier 2")
    as_(tess, "ticket", "assign", number, "--engineer", tess)
    as_(tess, "ticket", "request-info", number, "--note", "which mailbox?")
    as_(lee, "reseller", "add", "Nope", "--country", "GB", code=1)
    assert "administrator" in desk.err
    assert "nothing was due" in as_(lee, "rules", "run")
    shown = json.loads(as_(lee, "ticket", "show", number, "--json"))
    assert shown["status"] == "awaiting_info"
    actors = [h["actor"] for h in shown["history"]]
    assert actors[0] == tina and tess in actors
    found = json.loads(as_(tess, "ticket", "search", "relay", "--json"))
    assert [r["number"] for r in found] == [number]
    assert json.loads(as_(tina, "mail", "outbox", "--json"))


def test_only_the_owner_upgrades_the_schema(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_database(desk.owner_url)
    try:
        raw_sql(db, "UPDATE meta SET value = '8' WHERE key = 'schema_version'")  # as an older release left it
    finally:
        db.close()
    monkeypatch.setenv("DESKAPP_PASSWORD", "first-admin-pw")
    desk.run("staff", "list", url=desk.url_for(desk.login("ada")), code=1)
    assert "the desk's owner upgrades it" in desk.err and "v8" in desk.err
    out = desk.run("init")  # the owner: v9 on again (its functions are idempotent), grants kept
    assert f"schema v{SCHEMA_VERSION}" in out and "up to date" in out
    assert desk.login("ada") in desk.run("staff", "list", url=desk.url_for(desk.login("ada")))


def test_staff_role_on_sqlite(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """SQLite keeps its hashes and the client's role checks; `staff role` works there too."""
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "ada-password")
    monkeypatch.setenv("DESKAPP_PASSWORD", "ada-password")
    assert main(["--db", url, "init"]) == 0
    assert main(["--db", url, "staff", "add", "ada", "--name", "Ada", "--role", "admin"]) == 0
    assert main(["--db", url, "--as", "ada", "staff", "add", "tom", "--name", "Tom", "--role", "tier1"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "--as", "ada", "staff", "role", "tom", "--role", "lead"]) == 0
    assert capsys.readouterr().out == "tom: lead\n"
    assert main(["--db", url, "--as", "ada", "staff", "role", "ada", "--role", "tier1"]) == 1
    assert "your own administrator role" in capsys.readouterr().err
    db = open_database(url)
    try:
        hashed = "SELECT count(*) FROM staff WHERE password_hash LIKE 'scrypt$%'"
        assert raw_sql(db, hashed).fetchone() == (2,)
    finally:
        db.close()


def test_a_shared_app_role_is_not_granted_again(desk: Desk) -> None:
    desk.run("init", "--app-role", "deskapp_ci", code=1)
    assert "--app-role deskapp_ci" in desk.err and "login role for each person" in desk.err


def test_directory_edits_go_through_the_servers_functions(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`staff edit` and `reseller edit|retire` by an administrator signed in as themselves:
    the staff table is written by its functions only, the group role moves with the role."""
    ada, tina = desk.login("ada"), desk.login("tina")
    ada_url = desk.url_for(ada)
    monkeypatch.setenv("DESKAPP_PASSWORD", "first-admin-pw")
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "tina-password")
    desk.run("staff", "add", tina, "--name", "Tina", "--role", "tier1", url=ada_url)
    out = desk.run("staff", "edit", tina, "--name", "Tina Tier", "--role", "tier2", url=ada_url)
    assert out == f"{tina}: Tina Tier (tier2)\n"
    desk.run("reseller", "add", "Acme Ltd", "--country", "GB", url=ada_url)
    desk.run("reseller", "edit", "Acme Ltd", "--phone", "+44 20 7946 0000", url=ada_url)
    desk.run("reseller", "retire", "Acme Ltd", url=ada_url)
    db = open_database(desk.owner_url)
    try:
        assert raw_sql(db, "SELECT name, role FROM staff WHERE login = %s", (tina,)).fetchone() == (
            "Tina Tier", "tier2",
        )  # fmt: skip
        prefix = raw_sql(db, "SELECT value FROM meta WHERE key = 'role_prefix'").fetchone()[0]
        groups = raw_sql(
            db,
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = %s",
            (tina,),
        ).fetchall()
        assert groups == [(f"{prefix}_tier2",)]
        assert raw_sql(db, "SELECT phone, active FROM reseller WHERE name = 'Acme Ltd'").fetchone() == (
            "+44 20 7946 0000", False,
        )  # fmt: skip
    finally:
        db.close()
    # Tina, now Tier 2, cannot rename herself: the client refuses, and so would the server
    monkeypatch.setenv("DESKAPP_PASSWORD", "tina-password")
    desk.run("staff", "edit", tina, "--name", "Boss", url=desk.url_for(tina), code=1)
    assert "administrator" in desk.err
