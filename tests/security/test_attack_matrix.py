"""Each group role, signed in as itself with plain SQL, against the desk's contract:
every statement of the matrix is refused or recorded truthfully; none escapes."""

from __future__ import annotations

import os

import pytest

from tests.security.attack_matrix import ATTACKS, NOT_ADMIN, ROLES, STALLS, Figures, run_matrix
from tests.security.guard_attacks import GUARD_ATTACKS, MAY_NOT_REPRIORITISE, MAY_REPRIORITISE
from tests.security.ticket_attacks import TICKET_ATTACKS
from tests.security.ticket_matrix import PREFIX

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
    # every case ran for every role it names, plus the rules lock, plus every ticket attack for every role
    every = ATTACKS + GUARD_ATTACKS
    # and each stall (timeouts SET to 0) and the watchdog called with 0 s limits, for every role
    stalls = (len(STALLS) + 1) * len(ROLES)
    assert figures.tried == sum(len(a.roles) for a in every) + 1 + stalls + len(TICKET_ATTACKS) * len(ROLES)
    tickets = [o for o in figures.outcomes if o.attack.startswith(PREFIX)]
    for description, _sql, _tier1_expects in TICKET_ATTACKS:
        assert sorted(o.role for o in tickets if o.attack == PREFIX + description) == sorted(ROLES)
    # forging the history is refused for everyone, by the server
    for o in tickets:
        if "history row" in o.attack:
            assert o.verdict == "refused" and "permission denied" in o.detail, (o.role, o.attack, o.detail)
    # the allowed moves really ran and were recorded (the matrix is not refusing everything)
    recorded = {(o.attack, o.role) for o in tickets if o.verdict == "recorded"}
    assert {(PREFIX + "change a ticket's summary", role) for role in ROLES} <= recorded
    escalate = PREFIX + "escalate a Tier 2 ticket to Tier 3 (a Tier 1 engineer works Tier 1 only)"
    assert (escalate, "lead") in recorded and (escalate, "tier1") not in recorded
    assert figures.count("refused") + figures.count("recorded") == figures.tried
    # refusals are the server's own, in words, not a test artefact
    by_case = {(o.attack, o.role): o.detail for o in figures.outcomes}
    assert "permission denied" in by_case[("promote oneself", "tier1")]
    assert "permission denied" in by_case[("add staff through the function", NOT_ADMIN[0])]
    assert "rules' lock has been held" in by_case[("hold the rules lock", "tier1")]
    # the guards of v12: refused by the database's own triggers, in words, and the
    # allowed paths really ran (recorded), so the guards are not refusing everything
    verdicts = {(o.attack, o.role): o.verdict for o in figures.outcomes}
    for role in ROLES:
        assert verdicts[("take the free mail lease for a year", role)] == "recorded"
        assert verdicts[("queue a message in one's own name", role)] == "recorded"
        assert verdicts[("queue a message saying one runs the rule pass", role)] == "recorded"
        assert "not by" in by_case[("queue a message as another staff member", role)]
        assert "as it was written" in by_case[("rewrite the body of another's queued message", role)]
    for role in MAY_NOT_REPRIORITISE:
        why = by_case[("change a priority as a group the desk does not allow", role)]
        assert "only a Tier 2 engineer or a team lead may change a ticket's priority" in why, why
    for role in MAY_REPRIORITISE:
        assert verdicts[("change a priority as a group the desk allows", role)] == "recorded"
    # a session that SET its timeouts away is ended by the watchdog, which names it
    for name, _statements, _kind in STALLS:
        for role in ROLES:
            assert by_case[(name, role)].startswith("ended by the watchdog: "), (name, role)
    assert "idle in a transaction" in by_case[(STALLS[0][0], "tier1")]
    assert "holding the rules' lock" in by_case[(STALLS[1][0], "lead")]
    assert "one statement running" in by_case[(STALLS[2][0], "admin")]
    assert "limit 0.5 s" in by_case[(STALLS[3][0], "tier2")]  # the group's, not her own 0


def test_the_ticket_verdict_finds_an_unrecorded_or_misattributed_change(owner_url: str) -> None:
    """The judge is not a rubber stamp: changes made by someone else than the session
    (here the owner, as another actor) or outside the ticket's record are escapes."""
    from tests.security.attack_matrix import secured_desk
    from tests.security.ticket_matrix import judge, server_now, snapshot, ticket_set

    with secured_desk(owner_url) as (ctx, owner, desk):
        ids = ticket_set(desk)
        login = ctx.logins["tier1"]
        before, begun = snapshot(owner), server_now(owner)
        owner.execute("SELECT set_config('deskapp.actor', %s, false)", (ctx.logins["lead"],))
        owner.execute(
            "UPDATE ticket SET summary = 'by someone else', version = version + 1 WHERE id = %s",
            (ids["logged"],),
        )
        verdict, detail = judge(owner, login, before, begun, server_now(owner))
        assert verdict == "escape" and "actor" in detail, detail
        before, begun = snapshot(owner), server_now(owner)
        owner.execute("UPDATE saved_view SET spec = '{}'")
        verdict, detail = judge(owner, login, before, begun, server_now(owner))
        assert (verdict, detail) == ("escape", "changed saved_view")
        before, begun = snapshot(owner), server_now(owner)
        assert judge(owner, login, before, begun, server_now(owner))[0] == "refused"
