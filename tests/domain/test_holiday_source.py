"""The holiday cache file: the same answers as the library, and never the reason for a failure."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import holidays
import pytest

from deskapp.domain import holiday_source
from deskapp.domain.business_calendar import BusinessCalendar
from deskapp.domain.policy import PolicyError, default_policy, load_policy
from deskapp.resources import default_policy_path

YEARS = range(2019, 2034)


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "cache" / "holidays.json"
    holiday_source.use_cache(path)
    yield path
    holiday_source.use_cache(None)


def _library(country: str, subdiv: str | None, years: range) -> dict[dt.date, str]:
    found = holidays.country_holidays(country, subdiv=subdiv, years=list(years))
    return {day: str(name) for day, name in found.items()}


def _no_library(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object) -> None:
        raise AssertionError("the library was asked")

    monkeypatch.setattr(holiday_source, "_from_library", refuse)


@pytest.mark.parametrize(("country", "subdiv"), [("GB", "ENG"), ("IE", None), ("GB", "SCT"), ("US", None)])
def test_cached_answers_are_the_librarys(
    cache: Path, monkeypatch: pytest.MonkeyPatch, country: str, subdiv: str | None
) -> None:
    first = holiday_source.holiday_names(country, subdiv, YEARS)
    assert first == _library(country, subdiv, YEARS)
    assert cache.exists()
    holiday_source.use_cache(cache)  # another process: only the file
    _no_library(monkeypatch)
    assert holiday_source.holiday_names(country, subdiv, YEARS) == first
    one_year = holiday_source.holiday_names(country, subdiv, [2026])
    assert one_year == _library(country, subdiv, range(2026, 2027))


def test_a_year_not_in_the_file_is_read_from_the_library(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holiday_source.holiday_names("GB", "ENG", [2026])
    asked: list[list[int]] = []
    real = holiday_source._from_library

    def counting(country: str, subdiv: str | None, years: list[int]) -> dict[int, dict[dt.date, str]]:
        asked.append(years)
        return real(country, subdiv, years)

    monkeypatch.setattr(holiday_source, "_from_library", counting)
    names = holiday_source.holiday_names("GB", "ENG", [2026, 2027])
    assert asked == [[2026, 2027]]
    assert dt.date(2027, 12, 27) in names  # Christmas Day (observed)
    assert sorted(json.loads(cache.read_text())["calendars"]["GB/ENG"]) == ["2026", "2027"]


def test_another_library_version_reads_afresh(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    holiday_source.holiday_names("GB", "ENG", [2026])
    content = json.loads(cache.read_text())
    content["calendars"]["GB/ENG"]["2026"] = {"2026-03-03": "Made-up Day"}
    content["holidays"] = "0.0.1"  # written by an older library
    cache.write_text(json.dumps(content))
    holiday_source.use_cache(cache)
    names = holiday_source.holiday_names("GB", "ENG", [2026])
    assert dt.date(2026, 3, 3) not in names and dt.date(2026, 12, 25) in names
    assert json.loads(cache.read_text())["holidays"] == version("holidays")


@pytest.mark.parametrize("damage", ["{ not json", '{"format": 99}', '{"format": 1, "calendars": []}', ""])
def test_a_damaged_file_is_ignored(cache: Path, damage: str) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_text(damage)
    holiday_source.use_cache(cache)
    assert holiday_source.holiday_names("IE", None, [2026]) == _library("IE", None, range(2026, 2027))


def test_a_file_that_cannot_be_written_is_ignored(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    holiday_source.use_cache(blocker / "holidays.json")
    try:
        assert holiday_source.holiday_names("IE", None, [2026]) == _library("IE", None, range(2026, 2027))
    finally:
        holiday_source.use_cache(None)


def test_a_calendar_the_library_lacks_is_still_refused(cache: Path) -> None:
    text = default_policy_path().read_text(encoding="utf-8")
    bad = cache.parent.parent / "bad.toml"
    bad.write_text(text.replace('{ country = "IE" }', '{ country = "XX" }'), encoding="utf-8")
    for _ in range(2):  # and again with the file written
        with pytest.raises(PolicyError) as caught:
            load_policy(bad)
        assert caught.value.key == "holidays.calendars[1].country"


def test_the_calendar_is_the_same_with_and_without_the_file(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = default_policy()
    BusinessCalendar(policy, 2024, 2030)  # writes the file
    holiday_source.use_cache(cache)
    with monkeypatch.context() as m:
        _no_library(m)
        with_file = BusinessCalendar(policy, 2024, 2030)
    holiday_source.use_cache(None)
    without = BusinessCalendar(policy, 2024, 2030)
    day = dt.date(2024, 1, 1)
    while day.year <= 2030:
        assert with_file.closed_day(day) == without.closed_day(day), day
        day += dt.timedelta(days=1)


def test_a_warm_cache_never_imports_the_library(tmp_path: Path) -> None:
    code = (
        "import sys, datetime as dt\n"
        "from pathlib import Path\n"
        "from deskapp.domain import holiday_source\n"
        f"holiday_source.use_cache(Path({str(tmp_path / 'h.json')!r}))\n"
        "from deskapp.sla import response_due\n"
        "print(response_due('P2', dt.datetime(2026, 12, 24, 17, tzinfo=dt.UTC)).isoformat())\n"
        "print('holidays' in sys.modules)\n"
    )
    run = [sys.executable, "-c", code]
    cold = subprocess.run(run, capture_output=True, text=True, check=True).stdout.split()
    warm = subprocess.run(run, capture_output=True, text=True, check=True).stdout.split()
    assert cold == ["2026-12-29T11:00:00+00:00", "True"]  # over Christmas and Boxing Day
    assert warm == ["2026-12-29T11:00:00+00:00", "False"]
