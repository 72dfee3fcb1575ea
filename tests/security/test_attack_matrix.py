"""Each group role, signed in as itself with plain SQL, against the desk's contract:
every statement of the matrix is refused or recorded truthfully; none escapes."""

from __future__ import annotations

import os

import pytest

from tests.security.attack_matrix import ATTACKS, NOT_ADMIN, Figures, run_matrix

FIGURES: list[Figures] = []  # printed at the end of the session (tests/security/conftest.py)


@pytest.fixture
def owner_url() -> str:
    url = os.environ.get("DESKAPP_TEST_PG_URL")
    if not url:
        if os.environ.get("CI") or os.environ.get("DESKAPP_REQUIRE_PG"):
            pytest.fail("DESKAPP_TEST_PG_URL is not set, and CI needs the PostgreSQL tests to run")
        pytest.skip("DESKAPP_TEST_PG_URL is not set")
    return url


def test_no_statement_escapes(owner_url: str) -> None:
    figures = run_matrix(owner_url)
    FIGURES.append(figures)
    print(figures.summary())
    assert not figures.escapes, "\n".join(f"{o.role}: {o.attack}: {o.detail}" for o in figures.escapes)
    # every case ran for every role it names, plus the rules lock
    assert figures.tried == sum(len(a.roles) for a in ATTACKS) + 1
    assert figures.count("refused") + figures.count("recorded") == figures.tried
    # refusals are the server's own, in words, not a test artefact
    by_case = {(o.attack, o.role): o.detail for o in figures.outcomes}
    assert "permission denied" in by_case[("promote oneself", "tier1")]
    assert "permission denied" in by_case[("add staff through the function", NOT_ADMIN[0])]
    assert "rules' lock has been held" in by_case[("hold the rules lock", "tier1")]
