"""Argument types that refuse what a command could not use, in argparse's own words
(`deskapp X: error: argument --interval: ...`, exit 2), before anything is opened."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence

from deskapp.domain.time_range import quote

DAY_SECONDS = 86_400.0
DB_INT_MAX = 2**63 - 1  # the largest integer SQLite and PostgreSQL (bigint) store


def seconds(maximum: float = DAY_SECONDS) -> Callable[[str], float]:
    """A number of seconds, more than 0 and at most `maximum` (not inf, not nan)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{quote(text)} is not a number of seconds") from None
        if not math.isfinite(value) or not 0 < value <= maximum:
            raise argparse.ArgumentTypeError(
                f"{quote(text)} is not a number of seconds from more than 0 to {maximum:g}"
            )
        return value

    return parse


def whole(low: int, high: int, what: str = "a whole number") -> Callable[[str], int]:
    """A whole number from `low` to `high`."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{quote(text)} is not {what}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{quote(text)} is not {what} from {low} to {high}")
        return value

    return parse


row_id = whole(1, DB_INT_MAX, "an id")


def one_of(values: Sequence[str], option: str) -> Callable[[str], str]:
    """An argparse type for a fixed set of words that, unlike `choices`, quotes only a
    short prefix of a wrong value."""

    def parse(text: str) -> str:
        if text not in values:
            raise argparse.ArgumentTypeError(f"{option} {quote(text)}: choose from {', '.join(values)}")
        return text

    return parse
