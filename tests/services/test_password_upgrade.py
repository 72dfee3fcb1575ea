"""Signing in upgrades an older password hash and refuses one that cannot be trusted.

On both databases. "Today's" cost is raised above the tests' usual FLOOR cost
for the duration (`cost_for_tests`), so a FLOOR hash plays the part of one an
older release stored; tests/store/test_passwords.py holds the real default.
"""

from __future__ import annotations

import pytest

from deskapp import services as sv
from deskapp.services.directory import set_password
from deskapp.store.models import Staff
from deskapp.store.passwords import FLOOR, Cost, cost_for_tests, hash_password, parse, verify_password
from tests.desk_setup import Desk

TODAY = Cost(2**15, 8, 1)


def _stored(login: str) -> str:
    return str(Staff.get(Staff.login == login).password_hash)


def _store(login: str, stored: str) -> None:
    Staff.update(password_hash=stored).where(Staff.login == login).execute()


def test_an_older_hash_is_rehashed_on_sign_in(desk: Desk) -> None:
    old = _stored("ada")  # made at FLOOR, as an older release stored it
    assert parse(old) is not None and parse(old).cost == FLOOR  # type: ignore[union-attr]
    with cost_for_tests(TODAY):
        with pytest.raises(sv.AuthenticationFailed, match="do not match"):
            sv.authenticate(desk.db, "ada", "wrong-one")
        assert _stored("ada") == old  # a wrong password changes nothing
        assert sv.authenticate(desk.db, "ada", "pw-ada").login == "ada"
        new = _stored("ada")
        assert new != old and new.startswith(f"scrypt${TODAY.n}$8$1$")
        assert verify_password("pw-ada", new)
        assert sv.authenticate(desk.db, "ada", "pw-ada").login == "ada"
        assert _stored("ada") == new  # at today's cost already: left alone


def test_a_hash_below_the_floor_is_refused_for_an_administrator_to_reset(desk: Desk) -> None:
    with cost_for_tests(Cost(2**10, 8, 1)):
        weak = hash_password("tina-weak-1")
    _store("tina", weak)
    with pytest.raises(sv.AuthenticationFailed) as info:
        sv.authenticate(desk.db, "tina", "tina-weak-1")
    text = str(info.value)
    assert "cannot be trusted" in text and "an administrator must set a new one" in text
    assert "deskapp staff password tina" in text
    assert _stored("tina") == weak  # never rehashed: whoever wrote it may know the password
    with pytest.raises(sv.AuthenticationFailed, match="do not match"):
        sv.authenticate(desk.db, "tina", "a-guess")  # a stranger learns nothing more
    set_password(desk.db, desk.clock, "ada", "tina", "tina-fresh-1")
    assert sv.authenticate(desk.db, "tina", "tina-fresh-1").login == "tina"


def test_a_damaged_hash_is_refused_in_words(desk: Desk) -> None:
    _store("tom", "scrypt$16384$8$1$not base64$")
    with pytest.raises(sv.AuthenticationFailed, match="an administrator must set a new one"):
        sv.authenticate(desk.db, "tom", "whatever-1")
