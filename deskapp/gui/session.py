"""Who is signed in (Qt-free): the login and the role that decides the actions offered."""

from __future__ import annotations

from dataclasses import dataclass

from deskapp.domain.lifecycle import ACTION_ROLES, ENGINEERS, Action, Role


@dataclass(frozen=True)
class Session:
    login: str
    name: str
    role: Role

    def may(self, action: Action) -> bool:
        return self.role in ACTION_ROLES[action]

    @property
    def is_engineer(self) -> bool:
        return self.role in ENGINEERS

    @property
    def is_lead(self) -> bool:
        return self.role in (Role.LEAD, Role.ADMIN)
