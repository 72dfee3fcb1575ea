"""Everything the ticket view shows, in one read (run off the GUI thread by the view).

    page = ticket_page(db, number, now=now, policy=policy)

One call instead of one per panel: the detail and history, the conversation,
the canned replies, the survey and the customer's other tickets, all read on
one connection in one go, so a ticket is painted once, with parts that agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from deskapp.domain.policy import Policy
from deskapp.mail.templates import CannedReply
from deskapp.services import templates
from deskapp.services.conversation import ConversationEntry, conversation
from deskapp.services.customer_history import CustomerHistory, customer_history
from deskapp.services.operation import load_ticket
from deskapp.services.queue import TicketDetail, ticket_detail
from deskapp.services.survey_read import SurveyState, survey_of
from deskapp.store.connection import use


@dataclass(frozen=True)
class TicketPage:
    detail: TicketDetail
    conversation: list[ConversationEntry]
    canned: list[CannedReply]
    survey: SurveyState
    history: CustomerHistory


def ticket_page(
    db: pw.Database, number: str, *, now: dt.datetime, policy: Policy | None = None
) -> TicketPage:
    """The open ticket's page (NotFound if no such number). Read in one transaction so a
    step taken meanwhile elsewhere is either wholly in the page or wholly not."""
    with db.atomic():
        use(db)
        ticket = load_ticket(number)  # once, for every panel (each would read it again)
        detail = ticket_detail(db, number, now=now, policy=policy, ticket=ticket)
        number = detail.number  # as stored: what the panels below look up
        return TicketPage(
            detail=detail,
            conversation=conversation(db, number, ticket=ticket),
            canned=templates.canned_replies(db),
            survey=survey_of(db, number),
            history=customer_history(db, number, ticket=ticket, names=(detail.reseller, detail.contact)),
        )
