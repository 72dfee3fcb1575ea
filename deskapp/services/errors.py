"""Typed refusals of the services; each message is written for the person at the desk.

All derive from `deskapp.domain.lifecycle.DeskError` (as do the state
machine's `TransitionNotAllowed` and `PermissionDenied`), so a view or the
CLI catches one type and shows `str(error)`.
"""

from __future__ import annotations

import datetime as dt

from deskapp.domain.lifecycle import DeskError, PermissionDenied, TransitionNotAllowed

__all__ = [
    "AuthenticationFailed",
    "ChannelNotAllowed",
    "ConflictError",
    "DeskError",
    "MissingField",
    "NotFound",
    "OutsideTerritory",
    "PermissionDenied",
    "ReopenAfterClosure",
    "TrainingOnly",
    "TransitionNotAllowed",
    "ValidationError",
]


class ValidationError(DeskError):
    """A value that cannot be used (a bad country, an unknown impact, a past instant)."""


class MissingField(ValidationError):
    """Required facts are missing; `fields` names them. Nothing was saved."""

    def __init__(self, fields: list[str], what: str = "the ticket") -> None:
        self.fields = fields
        super().__init__(f"{what} needs {_and(fields)}; nothing was saved")


class ChannelNotAllowed(ValidationError):
    """A priority raised through a channel the contract does not allow (a P1 by email)."""


class OutsideTerritory(ValidationError):
    """The reseller is outside the Territory (the UK and the Republic of Ireland)."""


class NotFound(DeskError):
    pass


class ReopenAfterClosure(TransitionNotAllowed):
    """The reopen window is over: the ticket is closed and a follow-up must be logged."""


class AuthenticationFailed(DeskError):
    pass


class TrainingOnly(DeskError):
    """Something only a training database allows (acting at a chosen instant)."""


class ConflictError(DeskError):
    """Someone changed the ticket since the caller read it (optimistic lock)."""

    def __init__(
        self, number: str, changed_by: str, changed_at: dt.datetime | None,
        expected: int, current: int, local_time: str,
    ) -> None:  # fmt: skip
        self.number = number
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.expected_version = expected
        self.current_version = current
        super().__init__(
            f"{number} was changed by {changed_by} at {local_time} after you opened it "
            f"(you had version {expected}, it is now {current}); reload it and try again"
        )


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
