"""Policy files no desk could use: nested 5,000 deep, a target of 99999999999999h, days
beyond a year, bytes that are not UTF-8; each refused naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskapp.domain.policy import MAX_TARGET_HOURS, PolicyError, load_policy
from deskapp.resources import default_policy_path
from tests.cli.hostile import refused

DEFAULT = Path(default_policy_path()).read_text(encoding="utf-8")


def _file(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "policy.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("nest", ["[" * 5000 + "]" * 5000, "{x=" * 5000 + "}" * 5000])
def test_deeply_nested_policy_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, nest: str
) -> None:
    path = _file(tmp_path, f"a = {nest}\n")
    for argv in (("sla", "due", "--priority", "P2", "2026-03-16T10:00:00Z"), ("calendar", "--year", "2026")):
        result = refused(capsys, "--policy", str(path), *argv, naming=str(path))
        assert "too deeply" in result.err and result.out == ""


@pytest.mark.parametrize("target", ["99999999999999h", f"{MAX_TARGET_HOURS + 1}h", "0h 99999999999999999m"])
def test_huge_target_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path, target: str) -> None:
    assert 'target = "4h"' in DEFAULT
    path = _file(tmp_path, DEFAULT.replace('target = "4h"', f'target = "{target}"'))
    result = refused(capsys, "--policy", str(path), "sla", "due", "--priority", "P2", "2026-03-16T10:00:00Z",
                     naming="target")  # fmt: skip
    assert str(path) in result.err


def test_longest_target_still_computes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _file(tmp_path, DEFAULT.replace('target = "4h"', f'target = "{MAX_TARGET_HOURS}h"'))
    load_policy(path)


@pytest.mark.parametrize("key", ["chaser_interval_business_days", "reopen_window_calendar_days"])
def test_days_beyond_a_year_are_refused(tmp_path: Path, key: str) -> None:
    lines = [
        f"{key} = 99999999999999999999" if line.startswith(f"{key} ") else line
        for line in DEFAULT.splitlines()
    ]
    path = _file(tmp_path, "\n".join(lines))
    with pytest.raises(PolicyError, match=key):
        load_policy(path)


def test_policy_that_is_not_utf8_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _file(tmp_path, DEFAULT.encode("utf-8") + b"\n# caf\xe9\n")
    result = refused(capsys, "--policy", str(path), "calendar", "--year", "2026", naming=str(path))
    assert "UTF-8" in result.err
