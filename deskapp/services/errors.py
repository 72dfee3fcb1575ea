"""Typed refusals of the services; each message is written for the person at the desk.

All derive from `deskapp.domain.lifecycle.DeskError` (as do the state
machine's `TransitionNotAllowed` and `PermissionDenied`), so a view or the
CLI catches one type and shows `str(error)`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from deskapp.domain.lifecycle import DeskError, PermissionDenied, TransitionNotAllowed
from deskapp.services.history_entry import HistoryEntry

__all__ = [
    "AuthenticationFailed",
    "Change",
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


@dataclass(frozen=True)
class Change(HistoryEntry):
    """One step someone else made to a ticket (from its history), with its local time."""

    local_time: str = ""

    def describe(self) -> str:
        parts = [f"{self.local_time or self.at.isoformat()} {self.actor}: {self.kind.replace('_', ' ')}"]
        if self.from_status != self.to_status and self.to_status:
            parts.append(f"status {self.from_status or '-'} -> {self.to_status}")
        if self.from_tier != self.to_tier and self.to_tier is not None:
            parts.append(f"tier {self.from_tier or '-'} -> {self.to_tier}")
        if self.note:
            note = self.note if len(self.note) <= 200 else self.note[:197] + "..."
            parts.append(f'"{note}"')
        return ", ".join(parts)


class ConflictError(DeskError):
    """Someone changed the ticket since the caller read it (optimistic lock).

    `changes` lists the steps since the caller's version, oldest first, and the
    message names them, so the person sees what changed before saving again."""

    def __init__(
        self, number: str, changed_by: str, changed_at: dt.datetime | None,
        expected: int, current: int, local_time: str, changes: tuple[Change, ...] = (),
    ) -> None:  # fmt: skip
        self.number = number
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.expected_version = expected
        self.current_version = current
        self.changes = changes
        message = (
            f"{number} was changed by {changed_by} at {local_time} after you opened it "
            f"(you had version {expected}, it is now {current}); reload it and try again"
        )
        if changes:
            message += "\nSince you opened it:\n" + "\n".join(f"- {c.describe()}" for c in changes)
        super().__init__(message)


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
