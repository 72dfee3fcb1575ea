"""What a person should know about a ticket's state before it surprises them.

    ticket_warnings(ticket, policy=None) -> list[str]

Read from the ticket's saved fields (a `Ticket` row or a `TicketDetail`), so the
command line prints them after a step and the ticket view shows them whenever
the ticket is open, for as long as they hold.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from deskapp.domain import time_rules
from deskapp.domain.lifecycle import Status
from deskapp.domain.policy import Policy, default_policy
from deskapp.services.operation import local_text


class _Clocks(Protocol):
    @property
    def number(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def agreed_update_at(self) -> dt.datetime | None: ...
    @property
    def auto_resolve_at(self) -> dt.datetime | None: ...


def ticket_warnings(ticket: _Clocks, policy: Policy | None = None) -> list[str]:
    policy = policy or default_policy()
    out: list[str] = []
    waiting = ticket.status == Status.AWAITING_INFO.value
    if waiting and time_rules.resolves_before_agreed_update(ticket.agreed_update_at, ticket.auto_resolve_at):
        out.append(
            f"{ticket.number} will be resolved automatically {local_text(ticket.auto_resolve_at, policy)}, "
            f"before the update agreed for {local_text(ticket.agreed_update_at, policy)}, unless "
            f"information arrives first: the auto-resolve limit is "
            f"{policy.awaiting_info_limit_days} business days from the request, and this desk's "
            "policy does not move it for an agreed update (process.agreed_update_moves_auto_resolve)"
        )
    return out
