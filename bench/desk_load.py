"""A shared desk under load: 20 workstation processes on one PostgreSQL database.

    DESKAPP_TEST_PG_URL=postgresql://... python3 bench/desk_load.py [--seconds 60] [--workers 20]

Builds a fresh schema (dropped afterwards unless --keep), seeds a desk whose
backlog falls due during the run, then starts the workstations. Each is a
Tier 2 engineer in its own process doing a realistic mix through the services
- log, assign, request info, information received, escalate, resolve, note,
and a rule pass now and then (as the app's timer: skipped when another
workstation's pass is running) - reading a ticket first and saving with the
version it read, as a person at a screen does; each also listens on the change
feed. It prints (never asserts):

- operations per second and p50/p95 latency (per kind too);
- lost updates: every successful save claims the version it made (the version
  it read + 1); the audit checks that version N of each ticket is that
  person's history event, and that every ticket's version equals its number of
  history events. Must be 0;
- duplicate rule transitions: two history events of the same rule kind on a
  ticket with no person's step between them (a breach, an auto-resolve, a
  chaser flag or a closure applied twice for the same due instant). Must be 0;
- how long a change takes to reach the other workstations (p50/p95 from the
  moment the save returned to the moment each other workstation's listener
  heard the ticket's number; target at most 1 s), for the whole run and for the saves
  after the first --warmup seconds (fifty sessions warming up in the same instant).

Each workstation holds one connection: its change feed listens on the work
connection (`deskapp.store.change_feed.SharedPostgresFeed`), looked at by a
thread beside the work between its statements, so fifty workstations fit a
server's default max_connections (100).

Only a server on 127.0.0.1 (or localhost) is accepted. Bounded: the run stops
at --seconds and stragglers are killed --grace seconds later.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import peewee as pw

from deskapp import services as sv
from deskapp.domain.clock import FixedClock
from deskapp.store.connection import database_from_url, open_database, raw_sql

PG_ENV = "DESKAPP_TEST_PG_URL"
RESELLERS = (("Acme Networks", "GB"), ("Liffey Cloud", "IE"))
MIX = (  # (kind, weight): a desk logs, works and closes tickets; rules run every so often
    ("log", 14), ("assign", 14), ("request_info", 10), ("info_received", 10),
    ("escalate", 8), ("resolve", 10), ("note", 26), ("rules", 8),
)  # fmt: skip
NEEDS = {  # the statuses each step is tried on (picked at random, as a person picks a row)
    "assign": ("logged", "assigned"),
    "request_info": ("assigned", "in_progress"),
    "info_received": ("awaiting_info",),
    "escalate": ("assigned", "in_progress"),
    "resolve": ("assigned", "in_progress", "awaiting_info"),
    "note": ("logged", "assigned", "in_progress", "awaiting_info", "resolved"),
}
STALE = (sv.ConflictError, sv.TransitionNotAllowed, sv.PermissionDenied, sv.MissingField)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def with_schema(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


def login(i: int) -> str:
    return f"w{i:02d}"


# --- setting up ----------------------------------------------------------------------------------


def server_now(db: pw.Database) -> dt.datetime:
    now: dt.datetime = raw_sql(db, "SELECT statement_timestamp()").fetchone()[0]
    return now.astimezone(dt.UTC) if now.tzinfo else now.replace(tzinfo=dt.UTC)


def seed(url: str, workers: int, tickets: int, seconds: float, rng: random.Random) -> None:
    """Staff, resellers and a backlog whose rule deadlines fall inside the run."""
    db = open_database(url)
    start = server_now(db)
    past = FixedClock(start - dt.timedelta(days=20))
    sv.add_staff(db, past, None, "admin", name="Admin", role="admin", password="pw-admin-1")
    for i in range(workers):
        sv.add_staff(db, past, "admin", login(i), name=f"Workstation {i}", role="tier2")
    for name, country in RESELLERS:
        sv.add_reseller(db, past, "admin", name, country=country)
    made: dict[str, list[str]] = collections.defaultdict(list)
    for n in range(tickets):
        who = login(n % workers)
        t = sv.log_ticket(
            db, past, who, reseller=RESELLERS[n % 2][0], contact=f"Contact {n % 17}",
            phone="+44 20 7946 0000", tenant=f"tenant-{n % 11}", impact="some", channel="phone",
            summary=f"backlog case {n}",
        )  # fmt: skip
        shape = n % 5
        if shape >= 1:
            sv.assign(db, past, who, t.number, engineer=who)
        if shape == 2:
            sv.request_info(db, past, who, t.number, note="which mailbox?")
        if shape == 3:
            sv.resolve(db, past, who, t.number, reason="fixed")
        made[("logged", "assigned", "awaiting_info", "resolved", "assigned")[shape]].append(t.number)

    # Deadlines spread over the run, so the rule passes have work throughout.
    def within() -> dt.datetime:
        return start + dt.timedelta(seconds=rng.uniform(1.0, max(2.0, seconds * 0.9)))

    from deskapp.store.bulk_setup import past_ticket_triggers
    from deskapp.store.models import Ticket

    # Deadlines no step sets this way: moved by the desk's owner, past the PostgreSQL
    # ticket triggers (schema v10).
    with past_ticket_triggers(db):
        for number in made["logged"] + made["assigned"]:
            Ticket.update(response_due=within()).where(Ticket.number == number).execute()
        for number in made["awaiting_info"]:
            due = within()
            resolve_at = due + dt.timedelta(seconds=rng.uniform(1, 10))
            Ticket.update(next_chaser_due=due, auto_resolve_at=resolve_at).where(
                Ticket.number == number
            ).execute()
        for number in made["resolved"]:
            Ticket.update(closes_at=within()).where(Ticket.number == number).execute()
    db.close()


# --- one workstation -----------------------------------------------------------------------------


class Ears:
    """The workstation's change feed on its one connection (the work connection: a desk
    of fifty fits a default server), heard by a thread beside the work, which looks
    between the work's statements and never holds the connection while it waits."""

    def __init__(self, db: pw.Database) -> None:
        from deskapp.store.change_feed import SharedPostgresFeed

        self.heard: list[tuple[str, float]] = []
        self._feed = SharedPostgresFeed(db)  # in the work's thread: LISTEN on its connection
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        from deskapp.store.change_feed import FeedLost

        while not self._stop.is_set():
            try:
                numbers = self._feed.wait(0.2)
            except FeedLost:
                return  # the work connection closed: the run is over
            now = time.time()
            self.heard.extend((number, now) for number in numbers)

    def between_steps(self) -> None:
        """A look from the work's own thread too, right after a step (never waits)."""
        numbers = self._feed.wait(0.0)
        now = time.time()
        self.heard.extend((number, now) for number in numbers)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._feed.close()


def pick(statuses: tuple[str, ...], rng: random.Random) -> tuple[str, int] | None:
    from deskapp.store.models import Ticket

    row = (
        Ticket.select(Ticket.number, Ticket.version)
        .where(Ticket.status.in_(list(statuses)))
        .order_by(pw.fn.random())
        .limit(1)
        .tuples()
        .first()
    )
    return None if row is None else (str(row[0]), int(row[1]))


def act(
    kind: str, db: pw.Database, clock: Any, me: str, number: str, version: int, rng: random.Random
) -> None:
    kw: dict[str, Any] = {"expected_version": version}
    if kind == "assign":
        sv.assign(db, clock, me, number, engineer=me, **kw)
    elif kind == "request_info":
        sv.request_info(db, clock, me, number, note="please send the error text", **kw)
    elif kind == "info_received":
        sv.info_received(db, clock, me, number, note="reseller replied", **kw)
    elif kind == "escalate":
        sv.escalate(db, clock, me, number, note="steps taken: restarted the service",
                    provider="Microsoft", provider_ref=f"MS-{rng.randint(1000, 9999)}", **kw)  # fmt: skip
    elif kind == "resolve":
        sv.resolve(db, clock, me, number, reason="fixed and confirmed by phone", **kw)
    elif kind == "note":
        sv.note(db, clock, me, number, text=f"called the reseller ({rng.randint(1, 999)})", **kw)
    else:
        raise ValueError(kind)


def workstation(i: int, url: str, start_at: Any, seconds: float, think: float, out: str, ready: Any) -> None:
    from deskapp.rules import run_rules
    from deskapp.store.db_clock import desk_clock

    rng = random.Random(1000 + i)
    me = login(i)
    db = open_database(url, on_full=lambda text: print(f"{me}: {text}", file=sys.stderr, flush=True))
    clock = desk_clock(db)
    # What the app does once at start-up, before anyone works: read the policy and build
    # its SLA engine (the holiday calendar). Left to the first step, fifty workstations
    # starting at the same instant would time that (~0.4 s of CPU each) as their work.
    from deskapp.services.operation import engine_for

    engine_for(None)
    # and shows the queue and a ticket (the server session reads its tables once, early).
    first = pick(NEEDS["note"], rng)
    if first is not None:
        sv.ticket_detail(db, first[0])
    ears = Ears(db)
    ready.put(i)
    while start_at.value == 0.0:
        time.sleep(0.01)
    deadline = start_at.value + seconds
    while time.time() < start_at.value:
        time.sleep(0.001)
    kinds = [k for k, _w in MIX]
    weights = [w for _k, w in MIX]
    ops: list[tuple[str, float, str]] = []  # kind, latency s, outcome ok|stale|error
    claims: list[tuple[str, int]] = []  # (number, version this save made)
    commits: list[tuple[str, float, float]] = []  # (number, when the save began, when it returned)
    rule_transitions = 0
    rule_passes = [0, 0]  # run, skipped (another's was running)
    errors: list[str] = []
    while time.time() < deadline:
        kind = rng.choices(kinds, weights)[0]
        target = None
        if kind in NEEDS:
            try:
                target = pick(NEEDS[kind], rng)
            except pw.PeeweeException as exc:
                errors.append(f"pick: {exc}")
                continue
            if target is None:
                kind = "log"
        began = time.perf_counter()
        began_wall = time.time()
        try:
            if kind == "log":
                t = sv.log_ticket(
                    db, clock, me, reseller=RESELLERS[rng.randint(0, 1)][0], contact="Pat Jones",
                    phone="+44 20 7946 0000", tenant="main", impact=rng.choice(["some", "howto"]),
                    channel="phone", summary="mail not syncing",
                )  # fmt: skip
                done = time.time()
                claims.append((t.number, 1))
                commits.append((t.number, began_wall, done))
            elif kind == "rules":
                # As the app's rules timer: a pass that finds another workstation's running
                # leaves what is due to it (exactly-once) instead of waiting for its lock.
                summary = run_rules(db, clock, skip_if_busy=True)
                done = time.time()
                rule_passes[summary.skipped] += 1
                changed = [n for numbers in summary.applied.values() for n in numbers]
                rule_transitions += len(changed)
                commits.extend((n, began_wall, done) for n in dict.fromkeys(changed))
            else:
                assert target is not None
                number, version = target
                act(kind, db, clock, me, number, version, rng)
                done = time.time()
                claims.append((number, version + 1))
                commits.append((number, began_wall, done))
            ops.append((kind, time.perf_counter() - began, "ok"))
        except STALE:
            ops.append((kind, time.perf_counter() - began, "stale"))
        except Exception as exc:  # counted and shown: a failed save is never silent
            ops.append((kind, time.perf_counter() - began, "error"))
            errors.append(f"{kind}: {type(exc).__name__}: {exc}")
        ears.between_steps()
        if think:
            time.sleep(rng.uniform(0, 2 * think))
    time.sleep(1.5)  # let the last notifications arrive
    ears.close()
    db.close()
    Path(out).write_text(json.dumps({
        "login": me, "ops": ops, "claims": claims, "commits": commits, "heard": ears.heard,
        "rule_transitions": rule_transitions, "rule_passes": rule_passes, "errors": errors[:20],
        "error_count": len(errors),
    }))  # fmt: skip


# --- the audit -----------------------------------------------------------------------------------


def audit(url: str, results: list[dict[str, Any]]) -> dict[str, int]:
    from deskapp.store.models import History, Ticket

    db = open_database(url)
    rows: dict[int, list[tuple[str, str]]] = collections.defaultdict(list)
    events: Any = History.select(History.ticket, History.actor, History.kind).order_by(History.id).tuples()
    for ticket_id, actor, kind in events:
        rows[int(ticket_id)].append((str(actor), str(kind)))
    numbers: Any = Ticket.select(Ticket.id, Ticket.number).tuples()
    ids = {str(n): int(i) for i, n in numbers}
    versions: dict[int, int] = {}
    pairs: Any = Ticket.select(Ticket.id, Ticket.version).tuples()
    for tid, ver in pairs:
        versions[int(tid)] = int(ver)
    mismatched = sum(1 for i, v in versions.items() if len(rows[i]) != v)
    lost = 0
    claimed: collections.Counter[tuple[str, int]] = collections.Counter()
    for r in results:
        for number, version in r["claims"]:
            claimed[(number, version)] += 1
            made = rows[ids[number]]
            if version > len(made) or made[version - 1][0] != r["login"]:
                lost += 1
    lost += sum(n - 1 for n in claimed.values() if n > 1)
    duplicates = 0
    for history in rows.values():
        last_rule_kind: set[str] = set()
        for actor, kind in history:
            if actor != "rules":
                last_rule_kind.clear()
            elif kind in last_rule_kind:
                duplicates += 1
            else:
                last_rule_kind.add(kind)
    db.close()
    return {"lost": lost, "claims": sum(claimed.values()), "mismatched": mismatched, "duplicates": duplicates}


def propagation(results: list[dict[str, Any]], after: float = 0.0) -> tuple[list[float], list[float], int]:
    """For each save and each other workstation: seconds until that workstation heard the
    ticket's number, counted from the save's start (an upper bound: it includes the save
    itself) and from its return (a lower bound, 0 when heard before the saver got the
    answer); and how many were never heard. `after`: only saves begun at least that many
    seconds after the first one."""
    first = min((c[1] for r in results for c in r["commits"]), default=0.0)
    heard_by: list[dict[str, list[float]]] = []
    for r in results:
        times: dict[str, list[float]] = collections.defaultdict(list)
        for number, at in r["heard"]:
            times[number].append(at)
        heard_by.append({n: sorted(ts) for n, ts in times.items()})
    upper: list[float] = []
    lower: list[float] = []
    missed = 0
    for w, r in enumerate(results):
        for number, began, done in r["commits"]:
            if began < first + after:
                continue
            for other, heard in enumerate(heard_by):
                if other == w:
                    continue
                ts = heard.get(number, [])
                k = bisect.bisect_left(ts, began)
                if k == len(ts):
                    missed += 1
                else:
                    upper.append(ts[k] - began)
                    lower.append(max(0.0, ts[k] - done))
    return upper, lower, missed


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--backlog", type=int, default=300, help="tickets seeded before the run")
    parser.add_argument(
        "--think",
        type=float,
        default=0.05,
        help="mean pause between one person's steps, seconds (default 0.05)",
    )
    parser.add_argument("--grace", type=float, default=60.0)
    parser.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        help="also show the change figure for saves after this many seconds (default 5)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    args = parser.parse_args()
    base = os.environ.get(PG_ENV)
    if not base:
        print(f"desk_load: set {PG_ENV} to a PostgreSQL URL on 127.0.0.1", file=sys.stderr)
        return 2
    if (urlsplit(base).hostname or "") not in ("127.0.0.1", "localhost"):
        print("desk_load: only a server on 127.0.0.1 is loaded", file=sys.stderr)
        return 2
    rng = random.Random(7)
    schema = f"desk_load_{uuid.uuid4().hex[:10]}"
    admin = database_from_url(base)
    admin.connect()
    raw_sql(admin, f'CREATE SCHEMA "{schema}"')
    url = with_schema(base, schema)
    ctx = mp.get_context("spawn")
    procs: list[Any] = []
    try:
        built = time.perf_counter()
        seed(url, args.workers, args.backlog, args.seconds, rng)
        print(f"desk_load: schema {schema}, {args.workers} workstations, {args.backlog} tickets seeded "
              f"in {time.perf_counter() - built:.1f} s; running {args.seconds:g} s", flush=True)  # fmt: skip
        start_at = ctx.Value("d", 0.0)
        ready = ctx.Queue()
        tmp = Path(tempfile.mkdtemp(prefix="desk_load_"))
        outs = [str(tmp / f"w{i:02d}.json") for i in range(args.workers)]
        for i in range(args.workers):
            work = (i, url, start_at, args.seconds, args.think, outs[i], ready)
            p = ctx.Process(target=workstation, args=work)
            p.start()
            procs.append(p)
        for _ in range(args.workers):
            ready.get(timeout=120)
        start_at.value = time.time() + 0.5
        for p in procs:
            p.join(timeout=max(1.0, start_at.value + args.seconds + args.grace - time.time()))
        for p in procs:
            if p.is_alive():
                p.kill()
        results = [json.loads(Path(o).read_text()) for o in outs if Path(o).exists()]
        shutil.rmtree(tmp, ignore_errors=True)
        report(url, args, results)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
        if not args.keep:
            raw_sql(admin, f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()
    return 0


def report(url: str, args: argparse.Namespace, results: list[dict[str, Any]]) -> None:
    ops = [tuple(o) for r in results for o in r["ops"]]
    ok = [o for o in ops if o[2] == "ok"]
    stale = sum(1 for o in ops if o[2] == "stale")
    failed = sum(1 for o in ops if o[2] == "error")
    lat = [float(o[1]) * 1000 for o in ok]
    print(f"workstations finished: {len(results)}/{args.workers}")
    print(f"operations: {len(ok)} saved in {args.seconds:g} s = {len(ok) / args.seconds:.1f}/s; "
          f"{stale} refused as stale (conflict or state changed meanwhile); {failed} failed")  # fmt: skip
    print(f"latency: p50 {pct(lat, 0.5):.1f} ms, p95 {pct(lat, 0.95):.1f} ms")
    by_kind: dict[str, list[float]] = collections.defaultdict(list)
    for kind, seconds, _outcome in ok:
        by_kind[str(kind)].append(float(seconds) * 1000)
    for kind, values in sorted(by_kind.items()):
        p50, p95 = pct(values, 0.5), pct(values, 0.95)
        print(f"  {kind:14s} n={len(values):6d}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    passes = [sum(r["rule_passes"][k] for r in results) for k in (0, 1)]
    print(f"rule transitions applied: {sum(r['rule_transitions'] for r in results)} by {passes[0]} passes; "
          f"{passes[1]} passes skipped (another workstation's was running)")  # fmt: skip
    checks = audit(url, results)
    print(f"lost updates: {checks['lost']} (of {checks['claims']} saves checked; "
          f"tickets whose version differs from their history: {checks['mismatched']})")  # fmt: skip
    print(f"duplicate rule transitions: {checks['duplicates']}")
    upper, lower, missed = propagation(results)
    up, low = [d * 1000 for d in upper], [d * 1000 for d in lower]
    print(f"change reaches the other workstations: p95 {pct(up, 0.95):.0f} ms (p50 {pct(up, 0.5):.0f} ms, "
          f"max {max(up, default=float('nan')):.0f} ms) counted from the start of the save; "
          f"p95 {pct(low, 0.95):.0f} ms after the save returned; {len(up)} deliveries, "
          f"{missed} never heard")  # fmt: skip
    # Fifty workstations that start in the same instant each warm their server session (its
    # catalogue caches, the triggers' compiled functions) with their first steps, all at once:
    # the figure once that has passed too (the whole run's is the line above).
    upper, lower, _ = propagation(results, after=args.warmup)
    up, low = [d * 1000 for d in upper], [d * 1000 for d in lower]
    print(f"  saves begun after the first {args.warmup:g} s: p95 {pct(up, 0.95):.0f} ms from the start of "
          f"the save, p95 {pct(low, 0.95):.0f} ms after it returned (p50 {pct(low, 0.5):.0f} ms, "
          f"max {max(low, default=float('nan')):.0f} ms); {len(up)} deliveries")  # fmt: skip
    errors = [e for r in results for e in r["errors"]]
    if errors:
        print(f"errors ({sum(r['error_count'] for r in results)}), first few:")
        for e in errors[:5]:
            print(f"  {e}")


if __name__ == "__main__":
    sys.exit(main())
