"""The keys every form answers the same way: Ctrl+Enter saves, Escape closes (asking
first when something was typed), Enter in a one-line field saves."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLineEdit, QMessageBox, QWidget

SAVE_KEYS = ("Ctrl+Return", "Ctrl+Enter")


def install(
    form: QWidget, save: Callable[[], Any], close: Callable[[], Any] | None = None
) -> list[QShortcut]:
    """Shortcuts on `form` and its children only (never ambiguous with the window's)."""
    made = []
    keys = [(k, save) for k in SAVE_KEYS] + ([("Escape", close)] if close is not None else [])
    for key, slot in keys:
        shortcut = QShortcut(QKeySequence(key), form)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda s=slot: s())
        made.append(shortcut)
    return made


def enter_saves(fields: Iterable[QLineEdit], save: Callable[[], Any]) -> None:
    for field in fields:
        field.returnPressed.connect(lambda: save())


def confirm_discard(parent: QWidget, what: str) -> bool:
    """Ask before throwing away what was typed (No is the default: a slip of a finger
    mid-call loses nothing)."""
    answer = QMessageBox.question(
        parent, "deskapp", f"Discard {what}? What you typed will be lost.",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
    )  # fmt: skip
    return answer == QMessageBox.StandardButton.Discard
