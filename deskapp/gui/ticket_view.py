"""One ticket: every field, the history timeline, the SLA panel with its explanation,
and the actions its state and the person's role allow, each with its form.

Errors from the services are shown inline, in words, and what was typed is
kept; a ConflictError (another session changed the ticket) says who and when
and offers to reload.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import peewee as pw
from PySide6.QtCore import QDateTime, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from deskapp.domain.explain import explain, render
from deskapp.domain.lifecycle import Action, DeskError, tier_roles, who_works_tier
from deskapp.gui import form_keys
from deskapp.gui.actions import (
    AGREED_UPDATE,
    DUPLICATE_OF,
    ENGINEER,
    NOTE,
    PRIORITY,
    PROVIDER,
    PROVIDER_REF,
    SPECS,
    ActionSpec,
    offered,
    walls,
    why_not,
)
from deskapp.gui.conversation_view import ConversationPanel
from deskapp.gui.desk import Desk
from deskapp.gui.flow_layout import FlowLayout
from deskapp.gui.forms import child, load_form
from deskapp.gui.models.countdowns import span
from deskapp.gui.models.history_model import HistoryModel
from deskapp.gui.survey_panel import SurveyPanel
from deskapp.gui.vertical_scroll import VerticalScroll
from deskapp.gui.workers import Read, close_pool, keeping_pool, start
from deskapp.gui.writes import refusal_text, save
from deskapp.services.errors import ConflictError
from deskapp.services.queue import TicketDetail
from deskapp.services.ticket_page import TicketPage, ticket_page
from deskapp.services.warnings import ticket_warnings

Formatter = Callable[[TicketDetail], str]
DETAIL_SHARES = (36, 42, 22)  # the fields and SLA, the conversation, the history
UPPER_AT_LEAST = 250  # px: the SLA box and the first fields
REFUSED_MS = 10_000  # why a step's shortcut did nothing stays under the buttons this long
SIDE_BY_SIDE = 760  # wider than this, the SLA box sits beside the fields; narrower, above them


class _Signals(QObject):
    read = Signal(object)  # (generation, TicketPage or the words saying why not, whether `also` runs)
    also_done = Signal(object)  # what `also` returned, after its page was handed over
    engineers = Signal(object)  # (generation, [StaffEntry], unassigned, tier)
    failed = Signal(str)


class TicketView(QWidget):
    changed = Signal(str)  # a step was taken on this ticket number
    follow_up_requested = Signal(str)  # log a follow-up incident linked to this closed ticket
    shown = Signal(object)  # the TicketPage just painted (the window fills the side panels)
    refused = Signal(str)  # a step's shortcut pressed where it is not offered: why (the status bar)
    also_done = Signal(object)  # what `show_ticket`'s `also` returned (after `shown`, or None)

    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketView")
        self.desk = desk
        self.detail: TicketDetail | None = None
        self.page: TicketPage | None = None
        self.opened_here = False  # this page was opened with an `also` (not a reload)
        self._current: ActionSpec | None = None
        self.saving: ActionSpec | None = None  # a step being saved on the write thread
        self._saved_ok: bool | None = None  # how the last save ended (None: not yet)
        # Tickets are read off the GUI thread; a late page of a ticket no longer asked for
        # (another was opened meanwhile) is dropped by its generation.
        self.pool = keeping_pool(self)
        self._generation = 0
        self._changed_from: tuple[str, int] | None = None  # (number, version) before a change elsewhere
        self._asked: str | None = None  # the ticket last asked for (shown, or on its way)
        self._signals = _Signals(self)
        self._signals.read.connect(self._page_read)
        self._signals.also_done.connect(self.also_done)
        self._signals.engineers.connect(self._engineers_read)
        self._signals.failed.connect(self.header_text)
        tz = desk.policy.tz
        self._tz = tz
        form = load_form("ticket_view.ui", self)
        self.header_label = child(form, QLabel, "headerLabel")
        self.header_label.setProperty("role", "ticketHeader")
        self.conflict_frame = child(form, QFrame, "conflictFrame")
        self.conflict_label = child(form, QLabel, "conflictLabel")
        self.reload_button = child(form, QPushButton, "reloadButton")
        self.warning_label = child(form, QLabel, "warningLabel")  # what the ticket's state holds in store
        self.warning_label.setProperty("role", "warning")
        self.action_buttons_panel = child(form, QWidget, "actionButtonsPanel")
        self.role_wall_label = child(form, QLabel, "roleWallLabel")  # the steps kept from this role
        self.role_wall_label.setProperty("role", "wall")
        self.step_refused_label = child(form, QLabel, "stepRefusedLabel")  # why a shortcut did nothing
        self.step_refused_label.setProperty("role", "warning")
        self._refused_timer = QTimer(self)
        self._refused_timer.setSingleShot(True)
        self._refused_timer.timeout.connect(self.step_refused_label.hide)
        self.action_form_group = child(form, QGroupBox, "actionFormGroup")
        self.engineer_combo = child(form, QComboBox, "engineerCombo")
        self.agreed_update_edit = child(form, QDateTimeEdit, "agreedUpdateEdit")
        self.note_edit = child(form, QPlainTextEdit, "noteEdit")
        self.provider_edit = child(form, QLineEdit, "providerEdit")
        self.provider_ref_edit = child(form, QLineEdit, "providerRefEdit")
        self.priority_change_combo = child(form, QComboBox, "priorityChangeCombo")
        for code, prio in desk.policy.priorities.items():
            self.priority_change_combo.addItem(f"{code} {prio.name}", code)
        self.duplicate_of_edit = child(form, QLineEdit, "duplicateOfEdit")
        self.action_error_label = child(form, QLabel, "actionErrorLabel")
        self.action_error_label.setProperty("role", "error")
        self.submit_action_button = child(form, QPushButton, "submitActionButton")
        self.cancel_action_button = child(form, QPushButton, "cancelActionButton")
        self.fields_layout = child(form, QFormLayout, "fieldsLayout")
        self.countdown_label = child(form, QLabel, "countdownLabel")
        self.countdown_label.setProperty("role", "countdown")
        self.sla_explanation_text = child(form, QPlainTextEdit, "slaExplanationText")
        self.detail_splitter = child(form, QSplitter, "detailSplitter")
        self.history_view = child(form, QTreeView, "historyView")
        self.history_model = HistoryModel(tz, self)
        self.history_view.setModel(self.history_model)
        # When and Who as wide as their text, What and Note share the rest: all four in sight.
        history_header = self.history_view.header()
        history_header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        history_header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        history_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        history_header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        # The conversation with the reseller: in, out and internal notes; the composer.
        self.conversation = ConversationPanel(desk, self)
        self.detail_splitter.insertWidget(1, self.conversation)
        self.detail_splitter.setStretchFactor(1, 3)
        self.conversation.changed.connect(self.show_ticket)  # then tell the window, signal to signal
        self.conversation.changed.connect(self.changed)

        self._field_labels: dict[str, QLabel] = {}
        for key, title, _fmt in self._fields():
            value = QLabel()
            value.setObjectName(f"{key}Value")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.fields_layout.addRow(title, value)
            self._field_labels[key] = value
        self.survey_panel = SurveyPanel(desk, self)
        self.fields_layout.addRow(self.survey_panel)
        self.survey_panel.answered.connect(self.show_ticket)  # then tell the window, signal to signal
        self.survey_panel.answered.connect(self.changed)

        # one QAction per process step: a button, a menu entry and a shortcut
        self.actions_by_step: dict[Action, QAction] = {}
        self.buttons_by_step: dict[Action, QPushButton] = {}
        self.refused_shortcuts: dict[Action, QShortcut] = {}
        self._buttons_layout = FlowLayout(self.action_buttons_panel)
        for spec in SPECS:
            act = QAction(spec.label, self)
            act.setObjectName(spec.object_name)
            act.setShortcut(QKeySequence(spec.shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(lambda _checked=False, s=spec: self.open_action(s))
            self.addAction(act)
            self.actions_by_step[spec.action] = act
            button = QPushButton(spec.label, self.action_buttons_panel)
            button.setObjectName(spec.object_name.replace("Action", "Button"))
            button.setToolTip(f"{spec.label} ({spec.shortcut})")
            button.clicked.connect(act.trigger)
            self.buttons_by_step[spec.action] = button
            # The same keys while the step is not offered (a disabled action's shortcut is
            # dead): they say why instead of doing nothing. Enabled only then, so never
            # ambiguous with the action's own.
            refused = QShortcut(QKeySequence(spec.shortcut), self)
            refused.setContext(Qt.ShortcutContext.WindowShortcut)
            refused.activated.connect(lambda s=spec: self.say_why_not(s))
            self.refused_shortcuts[spec.action] = refused

        self.submit_action_button.clicked.connect(self.submit_action)
        self.cancel_action_button.clicked.connect(self.close_action)
        self.reload_button.clicked.connect(self.reload)
        form_keys.install(self.action_form_group, self.submit_action, self.escape_action)
        form_keys.enter_saves((self.provider_edit, self.provider_ref_edit), self.submit_action)
        self.confirm_discard: Callable[[], bool] = lambda: form_keys.confirm_discard(self, "the note typed")
        self.conflict_frame.hide()
        self.warning_label.hide()
        self.role_wall_label.hide()
        self.step_refused_label.hide()
        self.action_form_group.hide()
        self.detail_splitter.hide()  # nothing to show until a ticket is opened
        self._show_actions([])
        self._fit_to_small_screens(form)

    def _fit_to_small_screens(self, form: QWidget) -> None:
        """At 1280x720 or 150% scale the ticket cannot show everything at once: below the
        header it scrolls (so opening a ticket never makes the window taller or wider than the
        screen), and the SLA box goes above the fields when the ticket is narrow (beside them
        it was squeezed to a word a line)."""
        outer = form.layout()
        assert isinstance(outer, QVBoxLayout)
        body = QWidget()
        body.setObjectName("ticketBody")
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        while outer.count() > 1:
            item = outer.takeAt(1)
            widget = item.widget() if item is not None else None
            if widget is not None:
                inner.addWidget(widget, 1 if widget is self.detail_splitter else 0)
        self.body_scroll = VerticalScroll(body, form)
        self.body_scroll.setObjectName("ticketScroll")
        outer.addWidget(self.body_scroll, 1)
        # The fields, the conversation and the history each keep the height they need (a
        # shorter window scrolls the ticket); a fresh install splits the rest by DETAIL_SHARES.
        for index, stretch in enumerate(DETAIL_SHARES):
            self.detail_splitter.setStretchFactor(index, stretch)
        self.detail_split_pending = True  # MainWindow clears it when it restores a saved split
        upper = child(form, QWidget, "upperPanel")
        upper.setMinimumHeight(UPPER_AT_LEAST)
        upper_layout = upper.layout()
        assert isinstance(upper_layout, QBoxLayout)
        self._upper_layout: QBoxLayout = upper_layout
        self._sla_group = child(form, QGroupBox, "slaGroup")
        self._fields_scroll = child(form, QScrollArea, "fieldsScroll")
        self._sla_group.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        lines = self.sla_explanation_text.fontMetrics().lineSpacing()
        self.sla_explanation_text.setMaximumHeight(lines * 5 + 12)
        upper.installEventFilter(self)
        self._arrange_upper(upper.width())

    def _default_detail_split(self) -> None:
        if not self.detail_split_pending:
            return
        self.detail_split_pending = False
        splitter = self.detail_splitter
        room = splitter.height() - splitter.handleWidth() * (splitter.count() - 1)
        splitter.setSizes([room * share // sum(DETAIL_SHARES) for share in DETAIL_SHARES])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self._arrange_upper(watched.width())
        return super().eventFilter(watched, event)

    def _arrange_upper(self, width: int) -> None:
        layout, fields, sla = self._upper_layout, self._fields_scroll, self._sla_group
        wide = width > SIDE_BY_SIDE
        order = [fields, sla] if wide else [sla, fields]
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        now = [item.widget() for item in map(layout.itemAt, range(layout.count())) if item is not None]
        if now == order and layout.direction() == direction:
            return
        for widget in order:
            layout.removeWidget(widget)
        layout.setDirection(direction)
        layout.addWidget(order[0], 3 if wide else 0)  # narrow: the SLA box as tall as it needs
        layout.addWidget(order[1], 2 if wide else 1)

    # --- fields -----------------------------------------------------------------------

    def _when(self, moment: dt.datetime | None) -> str:
        if moment is None:
            return "—"
        local = moment.astimezone(self._tz)
        return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"  # GMT or BST: never misread near a change

    def _fields(self) -> list[tuple[str, str, Formatter]]:
        w = self._when
        return [
            ("status", "Status", lambda d: d.status.replace("_", " ")),
            ("priority", "Priority", lambda d: f"{d.priority} (impact: {d.impact})"),
            ("tier", "Tier", lambda d: str(d.tier)),
            ("channel", "Channel", lambda d: d.channel),
            ("reseller", "Reseller", lambda d: f"{d.reseller} ({d.reseller_country})"),
            ("contact", "Contact", lambda d: d.contact),
            ("contactPhone", "Phone", lambda d: d.contact_phone or "—"),
            ("contactEmail", "Email", lambda d: d.contact_email or "—"),
            ("tenant", "Tenant", lambda d: d.tenant),
            ("endUsers", "End users", lambda d: d.end_users or "—"),
            ("description", "Description", lambda d: d.description or "—"),
            ("engineer", "Engineer", lambda d: d.engineer_name or d.engineer or "unassigned"),
            ("loggedBy", "Logged by", lambda d: d.logged_by or "—"),
            ("loggedAt", "Logged", lambda d: w(d.logged_at)),
            ("responseDue", "Response due", lambda d: w(d.response_due)),
            ("respondedAt", "Reseller told", lambda d: w(d.responded_at)),
            ("breachRecordedAt", "Breach recorded", lambda d: w(d.breach_recorded_at)),
            ("awaitingInfoSince", "Awaiting info since", lambda d: w(d.awaiting_info_since)),
            ("nextChaserDue", "Next chaser due", lambda d: w(d.next_chaser_due)),
            ("chaserFlaggedAt", "Chaser flagged", lambda d: w(d.chaser_flagged_at)),
            ("agreedUpdateAt", "Update agreed for", lambda d: w(d.agreed_update_at)),
            ("autoResolveAt", "Auto-resolves", lambda d: w(d.auto_resolve_at)),
            ("resolvedAt", "Resolved", lambda d: w(d.resolved_at)),
            ("resolutionReason", "Resolution", lambda d: d.resolution_reason or "—"),
            ("closesAt", "Closes (reopen until)", lambda d: w(d.closes_at)),
            ("closedAt", "Closed", lambda d: w(d.closed_at)),
            ("provider", "Third party", lambda d: d.provider or "—"),
            ("providerRef", "Provider's reference", lambda d: d.provider_ref or "—"),
            ("leadFlaggedAt", "Flagged to team lead", lambda d: w(d.lead_flagged_at)),
            ("linkedTo", "Follow-up of", lambda d: d.linked_to or "—"),
            ("duplicateOf", "Duplicate of", lambda d: d.duplicate_of or "—"),
            ("duplicates", "Duplicates closed into it", lambda d: ", ".join(d.duplicates) or "—"),
            (
                "priorityHistory",
                "Priority changes",
                lambda d: (
                    "; ".join(
                        f"{p.from_priority} → {p.to_priority} {w(p.at)} by {p.actor}: {p.reason}"
                        for p in d.priority_history
                    )
                    or "—"
                ),
            ),
            ("policyVersion", "Policy", lambda d: d.policy_version),
            ("version", "Version", lambda d: f"{d.version} (updated {w(d.updated_at)})"),
        ]

    # --- loading ----------------------------------------------------------------------

    @property
    def number(self) -> str | None:
        return self.detail.number if self.detail else None

    def show_ticket(self, number: str, also: Callable[[TicketDetail], Any] | None = None) -> None:
        """Open a ticket (closing any half-typed action of another ticket): its page is read
        on the worker and painted when it arrives (`shown`). `also` runs on the worker right
        after the page is handed over (the window's presence and seen marks: writes, which on
        PostgreSQL wait for the disk, so the page is not held for them; one job per ticket
        opened); what it returns goes to `also_done`."""
        if self.detail is None or self.detail.number != number:
            self.close_action()
            self.conflict_frame.hide()
        self._generation += 1
        self._asked = number.strip().upper()
        generation, desk = self._generation, self.desk

        signals = self._signals

        def read() -> Any:
            try:
                page = ticket_page(desk.db, number, now=desk.clock.now(), policy=desk.policy)
            except DeskError as exc:  # no such ticket, or the database is unreachable: said
                signals.read.emit((generation, str(exc), False))
                return None
            signals.read.emit((generation, page, also is not None))  # painted meanwhile
            if also is None:
                return None
            try:
                return also(page.detail)
            except Exception:  # advice (presence, seen marks): never in the way of the ticket
                return None

        start(self.pool, Read(desk.db, "the ticket", read, signals.also_done, signals.failed, keep_open=True))

    def header_text(self, text: str) -> None:
        self.header_label.setText(text)

    def _page_read(self, result: tuple[int, TicketPage | str, bool]) -> None:
        generation, page, opened = result
        if generation != self._generation:
            return  # another ticket was asked for meanwhile
        if isinstance(page, str):
            self.header_label.setText(page)
            return
        self.page, self.opened_here = page, opened
        self._render(page.detail)
        self._say_if_changed(page.detail)
        self.shown.emit(page)

    def _say_if_changed(self, d: TicketDetail) -> None:
        """After another session's change: warn a person typing a step that it moved on."""
        was, self._changed_from = self._changed_from, None
        if was is None or was[0] != d.number or d.version == was[1] or self._current is None:
            return
        self.conflict_label.setText(
            f"{d.number} was just changed in another session (now version {d.version}); "
            "check the history before saving"
        )
        self.conflict_frame.show()

    def stop(self) -> None:
        self._generation += 1
        close_pool(self.pool, self.desk.db)

    def _another_asked(self) -> bool:
        """Whether another ticket than the one shown is on its way (it is read afresh)."""
        return self.detail is not None and self._asked not in (None, self.detail.number)

    def reload(self) -> None:
        """Fetch the open ticket again; a half-typed action keeps its text."""
        if self.detail is not None and not self._another_asked():
            self.conflict_frame.hide()
            self.show_ticket(self.detail.number)

    def external_change(self) -> None:
        """Another session changed the open ticket: show it, keep what is being typed."""
        if self.detail is None or self._another_asked():
            return  # nothing shown, or the person already asked for another ticket
        self._changed_from = (self.detail.number, self.detail.version)
        self.show_ticket(self.detail.number)

    def _render(self, d: TicketDetail) -> None:
        self.detail = d
        if self.detail_splitter.isHidden() and self.detail_split_pending:
            QTimer.singleShot(0, self._default_detail_split)  # once laid out at its height
        self.detail_splitter.show()
        self.header_label.setText(f"{d.number} · {d.priority} · {d.summary}")
        for key, _title, fmt in self._fields():
            self._field_labels[key].setText(fmt(d))
        self.history_model.set_entries(d.history)
        warnings = ticket_warnings(d, self.desk.policy)
        self.warning_label.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warning_label.setVisible(bool(warnings))
        page = self.page
        assert page is not None and page.detail is d
        self.conversation.show_read(d.number, d.version, page.conversation, page.canned)
        self.survey_panel.show_read(d.number, d.status, d.version, page.survey)
        expl = explain(self.desk.engine, d.priority, d.logged_at)
        self.sla_explanation_text.setPlainText(render(expl, self._tz))
        self.update_countdown(self.desk.clock.now())
        session = self.desk.session
        specs = offered(
            d.status, d.tier, session.role,
            lead_flagged=d.lead_flagged_at is not None, third_party=bool(d.provider),
            reprioritise_roles=self.desk.policy.reprioritise_roles,
            responded=d.responded_at is not None, confirmed=_confirmed(d),
        )  # fmt: skip
        self._show_actions(specs)
        self._show_walls(walls(
            d.status, d.tier, session.role,
            lead_flagged=d.lead_flagged_at is not None, third_party=bool(d.provider),
            reprioritise_roles=self.desk.policy.reprioritise_roles,
            responded=d.responded_at is not None, confirmed=_confirmed(d),
        ))  # fmt: skip
        if self._current is not None and self._current not in specs:
            self.close_action()

    def _show_actions(self, specs: list[ActionSpec]) -> None:
        """Offer exactly these actions: buttons in a row that wraps as the panel narrows."""
        allowed = {s.action for s in specs}
        flow = self._buttons_layout
        for button in self.buttons_by_step.values():
            flow.removeWidget(button)
        for action, act in self.actions_by_step.items():
            on = action in allowed
            act.setEnabled(on)
            act.setVisible(on)
            self.refused_shortcuts[action].setEnabled(not on)
            button = self.buttons_by_step[action]
            if on:
                flow.addWidget(button)
            button.setVisible(on)

    def _show_walls(self, kept: list[tuple[ActionSpec, str]]) -> None:
        """Steps the ticket is ready for but this person may not take: said under the buttons
        and on the greyed menu entries (tooltip, status bar), naming who may and why."""
        for act in self.actions_by_step.values():
            act.setToolTip("")  # Qt shows the text
            act.setStatusTip("")
        by_reason: dict[str, list[str]] = {}
        for spec, reason in kept:
            label = spec.label.rstrip("…")
            by_reason.setdefault(reason, []).append(label)
            act = self.actions_by_step[spec.action]
            act.setVisible(True)  # in the Ticket menu, greyed, with the reason
            act.setEnabled(False)
            self.refused_shortcuts[spec.action].setEnabled(True)
            act.setToolTip(f"{label}: {reason}")
            act.setStatusTip(f"{label}: {reason}")
        lines = [f"Not yours to take: {', '.join(labels)}: {reason}." for reason, labels in by_reason.items()]
        self.role_wall_label.setText("\n".join(lines))
        self.role_wall_label.setVisible(bool(lines))

    def offered_actions(self) -> list[Action]:
        return [a for a, act in self.actions_by_step.items() if act.isEnabled()]

    def update_countdown(self, now: dt.datetime) -> None:
        d = self.detail
        if d is None:
            return
        c = self.desk.engine.countdown(d.priority, d.logged_at, now, d.responded_at, due=d.response_due)
        if not c.band.open:
            text = f"{c.band.value}: reseller told {self._when(d.responded_at)}"
        elif c.band.value == "breached":
            text = f"BREACHED +{span(int(c.overdue.total_seconds() * 1e6))} (due {self._when(c.due)})"
        else:
            lead = "AT RISK " if c.band.value == "at risk" else ""
            clock = "wall clock" if c.wall_clock else "business time"
            text = f"{lead}{span(int(c.remaining.total_seconds() * 1e6))} left ({clock})"
            if c.paused and c.resumes_at is not None:
                text += f", paused until {c.resumes_at.astimezone(self._tz):%a %H:%M}"
        self.countdown_label.setText(text)
        self.countdown_label.setProperty("band", c.band.name.lower())
        self.countdown_label.style().unpolish(self.countdown_label)
        self.countdown_label.style().polish(self.countdown_label)

    # --- actions --------------------------------------------------------------------------

    def say_why_not(self, spec: ActionSpec) -> str:
        """A step pressed (its shortcut) where it is not offered: the reason, under the buttons
        for a moment and on the status bar (never a box: the person is mid-call)."""
        d, label = self.detail, spec.label.rstrip("…")
        if d is None:
            reason = "open a ticket first"
        else:
            reason = why_not(
                spec, d.status, d.tier, self.desk.session.role,
                lead_flagged=d.lead_flagged_at is not None, third_party=bool(d.provider),
                reprioritise_roles=self.desk.policy.reprioritise_roles,
                responded=d.responded_at is not None, confirmed=_confirmed(d),
            ) or "not offered just now"  # fmt: skip
        text = f"{label}: {reason}"
        self.step_refused_label.setText(text)
        self.step_refused_label.show()
        self._refused_timer.start(REFUSED_MS)
        self.refused.emit(text)
        return text

    def open_action(self, spec: ActionSpec) -> None:
        if self.saving is not None:
            busy = self.saving.label.rstrip("…")
            self.step_refused_label.setText(f"{spec.label.rstrip('…')}: wait, {busy} is being saved")
            self.step_refused_label.show()
            self._refused_timer.start(REFUSED_MS)
            return
        if self.detail is None or not self.actions_by_step[spec.action].isEnabled():
            self.say_why_not(spec)
            return
        self.step_refused_label.hide()
        if spec.action is Action.LOG_FOLLOW_UP:
            self.follow_up_requested.emit(self.detail.number)
            return
        # Escalating, or a rejection escalating, to Tier 3 engages the provider.
        to_top = spec.action in (Action.ESCALATE, Action.REJECT) and self.detail.tier + 1 == 3
        if self._current is not spec:
            known = spec.action is Action.REJECT and to_top  # a ticket back from Tier 3 keeps its own
            self.note_edit.clear()
            self.provider_edit.setText((self.detail.provider or "") if known else "")
            self.provider_ref_edit.setText((self.detail.provider_ref or "") if known else "")
            self.duplicate_of_edit.clear()
            others = [c for c in self.desk.policy.priorities if c != self.detail.priority]
            self.priority_change_combo.setCurrentIndex(self.priority_change_combo.findData(others[0]))
            self.action_error_label.clear()
        self._current = spec
        self.action_form_group.setTitle(f"{spec.label.rstrip('…')} — {self.detail.number}")
        shown = {
            ENGINEER: ENGINEER in spec.fields,
            AGREED_UPDATE: AGREED_UPDATE in spec.fields,
            NOTE: NOTE in spec.fields,
            PROVIDER: PROVIDER in spec.fields and to_top,
            PROVIDER_REF: PROVIDER_REF in spec.fields
            and (to_top or spec.action is Action.THIRD_PARTY_UPDATE),
            PRIORITY: PRIORITY in spec.fields,
            DUPLICATE_OF: DUPLICATE_OF in spec.fields,
        }
        rows = {
            ENGINEER: self.engineer_combo, AGREED_UPDATE: self.agreed_update_edit,
            NOTE: self.note_edit, PROVIDER: self.provider_edit, PROVIDER_REF: self.provider_ref_edit,
            PRIORITY: self.priority_change_combo, DUPLICATE_OF: self.duplicate_of_edit,
        }  # fmt: skip
        layout = self.action_form_group.layout()
        assert isinstance(layout, QFormLayout)
        for key, widget in rows.items():
            layout.setRowVisible(widget, shown[key])
        note_label = layout.labelForField(self.note_edit)
        if isinstance(note_label, QLabel):
            note_label.setText(spec.note_label + (" *" if spec.note_required else ""))
        if ENGINEER in spec.fields:
            self._offer_engineers(self.detail.tier, unassigned=not self.detail.engineer)

        if AGREED_UPDATE in spec.fields:
            start = self.desk.clock.now().astimezone(self._tz) + dt.timedelta(days=1)
            self.agreed_update_edit.setDateTime(
                QDateTime(start.year, start.month, start.day, start.hour, start.minute, 0)
            )
        self.submit_action_button.setText(spec.label.rstrip("…"))
        self.action_form_group.show()
        first = self.engineer_combo if ENGINEER in spec.fields else self.note_edit
        first.setFocus()

    def _offer_engineers(self, tier: int, *, unassigned: bool) -> None:
        """The staff who can take the ticket, by name (read on the worker); a login can
        still be typed meanwhile. An unassigned ticket suggests the person themselves; a
        reassignment suggests no one."""
        desk, generation = self.desk, self._generation

        def read() -> tuple[int, list[Any], bool, int]:
            try:
                return generation, list(desk.assignable(tier)), unassigned, tier
            except (DeskError, pw.PeeweeException):
                return generation, [], unassigned, tier  # a convenience (offline: type a login)

        signals = self._signals
        start(
            self.pool,
            Read(desk.db, "who can take it", read, signals.engineers, signals.failed, keep_open=True),
        )

    def _engineers_read(self, result: tuple[int, list[Any], bool, int]) -> None:
        generation, entries, unassigned, tier = result
        if generation != self._generation or self._current is None:
            return  # another ticket, or the form was closed
        typed = self.engineer_combo.currentText()
        combo = self.engineer_combo
        combo.clear()
        self.action_error_label.setText(self._nobody_at(tier) if not entries else "")
        for entry in entries:
            combo.addItem(entry.describe(), entry.login)
        me = combo.findData(self.desk.session.login)
        if typed:
            combo.setEditText(typed)  # what the person typed is kept
        elif me >= 0 and unassigned:
            combo.setCurrentIndex(me)
        else:
            combo.setCurrentIndex(-1)
            combo.setEditText("")

    def _nobody_at(self, tier: int) -> str:
        """Why the list of engineers is empty, and who could fill it."""
        who = who_works_tier(tier)
        session = self.desk.session
        if session.is_engineer and not session.is_lead:
            return f"You cannot take a Tier {tier} ticket: at Tier {tier}, {who} may; a team lead assigns it."
        names = " or ".join(r.label for r in tier_roles(tier))
        return (
            f"Nobody is at Tier {tier}: the directory has no active {names}, and only they take a "
            f"Tier {tier} ticket. An administrator adds one in the Directory."
        )

    def _engineer_login(self) -> str:
        """The login of the chosen entry, or what was typed."""
        combo = self.engineer_combo
        text = combo.currentText().strip()
        chosen = combo.findText(text)
        return str(combo.itemData(chosen)) if chosen >= 0 else text

    def escape_action(self) -> None:
        """Escape in a step's form: it closes, asking first if a note was typed."""
        if self.note_edit.toPlainText().strip() and not self.confirm_discard():
            return
        self.close_action()

    def close_action(self) -> None:
        if self.saving is not None:
            return  # the form stays until its save is done (what was typed is kept on a refusal)
        self._current = None
        self.action_form_group.hide()
        self.action_error_label.clear()

    @property
    def current_action(self) -> ActionSpec | None:
        return self._current

    def action_values(self) -> dict[str, Any]:
        local = self.agreed_update_edit.dateTime().toPython()
        assert isinstance(local, dt.datetime)
        return {
            NOTE: self.note_edit.toPlainText().strip(),
            ENGINEER: self._engineer_login(),
            AGREED_UPDATE: local.replace(tzinfo=self._tz),
            PROVIDER: self.provider_edit.text().strip(),
            PROVIDER_REF: self.provider_ref_edit.text().strip(),
            PRIORITY: str(self.priority_change_combo.currentData() or ""),
            DUPLICATE_OF: self.duplicate_of_edit.text().strip(),
        }

    def submit_action(self) -> bool:
        """Save the step on the write thread (`writes.save`): the form waits, greyed, its
        button saying "Saving…", while the window goes on; then it closes, or stays filled
        with the refusal said. Returns False when it could not start (or, settled in tests,
        when it was refused)."""
        spec, d = self._current, self.detail
        if spec is None or d is None or self.saving is not None:
            return False
        values = self.action_values()
        if spec.note_required and not values[NOTE]:
            self.action_error_label.setText(f"{spec.note_label} is needed")
            return False
        self.saving = spec
        self._saved_ok = None
        self.action_form_group.setEnabled(False)
        self.submit_action_button.setText("Saving…")
        self.action_error_label.clear()
        desk, number, version = self.desk, d.number, d.version
        save(
            desk, lambda: desk.perform(spec.action, number, values, version),
            lambda _result: self._step_saved(spec, number), lambda exc: self._step_refused(spec, exc),
            owner=self,
        )  # fmt: skip
        return self._saved_ok is not False

    def _step_done(self, spec: ActionSpec) -> None:
        self.saving = None
        self.action_form_group.setEnabled(True)
        self.submit_action_button.setText(spec.label.rstrip("…"))

    def _step_saved(self, spec: ActionSpec, number: str) -> None:
        self._step_done(spec)
        self._saved_ok = True
        if self._current is spec and self.detail is not None and self.detail.number == number:
            self.close_action()
            self.note_edit.clear()
            self.engineer_combo.setEditText("")  # done: the next form starts afresh
            self.conflict_frame.hide()
        if self.number == number:
            self.show_ticket(number)
        self.changed.emit(number)

    def _step_refused(self, spec: ActionSpec, exc: Exception) -> None:
        self._step_done(spec)
        self._saved_ok = False
        if isinstance(exc, ConflictError):
            self.conflict_label.setText(str(exc))
            self.conflict_frame.show()
            self.action_error_label.setText("not saved: the ticket changed meanwhile; what you typed is kept")
        else:
            self.action_error_label.setText(refusal_text(exc))


def _confirmed(d: TicketDetail) -> bool:
    """Whether the reseller confirmed the current resolution (the last of these steps)."""
    steps = [h.kind for h in d.history if h.kind in ("resolved", "auto_resolved", "confirmed")]
    return bool(steps) and steps[-1] == "confirmed"
