"""The satisfaction survey of the open ticket: state, reference, answer, and
"Enter survey answer" for a closed ticket (through `services.record_survey`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QSpinBox, QWidget

from deskapp import services
from deskapp.domain.lifecycle import DeskError, Status
from deskapp.gui.desk import Desk
from deskapp.gui.forms import child, load_form
from deskapp.gui.writes import refusal_text, save
from deskapp.services.survey_read import SurveyState, survey_of

STATE_TEXT = {
    "none": "none (a survey is sent when the ticket closes)",
    "to_send": "to send (no email address: ask by phone)",
    "sent": "sent, waiting for the answer",
    "answered": "answered",
}


class SurveyPanel(QWidget):
    answered = Signal(str)  # the ticket number whose answer was saved

    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("surveyPanel")
        self.desk = desk
        self.survey: SurveyState | None = None
        self._version: int | None = None
        self._closed = False
        self.saving = False  # an answer being saved on the write thread
        self._saved_ok: bool | None = None
        self._idle_text = ""
        form = load_form("survey_panel.ui", self)
        self.state_label = child(form, QLabel, "surveyStateValue")
        self.ref_label = child(form, QLabel, "surveyRefValue")
        self.answer_label = child(form, QLabel, "surveyAnswerValue")
        self.enter_answer_button = child(form, QPushButton, "enterSurveyAnswerButton")
        self.answer_form = child(form, QWidget, "surveyAnswerForm")
        self.score_spin = child(form, QSpinBox, "surveyScoreSpin")
        self.comment_edit = child(form, QLineEdit, "surveyCommentEdit")
        self.save_button = child(form, QPushButton, "saveSurveyAnswerButton")
        self.cancel_button = child(form, QPushButton, "cancelSurveyAnswerButton")
        self.error_label = child(form, QLabel, "surveyErrorLabel")
        self.error_label.setProperty("role", "error")
        self.enter_answer_button.clicked.connect(self.open_answer)
        self.save_button.clicked.connect(self.save_answer)
        self.cancel_button.clicked.connect(self.close_answer)
        self.answer_form.hide()

    def _when(self, moment: dt.datetime | None) -> str:
        return "" if moment is None else f"{moment.astimezone(self.desk.policy.tz):%a %d %b %Y %H:%M}"

    def show_ticket(self, number: str, status: str, version: int) -> None:
        """Read and show (the ticket view reads the survey with the ticket: `show_read`)."""
        try:
            survey = survey_of(self.desk.db, number)
        except DeskError as exc:
            self.error_label.setText(str(exc))
            return
        self.show_read(number, status, version, survey)

    def show_read(self, number: str, status: str, version: int, survey: SurveyState) -> None:
        if self.survey is None or self.survey.number != survey.number:
            self.close_answer()
        self.survey, self._version, self._closed = survey, version, status == Status.CLOSED.value
        state = STATE_TEXT.get(survey.state, survey.state)
        if survey.state == "sent" and survey.sent_at is not None:
            state = f"sent {survey.sent_at.astimezone(self.desk.policy.tz):%a %d %b %H:%M}; no answer yet"
        self.state_label.setText(state)
        self.ref_label.setText(survey.ref or "—")
        if survey.score is not None:
            comment = f": “{survey.comment}”" if survey.comment else ""
            self.answer_label.setText(f"{survey.score}/5{comment} ({self._when(survey.answered_at)})")
        else:
            self.answer_label.setText("—")
        can_answer = self._closed and survey.score is None
        self.enter_answer_button.setVisible(can_answer)
        if not can_answer:
            self.close_answer()

    def open_answer(self) -> None:
        if self.survey is None or not self.enter_answer_button.isVisible():
            return
        self.error_label.clear()
        self.answer_form.show()
        self.score_spin.setFocus()

    def close_answer(self) -> None:
        self.answer_form.hide()
        self.error_label.clear()

    def save_answer(self) -> bool:
        """Save the answer on the write thread (`writes.save`): the form greys, its button
        saying "Saving…"; then it closes, or stays filled with the refusal said."""
        if self.survey is None or self.saving:
            return False
        number, desk = self.survey.number, self.desk
        score, comment, version = self.score_spin.value(), self.comment_edit.text().strip(), self._version

        def write() -> None:
            services.record_survey(
                desk.db, desk.clock, desk.session.login, number, score=score, comment=comment,
                expected_version=version, policy=desk.policy,
            )  # fmt: skip

        self.saving, self._saved_ok = True, None
        self.answer_form.setEnabled(False)
        self._idle_text = self.save_button.text()
        self.save_button.setText("Saving…")
        save(desk, write, lambda _result: self._saved(number), self._refused, owner=self)
        return self._saved_ok is not False

    def _done(self) -> None:
        self.saving = False
        self.answer_form.setEnabled(True)
        self.save_button.setText(self._idle_text)

    def _saved(self, number: str) -> None:
        self._done()
        self._saved_ok = True
        self.comment_edit.clear()
        self.close_answer()
        self.answered.emit(number)

    def _refused(self, exc: Exception) -> None:
        self._done()
        self._saved_ok = False
        self.error_label.setText(refusal_text(exc))
