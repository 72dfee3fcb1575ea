"""The fuzz suite's example counts and desks.

Hypothesis runs a bounded, repeatable number of examples: the profile "ci"
(tests/fuzz/runner.py: derandomized, so every run draws the same inputs; no
deadline, a database call may be slow on a busy machine), with these counts so
the whole suite takes about a minute on two shared cores:

    DESKAPP_FUZZ_EXAMPLES       per command on SQLite (default 8)
    DESKAPP_FUZZ_PG_EXAMPLES    per command on PostgreSQL (default 3)
    DESKAPP_FUZZ_FILE_EXAMPLES  per kind of file (default 12)

bench/fuzz_figures.py runs the same with many more, for the figures.

Each module gets one training desk on SQLite and one on PostgreSQL, filled once
by `deskapp demo` through the command line; the fuzzed commands then work on it
(and change it) example after example.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fuzz.desks import make_desk
from tests.fuzz.figures import FIGURES
from tests.fuzz.strategies import Ctx


def _count(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


EXAMPLES = _count("DESKAPP_FUZZ_EXAMPLES", 8)
PG_EXAMPLES = _count("DESKAPP_FUZZ_PG_EXAMPLES", 3)
FILE_EXAMPLES = _count("DESKAPP_FUZZ_FILE_EXAMPLES", 12)


@pytest.fixture(scope="module")
def fuzz_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Folders for the module's desks (the per-test isolation starts later than they do)."""
    home = tmp_path_factory.mktemp("fuzzhome")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("DATA", "CONFIG", "CACHE", "STATE"):
            mp.setenv(f"XDG_{name}_HOME", str(home / name.lower()))
        mp.setenv("DESKAPP_LOG_DIR", str(home / "logs"))
        yield home


@pytest.fixture(scope="module")
def sqlite_desk(fuzz_home: Path) -> Ctx:
    return make_desk(f"sqlite:///{fuzz_home / 'desk.sqlite3'}", fuzz_home / "sqlite")


@pytest.fixture(scope="module")
def postgres_desk(fuzz_home: Path) -> Iterator[Ctx]:
    from tests.fuzz.desks import pg_schema

    with pg_schema() as url:
        yield make_desk(url, fuzz_home / "pg")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES.tried:
        terminalreporter.write_line(f"fuzz: {FIGURES.line()}")
    path = os.environ.get("DESKAPP_FUZZ_FIGURES")
    if path:
        FIGURES.save(Path(path))
