"""A one-line label that shortens its text with "…" to the room it is given, the whole text
in its tooltip.

The status bar's database, rules and mail lines can be longer than a 1280 px window:
as plain labels their widths add up to the window's minimum, and the window would
grow past the screen after the first rule pass. These ask for a little room and give
way instead; `text()` is still the whole text.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel

LEAST = 120  # px: what it asks for at the least


class ElidingLabel(QLabel):
    def __init__(self, text: str = "", parent: Any = None) -> None:
        super().__init__(text, parent)
        self.setProperty("elides", True)  # the layout probe checks the tooltip instead of the width
        self.setToolTip(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:
        full = super().minimumSizeHint()
        return QSize(min(LEAST, full.width()), full.height())

    def shown_text(self) -> str:
        """What is drawn in the width it has now."""
        return self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        align = int(self.alignment() | Qt.AlignmentFlag.AlignVCenter)
        self.style().drawItemText(
            painter, self.contentsRect(), align, self.palette(), self.isEnabled(), self.shown_text(),
            QPalette.ColorRole.WindowText,
        )  # fmt: skip
        painter.end()
