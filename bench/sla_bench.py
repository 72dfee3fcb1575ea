"""Benchmark the SLA arithmetic against pandas and businesstimedelta.

One run, one set of seeded random cases (instants uniform over 2024-2028 UTC,
all hours, random seconds and microseconds), three operations:

    add      due = logged + 4 business hours             (the P2 rule)
    between  business time from a to b (b 0..30 days after a)
    nbd      18:00 on the first business day after the local date (P3)

timed for our scalar path (the public datetime API), our batch path (int64
microsecond arrays, warm, with and without converting datetimes in), pandas
CustomBusinessHour and businesstimedelta. Peers are slow, so they run on the
first N of the same cases; their answers are compared with ours on those and
each kind of disagreement is shown with local times, so a reader can judge
who is right. Random instants almost never land on a boundary (a clock
running out at exactly 18:00 needs a start at exactly 14:00:00.000000), so a
second, untimed set of boundary instants shows how each rule is read there.
Figures, not assertions: the exit status is 0.

    python3 bench/sla_bench.py [--cases N] [--peer-cases N] [--repeat N] [--seed N]
                               [--no-boundary]

Needs the `bench` extra (pandas, businesstimedelta); numpy comes with deskapp.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import numpy.typing as npt
import pandas as pd
from businesstimedelta import BusinessTimeDelta, HolidayRule, Rules, WorkDayRule
from pandas.tseries.offsets import CustomBusinessDay, CustomBusinessHour

from deskapp.domain.sla_batch import BatchSla, to_us_array
from deskapp.sla import engine

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
US = dt.timedelta(microseconds=1)
FOUR_HOURS = dt.timedelta(hours=4)
FOUR_HOURS_US = FOUR_HOURS // US
ONE_DAY = dt.timedelta(days=1)
MIDNIGHT = dt.time(0)
OPEN, CLOSE = dt.time(8), dt.time(18)

# The cases: instants uniform over these five calendar years, in UTC.
CASES_FROM = dt.datetime(2024, 1, 1, tzinfo=UTC)
CASES_UNTIL = dt.datetime(2029, 1, 1, tzinfo=UTC)
MAX_GAP = dt.timedelta(days=30)
# Peers get every holiday that any case (and any answer) could touch.
PEER_HOLIDAY_YEARS = range(2023, 2031)
# Boundary set: these local wall times on every day of the case years
# (01:30 is in the spring gap once a year and in the autumn fold once a year:
# both readings of the fold are included).
BOUNDARY_TIMES = tuple(
    dt.time(h, m, s, us)
    for h, m, s, us in (
        (0, 0, 0, 0), (1, 30, 0, 0), (7, 59, 59, 999_999), (8, 0, 0, 0),
        (14, 0, 0, 0), (17, 59, 59, 999_999), (18, 0, 0, 0),
    )
)  # fmt: skip

OPS = ("add", "between", "nbd")
OP_TITLES = {
    "add": "add 4 business hours",
    "between": "business time between",
    "nbd": "next-business-day due",
}
OURS = "our scalar"
BATCH = "our batch"
BATCH_IN = "our batch + to_us_array"
SCALAR_TARGET = 40.0
BATCH_TARGET = 10.0
MAX_EXAMPLES = 3


# --- cases ----------------------------------------------------------------


@dataclass(frozen=True)
class Cases:
    starts: list[dt.datetime]  # aware UTC
    ends: list[dt.datetime]  # aware UTC, at or after the start

    def head(self, m: int) -> Cases:
        return Cases(self.starts[:m], self.ends[:m])

    def __len__(self) -> int:
        return len(self.starts)


def random_cases(n: int, seed: int) -> Cases:
    rng = np.random.default_rng(seed)
    lo, hi = (CASES_FROM - EPOCH) // US, (CASES_UNTIL - EPOCH) // US
    start_us = rng.integers(lo, hi, size=n, dtype=np.int64)
    gap_us = rng.integers(0, MAX_GAP // US, size=n, endpoint=True, dtype=np.int64)
    # Built with plain datetime arithmetic, not the engine's from_us, so the
    # cases do not depend on the code under test.
    starts = [EPOCH + dt.timedelta(microseconds=int(u)) for u in start_us]
    ends = [s + dt.timedelta(microseconds=int(g)) for s, g in zip(starts, gap_us, strict=True)]
    return Cases(starts, ends)


def boundary_cases() -> Cases:
    """Every day of the case years at BOUNDARY_TIMES; each paired with a later one."""
    instants: set[dt.datetime] = set()
    day = CASES_FROM.date()
    while day < CASES_UNTIL.date():
        for at in BOUNDARY_TIMES:
            for fold in (0, 1):
                wall = dt.datetime.combine(day, at, tzinfo=LONDON).replace(fold=fold)
                instants.add(wall.astimezone(UTC))
        day += ONE_DAY
    starts = sorted(instants)
    # A deterministic spread of ends, from the same instant to ~four weeks on.
    ends = [starts[min(i + (i * 7919) % 200, len(starts) - 1)] for i in range(len(starts))]
    return Cases(starts, ends)


def to_local_naive(moment: dt.datetime) -> dt.datetime:
    """Europe/London wall time without tzinfo: what the peers compute in."""
    return moment.astimezone(LONDON).replace(tzinfo=None)


class AmbiguousAnswer(ValueError):
    """A peer's naive local answer that names no instant or two (a DST change)."""


def local_naive_to_utc(wall: dt.datetime) -> dt.datetime:
    """The UTC instant of a naive Europe/London wall time, refusing gaps and folds.

    Peer answers are wall times; within business hours (08:00-18:00) they are
    never in a DST gap or fold, so one that is gets reported, not guessed.
    """
    early = wall.replace(tzinfo=LONDON, fold=0)
    late = wall.replace(tzinfo=LONDON, fold=1)
    if early.utcoffset() != late.utcoffset():
        raise AmbiguousAnswer(f"{wall.isoformat()} is in a DST gap or fold in Europe/London")
    return early.astimezone(UTC)


def peer_holidays() -> list[dt.date]:
    """England & Wales bank holidays UNION Irish public holidays (SLA-RULES.md)."""
    days: set[dt.date] = set()
    for country, subdiv in (("GB", "ENG"), ("IE", None)):
        days.update(holidays.country_holidays(country, subdiv=subdiv, years=PEER_HOLIDAY_YEARS))
    return sorted(days)


def calendar_differences() -> int:
    """Weekdays of the peers' years where their holiday list and our engine differ."""
    calendar = engine().calendar
    days = set(peer_holidays())
    day, last, differ = dt.date(PEER_HOLIDAY_YEARS.start, 1, 1), dt.date(2030, 12, 31), 0
    while day <= last:
        if day.weekday() < 5 and calendar.is_business_day(day) == (day in days):
            differ += 1
        day += ONE_DAY
    return differ


# --- timing ---------------------------------------------------------------


@dataclass
class Job:
    """One implementation of one operation over a set of cases, timed as a whole."""

    op: str
    impl: str
    n: int
    run: Callable[[], Any]
    best: float = float("inf")  # seconds, best run
    answer: Any = None  # the last run's answers

    @property
    def us_per_op(self) -> float:
        return self.best / self.n * 1e6


def time_jobs(jobs: Sequence[Job], rounds: int) -> None:
    """Run every job `rounds` times, round-robin, keeping each one's best time.

    Round-robin, so a burst of load on this shared machine falls on every
    implementation alike rather than on whichever ran at that moment; the
    minimum is the least noisy estimate. The garbage collector is off while
    timing (as timeit does) so a collection triggered by one implementation's
    allocations is not billed to another.
    """
    for _ in range(max(1, rounds)):
        for job in jobs:
            job.answer = None  # free the last run's answers before timing again
            gc.collect()
            gc.disable()
            try:
                t0 = time.perf_counter()
                job.answer = job.run()
                elapsed = time.perf_counter() - t0
            finally:
                gc.enable()
            job.best = min(job.best, elapsed)


@dataclass
class Row:
    op: str
    impl: str
    n: int
    us_per_op: float | None  # None: the implementation has no such operation
    disagreements: int | None = None  # None: this row is the reference
    note: str = ""


# --- our implementation ---------------------------------------------------


def our_scalar_ops() -> dict[str, Callable[[Cases], list[Any]]]:
    """Our scalar path: the public datetime API, one call per case."""
    sla = engine()
    add = sla.calendar.add_business_time
    between = sla.calendar.business_time_between
    due = sla.response_due
    return {
        "add": lambda c: [add(s, FOUR_HOURS) for s in c.starts],
        "between": lambda c: [between(a, b) for a, b in zip(c.starts, c.ends, strict=True)],
        "nbd": lambda c: [due("P3", s) for s in c.starts],
    }


def batch_ops(batch: BatchSla, cases: Cases, convert: bool) -> dict[str, Callable[[], Any]]:
    """Our batch path on the cases' int64 arrays, or converting the datetimes in first."""
    start_us, end_us = to_us_array(cases.starts), to_us_array(cases.ends)
    starts, ends = cases.starts, cases.ends
    if convert:
        return {
            "add": lambda: batch.add_us(to_us_array(starts), FOUR_HOURS_US),
            "between": lambda: batch.between_us(to_us_array(starts), to_us_array(ends)),
            "nbd": lambda: batch.next_business_day_close_us(to_us_array(starts)),
        }
    return {
        "add": lambda: batch.add_us(start_us, FOUR_HOURS_US),
        "between": lambda: batch.between_us(start_us, end_us),
        "nbd": lambda: batch.next_business_day_close_us(start_us),
    }


def as_us(op: str, scalar_answers: list[Any]) -> npt.NDArray[np.int64]:
    """Scalar answers in the batch path's form: int64 microseconds."""
    if op == "between":
        return np.fromiter((d // US for d in scalar_answers), np.int64, len(scalar_answers))
    return to_us_array(scalar_answers)


def our_jobs(cases: Cases) -> list[Job]:
    n = len(cases)
    scalar = our_scalar_ops()
    batch = BatchSla(engine())
    warm, converting = batch_ops(batch, cases, convert=False), batch_ops(batch, cases, convert=True)
    # Warm both paths outside the timing: the first batch call builds the
    # numpy copies of the tables, which is not what a queue tick costs.
    for op in OPS:
        scalar[op](cases.head(1))
        warm[op]()
    jobs = [Job(op, OURS, n, partial(scalar[op], cases)) for op in OPS]
    jobs += [Job(op, BATCH, n, warm[op]) for op in OPS]
    jobs += [Job(op, BATCH_IN, n, converting[op]) for op in OPS]
    return jobs


# --- the peers ------------------------------------------------------------


@dataclass(frozen=True)
class PeerOp:
    run: Callable[[list[Any], list[Any]], list[Any]]  # peer-form starts, ends -> answers
    read: Callable[[Any], Any]  # an answer -> naive local wall time (due) or timedelta


@dataclass(frozen=True)
class Peer:
    name: str
    prepare: Callable[[dt.datetime], Any]  # aware UTC -> the peer's input (not timed)
    ops: dict[str, PeerOp]
    missing: dict[str, str]  # op -> why the peer has none


def pandas_peer() -> Peer:
    days = peer_holidays()
    # n=4 on the offset gives the same answers as 4 * CustomBusinessHour(...);
    # one offset object spares a multiplication per call.
    cbh4 = CustomBusinessHour(n=4, start="08:00", end="18:00", holidays=days)
    cbd = CustomBusinessDay(1, holidays=days)
    close = pd.Timedelta(hours=18)

    def wall(ts: pd.Timestamp) -> dt.datetime:
        moment: dt.datetime = ts.to_pydatetime()
        return moment

    return Peer(
        "pandas CustomBusinessHour",
        lambda m: pd.Timestamp(to_local_naive(m)),
        {
            "add": PeerOp(lambda s, _: [ts + cbh4 for ts in s], wall),
            # Local midnight, then +1 business day: that rolls a weekend or
            # holiday date to the next business day and a business date to
            # the one after (the first business day strictly after), then
            # the 18:00 close.
            "nbd": PeerOp(lambda s, _: [ts.normalize() + cbd + close for ts in s], wall),
        },
        {"between": "CustomBusinessHour has no business-time-between"},
    )


def btd_peer() -> Peer:
    # A plain dict of dates: HolidayRule asks `date in holidays` day by day.
    holiday_dict = dict.fromkeys(peer_holidays(), "holiday")
    workday = WorkDayRule(start_time=OPEN, end_time=CLOSE, working_days=[0, 1, 2, 3, 4])
    rules = Rules([workday, HolidayRule(holiday_dict)])
    four = BusinessTimeDelta(rules, hours=4)

    # Fed a naive datetime, businesstimedelta takes it as UTC and answers in
    # aware UTC; fed London wall times it computes in wall time, so its
    # answers are wall times labelled UTC: drop the label to read them.
    def wall(moment: dt.datetime) -> dt.datetime:
        return moment.replace(tzinfo=None)

    def same(delta: dt.timedelta) -> dt.timedelta:
        return delta

    return Peer(
        "businesstimedelta",
        to_local_naive,
        {
            "add": PeerOp(lambda s, _: [w + four for w in s], wall),
            # difference() answers a BusinessTimeDelta; `.timedelta` is its
            # value (`.hours` and `.seconds` are whole units derived from it).
            "between": PeerOp(
                lambda s, e: [rules.difference(a, b).timedelta for a, b in zip(s, e, strict=True)],
                same,
            ),
            # The first working period at or after the next local midnight
            # ends at 18:00 on the first business day strictly after today.
            "nbd": PeerOp(
                lambda s, _: [rules.next(dt.datetime.combine(w.date() + ONE_DAY, MIDNIGHT))[1] for w in s],
                wall,
            ),
        },
        {},
    )


def peer_jobs(peer: Peer, cases: Cases) -> list[Job]:
    # Conversion to the peer's naive local form is the caller's job: not timed.
    starts = [peer.prepare(s) for s in cases.starts]
    ends = [peer.prepare(e) for e in cases.ends]
    jobs = []
    for op, peer_op in peer.ops.items():
        run = peer_op.run
        run(starts[:1], ends[:1])  # warm the peer's own caches
        jobs.append(Job(op, peer.name, len(cases), partial(run, starts, ends)))
    return jobs


# --- disagreements --------------------------------------------------------


@dataclass
class Disagreements:
    count: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)  # kind -> up to 3
    kind_counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, example: str) -> None:
        self.count += 1
        self.kind_counts[kind] = self.kind_counts.get(kind, 0) + 1
        examples = self.examples.setdefault(kind, [])
        if len(examples) < MAX_EXAMPLES:
            examples.append(example)


def show(moment: dt.datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local:%a %Y-%m-%d %H:%M:%S.%f} {local.tzname()}"


def classify_due(ours: dt.datetime, peer: dt.datetime) -> str:
    ours_local, peer_local = ours.astimezone(LONDON), peer.astimezone(LONDON)
    if ours_local.time() == CLOSE and peer_local.time() == OPEN and peer > ours:
        return "clock runs out exactly at 18:00: ours due at the close, peer at the next opening"
    if ours_local.date() != peer_local.date():
        return "different due day"
    return "different due time on the same day"


def classify_between(ours: dt.timedelta, peer: dt.timedelta) -> str:
    if peer.microseconds == 0 and dt.timedelta(0) < ours - peer < dt.timedelta(seconds=1):
        return "peer drops the sub-second part (truncates to whole seconds)"
    return "different business time"


def compare(op: str, cases: Cases, ours: Sequence[Any], theirs: Sequence[Any]) -> Disagreements:
    """Each case where the peer's answer (already read) differs from ours, by kind."""
    found = Disagreements()
    for a, b, mine, answer in zip(cases.starts, cases.ends, ours, theirs, strict=True):
        if op == "between":
            if answer != mine:
                found.add(
                    classify_between(mine, answer),
                    f"from {show(a)} to {show(b)} | ours {mine} | peer {answer}",
                )
            continue
        try:
            due = local_naive_to_utc(answer)
        except AmbiguousAnswer as exc:
            found.add("peer answer in a DST gap or fold", f"logged {show(a)}: {exc}")
            continue
        if due != mine:
            found.add(classify_due(mine, due), f"logged {show(a)} | ours {show(mine)} | peer {show(due)}")
    return found


def peer_findings(
    peer: Peer, cases: Cases, ours: dict[str, list[Any]], answers: dict[str, list[Any]]
) -> tuple[list[Row], dict[str, Disagreements]]:
    """Rows without times, and the peer's disagreements with our answers, by operation."""
    rows, found = [], {}
    for op in OPS:
        if op not in peer.ops:
            rows.append(Row(op, peer.name, len(cases), None, note=f"n/a: {peer.missing[op]}"))
            continue
        read = peer.ops[op].read
        found[op] = compare(op, cases, ours[op], [read(a) for a in answers[op]])
        rows.append(Row(op, peer.name, len(cases), None, found[op].count))
    return rows, found


# --- report ---------------------------------------------------------------


def ratio_text(row: Row, scalar_us: float) -> str:
    us = row.us_per_op
    if us is None:
        return "n/a"
    if row.impl == OURS:
        return "1"
    factor = us / scalar_us
    return f"{factor:.1f}x slower" if factor >= 1 else f"{1 / factor:.1f}x faster"


def print_table(rows: list[Row], scalar_us: dict[str, float]) -> None:
    header = ("operation", "implementation", "cases", "us/op", "vs our scalar", "disagreements")
    lines = []
    for row in rows:
        us = row.us_per_op
        if row.disagreements is None:
            disagree = "(reference)" if us is not None else "n/a"
        else:
            disagree = f"{row.disagreements:,} / {row.n:,}"
        lines.append((
            OP_TITLES[row.op], row.impl, f"{row.n:,}",
            "n/a" if us is None else f"{us:.3f}",
            ratio_text(row, scalar_us[row.op]), disagree,
        ))  # fmt: skip
    widths = [max(len(c) for c in col) for col in zip(header, *lines, strict=True)]
    rule = "-+-".join("-" * w for w in widths)

    def fmt(cells: Sequence[str]) -> str:
        return " | ".join(
            c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    print(fmt(header))
    for i, (row, line) in enumerate(zip(rows, lines, strict=True)):
        if i == 0 or row.op != rows[i - 1].op:
            print(rule)
        print(fmt(line))
    for row in rows:
        if row.note:
            print(f"  {row.impl}, {OP_TITLES[row.op]}: {row.note}")


def print_targets(rows: list[Row], peers: Sequence[str]) -> None:
    by = {(r.op, r.impl): r.us_per_op for r in rows}
    print()
    for peer in peers:
        for op in OPS:
            mine, theirs = by[(op, OURS)], by[(op, peer)]
            if mine is None or theirs is None:
                print(f"target scalar >= {SCALAR_TARGET:.0f}x {peer}, {OP_TITLES[op]}: n/a")
                continue
            factor = theirs / mine
            verdict = "MET" if factor >= SCALAR_TARGET else "NOT MET"
            print(f"target scalar >= {SCALAR_TARGET:.0f}x {peer}, {OP_TITLES[op]}: {verdict} ({factor:.1f}x)")
    for op in OPS:
        mine, batch = by[(op, OURS)], by[(op, BATCH)]
        assert mine is not None and batch is not None
        factor = mine / batch
        verdict = "MET" if factor >= BATCH_TARGET else "NOT MET"
        title = f"target {BATCH} >= {BATCH_TARGET:.0f}x scalar per ticket, {OP_TITLES[op]}"
        print(f"{title}: {verdict} ({factor:.1f}x)")
    # The queue converts each ticket's instants once, on load; this line shows
    # what a caller pays when it converts on every call instead.
    for op in OPS:
        mine, converted = by[(op, OURS)], by[(op, BATCH_IN)]
        assert mine is not None and converted is not None
        print(f"for information, {BATCH_IN} vs scalar, {OP_TITLES[op]}: {mine / converted:.1f}x")


def print_disagreements(title: str, found: dict[str, dict[str, Disagreements]]) -> None:
    print()
    print(title)
    quiet = True
    for peer, per_op in found.items():
        for op, dis in per_op.items():
            for kind, examples in dis.examples.items():
                quiet = False
                print(f"- {peer}, {OP_TITLES[op]}: {kind}: {dis.kind_counts[kind]:,} cases, e.g.")
                for example in examples:
                    print(f"    {example}")
    if quiet:
        print("  none")


def run_untimed(jobs: Sequence[Job]) -> dict[str, list[Any]]:
    """Each job's answers from one run, by operation (the jobs of one implementation)."""
    return {job.op: job.run() for job in jobs}


def batch_disagreements(cases: Cases, scalar: dict[str, list[Any]], batch: dict[str, Any]) -> dict[str, int]:
    """Cases where a batch answer differs from the scalar answer (must be 0)."""
    return {op: int(np.count_nonzero(batch[op] != as_us(op, scalar[op]))) for op in batch}


def boundary_report(peers: Sequence[Peer]) -> None:
    """Untimed: the boundary set through every implementation, disagreements by kind."""
    cases = boundary_cases()
    ops = our_scalar_ops()
    ours = {op: ops[op](cases) for op in OPS}
    batch = batch_ops(BatchSla(engine()), cases, convert=False)
    wrong = batch_disagreements(cases, ours, {op: batch[op]() for op in OPS})
    times = ", ".join(f"{t:%H:%M:%S.%f}".removesuffix(".000000") for t in BOUNDARY_TIMES)
    print()
    print(
        f"Boundary cases (not timed): {len(cases):,} instants, every local day "
        f"{CASES_FROM:%Y}-{CASES_UNTIL.year - 1} at {times} (both readings of the autumn fold); "
        f"'between' pairs each with a later one (0..~4 weeks)."
    )
    counts = []
    found: dict[str, dict[str, Disagreements]] = {}
    for peer in peers:
        _, found[peer.name] = peer_findings(peer, cases, ours, run_untimed(peer_jobs(peer, cases)))
        for op in OPS:
            n = f"{found[peer.name][op].count:,}" if op in found[peer.name] else "n/a"
            counts.append(f"{peer.name} {op} {n}")
    print("  our batch vs our scalar: " + ", ".join(f"{op} {wrong[op]:,}" for op in OPS))
    print("  peers vs our scalar: " + "; ".join(counts))
    print_disagreements("Boundary-case disagreements with our scalar path, by kind:", found)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SLA arithmetic: ours against peers.")
    parser.add_argument("--cases", type=int, default=100_000, help="random cases for our paths")
    parser.add_argument(
        "--peer-cases", type=int, default=5_000, help="the first N of the same cases, for peers"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (round-robin); the best is kept")
    parser.add_argument("--seed", type=int, default=20_240_101)
    parser.add_argument(
        "--no-boundary", action="store_true", help="skip the untimed boundary-case comparison"
    )
    args = parser.parse_args(argv)
    n = max(1, args.cases)
    m = max(1, min(args.peer_cases, n))

    began = time.perf_counter()
    cases = random_cases(n, args.seed)
    peer_cases = cases.head(m)
    print(
        f"SLA benchmark: {n:,} random cases (seed {args.seed}), instants uniform over "
        f"{CASES_FROM:%Y-%m-%d}..{CASES_UNTIL - US:%Y-%m-%d} UTC, all hours, to the microsecond; "
        f"'between' ends 0..{MAX_GAP.days} days later."
    )
    print(
        f"Our paths run all {n:,} cases; peers run the first {m:,} of the same cases and are "
        f"compared with ours on those. Best of {args.repeat} round-robin rounds, GC off while timing."
    )
    print(
        f"Python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"holidays {holidays_version()}."
    )
    print(
        f"Peers' holidays: {len(peer_holidays())} dates, GB-ENG UNION IE, "
        f"{PEER_HOLIDAY_YEARS.start}-{PEER_HOLIDAY_YEARS.stop - 1}; weekdays where they and our "
        f"engine's calendar differ: {calendar_differences()}."
    )
    print()

    peers = (pandas_peer(), btd_peer())
    jobs = our_jobs(cases)
    for peer in peers:
        jobs += peer_jobs(peer, peer_cases)
    time_jobs(jobs, args.repeat)

    def answers(impl: str) -> dict[str, Any]:
        return {j.op: j.answer for j in jobs if j.impl == impl}

    scalar = answers(OURS)
    rows = [Row(j.op, j.impl, j.n, j.us_per_op) for j in jobs if j.impl == OURS]
    for impl in (BATCH, BATCH_IN):
        wrong = batch_disagreements(cases, scalar, answers(impl))
        rows += [Row(j.op, j.impl, j.n, j.us_per_op, wrong[j.op]) for j in jobs if j.impl == impl]
    found: dict[str, dict[str, Disagreements]] = {}
    timed = {(j.impl, j.op): j.us_per_op for j in jobs}
    for peer in peers:
        peer_rows, found[peer.name] = peer_findings(
            peer, peer_cases, {op: scalar[op][:m] for op in OPS}, answers(peer.name)
        )
        for row in peer_rows:
            row.us_per_op = timed.get((row.impl, row.op))
        rows += peer_rows

    order = {op: i for i, op in enumerate(OPS)}
    rows.sort(key=lambda r: order[r.op])  # stable: ours, batch, peers within an operation
    scalar_us = {r.op: r.us_per_op for r in rows if r.impl == OURS and r.us_per_op is not None}
    print_table(rows, scalar_us)
    print(
        "  our batch: int64 microsecond arrays in and out, tables already built; "
        "'+ to_us_array' also converts the aware datetimes in."
    )
    print(
        "  peers: cases converted to naive Europe/London wall time before timing; answers "
        "read back as UTC (refusing DST gaps and folds) for the comparison."
    )
    print_targets(rows, [p.name for p in peers])
    print_disagreements("Disagreements with our scalar path, by kind (Europe/London times):", found)
    if not args.no_boundary:
        boundary_report(peers)
    print()
    print(f"total run time {time.perf_counter() - began:.1f} s")
    return 0


def holidays_version() -> str:
    return str(getattr(holidays, "__version__", "?"))


if __name__ == "__main__":
    sys.exit(main())
