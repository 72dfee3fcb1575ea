"""`deskapp demo`: a living desk in a training database, made through the services.

Each ticket gets a plan of process steps at moments after it was logged; all
steps of all tickets are replayed in time order with a moving FixedClock, and
the rules run as the simulated desk's day goes by, so every history is one
the real process could have written (the rules resolve tickets nobody
answered, close them when their window ends, flag chasers and breaches).
A step the process refuses by then (say, information arriving after the
rules resolved the ticket) is skipped, and so is the rest of that plan.

    fill_demo(db, now, *, tickets=300, seed=7) -> DemoResult
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from deskapp import services as sv
from deskapp.domain.clock import FixedClock
from deskapp.domain.policy import default_policy
from deskapp.rules import run_rules
from deskapp.store.models import Ticket

RESELLERS = [
    ("Thames Valley Comms", "GB"), ("Pennine Networks", "GB"), ("Severn IT", "GB"),
    ("Clyde Cloud", "GB"), ("Liffey Systems", "IE"), ("Shannon Digital", "IE"),
    ("Corrib Connect", "IE"),
]  # fmt: skip
STAFF = [
    ("admin", "Alex Admin", "admin"), ("lead", "Lee Lead", "lead"),
    ("amy", "Amy Tier1", "tier1"), ("ben", "Ben Tier1", "tier1"), ("cat", "Cat Tier1", "tier1"),
    ("dev", "Dev Tier2", "tier2"), ("eve", "Eve Tier2", "tier2"),
]  # fmt: skip
TIER1, TIER2 = ["amy", "ben", "cat"], ["dev", "eve"]
SUMMARIES = {
    "all": ["Mail service down for the whole tenant", "Nobody can sign in", "Tenant offline"],
    "some": ["Shared mailbox not syncing", "Two users cannot send", "Calendar errors"],
    "howto": ["How to add a distribution list", "How to set up MFA", "Licence question"],
}
Step = tuple[dt.datetime, int, str, Callable[[FixedClock], Any]]


@dataclass
class DemoResult:
    tickets: int
    statuses: Counter[str] = field(default_factory=Counter)
    tiers: Counter[int] = field(default_factory=Counter)
    priorities: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)  # step name -> refusals
    reasons: list[str] = field(default_factory=list)

    def describe(self) -> str:
        parts = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items()))
        tiers = ", ".join(f"Tier {k} {v}" for k, v in sorted(self.tiers.items()))
        prios = ", ".join(f"{k} {v}" for k, v in sorted(self.priorities.items()))
        return f"demo desk: {self.tickets} tickets ({parts}; {tiers}; {prios})"


def _setup(db: pw.Database, clock: FixedClock) -> None:
    first, *rest = STAFF
    sv.add_staff(db, clock, None, first[0], name=first[1], role=first[2])
    for login, name, role in rest:
        sv.add_staff(db, clock, "admin", login, name=name, role=role)
    for name, country in RESELLERS:
        domain = name.split()[0].lower()
        sv.add_reseller(db, clock, "admin", name, country=country, email=f"desk@{domain}.example")


def _logged_at(rng: random.Random, now: dt.datetime, tz: Any, p1: bool) -> dt.datetime:
    day = (now - dt.timedelta(days=rng.uniform(0.2, 42))).astimezone(tz)
    if not p1:
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        day = day.replace(hour=rng.randint(8, 16), minute=rng.randint(0, 59))
    return day.astimezone(dt.UTC)


MAX_DEMO_TICKETS = 10_000  # about a minute to replay; a bigger desk belongs in bench/


def fill_demo(db: pw.Database, now: dt.datetime, *, tickets: int = 300, seed: int = 7) -> DemoResult:
    """Fill an empty training database (see the module docstring)."""
    if not 1 <= tickets <= MAX_DEMO_TICKETS:
        raise ValueError(f"a demo desk holds 1 to {MAX_DEMO_TICKETS} tickets, not {tickets}")
    rng = random.Random(seed)
    tz = default_policy().tz
    clock = FixedClock(now - dt.timedelta(days=60))
    _setup(db, clock)
    steps: list[Step] = []
    for i in range(tickets):
        steps += _plan(rng, i, now, tz)
    steps.sort(key=lambda s: (s[0], s[1]))
    numbers: dict[int, str] = {}
    dead: set[int] = set()
    out = DemoResult(tickets=0)
    last_rules = steps[0][0] if steps else now
    for at, key, name, act in steps:
        if key in dead or at > now:
            continue
        if at - last_rules > dt.timedelta(hours=4):
            clock.set(at)
            run_rules(db, clock)
            last_rules = at
        clock.set(at)
        try:
            result = act(clock) if key not in numbers else act(clock)(numbers[key])
        except sv.DeskError as exc:
            dead.add(key)
            out.skipped[name] += 1
            out.reasons.append(f"{name}: {exc}")
            continue
        if isinstance(result, Ticket) and key not in numbers:
            numbers[key] = result.number
    clock.set(now)
    run_rules(db, clock)
    out.tickets = len(numbers)
    for t in Ticket.select(Ticket.status, Ticket.tier, Ticket.priority):
        out.statuses[t.status] += 1
        out.tiers[t.tier] += 1
        out.priorities[t.priority] += 1
    return out


def _plan(rng: random.Random, key: int, now: dt.datetime, tz: Any) -> list[Step]:
    impact = rng.choices(["all", "some", "howto"], weights=[12, 50, 38])[0]
    channel = "phone" if impact == "all" else rng.choice(["phone", "email", "helpcentre"])
    seller, country = rng.choice(RESELLERS)
    first = rng.choice(["Pat", "Sam", "Jo", "Aoife", "Niall", "Priya", "Tom"])
    t0 = _logged_at(rng, now, tz, impact == "all")
    start_tier = tier = 2 if impact == "all" and rng.random() < 0.3 else 1
    db_steps: list[Step] = []
    h = dt.timedelta(hours=1)
    at = t0

    def add(delay_hours: float, name: str, fn: Callable[..., Any]) -> None:
        nonlocal at
        at = at + delay_hours * h
        db_steps.append((at, key, name, fn))

    def log(clock: FixedClock) -> Ticket:
        return sv.log_ticket(
            Ticket._meta.database, clock, rng.choice([*TIER1, "lead"]), reseller=seller,
            contact=f"{first} {seller.split()[0]}", email=f"{first.lower()}@example.com",
            phone="+44 20 7946 0958" if country == "GB" else "+353 1 555 0199",
            tenant=f"{seller.split()[0].lower()}-{rng.randint(1, 3)}", impact=impact,
            channel=channel, summary=rng.choice(SUMMARIES[impact]), tier=start_tier,
            end_users="all users" if impact == "all" else "a few users",
        )  # fmt: skip

    def svc(fn: Callable[..., Ticket], actor: str, **kw: Any) -> Callable[[FixedClock], Any]:
        return lambda clock: lambda number: fn(Ticket._meta.database, clock, actor, number, **kw)

    db_steps.append((t0, key, "log", log))
    engineer = rng.choice(TIER1) if tier == 1 else rng.choice(TIER2)
    if rng.random() < 0.9:  # a few are never told their number: breaches
        add(rng.uniform(0.05, 1.5), "notify", svc(sv.notify, engineer))
    if rng.random() < 0.08:
        return db_steps  # still just logged
    add(rng.uniform(0.1, 2), "assign", svc(sv.assign, "lead", engineer=engineer))
    path = rng.random()
    if path < 0.35:
        add(rng.uniform(0.5, 3), "request", svc(sv.request_info, engineer, note="need logs"))
        if rng.random() < 0.3:
            add(rng.uniform(20, 30), "chaser", svc(sv.chaser_sent, engineer))
        if rng.random() < 0.7:
            add(rng.uniform(2, 20), "info", svc(sv.info_received, engineer, note="logs sent"))
        else:
            return db_steps  # the rules resolve it after 3 business days
    if tier == 1 and rng.random() < 0.35:
        add(rng.uniform(1, 8), "esc2", svc(sv.escalate, engineer, note="restarted services"))
        engineer = rng.choice(TIER2)
        add(rng.uniform(0.2, 2), "assign2", svc(sv.assign, "lead", engineer=engineer))
        tier = 2
    if tier == 2 and rng.random() < 0.35:
        add(rng.uniform(2, 10), "esc3", svc(
            sv.escalate, engineer, note="config checked; vendor issue",
            provider="CloudVendor Ltd", provider_ref=f"CV-{rng.randint(10000, 99999)}",
        ))  # fmt: skip
        add(rng.uniform(4, 24), "tpu", svc(sv.third_party_update, engineer, note="fix in test"))
        tier = 3
    if rng.random() < 0.15:
        return db_steps  # still being worked
    add(rng.uniform(2, 48), "resolve", svc(sv.resolve, engineer, reason="fixed and tested"))
    answer = rng.random()
    if answer < 0.5:
        add(rng.uniform(1, 30), "confirm", svc(sv.confirm, engineer))
    elif answer < 0.62:
        add(rng.uniform(1, 30), "reject", svc(sv.reject, engineer, note="still failing"))
        if tier < 3:
            add(rng.uniform(1, 4), "assign3", svc(sv.assign, "lead", engineer=rng.choice(TIER2)))
        add(rng.uniform(4, 40), "resolve2", svc(sv.resolve, "dev", reason="second fix"))
    return db_steps
