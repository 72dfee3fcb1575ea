"""The state machine allows exactly the moves SLA-RULES.md "Statuses" lists."""

from __future__ import annotations

import pytest

from deskapp.domain.lifecycle import (
    ACTION_ROLES,
    MOVES,
    Action,
    PermissionDenied,
    Role,
    Status,
    TransitionNotAllowed,
    check_assignable,
    check_role,
    check_works_tier,
    initial_tier,
    next_status,
    next_tier,
)

S = Status
OPEN = [S.LOGGED, S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_INFO]

# (action, from) -> to, written out from the contract page, not from MOVES.
EXPECTED_STATUS_MOVES = {
    (Action.REQUEST_INFO, S.ASSIGNED): S.AWAITING_INFO,
    (Action.REQUEST_INFO, S.IN_PROGRESS): S.AWAITING_INFO,
    (Action.INFO_RECEIVED, S.AWAITING_INFO): S.IN_PROGRESS,
    (Action.ESCALATE, S.ASSIGNED): S.IN_PROGRESS,
    (Action.ESCALATE, S.IN_PROGRESS): S.IN_PROGRESS,
    (Action.ESCALATE, S.AWAITING_INFO): S.IN_PROGRESS,
    **{(Action.RESOLVE, s): S.RESOLVED for s in OPEN},
    (Action.REOPEN, S.RESOLVED): S.IN_PROGRESS,
    (Action.REJECT, S.RESOLVED): S.IN_PROGRESS,
    (Action.ASSIGN, S.LOGGED): S.ASSIGNED,
    # issue 12: a duplicate closes at once, from any status before closure
    **{(Action.DUPLICATE, s): S.CLOSED for s in (*OPEN, S.RESOLVED)},
}


@pytest.mark.parametrize("action", sorted({a for a, _ in EXPECTED_STATUS_MOVES}))
@pytest.mark.parametrize("status", list(Status))
def test_status_moves_match_the_contract(action: Action, status: Status) -> None:
    expected = EXPECTED_STATUS_MOVES.get((action, status))
    if expected is None and action is not Action.ASSIGN:
        with pytest.raises(TransitionNotAllowed):
            next_status(action, status)
    elif expected is not None:
        assert next_status(action, status) is expected


def test_no_action_changes_status_except_the_listed_moves() -> None:
    for action, moves in MOVES.items():
        for before, after in moves.items():
            if before is not after:
                assert EXPECTED_STATUS_MOVES.get((action, before)) is after, (action, before)


def test_third_party_updates_in_every_open_status_and_only_there() -> None:
    for status in OPEN:
        assert next_status(Action.THIRD_PARTY_UPDATE, status) is status
    for status in (S.RESOLVED, S.CLOSED):
        with pytest.raises(TransitionNotAllowed):
            next_status(Action.THIRD_PARTY_UPDATE, status)


def test_the_number_may_be_told_in_every_status_before_closure() -> None:
    for status in (*OPEN, S.RESOLVED):
        assert next_status(Action.NOTIFY, status) is status
    with pytest.raises(TransitionNotAllowed, match="closed"):
        next_status(Action.NOTIFY, S.CLOSED)


def test_nothing_but_a_note_touches_a_closed_ticket() -> None:
    for action in MOVES:
        if action in (Action.NOTE, Action.RECORD_SURVEY):
            continue
        with pytest.raises(TransitionNotAllowed, match="follow-up"):
            next_status(action, S.CLOSED)


def test_tiers_escalate_one_at_a_time_and_stop_at_three() -> None:
    assert next_tier(1) == 2
    assert next_tier(2) == 3
    with pytest.raises(TransitionNotAllowed, match="Tier 3"):
        next_tier(3)
    with pytest.raises(TransitionNotAllowed):
        next_tier(4)


def test_only_a_p1_starts_at_tier_two() -> None:
    assert initial_tier(1, "P2", "P1") == 1
    assert initial_tier(2, "P1", "P1") == 2
    with pytest.raises(TransitionNotAllowed, match="P1"):
        initial_tier(2, "P2", "P1")
    with pytest.raises(TransitionNotAllowed, match="Tier 3"):
        initial_tier(3, "P1", "P1")


def test_roles() -> None:
    check_role(Action.ADD_STAFF, Role.ADMIN)
    for role in (Role.TIER1, Role.TIER2, Role.LEAD):
        with pytest.raises(PermissionDenied, match="administrator"):
            check_role(Action.ADD_STAFF, role)
    with pytest.raises(PermissionDenied):
        check_role(Action.RESOLVE, Role.ADMIN)
    assert all(ACTION_ROLES[a] for a in Action)


def test_tier_one_engineers_work_tier_one_only() -> None:
    check_works_tier(Role.TIER1, 1, Action.RESOLVE)
    with pytest.raises(PermissionDenied, match="Tier 2"):
        check_works_tier(Role.TIER1, 2, Action.RESOLVE)
    check_works_tier(Role.TIER2, 3, Action.RESOLVE)
    check_assignable(Role.LEAD, 3)
    with pytest.raises(PermissionDenied):
        check_assignable(Role.ADMIN, 1)
    with pytest.raises(PermissionDenied):
        check_assignable(Role.TIER1, 2)
