"""What every store command needs: the database, the clock, and who is acting.

- `--db URL`, else DESKAPP_DB, else the database the desktop app's saved
  settings name, else the SQLite file in the user data folder: the app and the
  command line always open the same desk (`database_url`). Only `init` makes a
  database; any other command refuses one that does not exist;
- the clock: the desk's (`deskapp.store.db_clock.desk_clock`: the server's on
  PostgreSQL, so a workstation whose clock is off stamps and runs rules at the
  right time); `--clock ISO` acts at a chosen instant, on a training database only;
- `--as LOGIN` names the acting staff member; outside a training database
  their password is asked for (or read from DESKAPP_PASSWORD). On a PostgreSQL
  desk with login roles the person is the one the server signed in
  (`postgresql://LOGIN@host/desk`, their password from DESKAPP_PASSWORD, else
  asked for): `--as` may be left out, and if given must be that login;
- `--policy FILE`: the policy every due time and rule of the command follows
  (`policy`); a command that reads no policy refuses it (`deskapp.cli.main`).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import overload
from urllib.parse import parse_qsl, urlsplit

import peewee as pw

from deskapp.cli.timestamps import parse_instant
from deskapp.domain.clock import Clock, FixedClock
from deskapp.domain.policy import Policy, default_policy, load_policy
from deskapp.services.directory import authenticate, is_training
from deskapp.services.errors import AuthenticationFailed, DeskError, TrainingOnly, ValidationError
from deskapp.services.operation import load_staff
from deskapp.store.connection import ENV_DB, DatabaseUrlError, default_database_url, open_database, use
from deskapp.store.db_clock import desk_clock
from deskapp.store.models import Staff
from deskapp.store.security import is_owner, is_postgres_secured, session_login

PASSWORD_ENV = "DESKAPP_PASSWORD"


def saved_database_url() -> str | None:
    """The database the desktop app's settings name, if any."""
    try:
        from deskapp.gui import settings as conf
    except ImportError:
        return None
    return conf.database_url(conf.open_settings())


def database_url(db_option: str | None) -> str:
    """The desk a command or the app opens (see the module docstring)."""
    return db_option or os.environ.get(ENV_DB) or saved_database_url() or default_database_url()


def server_full(text: str) -> None:
    """A full PostgreSQL server is waited for, and the person told why nothing happens yet."""
    print(f"deskapp: {text}", file=sys.stderr, flush=True)


def database(args: argparse.Namespace, *, create: bool = False, check: bool = False) -> pw.Database:
    url = database_url(getattr(args, "db", None))
    password = os.environ.get(PASSWORD_ENV)
    try:
        db = open_database(url, create=create, check=check, password=password, on_full=server_full)
    except DatabaseUrlError as exc:
        # PostgreSQL asked for a password the URL does not carry: the person's own.
        if password is not None or _carries_password(url) or not _wants_password(str(exc)):
            raise
        user = urlsplit(url).username or "you"
        db = open_database(
            url, create=create, check=check, password=ask_password(f"PostgreSQL password for {user}: "),
            on_full=server_full,
        )  # fmt: skip
    use(db)
    return db


def _carries_password(url: str) -> bool:
    # A password in the URL that the server refused is the answer: asking for another
    # would hide what was wrong with it.
    parts = urlsplit(url)
    return bool(parts.password) or any(
        key.strip().lower() == "password" for key, _ in parse_qsl(parts.query, keep_blank_values=True)
    )


def _wants_password(message: str) -> bool:
    return "no password supplied" in message or "password authentication failed" in message


def clock(args: argparse.Namespace, db: pw.Database) -> Clock:
    text = getattr(args, "clock", None)
    if not text:
        return desk_clock(db)
    if not is_training(db):
        raise TrainingOnly(
            "--clock works only on a training database (made with `deskapp init --training`); "
            "this database is live, so everything happens at the real time"
        )
    return FixedClock(parse_instant(text))


def ask_password(prompt: str) -> str:
    try:
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt, OSError):  # OSError: no terminal to ask on
        raise AuthenticationFailed(f"no password given (type it, or set {PASSWORD_ENV})") from None
    except UnicodeDecodeError:  # piped in, in another encoding than the terminal's
        raise ValidationError("the password typed is not UTF-8 text; type it again, or set it in "
                              f"{PASSWORD_ENV}") from None  # fmt: skip


@overload
def actor(args: argparse.Namespace, db: pw.Database) -> str: ...
@overload
def actor(args: argparse.Namespace, db: pw.Database, *, owner_ok: bool) -> str | None: ...


def actor(args: argparse.Namespace, db: pw.Database, *, owner_ok: bool = False) -> str | None:
    """The acting staff member's login, signed in with a password on a live database.
    On a PostgreSQL desk with login roles: the connection's login (None for the desk's
    owner, where `owner_ok`: the owner may add staff)."""
    login = (getattr(args, "as_login", None) or "").strip().lower()
    if is_postgres_secured(db):
        return _server_actor(db, login, owner_ok=owner_ok)
    if not login:
        raise DeskError("say who is acting with --as LOGIN (before the command)")
    if is_training(db):
        load_staff(login)  # must exist; training databases need no password
        return login
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = ask_password(f"Password for {login}: ")
    return authenticate(db, login, password).login


def _server_actor(db: pw.Database, login: str, *, owner_ok: bool) -> str | None:
    signed_in = session_login(db)
    if login and login != signed_in:
        raise DeskError(
            f"--as {login} is not who signed in: on this desk you act as your PostgreSQL login "
            f"({signed_in}); leave --as out, or use --db postgresql://{login}@HOST/DESK"
        )
    staff = Staff.get_or_none(Staff.login == signed_in)
    if staff is not None and staff.active:
        return str(staff.login)
    if owner_ok and is_owner(db):
        return None
    raise DeskError(
        f"the PostgreSQL login {signed_in} is not an active staff member of this desk: "
        "sign in as yourself (--db postgresql://LOGIN@HOST/DESK)"
    )


def policy(args: argparse.Namespace) -> Policy:
    """The policy named by --policy, else the default one."""
    path = getattr(args, "policy", None)
    return load_policy(path) if path else default_policy()
