"""Administrators edit the desk's message templates and canned replies here: one
wording for every workstation (kept in the database), a preview with sample values,
and the way back to the shipped text. Everything through `deskapp.services.templates`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QWidget

from deskapp.domain.lifecycle import DeskError
from deskapp.gui.desk import Desk
from deskapp.gui.forms import child, load_form
from deskapp.mail.templates import CannedReply, parse_canned
from deskapp.services import templates

KIND_ROLE = Qt.ItemDataRole.UserRole + 1


def canned_text(replies: list[CannedReply]) -> str:
    return "\n\n".join(f"## {r.title}\n{r.text}" for r in replies) + "\n"


class TemplatesView(QWidget):
    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("templatesView")
        self.desk = desk
        self._rows: dict[str, templates.TemplateRow] = {}
        form = load_form("templates_view.ui", self)
        self.template_list = child(form, QListWidget, "templateList")
        self.state_label = child(form, QLabel, "templateStateLabel")
        self.template_edit = child(form, QPlainTextEdit, "templateEdit")
        self.preview_text = child(form, QPlainTextEdit, "templatePreview")
        self.preview_button = child(form, QPushButton, "previewTemplateButton")
        self.save_button = child(form, QPushButton, "saveTemplateButton")
        self.reset_button = child(form, QPushButton, "resetTemplateButton")
        self.canned_edit = child(form, QPlainTextEdit, "cannedEdit")
        self.save_canned_button = child(form, QPushButton, "saveCannedButton")
        self.message_label = child(form, QLabel, "templatesMessageLabel")
        self.template_list.currentRowChanged.connect(lambda _row: self._show_current())
        self.preview_button.clicked.connect(self.preview)
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.reset)
        self.save_canned_button.clicked.connect(self.save_canned)

    def reload(self) -> None:
        kind = self.current_kind()
        try:
            rows = templates.template_rows(self.desk.db)
            canned = templates.canned_replies(self.desk.db)
        except DeskError as exc:
            self.message_label.setText(str(exc))
            return
        self._rows = {row.kind: row for row in rows}
        self.template_list.blockSignals(True)
        self.template_list.clear()
        for row in rows:
            item = QListWidgetItem(row.label + (" (edited)" if row.edited else ""))
            item.setData(KIND_ROLE, row.kind)
            self.template_list.addItem(item)
        self.template_list.blockSignals(False)
        kinds = [row.kind for row in rows]
        self.template_list.setCurrentRow(kinds.index(kind) if kind in kinds else 0)
        self._show_current()
        self.canned_edit.setPlainText(canned_text(canned))

    def current_kind(self) -> str | None:
        item = self.template_list.currentItem()
        return None if item is None else str(item.data(KIND_ROLE))

    def _show_current(self) -> None:
        kind = self.current_kind()
        if kind is None:
            return
        row = self._rows[kind]
        self.state_label.setText(
            f"{row.label}: {'edited for this desk' if row.edited else 'the shipped text'}"
        )
        self.template_edit.setPlainText(row.text)
        self.preview_text.clear()

    def preview(self) -> bool:
        kind = self.current_kind()
        if kind is None:
            return False
        try:
            got = templates.preview(self.desk.db, kind, self.template_edit.toPlainText())
        except DeskError as exc:
            self.message_label.setText(str(exc))
            return False
        self.preview_text.setPlainText(f"Subject: {got.subject}\n\n{got.body}")
        self.message_label.clear()
        return True

    def save(self) -> bool:
        return self._do(lambda kind: templates.set_template(
            self.desk.db, self.desk.session.login, kind, self.template_edit.toPlainText()
        ), "saved: every workstation uses it from the next message")  # fmt: skip

    def reset(self) -> bool:
        return self._do(lambda kind: templates.reset_template(self.desk.db, self.desk.session.login, kind),
                        "back to the shipped text")  # fmt: skip

    def _do(self, call: Any, done: str) -> bool:
        kind = self.current_kind()
        if kind is None:
            return False
        try:
            call(kind)
        except DeskError as exc:
            self.message_label.setText(str(exc))  # what was typed is kept
            return False
        text = self.template_edit.toPlainText()
        self.reload()
        if "shipped" not in done:
            self.template_edit.setPlainText(text)
        self.message_label.setText(f"{self._rows[kind].label}: {done}")
        return True

    def save_canned(self) -> bool:
        replies = parse_canned(self.canned_edit.toPlainText())
        try:
            templates.set_canned_replies(self.desk.db, self.desk.session.login, replies)
        except DeskError as exc:
            self.message_label.setText(str(exc))
            return False
        self.message_label.setText(f"{len(replies)} canned replies saved for the whole desk")
        return True
