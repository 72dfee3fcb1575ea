"""A ticket's satisfaction survey for the ticket view: its state, reference and answer.

    survey_of(db, number) -> SurveyState

The state is `none` (not closed yet, no invitation), `to_send`, `sent` or
`answered` (the ticket's survey_status, read with the invitation and the answer
in one query).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from deskapp.domain.time_range import quote
from deskapp.services.errors import NotFound
from deskapp.store.connection import use
from deskapp.store.fields import to_utc
from deskapp.store.models import SurveyAnswer, SurveyInvitation, Ticket

STATES = ("none", "to_send", "sent", "answered")


@dataclass(frozen=True)
class SurveyState:
    number: str
    state: str  # one of STATES
    ref: str | None
    invited_at: dt.datetime | None
    sent_at: dt.datetime | None
    score: int | None
    comment: str | None
    answered_at: dt.datetime | None


def survey_of(db: pw.Database, number: str) -> SurveyState:
    use(db)
    row = (
        Ticket.select(
            Ticket.number, Ticket.survey_status, Ticket.survey_sent_at, SurveyInvitation.ref,
            SurveyInvitation.created_at, SurveyAnswer.score, SurveyAnswer.comment, SurveyAnswer.answered_at,
        )
        .join(SurveyInvitation, pw.JOIN.LEFT_OUTER, on=(SurveyInvitation.ticket == Ticket.id))
        .switch(Ticket)
        .join(SurveyAnswer, pw.JOIN.LEFT_OUTER, on=(SurveyAnswer.ticket == Ticket.id))
        .where(Ticket.number == number.strip().upper())
        .tuples()
        .first()
    )  # fmt: skip
    if row is None:
        raise NotFound(f"no ticket has the number {quote(number)}")
    num, status, sent_at, ref, invited_at, score, comment, answered_at = row
    state = str(status or "none")
    if score is not None:
        state = "answered"
    elif state not in STATES:
        state = "none"
    return SurveyState(
        str(num), state, ref, to_utc(invited_at), to_utc(sent_at),
        None if score is None else int(score), comment, to_utc(answered_at),
    )  # fmt: skip
