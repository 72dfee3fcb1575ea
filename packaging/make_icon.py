"""Draw the app icon: a clock face on the desk's blue, with an amber alert dot.

Run once when the design changes: `QT_QPA_PLATFORM=offscreen python3 packaging/make_icon.py`.
Writes resources/icons/deskapp.png and deskapp.ico (256 px; Windows scales it down).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPen

ROOT = Path(__file__).resolve().parent.parent


def draw(size: int) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#1f4e79"))
    p.drawRoundedRect(QRectF(16 * s, 16 * s, 224 * s, 224 * s), 44 * s, 44 * s)
    p.setBrush(QColor("#ffffff"))
    p.drawEllipse(QPointF(128 * s, 128 * s), 78 * s, 78 * s)
    pen = QPen(QColor("#1f4e79"), 16 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.drawLine(QPointF(128 * s, 128 * s), QPointF(128 * s, 78 * s))
    p.drawLine(QPointF(128 * s, 128 * s), QPointF(166 * s, 150 * s))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#e8a33d"))
    p.drawEllipse(QPointF(186 * s, 70 * s), 26 * s, 26 * s)
    p.end()
    return img


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 (painting needs an application)
    out = ROOT / "resources" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    draw(256).save(str(out / "deskapp.png"))
    draw(256).save(str(out / "deskapp.ico"))  # Qt's ico plugin writes a valid .ico
    return 0


if __name__ == "__main__":
    sys.exit(main())
