"""The batch path answers exactly as the scalar path does."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np

from deskapp import sla
from deskapp.domain.business_calendar import to_us
from deskapp.domain.sla_batch import BAND_NAMES, NOT_RESPONDED, BatchSla, to_us_array

ENGINE = sla.engine()
LO = to_us(dt.datetime(2023, 6, 1, tzinfo=dt.UTC))
HI = to_us(dt.datetime(2029, 1, 1, tzinfo=dt.UTC))


def random_instants(n: int, seed: int) -> np.ndarray:
    rng = random.Random(seed)
    return np.array([rng.randrange(LO, HI) for _ in range(n)], dtype=np.int64)


def test_due_times_match_the_scalar_path() -> None:
    batch = BatchSla(ENGINE)
    logged = random_instants(5000, 1)
    for priority in ("P1", "P2", "P3"):
        expected = [ENGINE.response_due_us(priority, int(t)) for t in logged]
        assert batch.response_due_us(priority, logged).tolist() == expected


def test_mixed_priorities_keep_input_order() -> None:
    batch = BatchSla(ENGINE)
    logged = random_instants(300, 2)
    codes = [("P1", "P2", "P3")[i % 3] for i in range(300)]
    due = batch.response_due_mixed(codes, logged)
    assert due.tolist() == [ENGINE.response_due_us(c, int(t)) for c, t in zip(codes, logged, strict=True)]


def test_between_and_remaining_and_bands_match() -> None:
    batch = BatchSla(ENGINE)
    logged = random_instants(2000, 3)
    codes = np.array([("P1", "P2", "P3")[i % 3] for i in range(2000)])
    due = batch.response_due_mixed(list(codes), logged)
    wall = codes == "P1"
    targets = batch.targets_us(wall, logged, due)
    rng = random.Random(4)
    responded = np.array(
        [
            NOT_RESPONDED if rng.random() < 0.7 else int(t) + rng.randrange(0, 8 * 3_600_000_000)
            for t in logged
        ],
        dtype=np.int64,
    )
    for now_dt in (dt.datetime(2026, 3, 16, 12, tzinfo=dt.UTC), dt.datetime(2026, 3, 14, 12, tzinfo=dt.UTC)):
        now = to_us(now_dt)
        remaining = batch.remaining_us(wall, due, batch.elapsed_us(due), now)
        bands = batch.bands(remaining, targets, due, responded, now)
        for k in range(0, 2000, 7):
            c = ENGINE.countdown(
                str(codes[k]), _dt(logged[k]), now_dt,
                responded_at=None if responded[k] == NOT_RESPONDED else _dt(responded[k]),
            )  # fmt: skip
            assert remaining[k] == c.remaining // dt.timedelta(microseconds=1)
            assert targets[k] == c.target // dt.timedelta(microseconds=1)
            assert BAND_NAMES[bands[k]] is c.band


def test_to_us_array_marks_missing_as_not_responded() -> None:
    moments = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC), None]
    arr = to_us_array(moments)
    assert arr[1] == NOT_RESPONDED and arr[0] == to_us(moments[0])  # type: ignore[arg-type]


def test_elapsed_values_survive_table_growth() -> None:
    # A queue stores elapsed_us(due) once; growing the tables must not shift it.
    batch = BatchSla(ENGINE)
    due = random_instants(100, 5)
    before = batch.elapsed_us(due)
    batch.elapsed_us(np.array([to_us(dt.datetime(1995, 1, 1, tzinfo=dt.UTC))], dtype=np.int64))
    assert batch.elapsed_us(due).tolist() == before.tolist()
    assert [ENGINE.calendar.elapsed_us(int(t)) for t in due] == before.tolist()


def _dt(us: np.int64) -> dt.datetime:
    from deskapp.domain.business_calendar import from_us

    return from_us(int(us))


def test_boundary_instants_match_the_scalar_path() -> None:
    # Openings, closings and midnights (UTC and local), one microsecond either side,
    # every day for two years spanning DST changes and the Christmas holidays.
    batch = BatchSla(ENGINE)
    tz = ENGINE.calendar.tz
    edges = []
    day = dt.date(2025, 12, 1)
    while day < dt.date(2027, 12, 1):
        for clock_time in (dt.time(0), dt.time(8), dt.time(18), dt.time(1, 30)):
            local_edge = to_us(dt.datetime.combine(day, clock_time, tzinfo=tz))
            utc_edge = to_us(dt.datetime.combine(day, clock_time, tzinfo=dt.UTC))
            edges += [local_edge - 1, local_edge, local_edge + 1, utc_edge - 1, utc_edge]
        day += dt.timedelta(days=1)
    t = np.array(edges, dtype=np.int64)
    for priority in ("P2", "P3"):
        assert batch.response_due_us(priority, t).tolist() == [
            ENGINE.response_due_us(priority, int(x)) for x in edges
        ]
    assert batch.elapsed_us(t).tolist() == [ENGINE.calendar.elapsed_us(int(x)) for x in edges]
    long_amount = 123 * 3_600_000_000  # beyond the few-steps path: the search fallback
    expected = [ENGINE.calendar.add_us(int(x), long_amount) for x in edges]
    assert batch.add_us(t, long_amount).tolist() == expected
