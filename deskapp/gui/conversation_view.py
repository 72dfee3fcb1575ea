"""The ticket's conversation: one timeline of what came in, what went out (with its
delivery state) and the desk's internal notes, and a composer whose two halves are
kept visibly apart: **Reply to reseller** (emailed; canned replies; a preview of
exactly what the reseller receives) and **Internal note** (never sent).

Everything goes through `Desk` (the services); errors are shown in words and what
was typed is kept.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeView,
    QWidget,
)

from deskapp.domain.lifecycle import DeskError
from deskapp.gui.desk import Desk
from deskapp.gui.forms import child, load_form
from deskapp.gui.models.conversation_model import WAYS, ConversationModel
from deskapp.gui.workers import Read, start
from deskapp.gui.writes import refusal_text, save
from deskapp.mail.templates import CannedReply
from deskapp.services.conversation import ConversationEntry
from deskapp.services.errors import ConflictError

PICK = "— pick a canned reply —"
ATTACHMENT_ROLE = Qt.ItemDataRole.UserRole + 1
Opener = Callable[[Path], object]


def _open_with_desktop(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class _Signals(QObject):
    read = Signal(object)  # (generation, (entries, canned replies) or the words saying why not)
    failed = Signal(str)


class ConversationPanel(QWidget):
    changed = Signal(str)  # a reply or a note was saved on this ticket number

    def __init__(self, desk: Desk, parent: Any = None, *, opener: Opener | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationPanel")
        self.desk = desk
        self._opener = opener or _open_with_desktop
        self._files_dir: Path | None = None
        self.number: str | None = None
        self.version: int | None = None
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._generation = 0
        self._canned: tuple[tuple[str, str], ...] | None = None  # what the canned combo offers
        self._signals = _Signals(self)
        self._signals.read.connect(self._conversation_read)
        form = load_form("conversation_panel.ui", self)
        self.timeline_view = child(form, QTreeView, "timelineView")
        self.model = ConversationModel(desk.policy.tz, self)
        self.timeline_view.setModel(self.model)
        for column, width in enumerate((110, 170, 170, 260)):
            self.timeline_view.setColumnWidth(column, width)
        self.entry_header_label = child(form, QLabel, "entryHeaderLabel")
        self.entry_text = child(form, QPlainTextEdit, "entryText")
        self.attachments_label = child(form, QLabel, "attachmentsLabel")
        self.attachment_list = child(form, QListWidget, "attachmentList")
        self.open_attachment_button = child(form, QPushButton, "openAttachmentButton")
        self.composer_tabs = child(form, QTabWidget, "composerTabs")
        self.reply_tab = child(form, QWidget, "replyTab")
        self.note_tab = child(form, QWidget, "noteTab")
        # Two visibly different halves: the style sheet colours them by role.
        self.reply_tab.setProperty("role", "publicComposer")
        self.note_tab.setProperty("role", "internalComposer")
        child(form, QLabel, "replyBanner").setProperty("role", "publicBanner")
        child(form, QLabel, "noteBanner").setProperty("role", "internalBanner")
        self.canned_combo = child(form, QComboBox, "cannedCombo")
        self.reply_edit = child(form, QPlainTextEdit, "replyEdit")
        self.preview_text = child(form, QPlainTextEdit, "previewText")
        self.preview_button = child(form, QPushButton, "previewButton")
        self.send_reply_button = child(form, QPushButton, "sendReplyButton")
        self.note_edit = child(form, QPlainTextEdit, "internalNoteEdit")
        self.add_note_button = child(form, QPushButton, "addNoteButton")
        self.error_label = child(form, QLabel, "composerErrorLabel")
        self.error_label.setProperty("role", "error")
        self._signals.failed.connect(self.error_label.setText)
        self.preview_text.hide()
        self.saving: str | None = None  # "reply" or "note" while one is saved on the write thread
        self._saved_ok: bool | None = None  # how the last save ended (None: not yet)
        self._button_texts = {"reply": self.send_reply_button.text(), "note": self.add_note_button.text()}
        self._unsaved: dict[tuple[str, str], str] = {}  # (number, what) -> text refused after leaving it

        self.timeline_view.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self._read(cur.row())
        )
        self.canned_combo.activated.connect(self._use_canned)
        self.preview_button.clicked.connect(self.preview)
        self.send_reply_button.clicked.connect(self.send_reply)
        self.add_note_button.clicked.connect(self.add_note)
        self.open_attachment_button.clicked.connect(lambda: self.open_attachment())
        self.attachment_list.itemActivated.connect(lambda _item: self.open_attachment())
        self.reply_edit.textChanged.connect(self.preview_text.hide)

    # --- loading ------------------------------------------------------------------------

    def show_ticket(self, number: str, version: int) -> None:
        """Read the ticket's conversation on the worker, then show it (`show_read`)."""
        if number != self.number:
            self.reply_edit.clear()
            self.note_edit.clear()
            self.preview_text.hide()
            self.error_label.clear()
            # a reply or a note refused after its ticket was left: back in its box
            self.reply_edit.setPlainText(self._unsaved.pop((number, "reply"), ""))
            self.note_edit.setPlainText(self._unsaved.pop((number, "note"), ""))
        self.number, self.version = number, version
        self._generation += 1
        generation, desk = self._generation, self.desk

        def read() -> tuple[int, Any]:
            try:
                return generation, (desk.conversation(number), desk.canned_replies())
            except DeskError as exc:
                return generation, str(exc)

        start(self.pool, Read(desk.db, "the conversation", read, self._signals.read, self._signals.failed))

    def _conversation_read(self, result: tuple[int, Any]) -> None:
        generation, got = result
        if generation != self._generation or self.number is None or self.version is None:
            return  # another ticket was asked for meanwhile
        if isinstance(got, str):
            self.error_label.setText(got)
            return
        self.show_read(self.number, self.version, *got)

    def show_read(
        self, number: str, version: int, entries: list[ConversationEntry], canned: list[CannedReply]
    ) -> None:
        """Show a conversation already read (the ticket view reads it with the ticket)."""
        if number != self.number:
            self.reply_edit.clear()
            self.note_edit.clear()
            self.preview_text.hide()
            self.error_label.clear()
            # a reply or a note refused after its ticket was left: back in its box
            self.reply_edit.setPlainText(self._unsaved.pop((number, "reply"), ""))
            self.note_edit.setPlainText(self._unsaved.pop((number, "note"), ""))
        self._generation += 1  # a read of this panel's own still on its way is older
        self.number, self.version = number, version
        self.model.set_entries(entries)
        offered = tuple((reply.title, reply.text) for reply in canned)
        if offered != self._canned:  # the same replies for every ticket: rebuilt only when edited
            self._canned = offered
            self.canned_combo.clear()
            self.canned_combo.addItem(PICK, "")
            for title, text in offered:
                self.canned_combo.addItem(title, text)
        if entries:
            self.timeline_view.setCurrentIndex(self.model.index(len(entries) - 1, 0))
        else:
            self._read(-1)

    def _read(self, row: int) -> None:
        if not 0 <= row < self.model.row_count():
            self.entry_header_label.setText("Nothing said on this ticket yet.")
            self.entry_text.clear()
            self.attachments_label.clear()
            self.attachment_list.clear()
            self.attachment_list.hide()  # no room kept for attachments that are not there
            self.open_attachment_button.hide()
            return
        e = self.model.entry(row)
        when = f"{e.at.astimezone(self.desk.policy.tz):%a %d %b %Y %H:%M}"
        if e.direction == "note":
            head = f"{WAYS['note']} by {e.author} · {when}"
        else:
            state = e.status + (f" ({e.error})" if e.error else "")
            head = f"{WAYS[e.direction]} · {when} · from {e.sender} to {e.to} · {state}\n{e.subject}"
        self.entry_header_label.setText(head)
        self.entry_text.setPlainText(e.text)
        files = ", ".join(f"{name} ({size:,} bytes)" for name, size in e.attachments)
        self.attachments_label.setText(f"Attachments: {files}" if files else "")
        self.attachment_list.clear()
        for (name, size), ident in zip(e.attachments, e.attachment_ids, strict=False):
            item = QListWidgetItem(f"{name} ({size:,} bytes)")
            item.setData(ATTACHMENT_ROLE, ident)
            self.attachment_list.addItem(item)
        if self.attachment_list.count():
            self.attachment_list.setCurrentRow(0)
        shown = bool(self.attachment_list.count())
        self.attachment_list.setVisible(shown)
        self.open_attachment_button.setVisible(shown)

    def open_attachment(self) -> Path | None:
        """Write the selected attachment to a private folder and open it with the
        desktop's program for it; the file is as it arrived, never run by deskapp."""
        item = self.attachment_list.currentItem()
        if item is None:
            return None
        try:
            found = self.desk.attachment(int(item.data(ATTACHMENT_ROLE)))
        except DeskError as exc:
            self.error_label.setText(str(exc))
            return None
        if found.data is None:
            self.error_label.setText(f"{found.name} was not kept: {found.note or 'no data'}")
            return None
        if self._files_dir is None:
            self._files_dir = Path(tempfile.mkdtemp(prefix="deskapp-attachments-"))
        safe = re.sub(r"[^\w.\- ]", "_", Path(found.name).name).strip(" .") or "attachment"
        path = self._files_dir / f"{item.data(ATTACHMENT_ROLE)}-{safe}"
        path.write_bytes(found.data)
        self._opener(path)
        self.error_label.clear()
        return path

    # --- composing ------------------------------------------------------------------------

    def _use_canned(self, index: int) -> None:
        text = self.canned_combo.itemData(index)
        if text:
            current = self.reply_edit.toPlainText().rstrip()
            self.reply_edit.setPlainText(f"{current}\n\n{text}".strip() if current else str(text))
        self.canned_combo.setCurrentIndex(0)

    def preview(self) -> bool:
        """Show exactly what the reseller would receive: headers and text."""
        if self.number is None:
            return False
        text = self.reply_edit.toPlainText().strip()
        if not text:
            self.error_label.setText("the reply is empty: write what the reseller should read")
            return False
        try:
            message = self.desk.preview_reply(self.number, text)
        except DeskError as exc:
            self.error_label.setText(str(exc))
            return False
        heads = "\n".join(
            f"{name}: {message[name]}"
            for name in ("From", "To", "Subject", "Date", "In-Reply-To", "References")
            if message[name] is not None
        )
        self.preview_text.setPlainText(f"{heads}\n\n{message.get_content()}")
        self.preview_text.show()
        self.error_label.clear()
        return True

    def send_reply(self) -> bool:
        return self._save("reply", self.reply_edit)

    def add_note(self) -> bool:
        return self._save("note", self.note_edit)

    def _save(self, what: str, edit: QPlainTextEdit) -> bool:
        """Save the reply or the note on the write thread (`writes.save`): its button says
        "Saving…" and the text is kept, read-only, until the save is done; then it is
        cleared, or stays with the refusal said. Returns False when it could not start (or,
        settled in tests, when it was refused)."""
        if self.number is None or self.saving is not None:
            return False
        text = edit.toPlainText().strip()
        number, version, desk = self.number, self.version, self.desk
        button = self.send_reply_button if what == "reply" else self.add_note_button
        self.saving, self._saved_ok = what, None
        button.setEnabled(False)
        button.setText("Saving…")
        edit.setReadOnly(True)
        self.error_label.clear()

        def write() -> None:
            if what == "reply":
                desk.reply(number, text, version)
            else:
                desk.add_note(number, text, version)

        save(
            desk, write, lambda _result: self._saved(what, number),
            lambda exc: self._refused(what, number, text, exc), owner=self,
        )  # fmt: skip
        return self._saved_ok is not False

    def _save_done(self, what: str) -> tuple[QPlainTextEdit, QPushButton]:
        self.saving = None
        edit, button = (
            (self.reply_edit, self.send_reply_button)
            if what == "reply"
            else (self.note_edit, self.add_note_button)
        )
        button.setEnabled(True)
        button.setText(self._button_texts[what])
        edit.setReadOnly(False)
        return edit, button

    def _saved(self, what: str, number: str) -> None:
        edit, _button = self._save_done(what)
        self._saved_ok = True
        if self.number == number:
            edit.clear()
            self.preview_text.hide()
            self.error_label.clear()
        self.changed.emit(number)

    def _refused(self, what: str, number: str, text: str, exc: Exception) -> None:
        self._save_done(what)
        self._saved_ok = False
        if isinstance(exc, ConflictError):
            why = f"not saved: {exc}; what you typed is kept"
        else:
            why = refusal_text(exc)
        if self.number == number:
            self.error_label.setText(why)
            return
        # Another ticket was opened meanwhile: the text waits for this one to be opened again.
        self._unsaved[(number, what)] = text
        self.error_label.setText(f"the {what} on {number} was not saved ({why}); open {number} again: "
                                 "what you typed is back in its box")  # fmt: skip
