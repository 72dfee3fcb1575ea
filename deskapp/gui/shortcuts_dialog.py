"""The keyboard cheat-sheet (F1): every menu action with its shortcut, read from the
window's menus so it always says what the keys do now."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

EXTRA = (
    ("Queue", "Enter", "open the selected ticket"),
    ("Queue", "Ctrl/Shift + click", "select several tickets (Take it, Assign the selected)"),
    ("Search box", "Enter", "go to the matches (none open: search every ticket, closed too)"),
    ("Inbox", "Enter", "log the selected message as a ticket (its parsed fields, confirmed in one step)"),
    ("Inbox", "Delete", "discard the selected message (asks first; it is kept, marked discarded)"),
    ("A form", "Ctrl+Enter", "save the step; Escape closes it (asking first if something was typed)"),
)


def entries(window: Any) -> list[tuple[str, str, str]]:
    """(menu, keys, what) for every action with a shortcut in the window's menus."""
    out: list[tuple[str, str, str]] = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        title = menu_action.text().replace("&", "")
        for act in menu.actions():
            if not isinstance(act, QAction) or act.isSeparator() or act.shortcut().isEmpty():
                continue
            keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            what = act.text().replace("&", "").rstrip("…")
            out.append((title, keys, what + ("" if act.isEnabled() else " (not offered now)")))
    return out + list(EXTRA)


class ShortcutsDialog(QDialog):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("deskapp — keyboard shortcuts")
        rows = entries(window)
        table = self.table = QTableWidget(len(rows), 3, self)
        table.setObjectName("shortcutsTable")
        table.setHorizontalHeaderLabels(["Where", "Keys", "What"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                table.setItem(r, c, QTableWidgetItem(value))
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(640, 560)
