"""Run something just after a widget has painted: work that can wait for the first screenful.

At launch the queue's most urgent page is painted first; the other tabs and
the rest of the queue are built after that paint, so a person sees tickets
as early as possible.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class AfterPaint(QObject):
    """Call `then` once: after `widget`'s next paint, or after `fallback_ms` if it does not
    paint by then (hidden or minimised), or at once when it is not visible at all."""

    def __init__(self, widget: QWidget, then: Callable[[], None], fallback_ms: int = 500) -> None:
        super().__init__(widget)
        self._widget = widget
        self._then = then
        self._done = False
        if not widget.isVisible():
            QTimer.singleShot(0, self, self._fire)
            return
        widget.installEventFilter(self)
        QTimer.singleShot(fallback_ms, self, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._done:
            QTimer.singleShot(0, self, self._fire)  # once this paint has finished
        return False

    def _fire(self) -> None:
        if self._done:
            return
        self._done = True
        self._widget.removeEventFilter(self)
        self._then()
