"""`deskapp init|demo|staff add|reseller add|rules run`: the store from a shell."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import peewee as pw

from deskapp.cli import session
from deskapp.cli.timestamps import format_instant
from deskapp.domain.clock import Clock
from deskapp.services import directory
from deskapp.services.errors import PermissionDenied, ValidationError
from deskapp.store.connection import describe
from deskapp.store.migrations import SCHEMA_VERSION
from deskapp.store.models import Staff, Ticket

NEW_PASSWORD_ENV = "DESKAPP_NEW_PASSWORD"


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = sub.add_parser("init", help="create (or upgrade) the database")
    init.add_argument("--training", action="store_true", help="a training database (--clock)")
    init.add_argument("--app-role", metavar="ROLE", help="PostgreSQL: grant ROLE the app's rights "
                      "(rows only, history append-only, no schema changes); run as the owner role")
    init.set_defaults(handler=run_init)

    demo = sub.add_parser("demo", help="fill a training database with a realistic desk")
    demo.add_argument("--tickets", type=int, default=300, help="how many tickets (default 300)")
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(handler=run_demo)

    staff = sub.add_parser("staff", help="desk staff")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True, metavar="COMMAND")
    add = staff_sub.add_parser("add", help="add a staff member (the first needs no --as)")
    add.add_argument("login")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=["tier1", "tier2", "lead", "admin"])
    add.set_defaults(handler=run_staff_add)

    reseller = sub.add_parser("reseller", help="resellers (the desk's customers)")
    r_sub = reseller.add_subparsers(dest="reseller_command", required=True, metavar="COMMAND")
    radd = r_sub.add_parser("add", help="add a reseller in the Territory")
    radd.add_argument("name")
    radd.add_argument("--country", required=True, help="GB or IE")
    radd.add_argument("--email")
    radd.add_argument("--phone")
    radd.set_defaults(handler=run_reseller_add)

    rules = sub.add_parser("rules", help="the time-based steps of the process")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True, metavar="COMMAND")
    run = rules_sub.add_parser("run", help="apply every due time-based step once; say what")
    run.add_argument("--json", action="store_true")
    run.add_argument("--watch", action="store_true",
                     help="keep running a pass every --interval seconds until Ctrl-C (a headless "
                     "rules runner; workstations run the rules anyway)")
    run.add_argument("--interval", type=float, default=30.0, metavar="SECONDS",
                     help="seconds between passes with --watch (default 30)")
    run.set_defaults(handler=run_rules)


def run_init(args: argparse.Namespace) -> int:
    db = session.database(args, create=True)
    if args.training and not directory.is_training(db):
        if Staff.select().exists() or Ticket.select().exists():
            raise ValidationError(
                "this database is live and holds staff or tickets: a training database "
                "must start empty (use another --db)"
            )
        directory.mark_training(db)
    kind = "training" if directory.is_training(db) else "live"
    print(f"{describe(db)}: schema v{SCHEMA_VERSION}, {kind}")
    if getattr(args, "app_role", None):
        from deskapp.store.privileges import PrivilegeError, grant_app_role

        try:
            schema = grant_app_role(db, args.app_role)
        except PrivilegeError as exc:
            raise ValidationError(str(exc)) from None
        print(f"app role {args.app_role}: reads and writes rows in schema {schema}, appends to "
              "history (no update or delete), changes no schema")
    return 0


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
    actor = None if first else session.actor(args, db)
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


def run_rules(args: argparse.Namespace) -> int:
    from deskapp.rules import run_rules as run_pass

    db = session.database(args)
    clock = session.clock(args, db)
    if getattr(args, "watch", False):
        return _watch_rules(args, db, clock)
    _print_pass(args, run_pass(db, clock), stamp=False)
    return 0


def _print_pass(args: argparse.Namespace, summary: Any, *, stamp: bool) -> None:
    if args.json:
        print(json.dumps({"now": format_instant(summary.now), "applied": summary.applied}), flush=True)
        return
    prefix = f"{format_instant(summary.now)} " if stamp else ""
    for line in summary.lines():
        print(f"{prefix}{line}", flush=True)


def _watch_rules(args: argparse.Namespace, db: pw.Database, clock: Clock) -> int:
    """A pass every --interval seconds until Ctrl-C; an unreachable database is reported
    and retried with backoff (the passes are exactly-once whoever else runs them)."""
    from deskapp.rules import run_rules as run_pass

    interval = args.interval
    if interval <= 0:
        raise ValidationError("--interval must be more than 0 seconds")
    failures = 0
    try:
        while True:
            try:
                summary = run_pass(db, clock)
            except pw.PeeweeException as exc:  # DatabaseUnavailable included
                failures += 1
                pause = min(interval, 0.5 * 2**failures)
                print(f"deskapp: rules: database unreachable ({str(exc).strip()}); "
                      f"trying again in {pause:g} s", file=sys.stderr, flush=True)
                time.sleep(pause)
                continue
            failures = 0
            _print_pass(args, summary, stamp=True)
            time.sleep(interval)
    except KeyboardInterrupt:
        print("rules: stopped", file=sys.stderr, flush=True)
        return 0
