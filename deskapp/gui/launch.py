"""Start the desktop app (the `deskapp` command with no arguments)."""

from __future__ import annotations

import argparse
import os
import sys


def run_gui(args: argparse.Namespace) -> int:
    if (
        not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
    ):
        print("deskapp: no display found; set DISPLAY, or QT_QPA_PLATFORM=offscreen", file=sys.stderr)
        return 2
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    label = QLabel("deskapp: the desktop client is being built")
    label.resize(480, 120)
    label.show()
    return int(app.exec())
