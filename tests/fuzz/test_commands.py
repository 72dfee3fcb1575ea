"""Every command of the parser, fuzzed: no traceback, exit 0/1/2, an exit 2 names the input.

The commands come from walking `deskapp.cli.main.build_parser()`, so a new
command is fuzzed without a change here. Every command runs on the SQLite desk,
and every one that changes the desk (a new command too) also on PostgreSQL,
with fewer examples. Nothing is excluded; two things are bounded
(tests/fuzz/harness.py): a command line that would open the desktop app records
that and returns, and the `--watch` loops end after two passes (a Ctrl-C at the
second wait).
"""

from __future__ import annotations

import pytest

from tests.fuzz.conftest import EXAMPLES, PG_EXAMPLES
from tests.fuzz.figures import FIGURES
from tests.fuzz.harness import Leaf, Problem, leaves, run_cli
from tests.fuzz.runner import fuzz_command
from tests.fuzz.strategies import Ctx

READ_ONLY = frozenset({
    "sla due", "sla explain", "calendar", "staff list", "reseller list", "ticket show", "ticket list",
    "report", "mail outbox", "screenshots",
})  # fmt: skip
# Rendering every view with Qt takes seconds an example: fewer of them.
SLOW = {"screenshots": 2}

LEAVES = leaves()


def _params() -> list[object]:
    out: list[object] = []
    for leaf in LEAVES:
        for backend in ("sqlite",) if leaf.name in READ_ONLY else ("sqlite", "postgres"):
            out.append(pytest.param(leaf, backend, id=f"{leaf.name.replace(' ', '-')}-{backend}"))
    return out


def fail_on_problems(found: list[Problem], *, known: bool) -> None:
    FIGURES.record(found, known=known)
    assert known or not found, str(found[0])


def test_every_command_is_found() -> None:
    names = {leaf.name for leaf in LEAVES}
    assert {"sla due", "calendar", "ticket assign", "report", "survey import", "rules run"} <= names
    assert all(leaf.words for leaf in LEAVES)


@pytest.mark.parametrize(("leaf", "backend"), _params())
def test_command(
    leaf: Leaf, backend: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx: Ctx = request.getfixturevalue(f"{backend}_desk")
    monkeypatch.chdir(ctx.folder)  # a relative path lands in the desk's folder
    examples = EXAMPLES if backend == "sqlite" else PG_EXAMPLES
    fuzz_command(leaf, ctx, min(examples, SLOW.get(leaf.words[0], examples)), fail_on_problems)


def test_no_command_would_open_the_desktop_app(sqlite_desk: Ctx) -> None:
    # The one bounded case: with no command deskapp opens its window (the harness records it).
    outcome = run_cli(["--db", sqlite_desk.url])
    assert outcome.opened_gui and outcome.code == 0
