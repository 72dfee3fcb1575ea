"""Services: the only way to change a ticket. One function per process step.

Conventions: `fn(db, clock, actor, number, *, ..., expected_version=None,
policy=None) -> Ticket`, where `db` is the peewee database from
`deskapp.store.open_database`, `clock` a `deskapp.domain.clock.Clock`,
`actor` the acting staff member's login. Each checks the role and the state
machine, writes the change and its history event in one transaction, bumps
`version`, and raises a `DeskError` subclass with a message for a person.
"""

from deskapp.services.conversation import reply
from deskapp.services.directory import (
    add_reseller,
    add_staff,
    authenticate,
    is_training,
    mark_training,
    staff_count,
)
from deskapp.services.duplicates import duplicate, similar_open_tickets
from deskapp.services.errors import (
    AuthenticationFailed,
    ChannelNotAllowed,
    ConflictError,
    DeskError,
    MissingField,
    NotFound,
    OutsideTerritory,
    PermissionDenied,
    ReopenAfterClosure,
    TrainingOnly,
    TransitionNotAllowed,
    ValidationError,
)
from deskapp.services.history_entry import HistoryEntry
from deskapp.services.intake import log_follow_up, log_ticket
from deskapp.services.priority import reprioritise
from deskapp.services.queue import QueueRow, TicketDetail, queue_rows, ticket_detail
from deskapp.services.resolution import (
    clear_lead_flag,
    confirm,
    escalate,
    mark_survey_sent,
    record_survey,
    reject,
    reopen,
    resolve,
)
from deskapp.services.work import (
    agree_update,
    assign,
    chaser_sent,
    info_received,
    note,
    notify,
    request_info,
    third_party_update,
)

# `log` is the process step's name; `log_ticket` says what it makes.
log = log_ticket

__all__ = [
    "AuthenticationFailed",
    "ChannelNotAllowed",
    "ConflictError",
    "DeskError",
    "HistoryEntry",
    "MissingField",
    "NotFound",
    "OutsideTerritory",
    "PermissionDenied",
    "QueueRow",
    "ReopenAfterClosure",
    "TicketDetail",
    "TrainingOnly",
    "TransitionNotAllowed",
    "ValidationError",
    "add_reseller",
    "add_staff",
    "agree_update",
    "assign",
    "authenticate",
    "chaser_sent",
    "clear_lead_flag",
    "confirm",
    "duplicate",
    "escalate",
    "info_received",
    "is_training",
    "log",
    "log_follow_up",
    "log_ticket",
    "mark_survey_sent",
    "mark_training",
    "note",
    "notify",
    "queue_rows",
    "record_survey",
    "reject",
    "reopen",
    "reply",
    "reprioritise",
    "request_info",
    "resolve",
    "similar_open_tickets",
    "staff_count",
    "third_party_update",
    "ticket_detail",
]  # fmt: skip
