"""Staff passwords: scrypt (memory-hard) with a random salt, verified in constant time.

A stored hash carries its own parameters: `scrypt$N$r$p$salt$key` (base64).

- New hashes use `DEFAULT` (N=2^17, r=8, p=1: 128 MiB and about a third of a
  second per guess on a workstation, OWASP's current advice).
- A hash made with less (an older release used N=2^14) still verifies, and
  `needs_rehash` says to replace it with a `DEFAULT` one on that sign-in,
  while the password is at hand (`deskapp.services.directory.authenticate`).
- A hash below `FLOOR` (cheap enough to crack offline, or to have been written
  by someone who picked a password for it), beyond `CEILING` (a hash that would
  cost the workstation gigabytes to check), or malformed is `unusable`: the
  sign-in is refused and an administrator sets a new password.

Tests lower the cost with `cost_for_tests` (never in the app); a test holds
`DEFAULT` to its production value.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
from collections.abc import Iterator
from typing import NamedTuple


class Cost(NamedTuple):
    n: int
    r: int
    p: int

    def below(self, other: Cost) -> bool:
        return self.n < other.n or self.r < other.r or self.p < other.p

    @property
    def memory(self) -> int:
        """What OpenSSL allocates for it (its maxmem must allow this)."""
        return 128 * self.r * (self.n + 2) + 128 * self.r * self.p


DEFAULT = Cost(2**17, 8, 1)
FLOOR = Cost(2**14, 8, 1)  # what the first releases used: still accepted, rehashed
CEILING_MEMORY = 2**30  # 1 GiB: a stored hash asking more is not checked at all
KEY_BYTES = 32
MIN_KEY_BYTES, MIN_SALT_BYTES = 16, 8
_current = DEFAULT


class Parsed(NamedTuple):
    cost: Cost
    salt: bytes
    key: bytes


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("a password cannot be empty")
    salt = os.urandom(16)
    cost = _current
    key = _scrypt(password, salt, cost, KEY_BYTES)
    b64 = base64.b64encode
    return f"scrypt${cost.n}${cost.r}${cost.p}${b64(salt).decode()}${b64(key).decode()}"


def _scrypt(password: str, salt: bytes, cost: Cost, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=cost.n, r=cost.r, p=cost.p, dklen=length,
        maxmem=cost.memory + 2**20,  # OpenSSL's default (32 MiB) is below N=2^15
    )  # fmt: skip


def parse(stored: str | None) -> Parsed | None:
    """The parameters, salt and key of a stored hash; None if it is not one we can check."""
    if not stored:
        return None
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return None
        cost = Cost(int(n), int(r), int(p))
        parsed = Parsed(cost, base64.b64decode(salt, validate=True), base64.b64decode(key, validate=True))
    except (ValueError, TypeError, binascii.Error):
        return None
    n_ok = cost.n > 1 and cost.n & (cost.n - 1) == 0  # a power of two, as scrypt needs
    if not n_ok or cost.r < 1 or cost.p < 1 or cost.memory > CEILING_MEMORY or cost.p > 16:
        return None
    if len(parsed.key) < MIN_KEY_BYTES or len(parsed.salt) < MIN_SALT_BYTES:
        return None
    return parsed


def unusable(stored: str | None) -> bool:
    """A hash that is there but must not be trusted: malformed, or below `FLOOR`."""
    if not stored:
        return False  # no password at all (a training desk's staff): not this question
    parsed = parse(stored)
    return parsed is None or parsed.cost.below(FLOOR)


def needs_rehash(stored: str | None) -> bool:
    """A usable hash made with less than today's cost (or a shorter key)."""
    parsed = parse(stored)
    if parsed is None or unusable(stored):
        return False
    return parsed.cost.below(_current) or len(parsed.key) < KEY_BYTES


def verify_password(password: str, stored: str | None) -> bool:
    """Whether `password` is the one `stored` was made from. False for an unusable hash
    too; `unusable` tells that case apart, to say so."""
    parsed = parse(stored)
    if parsed is None:
        return False
    try:
        got = _scrypt(password, parsed.salt, parsed.cost, len(parsed.key))
    except (ValueError, MemoryError):  # parameters this machine's OpenSSL refuses
        return False
    return hmac.compare_digest(got, parsed.key)


@contextlib.contextmanager
def cost_for_tests(cost: Cost = FLOOR) -> Iterator[None]:
    """Hash new passwords at `cost` for the duration (tests only: keeps them fast)."""
    global _current
    before, _current = _current, cost
    try:
        yield
    finally:
        _current = before


def current_cost() -> Cost:
    return _current
