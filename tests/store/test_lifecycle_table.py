"""The moves the database enforces are generated from deskapp.domain.lifecycle (v11)."""

from __future__ import annotations

import peewee

from deskapp.domain.lifecycle import (
    ACTION_ROLES,
    MOVES,
    RULE_MOVES,
    Action,
    Role,
    enforced_moves,
)
from deskapp.store.connection import raw_sql, write_transaction
from deskapp.store.lifecycle_table import refresh_moves


def test_the_table_is_the_lifecycle(db: peewee.Database) -> None:
    rows = raw_sql(db, "SELECT kind, who, action, from_value, to_value FROM lifecycle_move").fetchall()
    assert sorted(tuple(r) for r in rows) == enforced_moves()
    with write_transaction(db):
        assert refresh_moves(db) == len(enforced_moves())


def test_every_move_a_role_may_make_is_listed_and_no_other() -> None:
    moves = {(w, a, f, t) for k, w, a, f, t in enforced_moves() if k == "status"}
    for action, table in MOVES.items():
        for role in Role:
            for before, after in table.items():
                listed = (role.value, action.value, before.value, after.value) in moves
                assert listed == (role in ACTION_ROLES[action]), (role, action, before)
    rules = {(f, t) for w, a, f, t in moves if w == "rules"}
    assert rules == {(b.value, a.value) for b, a in RULE_MOVES.values()}
    tiers = {(w, f, t) for k, w, a, f, t in enforced_moves() if k == "tier" and a == Action.ESCALATE.value}
    assert ("tier1", "1", "2") in tiers and ("tier1", "2", "3") not in tiers
    assert ("admin", "1", "2") not in tiers, "administrators do not escalate"
