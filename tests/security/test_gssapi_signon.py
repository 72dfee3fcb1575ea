"""A domain sign-on with no password: PostgreSQL checks the person's Kerberos ticket (GSSAPI).

A throw-away MIT Kerberos realm and a private PostgreSQL cluster (`tests.security.kerberos`)
whose pg_hba signs staff in with `gss include_realm=0` and the owner with SCRAM. The owner
makes the desk (`init --first-admin`); from then on the first administrator works with a
ticket alone: no DESKAPP_PASSWORD, no password in the URL, no keyring, no terminal to type
one on. The history says who did it. Without a ticket, or with someone else's, the desk
refuses in words and asks for no password. The shared cluster on 5432 is not used.

In CI (DESKAPP_REQUIRE_PG) missing Kerberos tools fail the test; elsewhere they skip it.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deskapp.cli.main import main
from tests.security.kerberos import KerberosSetupError, PrivatePostgres, Realm, missing_tools

ROOT = Path(__file__).resolve().parents[2]
DB = "desk"
OWNER, OWNER_PASSWORD = "desk_owner", "owner-scram-pw"
ADMIN, TIER1 = "ada", "tina"  # Kerberos principals ada@DESK.TEST, tina@DESK.TEST
MAPPED = "tina.ward"  # a directory's own name for Tina (tina.ward@DESK.TEST), mapped by pg_ident
ALT_SERVICE = "deskdb"  # a second service name for the same server (krbsrvname)

# The owner signs in with SCRAM; everyone else with a Kerberos ticket, their principal's
# realm dropped (include_realm=0), so ada@DESK.TEST is the login role ada.
HBA = f"""\
local all postgres              trust
host  all {OWNER}  127.0.0.1/32 scram-sha-256
host  all {OWNER}  ::1/128      scram-sha-256
host  all all      127.0.0.1/32 gss include_realm=0 krb_realm=DESK.TEST
host  all all      ::1/128      gss include_realm=0 krb_realm=DESK.TEST
"""
# What PostgreSQL's manual recommends instead: keep the realm, map principals to logins in
# pg_ident.conf (a principal of another realm then maps to nobody).
HBA_MAP = HBA.replace("include_realm=0 krb_realm=DESK.TEST", "map=desk")
IDENT = f"""\
desk  {MAPPED}@DESK.TEST   {TIER1}
desk  /^([a-z0-9_]+)@DESK\\.TEST$  \\1
"""


@dataclass
class KerberosDesk:
    realm: Realm
    server: PrivatePostgres
    home: Path

    def url(self, login: str, query: str = "") -> str:
        return f"postgresql://{login}@localhost:{self.server.port}/{DB}{query}"

    @contextlib.contextmanager
    def workstation(self, **extra: str) -> Iterator[None]:
        """This process as a workstation: the realm and its ticket cache, no password anywhere
        (none in the environment, no ~/.pgpass, no saved settings), and a password prompt
        fails the test."""
        with pytest.MonkeyPatch.context() as mp:
            for name in list(os.environ):
                if name.startswith(("DESKAPP_", "PG", "KRB5")):
                    mp.delenv(name)
            for name, value in {**self.realm.vars, **self._private_folders(), **extra}.items():
                mp.setenv(name, value)

            def no_prompt(prompt: str = "", stream: Any = None) -> str:
                raise AssertionError(f"deskapp asked for a password on a Kerberos desk: {prompt!r}")

            mp.setattr(getpass, "getpass", no_prompt)
            yield

    def _private_folders(self) -> dict[str, str]:
        return {
            "HOME": str(self.home), "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_DATA_HOME": str(self.home / "data"), "XDG_CACHE_HOME": str(self.home / "cache"),
            "XDG_STATE_HOME": str(self.home / "state"), "XDG_RUNTIME_DIR": str(self.home / "run"),
            "DESKAPP_LOG_DIR": str(self.home / "logs"), "PGPASSFILE": str(self.home / "no-pgpass"),
        }  # fmt: skip

    def run(self, url: str, *argv: str, code: int = 0, **extra: str) -> tuple[str, str]:
        """`deskapp --db URL ...` in this process, as a workstation (`workstation`)."""
        out, err = io.StringIO(), io.StringIO()
        with self.workstation(**extra), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            got = main(["--db", url, *argv])
        assert got == code, (argv, out.getvalue(), err.getvalue())
        assert "Traceback" not in err.getvalue() and "Warning" not in err.getvalue(), err.getvalue()
        return out.getvalue(), err.getvalue()

    def run_process(self, url: str, *argv: str, code: int = 0) -> tuple[str, str]:
        """The same in a process of its own, started with only the realm's variables and no
        terminal (stdin closed): nothing of this test process's can stand in for a password."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DESKAPP_", "PG", "KRB5"))}
        env.update(self.realm.vars, **self._private_folders(), PYTHONPATH=str(ROOT))
        done = subprocess.run(
            [sys.executable, "-m", "deskapp", "--db", url, *argv], env=env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, cwd=self.home,
        )  # fmt: skip
        assert done.returncode == code, (argv, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr and "Warning" not in done.stderr, done.stderr
        return done.stdout, done.stderr


@pytest.fixture(scope="module")
def kerberos_desk() -> Iterator[KerberosDesk]:
    missing = missing_tools()
    if missing:
        packages = "krb5-kdc, krb5-admin-server, krb5-user, postgresql-15"
        message = f"the Kerberos sign-on test needs {', '.join(missing)} (packages {packages})"
        if os.environ.get("CI") or os.environ.get("DESKAPP_REQUIRE_PG"):
            pytest.fail(message)
        pytest.skip(message)
    base = Path(tempfile.mkdtemp(prefix="deskapp-gss-", dir="/tmp"))
    os.chmod(base, 0o755)  # the server runs as another OS user (postgres, when we are root)
    realm: Realm | None = None
    server: PrivatePostgres | None = None
    try:
        realm = Realm.start(base)
        keytab = base / "postgres.keytab"
        realm.add_service("postgres/localhost", keytab)  # libpq's default krbsrvname
        realm.add_service(f"{ALT_SERVICE}/localhost", keytab)
        for login in (ADMIN, TIER1, MAPPED):
            realm.add_user(login)
        server = PrivatePostgres.start(base, keytab, HBA, realm.env)
        server.sql(f"CREATE ROLE {OWNER} LOGIN CREATEROLE PASSWORD '{OWNER_PASSWORD}'")
        server.sql(f"CREATE DATABASE {DB} OWNER {OWNER}")
        home = base / "home"
        (home / "run").mkdir(mode=0o700, parents=True)
        yield KerberosDesk(realm, server, home)
    except KerberosSetupError as exc:
        pytest.fail(str(exc))
    finally:
        if server is not None:
            server.stop()
        if realm is not None:
            realm.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def made_desk(kerberos_desk: KerberosDesk) -> KerberosDesk:
    """The owner (SCRAM, its password from DESKAPP_PASSWORD) makes the desk and Ada its
    first administrator; she adds a reseller and Tina (tier 1) with her ticket."""
    d = kerberos_desk
    d.realm.kdestroy()
    out, _ = d.run(d.url(OWNER), "init", "--first-admin", ADMIN, "--name", "Ada",
                   DESKAPP_PASSWORD=OWNER_PASSWORD, DESKAPP_NEW_PASSWORD="unused-by-gss-1")  # fmt: skip
    assert f"first administrator {ADMIN}" in out
    d.realm.kinit(ADMIN)
    d.run(d.url(ADMIN), "reseller", "add", "Acme", "--country", "GB", "--email", "desk@acme.example")
    d.run(d.url(ADMIN), "staff", "add", TIER1, "--name", "Tina", "--role", "tier1",
          DESKAPP_NEW_PASSWORD="unused-by-gss-2")  # fmt: skip
    d.realm.kdestroy()
    return d


def test_a_ticket_signs_in_with_no_password_and_the_history_names_the_person(made_desk: KerberosDesk) -> None:
    d = made_desk
    d.realm.kinit(TIER1)
    number = d.run(
        d.url(TIER1), "ticket", "log", "--reseller", "Acme", "--contact", "Pat", "--email",
        "pat@acme.example", "--tenant", "acme-1", "--impact", "some", "--channel", "email",
        "--summary", "Mail relay down",
    )[0].strip()  # fmt: skip
    assert number.startswith("INC-")
    d.run(d.url(TIER1), "ticket", "note", number, "--note", "looking at the relay")
    listed = json.loads(d.run_process(d.url(TIER1), "ticket", "list", "--json")[0])
    assert [row["number"] for row in listed] == [number]
    shown = json.loads(d.run(d.url(TIER1), "ticket", "show", number, "--json")[0])
    assert {h["actor"] for h in shown["history"]} == {TIER1}
    assert len(shown["history"]) >= 2
    # The server checked a Kerberos ticket (not a password), and the session is encrypted
    # by it (gssencmode=prefer, which the bundled libpq would not choose by itself).
    from deskapp.store.connection import open_database, raw_sql

    with d.workstation():
        db = open_database(d.url(TIER1), create=False)
        try:
            row = raw_sql(db, "SELECT session_user, gss_authenticated, principal, encrypted "
                              "FROM pg_stat_gssapi WHERE pid = pg_backend_pid()").fetchone()  # fmt: skip
        finally:
            db.close()
    assert tuple(row) == (TIER1, True, f"{TIER1}@{d.realm.name}", True)
    # The same, with the server's second service name (krbsrvname in the URL)
    query = f"?krbsrvname={ALT_SERVICE}"
    assert json.loads(d.run(d.url(TIER1, query), "ticket", "list", "--json")[0])[0]["number"] == number


def test_no_ticket_or_another_persons_is_refused_in_words_without_asking_a_password(
    made_desk: KerberosDesk,
) -> None:
    d = made_desk
    d.realm.kdestroy()
    assert not d.realm.has_ticket()
    _, err = d.run(d.url(TIER1), "ticket", "list", "--json", code=2)
    assert "Kerberos" in err and f"kinit {TIER1}" in err and "no password given" not in err
    assert "password for" not in err.lower()  # no prompt (it would have failed: no terminal)
    # Tina's ticket does not sign her in as Ada
    d.realm.kinit(TIER1)
    _, err = d.run(d.url(ADMIN), "staff", "add", "mallory", "--name", "M", "--role", "admin",
                   code=2, DESKAPP_NEW_PASSWORD="whatever-pw")  # fmt: skip
    assert f'GSSAPI authentication failed for user "{ADMIN}"' in err and "klist" in err
    # A service name the realm does not know is refused too
    _, err = d.run(d.url(TIER1, "?krbsrvname=nosuch"), "ticket", "list", code=2)
    assert "GSSAPI" in err and "not found in Kerberos database" in err
    d.realm.kdestroy()


def _signs_in(d: KerberosDesk, login: str) -> tuple[str, str] | None:
    """(session_user, principal) when the ticket held signs in as `login`; None if refused."""
    from deskapp.store.connection import DatabaseUrlError, open_database, raw_sql

    with d.workstation():
        try:
            db = open_database(d.url(login), create=False)
        except DatabaseUrlError:
            return None
        try:
            sql = "SELECT session_user, principal FROM pg_stat_gssapi WHERE pid = pg_backend_pid()"
            user, principal = raw_sql(db, sql).fetchone()
            return str(user), str(principal)
        finally:
            db.close()


def _reconfigured(d: KerberosDesk, hba: str, ident: str, login: str, *, signs_in: bool) -> None:
    """New pg_hba/pg_ident, waited for until `login` signs in (or is refused) as it now should."""
    d.server.reconfigure(hba, ident)
    deadline = time.monotonic() + 10
    while (_signs_in(d, login) is not None) != signs_in:
        assert time.monotonic() < deadline, f"pg_hba not taken:\n{d.server.server_log()}"
        time.sleep(0.1)


def test_a_pg_ident_map_turns_a_principal_into_the_desk_login(made_desk: KerberosDesk) -> None:
    """`gss map=desk`: tina.ward@DESK.TEST signs in as the login tina (with include_realm=0
    she could not: tina.ward is no login), and ada@DESK.TEST as ada by the map's rule."""
    d = made_desk
    d.realm.kinit(MAPPED)
    d.run(d.url(TIER1), "ticket", "list", code=2)  # include_realm=0: the role would be tina.ward
    try:
        _reconfigured(d, HBA_MAP, IDENT, TIER1, signs_in=True)
        assert _signs_in(d, TIER1) == (TIER1, f"{MAPPED}@{d.realm.name}")
        assert json.loads(d.run(d.url(TIER1), "ticket", "list", "--json")[0])  # the CLI alike
        d.run(d.url(ADMIN), "ticket", "list", code=2)  # the map gives tina.ward no other login
        d.realm.kinit(ADMIN)
        assert _signs_in(d, ADMIN) == (ADMIN, f"{ADMIN}@{d.realm.name}")  # the map's regex rule
    finally:
        d.realm.kinit(MAPPED)
        _reconfigured(d, HBA, "", TIER1, signs_in=False)
        d.realm.kdestroy()


def test_the_app_signs_in_with_a_ticket_and_asks_for_no_password(
    made_desk: KerberosDesk, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], qapp: Any
) -> None:
    """The desktop app's first-run test and launch on a Kerberos desk: no password, no password
    dialog, the session is the ticket's person; with no ticket it says why and asks for
    nothing. The sign-in dialog (after "Sign out") takes the ticket's login with no password,
    and no other login."""
    from PySide6.QtWidgets import QInputDialog

    from deskapp.gui import launch
    from deskapp.gui.single_instance import SingleInstance

    d = made_desk
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # crash.install() replaces it

    def no_password_dialog(*_args: Any, **_kwargs: Any) -> tuple[str, bool]:
        raise AssertionError("the app asked for a password on a Kerberos desk")

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(no_password_dialog))

    class Seat:
        def release(self) -> None: ...

    monkeypatch.setattr(SingleInstance, "claim", classmethod(lambda cls, *a, **k: Seat()))
    sessions: list[Any] = []

    def work(_app: Any, make_desk_app: Any, session: Any = None, _seat: Any = None) -> int:
        desk_app = make_desk_app()
        from deskapp.store.security import session_login

        sessions.append((session, session_login(desk_app.db)))
        desk_app.db.close()
        return 0

    monkeypatch.setattr(launch, "work_sessions", work)
    args = argparse.Namespace(db=d.url(TIER1), clock=None, as_login=None, policy=None)
    d.realm.kinit(TIER1)
    with d.workstation(QT_QPA_PLATFORM="offscreen"):
        # First run's "Test" with the password field left empty, then the launch
        from deskapp.gui.first_run import test_connection

        assert test_connection(d.url(TIER1)).startswith("Connected. The database holds the desk's tickets")
        assert launch.run_gui(args) == 0
    [(session, server_login)] = sessions
    assert (session.login, session.name, server_login) == (TIER1, "Tina", TIER1)
    d.realm.kdestroy()
    capsys.readouterr()
    with d.workstation(QT_QPA_PLATFORM="offscreen"):
        assert launch.run_gui(args) == 1
    err = capsys.readouterr().err
    assert "Kerberos" in err and f"kinit {TIER1}" in err
    assert len(sessions) == 1
    # The sign-in dialog shown after "Sign out": the ticket's person, no password typed
    from deskapp.gui.signin_dialog import SignInDialog
    from deskapp.store.connection import open_database

    d.realm.kinit(TIER1)
    with d.workstation():
        db = open_database(d.url(TIER1), create=False)
        try:
            dialog = SignInDialog(db)
            dialog.login_edit.setText(ADMIN)  # another person's login, no password
            dialog.accept()
            assert dialog.session is None
            assert "Kerberos" in dialog.error_label.text() and "klist" in dialog.error_label.text()
            dialog.login_edit.setText(TIER1)
            dialog.accept()
            assert dialog.session is not None and dialog.session.login == TIER1
        finally:
            db.close()
    d.realm.kdestroy()
