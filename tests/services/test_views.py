"""Saved views per person and seen marks ("updated since you looked"), on both databases."""

from __future__ import annotations

import pytest

from deskapp import services as sv
from deskapp.services.views import delete_view, mark_seen, save_view, saved_views, seen_versions
from tests.desk_setup import Desk


def test_views_are_per_person_replaced_by_name_and_deleted(desk: Desk) -> None:
    save_view(desk.db, desk.clock, "tina", "  My P1s   at risk ", {"priority": "P1", "at_risk": True})
    save_view(desk.db, desk.clock, "tom", "Mine", {"mine": True})
    assert saved_views(desk.db, "tina") == [("My P1s at risk", {"at_risk": True, "priority": "P1"})]
    save_view(desk.db, desk.clock, "tina", "My P1s at risk", {"priority": "P2"})  # replaced
    assert saved_views(desk.db, "tina") == [("My P1s at risk", {"priority": "P2"})]
    delete_view(desk.db, "tina", "My P1s at risk")
    assert saved_views(desk.db, "tina") == []
    assert [v.name for v in saved_views(desk.db, "tom")] == ["Mine"]
    with pytest.raises(sv.ValidationError, match="needs a name"):
        save_view(desk.db, desk.clock, "tina", "   ", {})
    with pytest.raises(sv.NotFound, match="'Nope'"):
        delete_view(desk.db, "tina", "Nope")


def test_seen_marks_follow_the_version_a_person_looked_at(desk: Desk) -> None:
    t = desk.log()
    mark_seen(desk.db, desk.clock, "tina", t.number, t.version)
    assert seen_versions(desk.db, "tina") == {t.id: t.version}
    assert seen_versions(desk.db, "tom") == {}
    changed = sv.assign(desk.db, desk.clock, "lee", t.number, engineer="tina")
    assert changed.version > seen_versions(desk.db, "tina")[t.id]  # updated since she looked
    mark_seen(desk.db, desk.clock, "tina", t.number, changed.version)
    mark_seen(desk.db, desk.clock, "tina", t.number, t.version)  # a stale look never moves it back
    assert seen_versions(desk.db, "tina") == {t.id: changed.version}
    with pytest.raises(sv.NotFound):
        mark_seen(desk.db, desk.clock, "tina", "INC-999999", 1)
