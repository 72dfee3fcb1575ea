"""Plain-SQL attacks on tickets and their history, as data (issue 14).

Each entry is (description, sql, expected) for a session signed in to PostgreSQL as
a Tier 1 staff member (its role named as its login), tried with `psql` and generous
table grants, so that only the database's own triggers and policies stand between
it and the desk's records:

- "refused": the statement fails (or, for rows another person owns, touches none),
  and nothing changes;
- "recorded": it succeeds, and every ticket it changed has a new history row naming
  the true actor (the session's staff login) and session (history.db_user), at the
  server's time.

`sql` may hold several statements (one transaction) and these placeholders:
{logged} {resolved} {awaiting} {tier2} {assigned_other}: ids of tickets in those
states ({assigned_other} is assigned to another Tier 1 engineer); {admin_id},
{tier1_other_id}: staff ids; {me}: the session's login.

`STRANGER` says what differs for a session that is no staff member at all (the
shared app role of today's desks, or any other role given the same grants): it may
make no move, so what a Tier 1 member may do is refused to it; what it may do is
recorded with its own role as the actor. The attack matrix of issue 14 runs these
for each group role too (tests/security/ticket_matrix.py), with a verdict that does
not depend on the role.
"""

from __future__ import annotations

REFUSED = "refused"
RECORDED = "recorded"

_BUMP = "version = version + 1, updated_at = now() AT TIME ZONE 'UTC'"

TICKET_ATTACKS: list[tuple[str, str, str]] = [
    # the issue's own: close a ticket by hand, and its history says nothing
    (
        "close a resolved ticket by hand",
        f"UPDATE ticket SET status = 'closed', closed_at = now(), {_BUMP} WHERE id = {{resolved}}",
        REFUSED,
    ),
    (
        "close a ticket by hand without raising its version",
        "UPDATE ticket SET status = 'closed' WHERE id = {resolved}",
        REFUSED,
    ),
    (
        "close a ticket claiming to be the rule pass before its reopen window ends",
        "SET LOCAL deskapp.actor = 'rules'; "
        f"UPDATE ticket SET status = 'closed', closed_at = closes_at, {_BUMP} WHERE id = {{resolved}}",
        REFUSED,
    ),
    (
        "auto-resolve claiming to be the rule pass before the limit runs out",
        "SET LOCAL deskapp.actor = 'rules'; "
        f"UPDATE ticket SET status = 'resolved', resolved_at = now(), {_BUMP} WHERE id = {{awaiting}}",
        REFUSED,
    ),
    (
        "move a resolved ticket back to logged",
        f"UPDATE ticket SET status = 'logged', {_BUMP} WHERE id = {{resolved}}",
        REFUSED,
    ),
    (
        "close a ticket as a duplicate of nothing",
        f"UPDATE ticket SET status = 'closed', closed_at = now(), {_BUMP} WHERE id = {{logged}}",
        REFUSED,
    ),
    (
        "escalate a Tier 2 ticket to Tier 3 (a Tier 1 engineer works Tier 1 only)",
        f"UPDATE ticket SET tier = 3, {_BUMP} WHERE id = {{tier2}}",
        REFUSED,
    ),
    (
        "escalate claiming to be a team lead",
        f"SET LOCAL deskapp.actor = 'lee'; UPDATE ticket SET tier = 3, {_BUMP} WHERE id = {{tier2}}",
        REFUSED,
    ),
    (
        "jump a ticket from Tier 1 to Tier 3",
        f"UPDATE ticket SET tier = 3, {_BUMP} WHERE id = {{logged}}",
        REFUSED,
    ),
    (
        "set a due time (response_due) by hand",
        f"UPDATE ticket SET response_due = response_due + interval '1 day', {_BUMP} WHERE id = {{logged}}",
        REFUSED,
    ),
    (
        "change the priority without its priority change",
        f"UPDATE ticket SET priority = 'P4', {_BUMP} WHERE id = {{logged}}",
        REFUSED,
    ),
    (
        "record a breach by hand (only the rule pass does)",
        f"UPDATE ticket SET breach_recorded_at = now(), {_BUMP} WHERE id = {{logged}}",
        REFUSED,
    ),
    (
        "mark a survey to send by hand",
        f"UPDATE ticket SET survey_status = 'to_send', {_BUMP} WHERE id = {{resolved}}",
        REFUSED,
    ),
    (
        "assign a ticket to an administrator",
        f"UPDATE ticket SET engineer_id = {{admin_id}}, {_BUMP} WHERE id = {{logged}}",
        REFUSED,
    ),
    (
        "assign a Tier 2 ticket to a Tier 1 engineer",
        f"UPDATE ticket SET engineer_id = {{tier1_other_id}}, {_BUMP} WHERE id = {{tier2}}",
        REFUSED,
    ),
    (
        "renumber a ticket",
        f"UPDATE ticket SET number = 'INC-999999', {_BUMP} WHERE id = {{logged}}",
        REFUSED,
    ),
    ("delete a ticket", "DELETE FROM ticket WHERE id = {logged}", REFUSED),
    ("empty the ticket table", "TRUNCATE ticket CASCADE", REFUSED),
    (
        "log a ticket that is already closed",
        "INSERT INTO ticket SELECT * FROM jsonb_populate_record(NULL::ticket, (SELECT to_jsonb(t) || "
        "jsonb_build_object('id', nextval(pg_get_serial_sequence('ticket', 'id')), 'number', 'X-CLOSED', "
        "'status', 'closed', 'version', 1) FROM ticket t WHERE id = {logged}))",
        REFUSED,
    ),
    # the history itself
    (
        "insert a history row with any actor and any time",
        "INSERT INTO history (ticket_id, at, actor, kind, note) "
        "VALUES ({logged}, '2020-01-01', 'lee', 'note', 'forged')",
        REFUSED,
    ),
    (
        "insert a history row claiming to be the trigger",
        "SET LOCAL deskapp.history_writer = 'on'; INSERT INTO history (ticket_id, at, actor, kind, note) "
        "VALUES ({logged}, '2020-01-01', 'lee', 'note', 'forged')",
        REFUSED,
    ),
    ("rewrite a history row's actor", "UPDATE history SET actor = 'lee' WHERE ticket_id = {logged}", REFUSED),
    ("delete a ticket's history", "DELETE FROM history WHERE ticket_id = {logged}", REFUSED),
    ("empty the history", "TRUNCATE history", REFUSED),
    ("rewrite a priority change", "UPDATE priority_change SET reason = 'forged'", REFUSED),
    ("delete the priority changes", "DELETE FROM priority_change", REFUSED),
    ("delete the conversation", "DELETE FROM message", REFUSED),
    ("delete the attachments", "DELETE FROM attachment", REFUSED),
    (
        "change another person's saved views",
        "UPDATE saved_view SET spec = '{{}}' WHERE login <> '{me}'",
        REFUSED,
    ),
    ("delete another person's saved views", "DELETE FROM saved_view WHERE login <> '{me}'", REFUSED),
    (
        "mark another person's tickets as seen",
        "UPDATE ticket_seen SET seen_version = 999 WHERE login <> '{me}'",
        REFUSED,
    ),
    (
        "allow oneself a move by adding it to the moves table",
        "INSERT INTO lifecycle_move (kind, who, action, from_value, to_value) "
        "VALUES ('status', 'tier1', 'close', 'resolved', 'closed')",
        REFUSED,
    ),
    ("empty the moves table", "DELETE FROM lifecycle_move", REFUSED),
    (
        "name oneself the desk's app role (to act for anyone)",
        "INSERT INTO app_role (name) VALUES ('{me}')",
        REFUSED,
    ),
    # allowed to a Tier 1 engineer, and recorded as theirs
    (
        "resolve an open ticket (a move Tier 1 may make)",
        f"UPDATE ticket SET status = 'resolved', resolved_at = now(), {_BUMP} WHERE id = {{logged}}",
        RECORDED,
    ),
    (
        "change a ticket's summary",
        f"UPDATE ticket SET summary = 'changed by hand', {_BUMP} WHERE id = {{logged}}",
        RECORDED,
    ),
    (
        "change a summary claiming to be a team lead",
        "SET LOCAL deskapp.actor = 'lee'; "
        f"UPDATE ticket SET summary = 'as lee?', {_BUMP} WHERE id = {{logged}}",
        RECORDED,
    ),
    (
        "backdate a change with the training clock on a live desk",
        "SET LOCAL deskapp.now = '2020-01-01T00:00:00+00:00'; "
        f"UPDATE ticket SET summary = 'backdated?', {_BUMP} WHERE id = {{logged}}",
        RECORDED,
    ),
    (
        "take another engineer's ticket (anyone may assign)",
        "UPDATE ticket SET engineer_id = (SELECT id FROM staff WHERE login = '{me}'), "
        f"{_BUMP} WHERE id = {{assigned_other}}",
        RECORDED,
    ),
    (
        "name oneself the author of a step as the app does",
        "SET LOCAL deskapp.kind = 'note'; SET LOCAL deskapp.note = 'typed in psql'; "
        f"UPDATE ticket SET {_BUMP} WHERE id = {{logged}}",
        RECORDED,
    ),
]

# What differs for a session that is no staff member (see the module docstring).
STRANGER: dict[str, str] = {
    "resolve an open ticket (a move Tier 1 may make)": REFUSED,
    "take another engineer's ticket (anyone may assign)": REFUSED,
}
