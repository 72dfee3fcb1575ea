"""Staff passwords: today's scrypt cost, older hashes rehashed, untrustworthy ones refused."""

from __future__ import annotations

import base64
import time

import pytest

from deskapp.store import passwords
from deskapp.store.passwords import (
    DEFAULT,
    FLOOR,
    Cost,
    cost_for_tests,
    hash_password,
    needs_rehash,
    parse,
    unusable,
    verify_password,
)


def test_the_production_cost_is_at_least_n_2_17() -> None:
    """The tests hash at FLOOR (conftest) to stay fast; the app hashes at DEFAULT."""
    assert DEFAULT.n >= 2**17 and DEFAULT.r == 8 and DEFAULT.p == 1
    assert passwords._current == FLOOR  # the conftest lowered it for the tests...
    with cost_for_tests(DEFAULT):  # ...and this is what the app does
        started = time.perf_counter()
        stored = hash_password("correct horse")
        took = time.perf_counter() - started
        assert stored.startswith(f"scrypt${DEFAULT.n}$8$1$")  # the parameters travel with it
        assert verify_password("correct horse", stored)  # (wrong ones: the cheaper tests below)
        assert not needs_rehash(stored) and not unusable(stored)
    assert took > 0.02  # memory-hard for real (2^17 x 8 x 128 bytes = 128 MiB)
    parsed = parse(stored)
    assert parsed is not None and len(parsed.salt) == 16 and len(parsed.key) == 32


def test_an_older_cost_verifies_and_asks_for_a_rehash() -> None:
    old = hash_password("pw-old-one")  # at FLOOR, as the first releases stored it
    assert old.startswith(f"scrypt${2**14}$8$1$")
    assert not verify_password("pw-old-onE", old)
    with cost_for_tests(Cost(2**15, 8, 1)):  # "today" is dearer
        assert verify_password("pw-old-one", old)
        assert needs_rehash(old) and not unusable(old)
        new = hash_password("pw-old-one")
        assert new.startswith(f"scrypt${2**15}$8$1$") and not needs_rehash(new)


def _made_with(cost: Cost, password: str = "pw-weak-1") -> str:
    with cost_for_tests(cost):
        return hash_password(password)


@pytest.mark.parametrize("cost", [Cost(2**13, 8, 1), Cost(2**14, 4, 1), Cost(2, 1, 1)])
def test_a_hash_below_the_floor_is_unusable(cost: Cost) -> None:
    weak = _made_with(cost)
    assert unusable(weak) and not needs_rehash(weak)
    assert verify_password("pw-weak-1", weak)  # it does verify: it is refused because it is weak


@pytest.mark.parametrize(
    "stored",
    [
        "scrypt$16384$8$1$c2FsdA==",  # too few fields
        "scrypt$16000$8$1$c2FsdHNhbHQ=$" + "A" * 44,  # N not a power of two
        "scrypt$x$8$1$c2FsdHNhbHQ=$" + "A" * 44,
        "scrypt$16384$8$1$***$" + "A" * 44,  # not base64
        "scrypt$16384$8$1$c2FsdA==$" + "A" * 44,  # a 4-byte salt
        "scrypt$16384$8$1$c2FsdHNhbHQ=$QUJD",  # a 3-byte key
        f"scrypt${2**24}$8$1$c2FsdHNhbHQ=$" + "A" * 44,  # 16 GiB to check: never tried
        "bcrypt$12$whatever$x$y$z",
        "plain text",
    ],
)
def test_a_malformed_hash_is_unusable_and_never_verifies(stored: str) -> None:
    assert unusable(stored) and not needs_rehash(stored)
    assert not verify_password("anything", stored)


def test_no_hash_is_neither_unusable_nor_verifiable() -> None:
    """A training desk's staff have no password: that is not a damaged hash."""
    assert not unusable(None) and not unusable("")
    assert not verify_password("x", None)


def test_a_hash_keeps_its_own_key_length() -> None:
    stored = hash_password("pw-key-len")
    scheme, n, r, p, salt, key = stored.split("$")
    short = base64.b64encode(base64.b64decode(key)[:16]).decode()
    trimmed = "$".join([scheme, n, r, p, salt, short])
    assert verify_password("pw-key-len", trimmed) and needs_rehash(trimmed)
