"""`deskapp report NAME`: the team leads' reports as text, CSV or JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from deskapp.cli import session
from deskapp.cli.timestamps import parse_date
from deskapp.domain.lifecycle import Role
from deskapp.reports.catalogue import REPORTS, run_report
from deskapp.services.errors import PermissionDenied
from deskapp.services.operation import load_staff


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser("report", help="reports for team leads (needs --as a lead or admin)")
    report.add_argument("name", choices=list(REPORTS), metavar="NAME",
                        help="; ".join(f"{k}: {v[0]}" for k, v in REPORTS.items()))  # fmt: skip
    report.add_argument("--since", type=parse_date, metavar="DATE",
                        help="tickets logged on or after this local date")  # fmt: skip
    report.add_argument("--until", type=parse_date, metavar="DATE",
                        help="tickets logged before this local date")  # fmt: skip
    out = report.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="rows as JSON objects")
    out.add_argument("--csv", metavar="FILE", help="write CSV to FILE (- for standard output)")
    report.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    db = session.database(args)
    clock = session.clock(args, db)
    login = session.actor(args, db)
    if load_staff(login).role not in (Role.LEAD.value, Role.ADMIN.value):
        raise PermissionDenied("reports are for team leads and administrators")
    policy = session.policy(args)
    tz = policy.tz

    def local_midnight(day: dt.date | None) -> dt.datetime | None:
        return None if day is None else dt.datetime.combine(day, dt.time(0), tzinfo=tz)

    table = run_report(
        args.name, db, now=clock.now(), policy=policy, since=local_midnight(args.since),
        until=local_midnight(args.until),
    )  # fmt: skip
    if args.json:
        print(json.dumps({"title": table.title, "rows": table.as_dicts()}, indent=2))
    elif args.csv == "-":
        sys.stdout.write(table.to_csv())
    elif args.csv:
        table.write_csv(args.csv)
        print(f"wrote {len(table.rows)} rows to {args.csv}")
    else:
        print(table.to_text())
    return 0
