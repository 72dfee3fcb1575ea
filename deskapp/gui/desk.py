"""The GUI's handle on the services: one signed-in person, one database, one clock.

Views ask this object for rows and details and to take process steps; it
calls `deskapp.services` (which own transactions, check roles and the state
machine, and raise `DeskError`s with human messages). Nothing here writes
the database itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import peewee as pw

from deskapp import services
from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import Action
from deskapp.domain.policy import Policy, default_policy
from deskapp.domain.sla import SlaEngine
from deskapp.gui.actions import (
    AGREED_UPDATE,
    DUPLICATE_OF,
    ENGINEER,
    NOTE,
    PRIORITY,
    PROVIDER,
    PROVIDER_REF,
)
from deskapp.gui.session import Session
from deskapp.mail.templates import CannedReply
from deskapp.services import conversation, directory, inbox, outbox, templates
from deskapp.services.conversation import AttachedFile, ConversationEntry
from deskapp.services.directory import StaffEntry, assignable_staff
from deskapp.services.escalation_review import EscalationRow
from deskapp.services.inbox import InboxRow
from deskapp.services.priority import reprioritise
from deskapp.services.queue import QueueRow, TicketDetail
from deskapp.sla import engine as shared_engine


@dataclass(frozen=True)
class Logged:
    number: str
    priority: str
    response_due: dt.datetime


@dataclass(frozen=True)
class BulkResult:
    done: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]  # (number, why)

    def summary(self, what: str) -> str:
        text = f"{what}: {len(self.done)} done"
        if self.failed:
            text += f", {len(self.failed)} not: " + "; ".join(f"{n}: {why}" for n, why in self.failed[:3])
            if len(self.failed) > 3:
                text += f"; and {len(self.failed) - 3} more"
        return text


class Desk:
    def __init__(self, db: pw.Database, clock: Clock, session: Session, policy: Policy | None = None) -> None:
        self.db = db
        self.clock = clock
        self.session = session
        self.policy = policy or default_policy()
        self.engine: SlaEngine = shared_engine(self.policy)
        # The one write thread the views save through (`deskapp.gui.writes`, made on first
        # use); kept here, Qt-free, so every view of this person's session shares it.
        self.write_pool: object = None

    # --- reading ------------------------------------------------------------------

    def queue_rows(
        self, since: dt.datetime | None = None, numbers: list[str] | None = None,
        most_urgent: int | None = None,
    ) -> list[QueueRow]:  # fmt: skip
        return services.queue_rows(self.db, since=since, numbers=numbers, most_urgent=most_urgent)

    def search(self, query: str, *, limit: int = 100, offset: int = 0) -> list[QueueRow]:
        """Every ticket, open or closed, matching `query`, best first (`deskapp.services.search`)."""
        from deskapp.services.search import search_tickets

        return search_tickets(self.db, query, limit=limit, offset=offset)

    # --- what this person keeps: seen marks and saved views ---------------------------

    def mark_seen(self, number: str, version: int) -> None:
        from deskapp.services.views import mark_seen

        mark_seen(self.db, self.clock, self.session.login, number, version)

    def seen_versions(self) -> dict[int, int]:
        from deskapp.services.views import seen_versions

        return seen_versions(self.db, self.session.login)

    def saved_views(self) -> list[Any]:
        from deskapp.services.views import saved_views

        return saved_views(self.db, self.session.login)

    def save_view(self, name: str, spec: Mapping[str, Any]) -> None:
        from deskapp.services.views import save_view

        save_view(self.db, self.clock, self.session.login, name, spec)

    def delete_view(self, name: str) -> None:
        from deskapp.services.views import delete_view

        delete_view(self.db, self.session.login, name)

    def customer_history(self, number: str) -> Any:
        """The reseller's and the contact's other tickets (`deskapp.services.customer_history`)."""
        from deskapp.services.customer_history import customer_history

        return customer_history(self.db, number)

    def escalations(self) -> list[EscalationRow]:
        from deskapp.services.escalation_review import escalations

        return escalations(self.db)

    def assignable(self, tier: int) -> list[StaffEntry]:
        """Whom this person may assign a ticket at `tier` to: anyone able to work it for a
        lead or administrator; an engineer takes tickets only for themselves."""
        entries = assignable_staff(self.db, tier)
        if self.session.is_engineer and not self.session.is_lead:
            return [e for e in entries if e.login == self.session.login]
        return entries

    def detail(self, number: str) -> TicketDetail:
        return services.ticket_detail(self.db, number, now=self.clock.now(), policy=self.policy)

    # --- the conversation with the reseller ---------------------------------------------

    def conversation(self, number: str) -> list[ConversationEntry]:
        return conversation.conversation(self.db, number)

    def canned_replies(self) -> list[CannedReply]:
        return templates.canned_replies(self.db)

    def preview_reply(self, number: str, text: str) -> EmailMessage:
        return conversation.preview_reply(self.db, number, text, self.session.login, now=self.clock.now(),
                                          policy=self.policy)  # fmt: skip

    def reply(self, number: str, text: str, version: int | None) -> None:
        """Step 9: an update emailed to the reseller."""
        services.reply(*self._args(number), text=text, **self._kw(version))

    def add_note(self, number: str, text: str, version: int | None) -> None:
        """An internal note: never sent."""
        services.note(*self._args(number), text=text, **self._kw(version))

    def attachment(self, attachment_id: int) -> AttachedFile:
        return conversation.attachment(self.db, attachment_id)

    # --- the Inbox: messages on no ticket yet ----------------------------------------

    def inbox_rows(self) -> list[InboxRow]:
        return inbox.inbox_rows(self.db, policy=self.policy)

    def log_from_message(self, message_id: int, **fields: Any) -> Logged:
        """An Inbox message becomes a ticket (never a P1: that is raised by phone)."""
        ticket = inbox.log_from_message(
            self.db, self.clock, self.session.login, message_id, policy=self.policy, **fields
        )
        return Logged(str(ticket.number), str(ticket.priority), ticket.response_due)

    def attach_message(self, message_id: int, number: str) -> str:
        return str(inbox.attach(self.db, self.clock, self.session.login, message_id, number).number)

    def discard_message(self, message_id: int, reason: str = "") -> None:
        inbox.discard(self.db, self.clock, self.session.login, message_id, reason=reason)

    def mail_warning(self) -> str | None:
        """What the status bar warns of: no mail server set, or an outbox that is stuck."""
        return outbox.mail_warning(self.db, self.clock.now(), policy=self.policy)

    # --- process steps ---------------------------------------------------------------

    def log(self, *, linked_to: str | None = None, **fields: Any) -> Logged:
        """Contract step 1 (a follow-up of a closed ticket when `linked_to`)."""
        login = self.session.login
        if linked_to:
            ticket = services.log_follow_up(
                self.db, self.clock, login, linked_to, policy=self.policy, **fields
            )
        else:
            ticket = services.log_ticket(self.db, self.clock, login, policy=self.policy, **fields)
        return Logged(str(ticket.number), str(ticket.priority), ticket.response_due)

    def similar(self, reseller: str, tenant: str, summary: str) -> list[str]:
        """Open tickets of the same reseller and tenant that look like this one, described."""
        found = services.similar_open_tickets(
            self.db, reseller=reseller, tenant=tenant, summary=summary, policy=self.policy
        )
        return [t.describe(self.policy) for t in found]

    def perform(self, action: Action, number: str, values: Mapping[str, Any], version: int | None) -> None:
        """Take one process step on a ticket; raises DeskError (ConflictError if stale)."""
        note = str(values.get(NOTE, "") or "")
        calls: dict[Action, Callable[[], Any]] = {
            Action.NOTIFY: lambda: services.notify(*self._args(number), note=note, **self._kw(version)),
            Action.ASSIGN: lambda: services.assign(
                *self._args(number), engineer=str(values.get(ENGINEER) or ""), note=note, **self._kw(version)
            ),
            Action.REQUEST_INFO: lambda: services.request_info(
                *self._args(number), note=note, **self._kw(version)
            ),
            Action.INFO_RECEIVED: lambda: services.info_received(
                *self._args(number), note=note, **self._kw(version)
            ),
            Action.CHASER_SENT: lambda: services.chaser_sent(
                *self._args(number), note=note, **self._kw(version)
            ),
            Action.AGREE_UPDATE: lambda: services.agree_update(
                *self._args(number), agreed_update=values[AGREED_UPDATE], note=note, **self._kw(version)
            ),
            Action.ESCALATE: lambda: services.escalate(
                *self._args(number),
                note=note,
                provider=values.get(PROVIDER) or None,
                provider_ref=values.get(PROVIDER_REF) or None,
                **self._kw(version),
            ),
            Action.THIRD_PARTY_UPDATE: lambda: services.third_party_update(
                *self._args(number),
                note=note,
                provider_ref=values.get(PROVIDER_REF) or None,
                **self._kw(version),
            ),
            Action.RESOLVE: lambda: services.resolve(*self._args(number), reason=note, **self._kw(version)),
            Action.CONFIRM: lambda: services.confirm(*self._args(number), note=note, **self._kw(version)),
            Action.REJECT: lambda: services.reject(
                *self._args(number),
                note=note,
                provider=values.get(PROVIDER) or None,
                provider_ref=values.get(PROVIDER_REF) or None,
                **self._kw(version),
            ),
            Action.REOPEN: lambda: services.reopen(*self._args(number), note=note, **self._kw(version)),
            Action.NOTE: lambda: services.note(*self._args(number), text=note, **self._kw(version)),
            Action.CLEAR_LEAD_FLAG: lambda: services.clear_lead_flag(
                *self._args(number), note=note, **self._kw(version)
            ),
            Action.DUPLICATE: lambda: services.duplicate(
                *self._args(number), of=str(values.get(DUPLICATE_OF) or ""), note=note, **self._kw(version)
            ),
            Action.REPRIORITISE: lambda: reprioritise(
                *self._args(number),
                priority=str(values.get(PRIORITY) or ""),
                reason=note,
                **self._kw(version),
            ),
        }
        call = calls.get(action)
        if call is None:
            raise services.ValidationError(f"{action.value.replace('_', ' ')} is not a step on a ticket")
        call()

    def bulk_assign(self, tickets: list[tuple[str, int]], engineer: str) -> BulkResult:
        """Assign each (number, version) to `engineer`, one transaction each: a ticket
        changed meanwhile or not assignable is reported, the others are done."""
        done: list[str] = []
        failed: list[tuple[str, str]] = []
        for number, version in tickets:
            try:
                services.assign(*self._args(number), engineer=engineer, **self._kw(version))
            except services.DeskError as exc:
                failed.append((number, str(exc)))
            else:
                done.append(number)
        return BulkResult(tuple(done), tuple(failed))

    def review_escalation(self, what: str, number: str, comment: str, version: int | None) -> None:
        """A team lead acknowledges an escalation or returns it a tier down."""
        from deskapp.services import escalation_review as review

        step = review.acknowledge if what == "acknowledge" else review.return_escalation
        step(self.db, self.clock, self.session.login, number, comment=comment, expected_version=version,
             policy=self.policy)  # fmt: skip

    # --- the directory (administrators; anyone's own password) ---------------------------

    def staff(self) -> list[directory.StaffRow]:
        return directory.staff_list(self.db)

    def resellers(self) -> list[directory.ResellerRow]:
        return directory.reseller_list(self.db)

    def add_staff(self, login: str, name: str, role: str, password: str) -> None:
        if len(password) < directory.MIN_PASSWORD:
            raise services.ValidationError(f"the password needs at least {directory.MIN_PASSWORD} characters")
        directory.add_staff(self.db, self.clock, self.session.login, login, name=name, role=role,
                            password=password)  # fmt: skip

    def set_staff_active(self, login: str, active: bool) -> None:
        directory.set_staff_active(self.db, self.clock, self.session.login, login, active=active)

    def edit_staff(self, login: str, name: str | None, role: str | None) -> None:
        directory.edit_staff(self.db, self.clock, self.session.login, login, name=name, role=role)

    def edit_reseller(self, name: str, new_name: str | None, email: str | None, phone: str | None) -> None:
        directory.edit_reseller(self.db, self.clock, self.session.login, name, new_name=new_name,
                                email=email, phone=phone)  # fmt: skip

    def set_reseller_active(self, name: str, active: bool) -> None:
        directory.set_reseller_active(self.db, self.clock, self.session.login, name, active=active)

    def set_password(self, login: str, password: str) -> None:
        directory.set_password(self.db, self.clock, self.session.login, login, password)

    def change_own_password(self, current: str, new: str) -> None:
        """The signed-in person's own password, after proving they know the current one."""
        login = self.session.login
        try:
            directory.authenticate(self.db, login, current)
        except services.AuthenticationFailed:
            raise services.AuthenticationFailed("the current password is not right") from None
        directory.set_password(self.db, self.clock, login, login, new)

    def add_reseller(self, name: str, country: str, email: str, phone: str) -> None:
        directory.add_reseller(self.db, self.clock, self.session.login, name, country=country,
                               email=email or None, phone=phone or None)  # fmt: skip

    def _args(self, number: str) -> tuple[pw.Database, Clock, str, str]:
        return self.db, self.clock, self.session.login, number

    def _kw(self, version: int | None) -> dict[str, Any]:
        return {"expected_version": version, "policy": self.policy}
