"""The policy file: the shipped default, and clear errors for a malformed one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from deskapp.domain.business_calendar import BusinessCalendar
from deskapp.domain.policy import PolicyError, default_policy, load_policy
from deskapp.domain.sla import SlaEngine
from deskapp.resources import default_policy_path

DEFAULT_TEXT = default_policy_path().read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_policy_holds_the_contract() -> None:
    policy = default_policy()
    assert policy.timezone == "Europe/London"
    assert (policy.open_time, policy.close_time) == (dt.time(8), dt.time(18))
    assert policy.priority("P1").channels == ("phone",)
    assert policy.priority("P1").wall_clock and policy.priority("P1").target == dt.timedelta(hours=2)
    assert policy.priority("P2").target == dt.timedelta(hours=4)
    assert policy.priority("P3").next_business_day
    assert policy.at_risk_fraction == 0.25
    assert policy.awaiting_info_limit_days == 3
    assert policy.chaser_interval_days == 1
    assert policy.reopen_window_days == 5
    assert policy.chaser_restarts_auto_resolve is False
    assert policy.agreed_update_moves_auto_resolve is False
    assert policy.auto_resolved_at == "limit"
    assert policy.suggested_priority("all") == "P1"
    assert policy.suggested_priority("howto") == "P3"
    assert policy.version


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('timezone = "Europe/London"', 'timezone = "Europe/Atlantis"', "timezone"),
        ('close = "18:00"', 'close = "07:00"', "business_hours.close"),
        ('open = "08:00"', 'open = "eight"', "business_hours.open"),
        ('"Fri"]', '"Fry"]', "business_hours.days[4]"),
        ('target = "4h"', 'target = "soon"', "priorities.P2.target"),
        ('clock = "24x7"', 'clock = "sometimes"', "priorities.P1.clock"),
        ('channels = ["phone"]', 'channels = ["fax"]', "priorities.P1.channels[0]"),
        ("at_risk_fraction = 0.25", "at_risk_fraction = 2", "sla.at_risk_fraction"),
        (
            "reopen_window_calendar_days = 5",
            "reopen_window_calendar_days = -1",
            "process.reopen_window_calendar_days",
        ),
        ('version = "2026.1"\n', "", "version"),
        ('{ country = "IE" }', '{ country = "XX" }', "holidays.calendars[1].country"),
    ],
)
def test_malformed_policy_names_the_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    assert old in DEFAULT_TEXT
    with pytest.raises(PolicyError) as caught:
        load_policy(write(tmp_path, DEFAULT_TEXT.replace(old, new, 1)))
    assert caught.value.key == key
    assert key in str(caught.value)


def test_unreadable_and_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot be read"):
        load_policy(tmp_path / "missing.toml")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(write(tmp_path, "version = "))


def test_closures_and_removed_dates_change_the_calendar(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace(
        "closures = []", 'closures = [ { date = "2026-12-31", name = "Year-end shutdown" } ]'
    ).replace("removed = []", 'removed = ["2026-03-17"]')
    policy = load_policy(write(tmp_path, text))
    cal = BusinessCalendar(policy)
    assert not cal.is_business_day(dt.date(2026, 12, 31))
    closed = cal.closed_day(dt.date(2026, 12, 31))
    assert closed is not None and "Year-end shutdown" in closed.label
    assert cal.is_business_day(dt.date(2026, 3, 17))
    engine = SlaEngine(policy, cal)
    london = policy.tz
    # With St Patrick's Day worked, Monday 16:00 + 4h is Tuesday 10:00.
    assert engine.response_due("P2", dt.datetime(2026, 3, 16, 16, tzinfo=london)) == dt.datetime(
        2026, 3, 17, 10, tzinfo=london
    )


def test_extra_calendar_scotland(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace(
        '{ country = "IE" },', '{ country = "IE" },\n    { country = "GB", subdiv = "SCT" },'
    )
    cal = BusinessCalendar(load_policy(write(tmp_path, text)))
    assert not cal.is_business_day(dt.date(2026, 1, 2)), "2 January is a Scottish bank holiday"


OPEN_CHOICES = (
    "chaser_restarts_auto_resolve = false",
    "agreed_update_moves_auto_resolve = false",
    'auto_resolved_at = "limit"',
)


def test_the_open_choices_are_in_the_shipped_file() -> None:
    for line in OPEN_CHOICES:
        assert f"\n{line}\n" in DEFAULT_TEXT


def test_the_open_choices_other_settings(tmp_path: Path) -> None:
    text = (
        DEFAULT_TEXT.replace(OPEN_CHOICES[0], "chaser_restarts_auto_resolve = true")
        .replace(OPEN_CHOICES[1], "agreed_update_moves_auto_resolve = true")
        .replace(OPEN_CHOICES[2], 'auto_resolved_at = "rule_pass"')
    )
    policy = load_policy(write(tmp_path, text))
    assert policy.chaser_restarts_auto_resolve is True
    assert policy.agreed_update_moves_auto_resolve is True
    assert policy.auto_resolved_at == "rule_pass"


def test_a_file_without_the_open_choices_keeps_the_old_behaviour(tmp_path: Path) -> None:
    text = DEFAULT_TEXT
    for line in OPEN_CHOICES:
        text = text.replace(line, "")
    policy = load_policy(write(tmp_path, text))
    assert policy == default_policy()
    assert (
        policy.chaser_restarts_auto_resolve,
        policy.agreed_update_moves_auto_resolve,
        policy.auto_resolved_at,
    ) == (False, False, "limit")


@pytest.mark.parametrize(
    ("new", "key"),
    [
        ('auto_resolved_at = "pass"', "process.auto_resolved_at"),
        ('auto_resolved_at = "Limit"', "process.auto_resolved_at"),
        ("auto_resolved_at = 1", "process.auto_resolved_at"),
        ("auto_resolved_at = true", "process.auto_resolved_at"),
        ('chaser_restarts_auto_resolve = "false"', "process.chaser_restarts_auto_resolve"),
        ("chaser_restarts_auto_resolve = 0", "process.chaser_restarts_auto_resolve"),
        ('agreed_update_moves_auto_resolve = "yes"', "process.agreed_update_moves_auto_resolve"),
        ("agreed_update_moves_auto_resolve = 1", "process.agreed_update_moves_auto_resolve"),
    ],
)
def test_a_bad_open_choice_names_the_key(tmp_path: Path, new: str, key: str) -> None:
    old = next(line for line in OPEN_CHOICES if line.startswith(new.split(" ")[0] + " "))
    with pytest.raises(PolicyError) as caught:
        load_policy(write(tmp_path, DEFAULT_TEXT.replace(old, new, 1)))
    assert caught.value.key == key
    assert key in str(caught.value)
