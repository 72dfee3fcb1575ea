"""A state a test sets up by hand, as the desk's owner could, past the ticket triggers.

On PostgreSQL (schema v11) the database refuses a ticket change the process does not
allow (a ticket closed without its closure, a due time moved without a priority
change) and records every other; a test that needs such a state (a closed ticket
without waiting out the reopen window, tickets made in bulk) sets it down past the
triggers (`deskapp.store.bulk_setup`). A no-op on SQLite.
"""

from __future__ import annotations

from deskapp.store.bulk_setup import past_ticket_triggers as owner_edits

__all__ = ["owner_edits"]
