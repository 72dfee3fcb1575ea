"""Designer forms from `ui/`, loaded at run time with QUiLoader (never loadUiType)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QFile, QIODevice, QObject
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from deskapp.resources import ui_path

W = TypeVar("W", bound=QObject)
DIALOG_MARGIN = 11  # px, as Qt's styles give a dialog's top-level layout


class FormError(RuntimeError):
    pass


def load_form(name: str, host: QWidget) -> QWidget:
    """Load `ui/<name>` and place it as the whole content of `host`."""
    path = ui_path(name)
    file = QFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FormError(f"cannot open form {path}")
    try:
        form = QUiLoader().load(file, host)
    finally:
        file.close()
    if form is None:
        raise FormError(f"cannot load form {path}")
    layout = host.layout()
    if layout is None:
        layout = QVBoxLayout(host)
        # A dialog's content keeps off its edges; a view inside a window brings its own.
        margin = DIALOG_MARGIN if isinstance(host, QDialog) else 0
        layout.setContentsMargins(margin, margin, margin, margin)
    layout.addWidget(form)
    return form


def child(form: QObject, kind: type[W], name: str) -> W:
    """The named widget of a form; a missing name is a bug in the form, said loudly."""
    found = form.findChild(kind, name)
    if found is None:
        raise FormError(f"form {form.objectName()!r} has no {kind.__name__} named {name!r}")
    return found
