"""`deskapp --db OWNER_URL init --first-admin LOGIN --name NAME`: a PostgreSQL desk
where each person signs in as themselves. A plain `init` on a new PostgreSQL desk
makes the same desk (`secure_new_desk`), asking for its first administrator on a
terminal; `init --app-role ROLE` is the old shared-role mode, by name only.

Run by the owner role (CREATEROLE), in one transaction: the desk's group roles,
their grants and session timeouts (`deskapp.store.security.secure_desk`); a login
role for every staff row that has none, each with a one-time password printed
here (an app-role desk being converted); the old app role's rights revoked; and,
on a desk with no staff, LOGIN as its first administrator. Two inits at once
wait for each other, so an empty desk gets one first administrator and the other
init is refused in words.
"""

from __future__ import annotations

import argparse
import os
import sys

import peewee as pw

from deskapp.cli import session
from deskapp.domain.lifecycle import Role
from deskapp.services import directory
from deskapp.services.errors import PermissionDenied, ValidationError
from deskapp.store.connection import is_sqlite, write_transaction
from deskapp.store.models import Staff
from deskapp.store.security import (
    SecureReport,
    SecurityError,
    call_staff_function,
    reserved_login,
    scram_verifier,
    secure_desk,
)

NEW_PASSWORD_ENV = "DESKAPP_NEW_PASSWORD"


def secure_and_first_admin(args: argparse.Namespace, db: pw.Database, login: str) -> int:
    if is_sqlite(db):
        raise ValidationError(
            "--first-admin is for a PostgreSQL desk (login roles); on SQLite add the first "
            "member with `deskapp staff add LOGIN --name NAME --role admin`"
        )
    name = (getattr(args, "name", None) or "").strip()
    if not name:
        raise ValidationError("--first-admin needs the administrator's --name")
    if reserved_login(login):
        raise ValidationError(f"{login!r} is reserved on PostgreSQL: choose another --first-admin")
    password: str | None = None
    made = False
    with write_transaction(db):
        report = _secure(db)
        existing = Staff.get_or_none(Staff.login == login)
        if existing is not None:
            if existing.role != Role.ADMIN.value:
                raise PermissionDenied(
                    f"{login} is on the desk already as {Role(existing.role).a_label}, not an "
                    "administrator (an administrator changes roles with `staff role`)"
                )
        elif Staff.select().where(Staff.role == Role.ADMIN.value).exists():
            others = ", ".join(s.login for s in Staff.select().where(Staff.role == Role.ADMIN.value))
            raise PermissionDenied(
                f"the desk has an administrator already ({others}): --first-admin is for a desk "
                "with none; an administrator adds staff with `staff add`"
            )
        else:
            password = _first_password(login)
            if len(password) < directory.MIN_PASSWORD:
                raise ValidationError(f"the password needs at least {directory.MIN_PASSWORD} characters")
            call_staff_function(
                db, "deskapp_staff_add", login, name, Role.ADMIN.value, scram_verifier(password)
            )
            made = True
    _print_report(report)
    if made:
        print(f"first administrator {login} ({name}): signs in as postgresql://{login}@HOST/DESK")
    else:
        print(f"{login} is an administrator of this desk already")
    return 0


NO_ONE_YET = (
    "nobody can sign in to this desk yet: as the owner, run `deskapp --db OWNER_URL init "
    f"--first-admin LOGIN --name NAME` (the password from {NEW_PASSWORD_ENV}, else asked for)"
)


def secure_new_desk(args: argparse.Namespace, db: pw.Database) -> int:
    """A plain `init` on a new PostgreSQL desk: its group roles and grants (login roles,
    no password hash in a table), then, on a terminal, its first administrator asked for
    (an empty login leaves that for later); with no terminal, the command that makes one."""
    with write_transaction(db):
        report = _secure(db)
    _print_report(report)
    if not _on_terminal():
        print(NO_ONE_YET)
        return 0
    login = _ask("First administrator's login (Enter: later): ").lower()
    if not login:
        print(NO_ONE_YET)
        return 0
    args.name = _ask(f"{login}'s full name: ")
    return secure_and_first_admin(args, db, login)


def _on_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _ask(prompt: str) -> str:
    try:
        return input(prompt).strip()
    except (EOFError, KeyboardInterrupt):
        print()
        return ""


def secure_again(db: pw.Database) -> int:
    """`init` as the owner on a desk with login roles: grants brought up to date."""
    with write_transaction(db):
        report = _secure(db)
    _print_report(report)
    return 0


def _secure(db: pw.Database) -> SecureReport:
    try:
        return secure_desk(db)
    except SecurityError as exc:
        raise ValidationError(str(exc)) from None


def _first_password(login: str) -> str:
    password = os.environ.get(NEW_PASSWORD_ENV)
    if password is None:
        password = session.ask_password(f"New password for {login}: ")
    if not password:
        raise ValidationError(f"{login} needs a password (type it, or set {NEW_PASSWORD_ENV})")
    return password


def _print_report(report: SecureReport) -> None:
    print(
        f"login roles: group roles {report.prefix}_{{{','.join(r.value for r in Role)}}} "
        f"on schema {report.schema}"
        + (f" (made {len(report.created_groups)})" if report.created_groups else " (up to date)")
    )
    for role in report.revoked_roles:
        print(f"old app role {role}: its rights on schema {report.schema} are revoked (drop it when unused)")
    if report.converted:
        print("passwords set afresh: each member below signs in with this one-time password and "
              "changes it with `deskapp staff password LOGIN`")  # fmt: skip
    for login, password in report.converted:
        print(f"  {login}: {password}")
