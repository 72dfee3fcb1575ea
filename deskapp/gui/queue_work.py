"""Work on the queue from the keyboard: take it, assign the selected, next most urgent.

    work = QueueWork(desk, queue_view, ticket_view, open_ticket, refresh, say)

"Take it" assigns the selected tickets (or the open one) to the person signed in;
"Assign the selected" gives them to one engineer; each ticket is its own step
(`Desk.bulk_assign`, on the write thread), so one changed meanwhile is reported and the rest
are done.
"Next most urgent" opens the most urgent ticket shown that is unassigned or yours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import peewee as pw
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog

from deskapp.domain.lifecycle import DeskError
from deskapp.gui.desk import BulkResult, Desk
from deskapp.gui.queue_view import QueueView
from deskapp.gui.ticket_view import TicketView
from deskapp.gui.writes import refusal_text, save


class QueueWork(QObject):
    def __init__(
        self, desk: Desk, queue_view: QueueView, ticket_view: TicketView,
        open_ticket: Callable[[str], None], refresh: Callable[[], Any], say: Callable[[str], None],
        parent: Any = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.desk = desk
        self.queue_view = queue_view
        self.ticket_view = ticket_view
        self._open = open_ticket
        self._refresh = refresh
        self._say = say
        self.saving = False  # an assignment being saved on the write thread
        self._result: BulkResult | None = None

    def _targets(self) -> list[tuple[str, int]]:
        rows = self.queue_view.selected_rows()
        if rows:
            return [(r.number, r.version) for r in rows]
        d = self.ticket_view.detail
        return [(d.number, d.version)] if d is not None else []

    def take(self) -> BulkResult | None:
        session = self.desk.session
        if not session.is_engineer:
            self._say(
                f"Take it is for engineers; as {session.role.label} you assign: "
                "Assign the selected (Ctrl+Shift+G)"
            )
            return None
        return self._assign(session.login, "Taken")

    def assign_selected(self, engineer: str | None = None) -> BulkResult | None:
        if engineer is None:
            engineer = self._ask_engineer()
            if not engineer:
                return None
        return self._assign(engineer, f"Assigned to {engineer}")

    def _ask_engineer(self) -> str:
        tier = max((r.tier for r in self.queue_view.selected_rows()), default=1)
        try:
            entries = self.desk.assignable(tier)
        except (DeskError, pw.PeeweeException) as exc:
            self._say(f"the engineers could not be read: {exc}")
            return ""
        if not entries:
            self._say(f"no active engineer can work Tier {tier}: add one in the Directory (an administrator)")
            return ""
        labels = [e.describe() for e in entries]
        chosen, ok = QInputDialog.getItem(
            self.queue_view, "Assign the selected", "Engineer:", labels, 0, False
        )
        return entries[labels.index(chosen)].login if ok and chosen in labels else ""

    def _assign(self, engineer: str, what: str) -> BulkResult | None:
        """Assign on the write thread (`writes.save`); the status bar says it is saving, then
        the summary. Returns the result when it is already in (settled in tests), else None."""
        targets = self._targets()
        if not targets:
            self._say("select tickets in the queue first (Ctrl or Shift + click for several)")
            return None
        if self.saving:
            self._say("wait: the last assignment is still being saved")
            return None
        self.saving, self._result = True, None
        self._say(f"{what}: saving {len(targets)} ticket{'s' if len(targets) != 1 else ''}…")
        desk = self.desk
        save(
            desk, lambda: desk.bulk_assign(targets, engineer),
            lambda result: self._assigned(result, what), self._refused, owner=self,
        )  # fmt: skip
        return self._result

    def _assigned(self, result: BulkResult, what: str) -> None:
        self.saving, self._result = False, result
        self._refresh()
        shown = self.ticket_view.detail
        if shown is not None and shown.number in result.done:
            self.ticket_view.reload()
        self._say(result.summary(what))

    def _refused(self, exc: Exception) -> None:
        self.saving = False
        self._say(refusal_text(exc))

    def next_most_urgent(self) -> str | None:
        me = self.desk.session.login if self.desk.session.is_engineer else None
        number = self.queue_view.next_most_urgent(me, skip=self.ticket_view.number)
        if number is None:
            self._say("no other ticket shown is unassigned or yours")
            return None
        self._open(number)
        return number
