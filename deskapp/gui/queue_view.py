"""The queue: open tickets with live countdowns, filters with counts, and a search box."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QModelIndex, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from deskapp.gui.flow_layout import FlowLayout
from deskapp.gui.forms import child, load_form
from deskapp.gui.models.queue_filter import PRIORITIES, STATUSES, TIERS, QueueFilter, count
from deskapp.gui.models.queue_model import (
    AGE,
    COUNTDOWN,
    ENGINEER,
    NUMBER,
    PRIORITY,
    RESELLER,
    ROW_ROLE,
    STATUS,
    SUMMARY,
    TIER,
    QueueModel,
)
from deskapp.gui.models.queue_proxy import QueueProxy

SETTINGS_GROUP = "queue/filter"
COLUMN_WIDTHS = {NUMBER: 96, PRIORITY: 56, RESELLER: 150, SUMMARY: 200, STATUS: 96, TIER: 36,
                 ENGINEER: 100, COUNTDOWN: 190, AGE: 64}  # fmt: skip


class QueueView(QWidget):
    ticket_activated = Signal(str)  # the ticket number
    search_everywhere = Signal(str)  # the search text, for the whole history (closed too)

    def __init__(
        self, model: QueueModel, settings: QSettings, parent: Any = None, *, scope: str = ""
    ) -> None:
        """`scope` names the desk and the person (`desk_key/login`): filters are kept for each
        person on each desk, never shared between them."""
        super().__init__(parent)
        self.setObjectName("queueView")
        self.model = model
        self.proxy = QueueProxy(model, self)
        self._settings = settings
        self._group = f"{SETTINGS_GROUP}/{scope}" if scope else SETTINGS_GROUP
        self._me: str | None = None
        form = load_form("queue_view.ui", self)
        self.search_edit = child(form, QLineEdit, "searchEdit")
        self.mine_check = child(form, QCheckBox, "mineCheck")
        self.unassigned_check = child(form, QCheckBox, "unassignedCheck")
        self.at_risk_check = child(form, QCheckBox, "atRiskCheck")
        self.awaiting_info_check = child(form, QCheckBox, "awaitingInfoCheck")
        self.priority_combo = child(form, QComboBox, "priorityCombo")
        self.status_combo = child(form, QComboBox, "statusCombo")
        self.tier_combo = child(form, QComboBox, "tierCombo")
        self.clear_filters_button = child(form, QPushButton, "clearFiltersButton")
        self.table = child(form, QTableView, "queueTable")
        self.shown_label = child(form, QLabel, "shownLabel")
        self.filter_flow = self._filters_in_a_flow(form)

        self.priority_combo.addItem("Any priority", "")
        for code in PRIORITIES:
            self.priority_combo.addItem(code, code)
        self.status_combo.addItem("Any status", "")
        for status in STATUSES:
            self.status_combo.addItem(status.replace("_", " "), status)
        self.tier_combo.addItem("Any tier", 0)
        for tier in TIERS:
            self.tier_combo.addItem(f"Tier {tier}", tier)

        self._setup_table()
        self._restore_filter()
        for check in (self.mine_check, self.unassigned_check, self.at_risk_check, self.awaiting_info_check):
            check.toggled.connect(self._apply_filter)
        for combo in (self.priority_combo, self.status_combo, self.tier_combo):
            combo.currentIndexChanged.connect(self._apply_filter)
        self.search_edit.textChanged.connect(self._apply_filter)
        self.clear_filters_button.clicked.connect(self.clear_filters)
        self.table.activated.connect(self._activated)
        self.search_edit.returnPressed.connect(self.go_to_results)
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            signal.connect(self.refresh_counts)
        self.proxy.rowsInserted.connect(self._update_shown)
        self.proxy.rowsRemoved.connect(self._update_shown)
        self.proxy.modelReset.connect(self._update_shown)
        self.proxy.layoutChanged.connect(self._update_shown)
        self.refresh_counts()

    def _filters_in_a_flow(self, form: QWidget) -> FlowLayout:
        """The filter checkboxes and combos (and the saved views, added later) wrap onto a
        second line on a narrow window instead of forcing the queue wider than its share."""
        outer = form.layout()
        assert isinstance(outer, QVBoxLayout)
        item = outer.itemAt(1)
        row = item.layout() if item is not None else None
        assert row is not None and row.objectName() == "filterLayout"
        panel = QWidget(form)
        panel.setObjectName("filterPanel")
        flow = FlowLayout(panel)
        widgets = [self.mine_check, self.unassigned_check, self.at_risk_check, self.awaiting_info_check,
                   self.priority_combo, self.status_combo, self.tier_combo]  # fmt: skip
        for widget in widgets:
            row.removeWidget(widget)
            flow.addWidget(widget)
        outer.removeItem(row)
        outer.insertWidget(1, panel)
        return flow

    def _setup_table(self) -> None:
        table = self.table
        table.setModel(self.proxy)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        vertical = table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(24)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in COLUMN_WIDTHS.items():
            table.setColumnWidth(column, width)
        header.setStretchLastSection(False)
        # The Response SLA right after the priority: on a narrow queue (1280x720, 150% scale) the
        # columns to its right scroll, but what needs action first is always in sight.
        header.moveSection(header.visualIndex(COUNTDOWN), header.visualIndex(PRIORITY) + 1)
        table.sortByColumn(COUNTDOWN, Qt.SortOrder.AscendingOrder)

    # --- filters --------------------------------------------------------------------

    def current_filter(self) -> QueueFilter:
        return QueueFilter(
            mine=self.mine_check.isChecked(),
            unassigned=self.unassigned_check.isChecked(),
            at_risk=self.at_risk_check.isChecked(),
            awaiting_info=self.awaiting_info_check.isChecked(),
            priority=str(self.priority_combo.currentData() or ""),
            status=str(self.status_combo.currentData() or ""),
            tier=int(self.tier_combo.currentData() or 0),
            search=self.search_edit.text().strip(),
        )

    def _apply_filter(self) -> None:
        f = self.current_filter()
        self.proxy.set_filter(f)
        self._settings.beginGroup(self._group)
        for key, value in f.to_settings().items():
            self._settings.setValue(key, value)
        self._settings.endGroup()
        self._update_shown()

    def _restore_filter(self) -> None:
        self._settings.beginGroup(self._group)
        stored = {key: self._settings.value(key) for key in self._settings.childKeys()}
        self._settings.endGroup()
        self.show_filter(QueueFilter.from_settings(stored))

    def show_filter(self, f: QueueFilter) -> None:
        """Set every filter widget to `f` (a saved view, a remembered filter) and apply it."""
        widgets: list[Any] = [self.mine_check, self.unassigned_check, self.at_risk_check,
                              self.awaiting_info_check, self.priority_combo, self.status_combo,
                              self.tier_combo, self.search_edit]  # fmt: skip
        for widget in widgets:
            widget.blockSignals(True)
        self.mine_check.setChecked(f.mine)
        self.unassigned_check.setChecked(f.unassigned)
        self.at_risk_check.setChecked(f.at_risk)
        self.awaiting_info_check.setChecked(f.awaiting_info)
        self.priority_combo.setCurrentIndex(max(0, self.priority_combo.findData(f.priority)))
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(f.status)))
        self.tier_combo.setCurrentIndex(max(0, self.tier_combo.findData(f.tier)))
        self.search_edit.setText(f.search)
        for widget in widgets:
            widget.blockSignals(False)
        self._apply_filter()

    def add_to_search_row(self, widget: QWidget) -> None:
        """A widget among the filters (the saved views): it wraps with them on a narrow window."""
        self.filter_flow.addWidget(widget)

    def clear_filters(self) -> None:
        widgets = (self.mine_check, self.unassigned_check, self.at_risk_check, self.awaiting_info_check)
        for check in widgets:
            check.blockSignals(True)
            check.setChecked(False)
            check.blockSignals(False)
        for combo in (self.priority_combo, self.status_combo, self.tier_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self._apply_filter()

    def set_me(self, login: str | None) -> None:
        self._me = login
        self.proxy.set_me(login)
        self.mine_check.setEnabled(login is not None)
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """The number next to each filter: how many loaded tickets it alone would show."""
        c = count(self.model.rows(), list(self.model.bands()), self._me)
        self.mine_check.setText(f"Mine ({c.mine})")
        self.unassigned_check.setText(f"Unassigned ({c.unassigned})")
        self.at_risk_check.setText(f"At risk or breached ({c.at_risk})")
        self.awaiting_info_check.setText(f"Awaiting info ({c.awaiting_info})")
        for i, code in enumerate(PRIORITIES, start=1):
            self.priority_combo.setItemText(i, f"{code} ({(c.priority or {}).get(code, 0)})")
        for i, status in enumerate(STATUSES, start=1):
            self.status_combo.setItemText(
                i, f"{status.replace('_', ' ')} ({(c.status or {}).get(status, 0)})"
            )
        for i, tier in enumerate(TIERS, start=1):
            self.tier_combo.setItemText(i, f"Tier {tier} ({(c.tier or {}).get(tier, 0)})")
        if self.proxy.queue_filter.at_risk:
            self.proxy.refilter()
        self._update_shown()

    def _update_shown(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        noun = "ticket" if total == 1 else "tickets"
        filtered = self.proxy.queue_filter != QueueFilter()
        updated = self.model.updated_count()
        marked = f"; {updated} updated since you looked (● bold)" if updated else ""
        if not filtered:
            text = f"{total} open {noun}{marked}"
        else:
            hidden = total - shown
            text = f"FILTERED: {shown} of {total} open {noun} shown, {hidden} hidden by "
            text += self._describe_filter() + marked
        self.shown_label.setText(text)
        self.shown_label.setProperty("role", "filtered" if filtered else "")
        self.clear_filters_button.setProperty("role", "filtered" if filtered else "")
        for widget in (self.shown_label, self.clear_filters_button):
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def _describe_filter(self) -> str:
        f = self.proxy.queue_filter
        parts = [name for on, name in ((f.mine, "mine"), (f.unassigned, "unassigned"),
                 (f.at_risk, "at risk"), (f.awaiting_info, "awaiting info")) if on]  # fmt: skip
        parts += [v for v in (f.priority, f.status.replace("_", " ")) if v]
        if f.tier:
            parts.append(f"tier {f.tier}")
        if f.search:
            parts.append(f'search "{f.search}"')
        return ", ".join(parts) + " (Clear filters shows all)"

    def focus_search(self) -> None:
        """Ctrl+F (the View menu's action: one shortcut, never two, or Qt finds it ambiguous)."""
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def go_to_results(self) -> None:
        """Enter in the search box: the first match is selected and the list has the focus
        (Enter again, or Return, opens it). No open ticket matches: the search goes on over
        the whole history, closed tickets included."""
        text = self.search_edit.text().strip()
        if text and not self.proxy.rowCount():
            self.search_everywhere.emit(text)
            return
        if self.proxy.rowCount():
            self.table.selectRow(0)
            self.table.setCurrentIndex(self.proxy.index(0, NUMBER))
        self.table.setFocus()

    # --- rows -------------------------------------------------------------------------

    def _activated(self, index: QModelIndex) -> None:
        item = index.data(ROW_ROLE)
        if item is not None:
            self.ticket_activated.emit(item.number)

    def select_number(self, number: str) -> bool:
        """Highlight the row of `number` (the ticket opened, from wherever it was opened);
        no row is highlighted when the queue does not show it (closed, or filtered out)."""
        source = self.model.row_of_number(number)
        at = self.proxy.mapFromSource(self.model.index(source, NUMBER)) if source is not None else None
        selection = self.table.selectionModel()
        if at is None or not at.isValid():
            selection.clearSelection()
            selection.clearCurrentIndex()
            return False
        self.table.setCurrentIndex(at)
        self.table.selectRow(at.row())
        self.table.scrollTo(at)
        return True

    def selected_rows(self) -> list[Any]:
        """The QueueRows selected (several with Ctrl or Shift), in the order shown."""
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [r.data(ROW_ROLE) for r in rows if r.data(ROW_ROLE) is not None]

    def next_most_urgent(self, me: str | None, skip: str | None = None) -> str | None:
        """The most urgent ticket shown (by the filters) that is unassigned or `me`'s,
        other than `skip` (the one open now)."""
        model, proxy = self.model, self.proxy
        for source in model.urgency_order():
            item = model.row(int(source))
            if item.number == skip or item.engineer not in (None, me):
                continue
            if proxy.mapFromSource(model.index(int(source), 0)).isValid():
                return str(item.number)
        return None

    def selected_number(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = rows[0].data(ROW_ROLE)
        return None if item is None else str(item.number)

    def visible_source_rows(self) -> npt.NDArray[np.intp]:
        """The source rows on screen now (what a countdown tick recomputes)."""
        table = self.table
        total = self.proxy.rowCount()
        if not total or not table.isVisible():
            return np.empty(0, dtype=np.intp)
        first = table.rowAt(0)
        if first < 0:
            return np.empty(0, dtype=np.intp)
        last = table.rowAt(table.viewport().height() - 1)
        if last < 0:
            last = total - 1
        proxy = self.proxy
        return np.fromiter(
            (proxy.mapToSource(proxy.index(r, 0)).row() for r in range(first, last + 1)),
            dtype=np.intp,
            count=last - first + 1,
        )

    def on_tick(self, now: dt.datetime) -> None:
        self.model.tick(now, self.visible_source_rows())
