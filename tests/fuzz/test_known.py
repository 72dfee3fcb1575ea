"""The known list of issue 15, each example as a test (tests/fuzz/known.py).

These FAIL until branch `hostile` (which fixes that list in the product) is merged;
they are the tests of those fixes. Every other fuzz test passes before and after:
it does not fail on a known problem while its example here still fails.
"""

from __future__ import annotations

import pytest

from tests.fuzz.known import KNOWN, Known, run_example
from tests.fuzz.strategies import Ctx


@pytest.mark.parametrize("known", [pytest.param(k, id=k.id) for k in KNOWN])
def test_known(known: Known, request: pytest.FixtureRequest) -> None:
    ctx: Ctx = request.getfixturevalue(f"{known.backend}_desk")
    failures = run_example(known, ctx)
    assert not failures, f"issue 15: {known.issue}\n" + "\n".join(failures)
