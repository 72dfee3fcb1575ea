"""An unexpected error shows a plain message and where the log is, instead of vanishing."""

from __future__ import annotations

import sys
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from deskapp.logs import log_path, log_unexpected


def report_unexpected(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    summary = log_unexpected(kind, value, tb)
    if QApplication.instance() is None:
        print(f"deskapp: unexpected error: {summary} (details in {log_path()})", file=sys.stderr)
        return
    box = QMessageBox(QMessageBox.Icon.Critical, "deskapp: something went wrong", "")
    box.setObjectName("crashDialog")
    box.setText(
        "deskapp met an error it did not expect. What you were doing may not have been saved; "
        "nothing already saved is lost."
    )
    box.setInformativeText(f"{summary}\n\nThe details are in the log:\n{log_path()}")
    box.setTextInteractionFlags(box.textInteractionFlags())
    box.exec()


def install() -> None:
    """Route uncaught exceptions (including those in Qt slots) to the log and a dialog."""
    sys.excepthook = report_unexpected
