"""A person's saved queue views ("my P1s and P2s at risk"): pick one, save the filter
shown under a name, delete one. Kept in the database per person (`deskapp.services.views`),
so they follow the person to any workstation."""

from __future__ import annotations

from typing import Any

import peewee as pw
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QInputDialog, QPushButton, QWidget

from deskapp.domain.lifecycle import DeskError
from deskapp.gui.desk import Desk
from deskapp.gui.models.queue_filter import QueueFilter
from deskapp.gui.queue_view import QueueView

PICK = "Saved views…"


class SavedViewsBar(QWidget):
    message = Signal(str)  # what happened, or what went wrong, in words

    def __init__(self, desk: Desk, queue_view: QueueView, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("savedViewsBar")
        self.desk = desk
        self.queue_view = queue_view
        self.views_combo = QComboBox(self)
        self.views_combo.setObjectName("savedViewsCombo")
        self.views_combo.setToolTip("Your saved views of the queue (yours only, on any workstation)")
        self.views_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.save_button = QPushButton("Save view…", self)
        self.save_button.setObjectName("saveViewButton")
        self.save_button.setToolTip("Save the filters shown now under a name")
        self.delete_button = QPushButton("Delete view", self)
        self.delete_button.setObjectName("deleteViewButton")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.views_combo, self.save_button, self.delete_button):
            layout.addWidget(widget)
        self._specs: dict[str, dict[str, Any]] = {}
        self.views_combo.activated.connect(self._picked)
        self.save_button.clicked.connect(self._ask_name)
        self.delete_button.clicked.connect(lambda: self.delete(self.views_combo.currentText()))
        self.reload()

    def reload(self, current: str = "") -> None:
        try:
            views = self.desk.saved_views()
        except (DeskError, pw.PeeweeException) as exc:
            self.message.emit(f"your saved views could not be read: {exc}")
            views = []
        self._specs = {v.name: v.spec for v in views}
        combo = self.views_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(PICK)
        for name in self._specs:
            combo.addItem(name)
        combo.setCurrentIndex(max(0, combo.findText(current)) if current else 0)
        combo.blockSignals(False)
        self.delete_button.setEnabled(combo.currentIndex() > 0)

    def names(self) -> list[str]:
        return list(self._specs)

    def _picked(self, index: int) -> None:
        self.delete_button.setEnabled(index > 0)
        if index > 0:
            self.show_view(self.views_combo.itemText(index))

    def show_view(self, name: str) -> bool:
        spec = self._specs.get(name)
        if spec is None:
            return False
        self.queue_view.show_filter(QueueFilter.from_settings(spec))
        self.views_combo.setCurrentIndex(max(0, self.views_combo.findText(name)))
        self.delete_button.setEnabled(True)
        return True

    def _ask_name(self) -> None:
        combo = self.views_combo
        suggested = combo.currentText() if combo.currentIndex() > 0 else ""
        name, ok = QInputDialog.getText(self, "Save view", "Name for the filters shown now:", text=suggested)
        if ok:
            self.save(name)

    def save(self, name: str) -> bool:
        spec = self.queue_view.current_filter().to_settings()
        try:
            self.desk.save_view(name, spec)
        except (DeskError, pw.PeeweeException) as exc:
            self.message.emit(f"the view was not saved: {exc}")
            return False
        clean = " ".join(name.split())
        self.reload(clean)
        self.message.emit(f"saved the view “{clean}”")
        return True

    def delete(self, name: str) -> bool:
        if name not in self._specs:
            return False
        try:
            self.desk.delete_view(name)
        except (DeskError, pw.PeeweeException) as exc:
            self.message.emit(f"the view was not deleted: {exc}")
            return False
        self.reload()
        self.message.emit(f"deleted the view “{name}”")
        return True
