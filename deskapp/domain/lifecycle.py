"""The managed incident process as a state machine: statuses, tiers, roles, moves.

Qt-free and peewee-free. Read with `../shared/SLA-RULES.md` ("Statuses"):

- request info: `assigned` or `in_progress` -> `awaiting_info`;
  information received: `awaiting_info` -> `in_progress`;
- escalate: `assigned`, `in_progress` or `awaiting_info` -> next tier, `in_progress`;
- resolve: any open status -> `resolved` (the auto-resolve rule only from
  `awaiting_info`);
- reopen and rejected resolution: `resolved` -> `in_progress`;
- close: `resolved` -> `closed`, only by the rule at the end of the window, or at
  once when the ticket is a duplicate of another (any status before closure).

Notifying the reseller (the response) is an event in any status before closure
(a ticket answered and resolved at once by an email quoting its number was
told it); notes, chasers, agreed update timeframes and third-party updates are
events too.
"""

from __future__ import annotations

from enum import StrEnum


class DeskError(Exception):
    """Base of every refusal deskapp explains to a person; `str()` is the message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(DeskError):
    """The state machine does not allow this action in the ticket's status or tier."""


class PermissionDenied(DeskError):
    """The actor's role may not take this action."""


class Status(StrEnum):
    LOGGED = "logged"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    AWAITING_INFO = "awaiting_info"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def open(self) -> bool:
        return self in OPEN_STATUSES

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


OPEN_STATUSES = frozenset({Status.LOGGED, Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_INFO})


class Role(StrEnum):
    TIER1 = "tier1"
    TIER2 = "tier2"
    LEAD = "lead"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]

    @property
    def a_label(self) -> str:
        """The label with its article: "a team lead", "an administrator"."""
        label = self.label
        return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


_ROLE_LABELS = {
    Role.TIER1: "Tier 1 engineer",
    Role.TIER2: "Tier 2 engineer",
    Role.LEAD: "team lead",
    Role.ADMIN: "administrator",
}


class Action(StrEnum):
    LOG = "log"
    NOTIFY = "notify"
    ASSIGN = "assign"
    REQUEST_INFO = "request_info"
    INFO_RECEIVED = "info_received"
    CHASER_SENT = "chaser_sent"
    AGREE_UPDATE = "agree_update"
    ESCALATE = "escalate"
    THIRD_PARTY_UPDATE = "third_party_update"
    RESOLVE = "resolve"
    CONFIRM = "confirm"
    REJECT = "reject"
    REOPEN = "reopen"
    NOTE = "note"
    LOG_FOLLOW_UP = "log_follow_up"
    CLEAR_LEAD_FLAG = "clear_lead_flag"
    REPRIORITISE = "reprioritise"
    DUPLICATE = "duplicate"
    RECORD_SURVEY = "record_survey"
    ADD_STAFF = "add_staff"
    ADD_RESELLER = "add_reseller"


TIERS = (1, 2, 3)
TOP_TIER = TIERS[-1]
ENGINEERS = frozenset({Role.TIER1, Role.TIER2, Role.LEAD})
EVERYONE = frozenset(Role)

# Who may do what. Administrators run the desk's records, not its tickets,
# beyond logging, telling the reseller and recording what the reseller says.
ACTION_ROLES: dict[Action, frozenset[Role]] = {
    Action.LOG: EVERYONE,
    Action.NOTIFY: EVERYONE,
    Action.ASSIGN: EVERYONE,
    Action.REQUEST_INFO: ENGINEERS,
    Action.INFO_RECEIVED: EVERYONE,
    Action.CHASER_SENT: EVERYONE,
    Action.AGREE_UPDATE: ENGINEERS,
    Action.ESCALATE: ENGINEERS,
    Action.THIRD_PARTY_UPDATE: ENGINEERS,
    Action.RESOLVE: ENGINEERS,
    Action.CONFIRM: EVERYONE,
    Action.REJECT: EVERYONE,
    Action.REOPEN: EVERYONE,
    Action.NOTE: EVERYONE,
    Action.LOG_FOLLOW_UP: EVERYONE,
    Action.CLEAR_LEAD_FLAG: frozenset({Role.LEAD, Role.ADMIN}),
    # Who re-prioritises is the policy's `process.reprioritise_roles`; the service checks.
    Action.REPRIORITISE: EVERYONE,
    Action.DUPLICATE: EVERYONE,
    Action.RECORD_SURVEY: EVERYONE,
    Action.ADD_STAFF: frozenset({Role.ADMIN}),
    Action.ADD_RESELLER: frozenset({Role.ADMIN}),
}

# The status an action moves a ticket to, from each status it is allowed in.
# Actions that are events only (no status change) map a status to itself.
_ALL_OPEN = tuple(OPEN_STATUSES)
MOVES: dict[Action, dict[Status, Status]] = {
    Action.NOTIFY: {s: s for s in (*_ALL_OPEN, Status.RESOLVED)},
    Action.ASSIGN: {
        Status.LOGGED: Status.ASSIGNED,
        Status.ASSIGNED: Status.ASSIGNED,
        Status.IN_PROGRESS: Status.IN_PROGRESS,
        Status.AWAITING_INFO: Status.AWAITING_INFO,
    },
    Action.REQUEST_INFO: {
        Status.ASSIGNED: Status.AWAITING_INFO,
        Status.IN_PROGRESS: Status.AWAITING_INFO,
    },
    Action.INFO_RECEIVED: {Status.AWAITING_INFO: Status.IN_PROGRESS},
    Action.CHASER_SENT: {Status.AWAITING_INFO: Status.AWAITING_INFO},
    Action.AGREE_UPDATE: {Status.AWAITING_INFO: Status.AWAITING_INFO},
    Action.ESCALATE: {
        Status.ASSIGNED: Status.IN_PROGRESS,
        Status.IN_PROGRESS: Status.IN_PROGRESS,
        Status.AWAITING_INFO: Status.IN_PROGRESS,
    },
    Action.THIRD_PARTY_UPDATE: {s: s for s in _ALL_OPEN},
    Action.RESOLVE: {s: Status.RESOLVED for s in _ALL_OPEN},
    Action.CONFIRM: {Status.RESOLVED: Status.RESOLVED},
    Action.REJECT: {Status.RESOLVED: Status.IN_PROGRESS},
    Action.REOPEN: {Status.RESOLVED: Status.IN_PROGRESS},
    Action.NOTE: {s: s for s in (*_ALL_OPEN, Status.RESOLVED, Status.CLOSED)},
    Action.CLEAR_LEAD_FLAG: {s: s for s in (*_ALL_OPEN, Status.RESOLVED)},
    Action.REPRIORITISE: {s: s for s in (*_ALL_OPEN, Status.RESOLVED)},
    # A duplicate is closed at once (no resolution, no reopen window, no survey).
    Action.DUPLICATE: {s: Status.CLOSED for s in (*_ALL_OPEN, Status.RESOLVED)},
    Action.RECORD_SURVEY: {Status.CLOSED: Status.CLOSED},
}

# Moves only the rule engine makes.
RULE_MOVES: dict[str, tuple[Status, Status]] = {
    "auto_resolve": (Status.AWAITING_INFO, Status.RESOLVED),
    "close": (Status.RESOLVED, Status.CLOSED),
}

_WHY_NOT = {
    Action.REQUEST_INFO: "information can be requested only once the ticket is assigned "
    "(assigned or in progress)",
    Action.INFO_RECEIVED: "the ticket is not waiting for information",
    Action.CHASER_SENT: "chasers are sent only while the ticket waits for information",
    Action.AGREE_UPDATE: "an update timeframe is agreed only while the ticket waits for information",
    Action.ESCALATE: "only an assigned ticket that is being worked can be escalated",
    Action.CONFIRM: "only a resolved ticket can be confirmed",
    Action.REJECT: "only a resolved ticket can be rejected",
    Action.RECORD_SURVEY: "a survey answer is kept only for a closed ticket",
}


# Why a step is kept to some roles, said to the person it is kept from.
_ROLE_WHY = {
    ENGINEERS: "administrators run the desk's records, not its tickets",
    frozenset({Role.LEAD, Role.ADMIN}): "the flag asks a team lead to look at the ticket",
    frozenset({Role.ADMIN}): "administrators keep the directory",
}


def _either(roles: list[Role]) -> str:
    names = [r.a_label for r in roles]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def role_wall(action: Action, role: Role, *, tier: int | None = None, tier_work: bool = False) -> str | None:
    """Why `role` may not take `action` (on a ticket at `tier`, for a step that needs the
    tier's work), naming who may; None when `role` may. Said after the step's name:
    "Resolve: only a Tier 1 engineer, a Tier 2 engineer or a team lead may; ..."."""
    allowed = ACTION_ROLES[action]
    if role not in allowed:
        why = _ROLE_WHY.get(allowed)
        return f"only {_either([r for r in Role if r in allowed])} may" + (f"; {why}" if why else "")
    if tier_work and tier is not None and role in ENGINEERS and not may_work_tier(role, tier):
        return f"at Tier {tier} only {who_works_tier(tier)} may; {role.a_label} works Tier 1 tickets"
    return None


def tier_roles(tier: int) -> list[Role]:
    """The roles that can be the engineer of a ticket at `tier`."""
    return [r for r in Role if r in ENGINEERS and may_work_tier(r, tier)]


def who_works_tier(tier: int) -> str:
    """`tier_roles`, in words: "a Tier 2 engineer or a team lead"."""
    return _either(tier_roles(tier))


def check_role(action: Action, role: Role) -> None:
    """Raise PermissionDenied unless `role` may take `action`."""
    if role not in ACTION_ROLES[action]:
        allowed = ", ".join(r.label for r in Role if r in ACTION_ROLES[action])
        raise PermissionDenied(
            f"{role.a_label} may not {action.value.replace('_', ' ')} (allowed: {allowed})"
        )


def next_status(action: Action, status: Status) -> Status:
    """The status after `action` from `status`, or TransitionNotAllowed saying why."""
    moves = MOVES.get(action)
    if moves is None:
        raise TransitionNotAllowed(f"{action.value} is not a ticket move")
    try:
        return moves[status]
    except KeyError:
        pass
    if status is Status.CLOSED:
        raise TransitionNotAllowed("the ticket is closed, permanently; log a follow-up incident linked to it")
    if action is Action.REQUEST_INFO and status is Status.AWAITING_INFO:
        raise TransitionNotAllowed(
            "cannot request info: the ticket is already waiting for information; record a chaser, "
            "an agreed update time or the information received instead"
        )
    reason = _WHY_NOT.get(action, f"not allowed while the ticket is {status.label}")
    raise TransitionNotAllowed(f"cannot {action.value.replace('_', ' ')}: {reason}")


def next_tier(tier: int) -> int:
    """The tier an escalation moves to; TransitionNotAllowed at the top tier."""
    check_tier(tier)
    if tier >= TOP_TIER:
        raise TransitionNotAllowed(f"the ticket is already at Tier {TOP_TIER}, the last tier")
    return tier + 1


def check_tier(tier: int) -> None:
    if tier not in TIERS:
        raise TransitionNotAllowed(f"Tier {tier} does not exist (tiers are 1, 2 and 3)")


def may_work_tier(role: Role, tier: int) -> bool:
    """Tier 1 engineers work Tier 1 tickets; Tier 2 engineers and leads work any tier
    (Tier 3 is the provider, coordinated by the desk's Tier 2)."""
    if role is Role.TIER1:
        return tier == 1
    return role in ENGINEERS


def check_works_tier(role: Role, tier: int, action: Action) -> None:
    if role in ENGINEERS and not may_work_tier(role, tier):
        raise PermissionDenied(
            f"{role.a_label} may not {action.value.replace('_', ' ')} a Tier {tier} ticket"
        )


def check_assignable(role: Role, tier: int) -> None:
    """Whether a staff member of `role` can be the engineer of a ticket at `tier`."""
    if role not in ENGINEERS:
        raise PermissionDenied(f"{role.a_label} cannot be the engineer of a ticket")
    if not may_work_tier(role, tier):
        raise PermissionDenied(f"{role.a_label} cannot take a Tier {tier} ticket")


def initial_tier(requested: int, priority: str, top_priority: str) -> int:
    """The tier a new ticket starts at: 1, or 2 for a P1 raised straight at Tier 2."""
    if requested == 1:
        return 1
    if requested == 2 and priority == top_priority:
        return 2
    if requested == 2:
        raise TransitionNotAllowed(
            f"only a {top_priority} may be raised straight at Tier 2; log it at Tier 1"
        )
    check_tier(requested)
    raise TransitionNotAllowed(
        "a ticket cannot be logged at Tier 3: escalate it with the provider's reference"
    )


# --- the table PostgreSQL enforces (schema v11) -------------------------------------
# The desk's own actors: no staff row, no role. `rules` makes RULE_MOVES (and records
# breaches and chasers); `mail` records what a reseller's email says; `mailer` records
# what the outbox sent. Their names are reserved: no staff login may take one.
RULES_ACTOR = "rules"
MAIL_ACTOR = "mail"
MAILER_ACTOR = "mailer"
SYSTEM_ACTIONS: dict[str, frozenset[Action]] = {
    RULES_ACTOR: frozenset(),
    MAIL_ACTOR: frozenset({Action.INFO_RECEIVED, Action.CONFIRM, Action.REJECT, Action.NOTE}),
    MAILER_ACTOR: frozenset({Action.NOTIFY}),
}


def enforced_moves() -> list[tuple[str, str, str, str, str]]:
    """Every move the database allows, as (kind, who, action, from, to) rows.

    kind "status": `who` (a role or a system actor) may take `action` on a ticket in
    status `from`, leaving it in `to` (the same status for an event); "tier": `who`
    may move a ticket from tier `from` to `to` by `action`, with that action's status
    move; "assignee": a staff member of role `who` may be the engineer of a ticket at
    tier `to` (`from` is "*"). Generated from the tables above, so the client and the
    database refuse the same things (deskapp/store/migrations/v0011_history_triggers)."""
    rows: set[tuple[str, str, str, str, str]] = set()
    actors: dict[str, frozenset[Action]] = {
        **{role.value: frozenset(a for a, roles in ACTION_ROLES.items() if role in roles) for role in Role},
        **SYSTEM_ACTIONS,
    }
    for who, actions in actors.items():
        for action in actions:
            for before, after in MOVES.get(action, {}).items():
                rows.add(("status", who, action.value, before.value, after.value))
            for tier in TIERS[:-1]:
                # An escalation by an engineer who works the tier; a rejected resolution
                # below Tier 3 escalates too, whoever records it (services.resolution).
                escalates = action is Action.ESCALATE and who in Role.__members__.values()
                if (escalates and may_work_tier(Role(who), tier)) or action is Action.REJECT:
                    rows.add(("tier", who, action.value, str(tier), str(tier + 1)))
    for name, (before, after) in RULE_MOVES.items():
        rows.add(("status", RULES_ACTOR, name, before.value, after.value))
    for role in ENGINEERS:
        for tier in TIERS:
            if may_work_tier(role, tier):
                rows.add(("assignee", role.value, Action.ASSIGN.value, "*", str(tier)))
    return sorted(rows)
