"""Every file the app reads, fuzzed (tests/fuzz/files.py): no traceback, errors name the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz import files
from tests.fuzz.conftest import FILE_EXAMPLES, PG_EXAMPLES
from tests.fuzz.strategies import Ctx
from tests.fuzz.test_commands import fail_on_problems


def _params() -> list[object]:
    return [
        pytest.param(name, backend, id=f"{name}-{backend}")
        for name in files.CHECKS
        for backend in (("sqlite", "postgres") if files.NEEDS_DESK[name] else ("sqlite",))
    ]


@pytest.mark.parametrize(("name", "backend"), _params())
def test_file(
    name: str, backend: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx: Ctx = request.getfixturevalue(f"{backend}_desk")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DESKAPP_TEMPLATE_DIR", raising=False)
    examples = FILE_EXAMPLES if backend == "sqlite" else PG_EXAMPLES
    files.fuzz_file(name, ctx, examples, fail_on_problems, tmp_path)


def test_every_kind_of_file_is_fuzzed() -> None:
    assert set(files.CHECKS) == {"policy", "survey", "settings", "database", "template", "holidays-cache"}
    assert set(files.STRATEGIES) == set(files.CHECKS) == set(files.NEEDS_DESK)
