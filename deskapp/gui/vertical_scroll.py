"""A scroll area that scrolls up and down only, and asks for the width its content needs.

The open ticket sits in one below its header: on a short screen (1280x720, 150%
scale) it scrolls instead of making the window taller than the screen, while its
width stays honest (a panel is never squeezed narrower than its buttons and labels).

The content is sized here, not by QScrollArea's widgetResizable: that one gives a
content whose layout wraps (height for width) its *preferred* height, so the ticket
would always scroll; this gives it the viewport's height, or its minimum if taller.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QStyle, QWidget

SHORTEST = 120  # px: the header and a few lines stay in sight however short the window


class VerticalScroll(QScrollArea):
    def __init__(self, content: QWidget, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)
        content.installEventFilter(self)

    def needed_height(self, width: int) -> int:
        """The least height the content can have at `width`."""
        content = self.widget()
        if content is None:
            return 0
        layout = content.layout()
        if layout is not None and layout.hasHeightForWidth():
            return max(layout.minimumHeightForWidth(width), content.minimumSizeHint().height())
        return content.minimumSizeHint().height()

    def fit(self) -> None:
        content = self.widget()
        if content is None:
            return
        width = self.viewport().width()
        height = max(self.viewport().height(), self.needed_height(width))
        if content.size() != QSize(width, height):
            content.resize(width, height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        width = content.minimumSizeHint().width() if content is not None else 0
        return QSize(width + bar + 2 * self.frameWidth(), SHORTEST)

    def sizeHint(self) -> QSize:
        content = self.widget()
        hint = content.sizeHint() if content is not None else QSize(0, 0)
        return QSize(self.minimumSizeHint().width(), max(hint.height(), SHORTEST))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The content's needs changed (a step's form opened, buttons rewrapped): refit it and
        # tell the splitter.
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
            self.fit()
        return super().eventFilter(watched, event)
