"""Print pip constraints pinning every dependency pyproject.toml declares to its lower bound.

`python3 packaging/lowest.py [EXTRA ...] > lowest.txt`, then
`pip install -e '.[test]' -c lowest.txt`: what .ci/lowest-versions does, so a
lower bound that no longer works fails CI instead of a user's install. Every
dependency must have a `>=` bound (the script refuses one without); markers
(`; sys_platform == "win32"`) are kept.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# name[extras] specifiers ; marker
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*?)\s*(?:;\s*(.+))?$")


class LowestError(ValueError):
    pass


def lower_bound(requirement: str) -> tuple[str, str, str | None]:
    """(name, lowest version, marker) of one PEP 508 requirement string."""
    match = REQUIREMENT.match(requirement)
    if not match:
        raise LowestError(f"pyproject.toml: cannot read the requirement {requirement!r}")
    name, specifiers, marker = match.groups()
    lows = [s.strip()[2:].strip() for s in specifiers.split(",") if s.strip().startswith(">=")]
    if len(lows) != 1:
        raise LowestError(f"pyproject.toml: {requirement!r} needs exactly one lower bound (>=)")
    return name, lows[0], marker


def constraints(extras: list[str], pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    optional = project.get("optional-dependencies", {})
    requirements = list(project["dependencies"])
    for extra in extras:
        if extra not in optional:
            raise LowestError(f"pyproject.toml has no extra {extra!r} (known: {', '.join(optional)})")
        requirements += optional[extra]
    lines = []
    for requirement in requirements:
        name, low, marker = lower_bound(requirement)
        lines.append(f"{name}=={low}" + (f"; {marker}" if marker else ""))
    return lines


def not_at_lower_bound(extras: list[str]) -> list[str]:
    """Each pinned dependency whose installed version is not its lower bound (markers that
    do not apply here are skipped)."""
    from importlib.metadata import PackageNotFoundError, version

    wrong = []
    for line in constraints(extras):
        pin, _, marker = line.partition("; ")
        if marker and not _marker_applies(marker):
            continue
        name, low = pin.split("==")
        try:
            found = version(name)
        except PackageNotFoundError:
            wrong.append(f"{name} is not installed (wanted {low})")
            continue
        if _release(found) != _release(low):
            wrong.append(f"{name} {found} is installed, not the lower bound {low}")
    return wrong


def _release(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in re.findall(r"\d+", text.split("+")[0])[:3]]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _marker_applies(marker: str) -> bool:
    from packaging.markers import Marker  # there with the test extra (pytest needs it)

    return bool(Marker(marker).evaluate())


def main(argv: list[str]) -> int:
    check = "--check-installed" in argv
    extras = [a for a in argv if a != "--check-installed"]
    try:
        if not check:
            print("\n".join(constraints(extras)))
            return 0
        wrong = not_at_lower_bound(extras)
    except LowestError as exc:
        print(f"lowest: {exc}", file=sys.stderr)
        return 2
    for line in wrong:
        print(f"lowest: {line}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
