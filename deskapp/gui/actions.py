"""The process actions a ticket view offers (Qt-free): labels, shortcuts, form fields,
and which are allowed by the ticket's state and the person's role.

The services check everything again; this only decides what is offered.
"""

from __future__ import annotations

from dataclasses import dataclass

from deskapp.domain.lifecycle import (
    ACTION_ROLES,
    ENGINEERS,
    MOVES,
    TOP_TIER,
    Action,
    Role,
    Status,
    TransitionNotAllowed,
    may_work_tier,
    next_status,
    role_wall,
)

# Form fields an action may ask for.
NOTE, ENGINEER, AGREED_UPDATE, PROVIDER, PROVIDER_REF = "note", "engineer", "agreed_update", "provider", "ref"
PRIORITY, DUPLICATE_OF = "priority", "duplicate_of"


@dataclass(frozen=True)
class ActionSpec:
    action: Action
    label: str
    shortcut: str
    fields: tuple[str, ...] = (NOTE,)
    note_label: str = "Note (optional)"
    note_required: bool = False
    needs_tier_work: bool = False  # the engineer must be able to work the ticket's tier

    @property
    def object_name(self) -> str:
        """Widget/action object name, e.g. `requestInfoAction`."""
        head, *rest = self.action.value.split("_")
        return head + "".join(w.title() for w in rest) + "Action"


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(Action.NOTIFY, "Reseller told the number", "Ctrl+Shift+T"),
    ActionSpec(Action.ASSIGN, "Assign…", "Ctrl+Shift+A", (ENGINEER, NOTE)),
    ActionSpec(Action.REQUEST_INFO, "Request info…", "Ctrl+Shift+I",
               note_label="What is asked for", needs_tier_work=True),
    ActionSpec(Action.INFO_RECEIVED, "Info received…", "Ctrl+Shift+R", note_label="What was received"),
    ActionSpec(Action.CHASER_SENT, "Chaser sent", "Ctrl+Shift+C"),
    ActionSpec(Action.AGREE_UPDATE, "Agree update time…", "Ctrl+Shift+U", (AGREED_UPDATE, NOTE)),
    ActionSpec(Action.ESCALATE, "Escalate…", "Ctrl+Shift+E", (NOTE, PROVIDER, PROVIDER_REF),
               note_label="Steps already taken", note_required=True, needs_tier_work=True),
    ActionSpec(Action.THIRD_PARTY_UPDATE, "Third-party update…", "Ctrl+Shift+P", (NOTE, PROVIDER_REF),
               note_label="The provider's update", note_required=True),
    ActionSpec(Action.RESOLVE, "Resolve…", "Ctrl+Shift+S", note_label="Resolution",
               note_required=True, needs_tier_work=True),
    ActionSpec(Action.CONFIRM, "Reseller confirmed", "Ctrl+Shift+O"),
    ActionSpec(Action.REJECT, "Reseller rejected…", "Ctrl+Shift+J", (NOTE, PROVIDER, PROVIDER_REF),
               note_label="What the reseller said"),
    ActionSpec(Action.REOPEN, "Reopen…", "Ctrl+Shift+N", note_label="Why it is reopened"),
    ActionSpec(Action.NOTE, "Add note…", "Ctrl+Shift+M", note_label="Note", note_required=True),
    ActionSpec(Action.LOG_FOLLOW_UP, "Log follow-up incident…", "Ctrl+Shift+F", ()),
    ActionSpec(Action.CLEAR_LEAD_FLAG, "Lead flag dealt with", "Ctrl+Shift+L"),
    ActionSpec(Action.REPRIORITISE, "Change priority…", "Ctrl+Shift+Y", (PRIORITY, NOTE),
               note_label="Why the priority changes", note_required=True),
    ActionSpec(Action.DUPLICATE, "Duplicate of…", "Ctrl+Shift+D", (DUPLICATE_OF, NOTE)),
)  # fmt: skip

SPEC_BY_ACTION = {spec.action: spec for spec in SPECS}


def role_may(role: Role, action: Action) -> bool:
    return role in ACTION_ROLES[action]


def offered(
    status: str, tier: int, role: Role, *, lead_flagged: bool = False, third_party: bool = False,
    reprioritise_roles: tuple[str, ...] = ("tier2", "lead"), responded: bool = False,
    confirmed: bool = False,
) -> list[ActionSpec]:  # fmt: skip
    """The actions a person of `role` is offered on a ticket in `status` at `tier`
    (`reprioritise_roles`: the policy's roles who may change a priority). A step already
    taken is not offered again: telling the number once it was told (`responded`), or
    confirming a resolution already confirmed (`confirmed`)."""
    state = Status(status)
    out = []
    for spec in SPECS:
        if not role_may(role, spec.action):
            continue
        if spec.action is Action.LOG_FOLLOW_UP:
            if state is Status.CLOSED:
                out.append(spec)
            continue
        if state not in MOVES.get(spec.action, {}):
            continue
        if spec.action is Action.ESCALATE and tier >= TOP_TIER:
            continue
        if spec.action is Action.THIRD_PARTY_UPDATE and (tier != TOP_TIER or not third_party):
            continue
        if spec.action is Action.CLEAR_LEAD_FLAG and not lead_flagged:
            continue
        if spec.action is Action.REPRIORITISE and role.value not in reprioritise_roles:
            continue
        if (spec.action is Action.NOTIFY and responded) or (spec.action is Action.CONFIRM and confirmed):
            continue
        if spec.needs_tier_work and role in ENGINEERS and not may_work_tier(role, tier):
            continue
        out.append(spec)
    return out


def walls(
    status: str, tier: int, role: Role, *, lead_flagged: bool = False, third_party: bool = False,
    reprioritise_roles: tuple[str, ...] = ("tier2", "lead"), responded: bool = False,
    confirmed: bool = False,
) -> list[tuple[ActionSpec, str]]:  # fmt: skip
    """The steps the ticket's state allows but `role` may not take, each with who may and why
    (the role walls `offered` leaves out, said instead of hidden in silence)."""
    state = dict(lead_flagged=lead_flagged, third_party=third_party, responded=responded, confirmed=confirmed)
    anyone = {
        s.action for s in offered(status, tier, Role.LEAD, reprioritise_roles=(Role.LEAD.value,), **state)
    }
    mine = {s.action for s in offered(status, tier, role, reprioritise_roles=reprioritise_roles, **state)}
    out = []
    for spec in SPECS:
        if spec.action not in anyone or spec.action in mine:
            continue
        if spec.action is Action.REPRIORITISE:
            roles = [r for r in Role if r.value in reprioritise_roles]
            who = " or ".join(r.a_label for r in roles) or "nobody"
            out.append((spec, f"the desk's policy lets only {who} change a priority"))
            continue
        reason = role_wall(spec.action, role, tier=tier, tier_work=spec.needs_tier_work)
        if reason:
            out.append((spec, reason))
    return out


def why_not(
    spec: ActionSpec, status: str, tier: int, role: Role, *, lead_flagged: bool = False,
    third_party: bool = False, reprioritise_roles: tuple[str, ...] = ("tier2", "lead"),
    responded: bool = False, confirmed: bool = False,
) -> str | None:  # fmt: skip
    """Why `spec` is not offered on this ticket to `role`, in words after the step's name (the
    same reason the role wall says, or what the ticket's state lacks); None when it is
    offered. Said when a person presses the shortcut of a step that is not theirs now."""
    state = dict(lead_flagged=lead_flagged, third_party=third_party, responded=responded, confirmed=confirmed)
    if spec in offered(status, tier, role, reprioritise_roles=reprioritise_roles, **state):
        return None
    for walled, reason in walls(status, tier, role, reprioritise_roles=reprioritise_roles, **state):
        if walled is spec:
            return f"{reason}; you are {role.a_label}"
    if not role_may(role, spec.action):  # and the ticket is not ready for it either
        why = role_wall(spec.action, role)
        return f"{why}; you are {role.a_label}" if why else None
    ticket = Status(status)
    if spec.action is Action.LOG_FOLLOW_UP:
        return "a follow-up incident is logged for a closed ticket; this one is still " + ticket.label
    if ticket not in MOVES.get(spec.action, {}):
        try:
            next_status(spec.action, ticket)
        except TransitionNotAllowed as exc:
            return str(exc).removeprefix(f"cannot {spec.action.value.replace('_', ' ')}: ")
    reasons = {
        Action.ESCALATE: f"the ticket is already at Tier {TOP_TIER}, the top tier",
        Action.THIRD_PARTY_UPDATE: f"a third party's update is recorded at Tier {TOP_TIER}, once a provider "
        "is engaged",
        Action.CLEAR_LEAD_FLAG: "the ticket has no lead flag",
        Action.NOTIFY: "the reseller was already told the number",
        Action.CONFIRM: "the reseller already confirmed this resolution",
    }
    if spec.action is Action.REPRIORITISE:
        roles = [r for r in Role if r.value in reprioritise_roles]
        who = " or ".join(r.a_label for r in roles) or "nobody"
        return f"the desk's policy lets only {who} change a priority; you are {role.a_label}"
    return reasons.get(spec.action, f"not offered while the ticket is {ticket.label}")
