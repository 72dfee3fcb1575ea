"""`deskapp sla due|explain` and `deskapp calendar`: the SLA engine from a shell."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterable

from deskapp.cli.timestamps import BadTimestamp, format_instant, parse_instant
from deskapp.domain.explain import explain, render
from deskapp.domain.policy import Policy, default_policy, load_policy
from deskapp.domain.sla import SlaEngine
from deskapp.domain.time_range import OutOfRange, check_year, quote


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sla = sub.add_parser("sla", help="response due times from the SLA engine")
    sla_sub = sla.add_subparsers(dest="sla_command", required=True, metavar="COMMAND")

    due = sla_sub.add_parser("due", help="print the response due instant of each timestamp")
    due.add_argument("--priority", required=True, help="P1, P2 or P3")
    due.add_argument(
        "timestamps", nargs="+", metavar="TIMESTAMP",
        help="ISO 8601 with an offset, or - to read one a line from standard input",
    )  # fmt: skip
    due.set_defaults(handler=run_due)

    why = sla_sub.add_parser("explain", help="show how a due time came about")
    why.add_argument("--priority", required=True, help="P1, P2 or P3")
    why.add_argument("timestamp", metavar="TIMESTAMP")
    why.set_defaults(handler=run_explain)

    cal = sub.add_parser("calendar", help="list the days the desk is shut in a year")
    cal.add_argument("--year", type=_year, default=dt.date.today().year)
    cal.add_argument("--weekends", action="store_true", help="list ordinary weekends too")
    cal.set_defaults(handler=run_calendar)


def _year(text: str) -> int:
    try:
        year = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quote(text)} is not a year like 2026") from None
    try:
        return check_year(year)
    except OutOfRange as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _policy(args: argparse.Namespace) -> Policy:
    return load_policy(args.policy) if getattr(args, "policy", None) else default_policy()


def _engine(args: argparse.Namespace) -> SlaEngine:
    from deskapp.sla import engine

    return engine(_policy(args))


def _priority(engine: SlaEngine, code: str) -> str:
    try:
        return engine.priority(code).code
    except ValueError as exc:
        raise ValueError(f"--priority: {exc}") from None


def _inputs(values: Iterable[str]) -> Iterable[str]:
    for value in values:
        if value == "-":
            yield from (line for line in sys.stdin.read().splitlines() if line.strip())
        else:
            yield value


def run_due(args: argparse.Namespace) -> int:
    engine = _engine(args)
    priority = _priority(engine, args.priority)
    moments, errors = [], []
    for text in _inputs(args.timestamps):
        try:
            moments.append(parse_instant(text))
        except BadTimestamp as exc:
            errors.append(str(exc))
    if errors:
        # Nothing on standard output: a script must never get misaligned lines.
        for error in errors:
            print(f"deskapp sla due: {error}", file=sys.stderr)
        return 2
    out = sys.stdout
    for moment in moments:
        out.write(f"{format_instant(engine.response_due(priority, moment))}\n")
    return 0


def run_explain(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        moment = parse_instant(args.timestamp)
    except BadTimestamp as exc:
        print(f"deskapp sla explain: {exc}", file=sys.stderr)
        return 2
    expl = explain(engine, _priority(engine, args.priority), moment)
    print(render(expl, engine.calendar.tz))
    return 0


def run_calendar(args: argparse.Namespace) -> int:
    engine = _engine(args)
    policy = engine.policy
    hours = f"{policy.open_time:%H:%M}-{policy.close_time:%H:%M}"
    print(f"# {args.year}: desk open {hours} {policy.timezone} on business days; shut on:")
    first, last = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    for day in engine.calendar.closed_days(first, last):
        if day.weekend and len(day.reasons) == 1 and not args.weekends:
            continue
        print(f"{day.date.isoformat()}  {day.date:%a}  {day.label}")
    return 0
