"""`deskapp init|demo|staff add|list|activate|deactivate|password|reseller add|list|rules run`:
the store from a shell."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import peewee as pw

from deskapp.cli import session
from deskapp.cli.arguments import seconds, whole
from deskapp.cli.timestamps import format_instant
from deskapp.demo import MAX_DEMO_TICKETS
from deskapp.domain.clock import Clock
from deskapp.domain.local_time import short_text
from deskapp.services import directory
from deskapp.services.errors import AuthenticationFailed, PermissionDenied, ValidationError
from deskapp.store.connection import describe, is_sqlite, write_transaction
from deskapp.store.lifecycle_table import refresh_moves
from deskapp.store.migrations import SCHEMA_VERSION
from deskapp.store.models import AppRole, Staff, Ticket
from deskapp.store.security import is_postgres_secured

NEW_PASSWORD_ENV = "DESKAPP_NEW_PASSWORD"


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = sub.add_parser(
        "init", help="create (or upgrade) the database; on PostgreSQL, as the owner role, a desk "
        "where each person signs in as themselves",
    )  # fmt: skip
    init.add_argument("--training", action="store_true", help="a training database (--clock)")
    init.add_argument(
        "--app-role",
        metavar="ROLE",
        help="PostgreSQL, the old shared-role mode: every workstation signs in as ROLE and "
        "staff passwords are kept in the desk's table; grants ROLE the app's rights (rows only, "
        "history append-only, no schema changes); run as the owner role. Without it a new "
        "PostgreSQL desk gets a login role per person",
    )
    init.add_argument(
        "--first-admin",
        metavar="LOGIN",
        help="PostgreSQL, as the owner role: give the desk its group roles and every staff "
        "member a login role, and make LOGIN its first administrator (password from "
        f"{NEW_PASSWORD_ENV}, else asked for)",
    )
    init.add_argument("--name", help="the first administrator's name (with --first-admin)")
    init.set_defaults(handler=run_init)

    demo = sub.add_parser("demo", help="fill a training database with a realistic desk")
    demo.add_argument(
        "--tickets", type=whole(1, MAX_DEMO_TICKETS), default=300,
        help=f"how many tickets (default 300, at most {MAX_DEMO_TICKETS})",
    )  # fmt: skip
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(handler=run_demo)

    staff = sub.add_parser("staff", help="desk staff")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True, metavar="COMMAND")
    add = staff_sub.add_parser("add", help="add a staff member (the first needs no --as)")
    add.add_argument("login")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=["tier1", "tier2", "lead", "admin"])
    add.set_defaults(handler=run_staff_add)
    slist = staff_sub.add_parser("list", help="every staff member, active or not, by name")
    slist.add_argument("--json", action="store_true")
    slist.set_defaults(handler=run_staff_list)
    deactivate = staff_sub.add_parser(
        "deactivate", help="stop a member signing in (an administrator's job; history stays)"
    )
    deactivate.add_argument("login")
    deactivate.set_defaults(handler=run_staff_active, active=False)
    activate = staff_sub.add_parser(
        "activate", help="let a deactivated member sign in again (an administrator's job)"
    )
    activate.add_argument("login")
    activate.set_defaults(handler=run_staff_active, active=True)
    sedit = staff_sub.add_parser(
        "edit", help="correct a member's name or change their role (an administrator's job)"
    )
    sedit.add_argument("login")
    sedit.add_argument("--name")
    sedit.add_argument("--role", choices=["tier1", "tier2", "lead", "admin"])
    sedit.set_defaults(handler=run_staff_edit)
    spw = staff_sub.add_parser(
        "password", help=f"set a password: your own, or anyone's as an administrator "
        f"(read from {NEW_PASSWORD_ENV}, else asked for)",
    )  # fmt: skip
    spw.add_argument("login")
    spw.set_defaults(handler=run_staff_password)
    srole = staff_sub.add_parser("role", help="give a member another role (an administrator's job)")
    srole.add_argument("login")
    srole.add_argument("--role", required=True, choices=["tier1", "tier2", "lead", "admin"])
    srole.set_defaults(handler=run_staff_role)

    reseller = sub.add_parser("reseller", help="resellers (the desk's customers)")
    r_sub = reseller.add_subparsers(dest="reseller_command", required=True, metavar="COMMAND")
    radd = r_sub.add_parser("add", help="add a reseller in the Territory")
    radd.add_argument("name")
    radd.add_argument("--country", required=True, help="GB or IE")
    radd.add_argument("--email")
    radd.add_argument("--phone")
    radd.set_defaults(handler=run_reseller_add)
    redit = r_sub.add_parser(
        "edit", help="correct a reseller's name, email or phone (an empty value clears it)"
    )
    redit.add_argument("name")
    redit.add_argument("--name", dest="new_name", metavar="NEW_NAME")
    redit.add_argument("--email")
    redit.add_argument("--phone")
    redit.set_defaults(handler=run_reseller_edit)
    retire = r_sub.add_parser("retire", help="retire a reseller: its tickets stay, no new incidents")
    retire.add_argument("name")
    retire.set_defaults(handler=run_reseller_active, active=False)
    restore = r_sub.add_parser("restore", help="let a retired reseller's incidents be logged again")
    restore.add_argument("name")
    restore.set_defaults(handler=run_reseller_active, active=True)
    rlist = r_sub.add_parser("list", help="every reseller, by name")
    rlist.add_argument("--json", action="store_true")
    rlist.set_defaults(handler=run_reseller_list)

    rules = sub.add_parser("rules", help="the time-based steps of the process")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True, metavar="COMMAND")
    run = rules_sub.add_parser("run", help="apply every due time-based step once; say what")
    run.add_argument("--json", action="store_true")
    run.add_argument(
        "--watch",
        action="store_true",
        help="keep running a pass every --interval seconds until Ctrl-C (a headless "
        "rules runner; workstations run the rules anyway)",
    )
    run.add_argument(
        "--interval",
        type=seconds(),
        default=30.0,
        metavar="SECONDS",
        help="seconds between passes with --watch (default 30)",
    )
    run.set_defaults(handler=run_rules)


def run_init(args: argparse.Namespace) -> int:
    db = session.database(args, create=True, check=True)
    first_admin = (getattr(args, "first_admin", None) or "").strip().lower()
    if getattr(args, "app_role", None) and (first_admin or is_postgres_secured(db)):
        raise ValidationError(
            f"--app-role {args.app_role[:40]}: this desk has a login role for each person; a shared "
            "app role would undo that (leave --app-role out)"
        )
    if args.training and (first_admin or is_postgres_secured(db)):
        raise ValidationError(
            "a desk with login roles is live: it can never become a training desk (use another --db)"
        )
    if args.training and not directory.is_training(db):
        if Staff.select().exists() or Ticket.select().exists():
            raise ValidationError(
                "this database is live and holds staff or tickets: a training database "
                "must start empty (use another --db)"
            )
        directory.mark_training(db)
    kind = "training" if directory.is_training(db) else "live"
    # The moves the database enforces, from this release's lifecycle (schema v11).
    with write_transaction(db):
        refresh_moves(db)
    print(f"{describe(db)}: schema v{SCHEMA_VERSION}, {kind}")
    if first_admin or (getattr(args, "name", None) and not first_admin):
        if not first_admin:
            raise ValidationError("--name goes with --first-admin LOGIN")
        from deskapp.cli.secure_init import secure_and_first_admin

        return secure_and_first_admin(args, db, first_admin)
    if is_postgres_secured(db):
        from deskapp.cli.secure_init import secure_again

        return secure_again(db)
    if not is_sqlite(db) and not getattr(args, "app_role", None) and not directory.is_training(db):
        if not _old_style(db):
            # A new desk: login roles by default, never a password hash in a table.
            from deskapp.cli.secure_init import secure_new_desk

            return secure_new_desk(args, db)
        print(
            "this desk keeps its staff's passwords in its own table and has no login roles (the "
            "old shared-role mode): to have each person sign in to PostgreSQL as themselves, run "
            "`deskapp --db OWNER_URL init --first-admin LOGIN --name NAME` as the owner (it "
            "converts the desk: each member gets a one-time password)"
        )
    if getattr(args, "app_role", None):
        from deskapp.store.privileges import PrivilegeError, grant_app_role

        try:
            schema = grant_app_role(db, args.app_role)
        except PrivilegeError as exc:
            raise ValidationError(str(exc)) from None
        print(
            f"app role {args.app_role}: reads and writes rows in schema {schema}, appends to "
            "history (no update or delete), changes no schema"
        )
    return 0


def _old_style(db: pw.Database) -> bool:
    """A PostgreSQL desk made before login roles were the default, or on purpose with
    `--app-role`: it has staff (with hashes) or a shared app role, which a plain `init`
    leaves working; converting it is `--first-admin`'s job, by name."""
    return Staff.select().exists() or AppRole.select().exists()


def run_demo(args: argparse.Namespace) -> int:
    from deskapp.demo import fill_demo

    db = session.database(args, create=True)
    if not directory.is_training(db):
        if Staff.select().exists() or Ticket.select().exists():
            raise PermissionDenied(
                "demo fills training databases only; this one is live (make one with "
                "`deskapp --db URL init --training`)"
            )
        directory.mark_training(db)
    now = session.clock(args, db).now()
    result = fill_demo(db, now, tickets=args.tickets, seed=args.seed)
    print(result.describe())
    return 0


def _new_password(args: argparse.Namespace, first: bool, training: bool) -> str | None:
    password = os.environ.get(NEW_PASSWORD_ENV)
    if password is None and first:
        password = os.environ.get(session.PASSWORD_ENV)
    if password is None and not training:
        password = session.ask_password(f"New password for {args.login}: ")
    return password or None


def run_staff_add(args: argparse.Namespace) -> int:
    db = session.database(args)
    clock = session.clock(args, db)
    first = directory.staff_count(db) == 0
    refusal = directory.owner_makes_first_admin(db) if first else None
    if refusal:
        raise PermissionDenied(refusal)
    actor = None if first else session.actor(args, db, owner_ok=True)
    training = directory.is_training(db)
    password = _new_password(args, first, training)
    if not training and not password:
        raise ValidationError(f"{args.login} needs a password on a live database")
    staff = directory.add_staff(
        db, clock, actor, args.login, name=args.name, role=args.role, password=password
    )
    print(f"{staff.login}: {staff.name} ({staff.role})")
    return 0


def run_reseller_add(args: argparse.Namespace) -> int:
    db = session.database(args)
    clock = session.clock(args, db)
    seller = directory.add_reseller(
        db, clock, session.actor(args, db), args.name, country=args.country,
        email=args.email, phone=args.phone,
    )  # fmt: skip
    print(f"{seller.name} ({seller.country})")
    return 0


def _print_columns(rows: list[list[str]]) -> None:
    """Rows as columns two spaces apart, each as wide as its widest cell (the last unpadded)."""
    if not rows:
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]))


def run_staff_list(args: argparse.Namespace) -> int:
    db = session.database(args)
    rows = directory.staff_list(db)
    if args.json:
        print(json.dumps([{
            "login": r.login, "name": r.name, "role": r.role.value, "active": r.active,
            "has_password": r.has_password,
        } for r in rows], indent=2))  # fmt: skip
        return 0
    _print_columns([
        [r.login, r.name, r.role.value, "active" if r.active else "inactive"] for r in rows
    ])  # fmt: skip
    if not rows:
        print("no staff yet (add the first with `deskapp staff add`)")
    return 0


def run_staff_active(args: argparse.Namespace) -> int:
    db = session.database(args)
    clock = session.clock(args, db)
    staff = directory.set_staff_active(db, clock, session.actor(args, db), args.login, active=args.active)
    print(f"{staff.login}: {'active' if staff.active else 'inactive'}")
    return 0


def run_staff_edit(args: argparse.Namespace) -> int:
    if args.name is None and args.role is None:
        raise ValidationError("staff edit needs --name or --role (or both)")
    db = session.database(args)
    clock = session.clock(args, db)
    staff = directory.edit_staff(
        db, clock, session.actor(args, db), args.login, name=args.name, role=args.role
    )
    print(f"{staff.login}: {staff.name} ({staff.role})")
    return 0


def run_reseller_edit(args: argparse.Namespace) -> int:
    if args.new_name is None and args.email is None and args.phone is None:
        raise ValidationError("reseller edit needs --name, --email or --phone")
    db = session.database(args)
    clock = session.clock(args, db)
    seller = directory.edit_reseller(db, clock, session.actor(args, db), args.name, new_name=args.new_name,
                                     email=args.email, phone=args.phone)  # fmt: skip
    print(f"{seller.name} ({seller.country}): email {seller.email or '—'}, phone {seller.phone or '—'}")
    return 0


def run_reseller_active(args: argparse.Namespace) -> int:
    db = session.database(args)
    clock = session.clock(args, db)
    seller = directory.set_reseller_active(db, clock, session.actor(args, db), args.name, active=args.active)
    print(f"{seller.name}: {'active' if seller.active else 'retired'}")
    return 0


def run_staff_password(args: argparse.Namespace) -> int:
    db = session.database(args)
    clock = session.clock(args, db)
    actor = session.actor(args, db)
    try:  # always a password: on a training database too
        password = _new_password(args, first=False, training=False)
    except AuthenticationFailed:
        raise ValidationError(f"no new password given (type it, or set {NEW_PASSWORD_ENV})") from None
    directory.set_password(db, clock, actor, args.login, password or "")
    print(f"{args.login.strip().lower()}: password changed")
    return 0


def run_staff_role(args: argparse.Namespace) -> int:
    db = session.database(args)
    clock = session.clock(args, db)
    staff = directory.set_staff_role(db, clock, session.actor(args, db), args.login, args.role)
    print(f"{staff.login}: {staff.role}")
    return 0


def run_reseller_list(args: argparse.Namespace) -> int:
    db = session.database(args)
    rows = directory.reseller_list(db)
    if args.json:
        print(json.dumps([{
            "name": r.name, "country": r.country, "email": r.email, "phone": r.phone, "active": r.active,
        } for r in rows], indent=2))  # fmt: skip
        return 0
    retired = "  (retired)"
    _print_columns([
        [r.name, r.country, r.email or "-", (r.phone or "-") + ("" if r.active else retired)] for r in rows
    ])  # fmt: skip
    if not rows:
        print("no resellers yet (add one with `deskapp --as ADMIN reseller add`)")
    return 0


def run_rules(args: argparse.Namespace) -> int:
    from deskapp.rules import run_rules as run_pass

    db = session.database(args)
    clock = session.clock(args, db)
    if getattr(args, "watch", False):
        return _watch_rules(args, db, clock)
    _print_pass(args, run_pass(db, clock, policy=session.policy(args)), stamp=False)
    return 0


def _print_pass(args: argparse.Namespace, summary: Any, *, stamp: bool) -> None:
    if args.json:
        print(json.dumps({"now": format_instant(summary.now), "applied": summary.applied}), flush=True)
        return
    prefix = f"{short_text(summary.now, session.policy(args).tz)} " if stamp else ""
    for line in summary.lines():
        print(f"{prefix}{line}", flush=True)


def _watch_rules(args: argparse.Namespace, db: pw.Database, clock: Clock) -> int:
    """A pass every --interval seconds until Ctrl-C; an unreachable database is reported
    and retried with backoff (the passes are exactly-once whoever else runs them)."""
    from deskapp.rules import run_rules as run_pass
    from deskapp.rules.engine import RulesBusy

    interval = args.interval
    if interval <= 0:
        raise ValidationError("--interval must be more than 0 seconds")
    failures = 0
    try:
        while True:
            try:
                summary = run_pass(db, clock, policy=session.policy(args))
            except (pw.PeeweeException, RulesBusy) as exc:  # DatabaseUnavailable included
                failures += 1
                pause = min(interval, 0.5 * 2**failures)
                what = (
                    str(exc) if isinstance(exc, RulesBusy) else f"database unreachable ({str(exc).strip()})"
                )
                print(
                    f"deskapp: rules: {what}; trying again in {pause:g} s",
                    file=sys.stderr,
                    flush=True,
                )
                time.sleep(pause)
                continue
            failures = 0
            _print_pass(args, summary, stamp=True)
            time.sleep(interval)
    except KeyboardInterrupt:
        print("rules: stopped", file=sys.stderr, flush=True)
        return 0
