"""Fuzz one command: hypothesis draws command lines from the parser, each is run and judged.

    fuzz_command(leaf, ctx, examples, record)

`record(found, known=...)` gets each input's problems (an empty list when all was
well); the tests' record fails on a problem, bench/fuzz_figures.py's counts it.
`known` is true when the problem is one of tests/fuzz/known.py whose own example
still fails (being fixed on branch hostile), so the suite is green until then and
strict from the moment the fix lands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import Leaf, Problem, problems, run_cli
from tests.fuzz.known import excused
from tests.fuzz.strategies import Ctx, command_line, instant, text

Record = Callable[..., None]

SETTINGS = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is repeatable
    database=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile("ci", SETTINGS)  # the counts are set per test (tests/fuzz/conftest.py)


def stdin() -> st.SearchStrategy[bytes]:
    """What a command may read from standard input: timestamps, a password, junk."""
    lines = st.lists(st.one_of(instant(), text()), max_size=4).map(
        lambda ls: "\n".join(ls).encode("utf-8", "surrogateescape")
    )
    return st.one_of(st.just(b""), lines, st.binary(max_size=40))


def judge(leaf: Leaf, argv: Sequence[str], given_stdin: bytes = b"") -> list[Problem]:
    outcome = run_cli(argv, given_stdin)
    return problems(outcome, leaf.names(argv), leaf.name)


def fuzz_command(leaf: Leaf, ctx: Ctx, examples: int, record: Record) -> None:
    @settings(SETTINGS, max_examples=examples)
    @given(argv=command_line(leaf, ctx), given_stdin=stdin())
    def check(argv: list[str], given_stdin: bytes) -> None:
        found = judge(leaf, argv, given_stdin)
        record(found, known=bool(found) and all(excused(argv, p) for p in found))

    check()
