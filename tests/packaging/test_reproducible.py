"""Reproducible builds: pinned bundle, true lower bounds tried by CI, one version, the same checks.

- packaging/constraints.txt pins every package the bundle is built from, and each
  pin fits what pyproject.toml declares;
- packaging/lowest.py turns each declared lower bound into a pin for
  .ci/lowest-versions, which .ci/run calls;
- the version is written once (deskapp.__version__), pyproject reads it;
- .ci/run and .pre-commit-config.yaml check what CI checks, with one ruff version.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import deskapp

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import lowest  # noqa: E402

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "packaging" / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][A-Za-z0-9.+]*)", line)
        assert match, f"constraints.txt: {line!r} is not name==version"
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
        assert name not in pins, f"constraints.txt pins {name} twice"
        pins[name] = match.group(2)
    return pins


def _declared(extras: tuple[str, ...] = ("test", "package")) -> list[Requirement]:
    project = PYPROJECT["project"]
    texts = list(project["dependencies"])
    for extra in extras:
        texts += project["optional-dependencies"][extra]
    return [Requirement(t) for t in texts]


def test_every_declared_dependency_is_pinned_within_its_bounds() -> None:
    pins = _pins()
    for req in _declared():
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins, f"constraints.txt does not pin {req.name}"
        assert req.specifier.contains(pins[name]), f"{req.name}=={pins[name]} is outside {req.specifier}"
    # The extras' own packages (psycopg[binary] -> psycopg-binary) are pinned to match.
    assert pins["psycopg-binary"] == pins["psycopg"]
    # What the Windows build pulls in besides (keyring, PyInstaller, psycopg there).
    assert {"pywin32-ctypes", "pefile", "tzdata"} <= set(pins)


def test_the_bundle_is_built_from_the_pins() -> None:
    bundle_install = [line for line in CI_RUN.splitlines() if "'.[package]'" in line]
    assert bundle_install and all("-c packaging/constraints.txt" in line for line in bundle_install)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -e '.[package]' -c packaging/constraints.txt" in readme


def test_lowest_pins_each_lower_bound() -> None:
    lines = lowest.constraints(["test"])
    declared = _declared(("test",))
    assert len(lines) == len(declared)
    for line, req in zip(lines, declared, strict=True):
        name, low = line.split("==")
        assert name == req.name
        (bound,) = [s.version for s in req.specifier if s.operator == ">="]
        assert low == bound
    assert "peewee==3.17" not in lines, "3.17.9 cannot import deskapp.store.reconnect"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PySide6>=6.10,!=6.12.0", ("PySide6", "6.10", None)),
        ("psycopg[binary]>=3.2.1", ("psycopg", "3.2.1", None)),
        (
            'pywin32-ctypes>=0.2; sys_platform == "win32"',
            ("pywin32-ctypes", "0.2", 'sys_platform == "win32"'),
        ),
    ],
)
def test_lower_bound_reads_a_requirement(text: str, expected: tuple[str, str, str | None]) -> None:
    assert lowest.lower_bound(text) == expected


@pytest.mark.parametrize("text", ["numpy", "numpy<3", "numpy>=1,>=2", "!!"])
def test_a_requirement_without_one_lower_bound_is_refused(text: str) -> None:
    with pytest.raises(lowest.LowestError, match=r"pyproject\.toml"):
        lowest.lower_bound(text)


def test_ci_tries_the_lowest_versions() -> None:
    assert "bash .ci/lowest-versions" in CI_RUN
    script = (ROOT / ".ci" / "lowest-versions").read_text(encoding="utf-8")
    assert "packaging/lowest.py test > build/lowest-constraints.txt" in script
    assert "-c build/lowest-constraints.txt" in script and "--check-installed" in script
    assert "set -euo pipefail" in script


def test_the_version_is_written_once() -> None:
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "deskapp.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", deskapp.__version__)


def test_ci_and_pre_commit_check_the_same_things() -> None:
    for check in ("-m ruff check .", "-m ruff format --check .", "-m mypy"):
        assert check in CI_RUN, check
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    ids = re.findall(r"^\s*- id: ([\w-]+)$", config, flags=re.MULTILINE)
    assert ids == ["ruff", "ruff-format", "mypy"]
    rev = re.search(r"astral-sh/ruff-pre-commit\n\s*rev: v([\d.]+)$", config, flags=re.MULTILINE)
    assert rev and rev.group(1) == _pins()["ruff"], "pre-commit runs the ruff version the pins name"
    assert "entry: python -m mypy" in config and "language: system" in config
