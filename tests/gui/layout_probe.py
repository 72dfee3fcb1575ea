"""Walk every view of a demo desk on a screen of a given size and scale; print what is cut.

Run in its own process (the scale and the screen are fixed when Qt starts), by
tests/gui/test_layout_fit.py:

    python -m tests.gui.layout_probe 1280x720 1.5 SCREEN_JSON_DIR

prints one JSON object: {"screen": [w, h], "views": [names checked], "problems": [...]}.
A problem names the view, the widget (object name, class, text) and what is wrong:
outside the window, outside its parent (clipped), narrower than its text needs,
a header section narrower than its title, a key column out of sight, a splitter
pane narrower than it needs or at zero width, the window larger than the screen.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QTreeView,
    QWidget,
)

SLACK = 1  # px: rounding at fractional scales
MARGIN = 4  # px: a dialog's content keeps off its edges
MIN_HISTORY = 240  # px: the customer history's number, date and outcome
MIN_SLA_TEXT = 300  # px: "BREACHED +1d 02h (due Mon 09 Mar…" in two lines at most
CHECKED = (QAbstractButton, QLabel, QLineEdit, QComboBox)


def _name(w: QWidget) -> str:
    text = ""
    if isinstance(w, (QAbstractButton, QLabel)):
        text = w.text()
    elif isinstance(w, QComboBox):
        text = w.currentText()
    return f"{w.objectName() or '?'} ({type(w).__name__}) {text[:40]!r}"


def _inside(inner: QRect, outer: QRect) -> bool:
    return outer.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(inner)


def _clipped(w: QWidget, top: QWidget) -> str | None:
    """Where `w` leaves an ancestor up to `top`; inside a scroll area's viewport the scroll area
    itself is followed instead (what scrolls into sight is not cut)."""
    node: QWidget = w
    parent = node.parentWidget()
    while parent is not None and node is not top:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and parent is area.viewport():
            node, parent = area, area.parentWidget()
            continue
        rect = QRect(node.mapTo(parent, QPoint(0, 0)), node.size())
        if not _inside(rect, parent.rect()):
            where = parent.objectName() or type(parent).__name__
            return f"outside {where} ({rect.getRect()} in {parent.rect().getRect()})"
        node, parent = parent, parent.parentWidget()
    return None


def _too_narrow(w: QWidget) -> str | None:
    if isinstance(w, QLabel) and w.property("elides"):  # shortened on purpose: whole in its tooltip
        return None if w.toolTip() == w.text() else f"shortens {w.text()[:40]!r} without a tooltip"
    if isinstance(w, QLabel):
        if not w.text() or (w.pixmap() is not None and not w.pixmap().isNull()):
            return None
        if w.wordWrap():
            need = w.heightForWidth(w.width())
            return (
                f"height {w.height()} < {need} its wrapped text needs" if w.height() + SLACK < need else None
            )
        need = w.sizeHint().width()
    elif isinstance(w, QLineEdit):
        need = w.minimumSizeHint().width()
    else:
        need = w.minimumSizeHint().width()
    return f"width {w.width()} < {need} its text needs" if w.width() + SLACK < need else None


def _headers(view: QAbstractItemView, where: str, key: tuple[int, ...] | None) -> list[str]:
    problems: list[str] = []
    if not isinstance(view, (QTableView, QTreeView)):
        return problems
    header: QHeaderView = view.horizontalHeader() if isinstance(view, QTableView) else view.header()
    model = view.model()
    if model is None or not header.isVisible():
        return problems
    bold = QFont(header.font())
    bold.setBold(True)  # the style sheet's header sections
    metrics = QFontMetrics(bold)
    last = header.logicalIndex(header.count() - 1)
    for logical in range(header.count()):
        if header.isSectionHidden(logical):
            continue
        title = str(model.headerData(logical, header.orientation()) or "")
        # Qt's own measure of the title; it keeps room for a sort arrow on every section of a
        # sortable view, but only the sorted one shows it: the others need the bold text.
        need = header.sectionSizeHint(logical)
        if not (header.isSortIndicatorShown() and header.sortIndicatorSection() == logical):
            need = min(need, metrics.horizontalAdvance(title) + 4)
        size = header.sectionSize(logical)
        stretched = logical == last and header.stretchLastSection()
        if size + SLACK < need and not stretched:
            problems.append(f"{where}: column {title!r} is {size} px, its title needs {need}")
    if key is not None:
        width = view.viewport().width()
        for logical in key:
            right = header.sectionViewportPosition(logical) + header.sectionSize(logical)
            if header.sectionViewportPosition(logical) < 0 or right > width + SLACK:
                title = model.headerData(logical, header.orientation())
                problems.append(f"{where}: column {title!r} is out of sight (ends at {right} of {width})")
    return problems


class Probe:
    def shares(self, window: Any, ticket_view: Any) -> None:
        _shares(self, window, ticket_view)

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.views: list[str] = []
        self.problems: list[str] = []
        self.screen = app.primaryScreen().availableGeometry()

    def settle(self) -> None:
        for _ in range(4):
            self.app.processEvents()

    def check(
        self, window: QWidget, name: str, key_columns: dict[str, tuple[int, ...]] | None = None
    ) -> None:
        self.settle()
        self.views.append(name)
        if window.width() > self.screen.width() + SLACK or window.height() > self.screen.height() + SLACK:
            self.problems.append(f"{name}: the window is {window.width()}x{window.height()}, larger than the "
                                 f"screen {self.screen.width()}x{self.screen.height()}")  # fmt: skip
        for w in window.findChildren(QWidget):
            if not w.isVisible() or w.window() is not window:
                continue
            if isinstance(w, CHECKED) and w.width() > 0:
                margin = None
                if isinstance(window, QDialog):
                    at = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
                    if not window.rect().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN).contains(at):
                        margin = f"closer than {MARGIN} px to the dialog's edge ({at.getRect()})"
                for problem in (_clipped(w, window), _too_narrow(w), margin):
                    if problem:
                        self.problems.append(f"{name}: {_name(w)} {problem}")
            if isinstance(w, QAbstractItemView):
                keys = (key_columns or {}).get(w.objectName())
                self.problems += _headers(w, f"{name} {w.objectName()}", keys)
            if isinstance(w, QSplitter):
                for i in range(w.count()):
                    pane = w.widget(i)
                    if pane is None or pane.isHidden():
                        continue
                    size = w.sizes()[i]
                    need = pane.minimumSizeHint().width() if w.orientation().value == 1 else 0
                    if size <= 0 or size + SLACK < need:
                        self.problems.append(f"{name}: splitter {w.objectName()} gives "
                                             f"{pane.objectName()} {size} px (needs {need})")  # fmt: skip


def _shares(probe: Probe, window: Any, ticket_view: Any) -> None:
    """A fresh install's split: the queue and the ticket each a third of the width or more,
    the customer's history at least MIN_HISTORY, or put away (View > Customer history) on a
    window narrower than NARROW; the SLA box wide enough for whole phrases."""
    from deskapp.gui.main_window import NARROW

    sizes = window.queue_splitter.sizes()
    total = sum(sizes)
    history = window.queue_splitter.widget(2)
    narrow = window.queue_splitter.width() < NARROW
    if history.isHidden() != narrow or window.history_action.isChecked() == narrow:
        state = "hidden" if history.isHidden() else "shown"
        probe.problems.append(f"ticket: the customer's history is {state} "
                              f"on a split {window.queue_splitter.width()} px wide")  # fmt: skip
    if sizes[0] * 3 < total or sizes[1] * 3 < total or (not narrow and sizes[2] < MIN_HISTORY):
        probe.problems.append(f"ticket: the fresh split queue/ticket/history is {sizes} of {total} px")
    label = ticket_view.countdown_label
    if label.width() < MIN_SLA_TEXT:
        probe.problems.append(f"ticket: the SLA box's text is {label.width()} px wide (a word a line)")


def main(argv: list[str]) -> int:
    from deskapp.demo import fill_demo
    from deskapp.domain.clock import FixedClock
    from deskapp.domain.lifecycle import Action, Role
    from deskapp.gui.app import DeskApp
    from deskapp.gui.launch import application
    from deskapp.gui.models.customer_history_model import LOGGED, NUMBER, OUTCOME
    from deskapp.gui.models.queue_model import COUNTDOWN
    from deskapp.gui.models.queue_model import NUMBER as Q_NUMBER
    from deskapp.gui.models.queue_model import PRIORITY as Q_PRIORITY
    from deskapp.gui.screenshots import DEMO_NOW
    from deskapp.gui.session import Session
    from deskapp.gui.settings_dialog import SettingsDialog, database_in_use
    from deskapp.services import directory
    from deskapp.store.connection import open_database

    app = application([argv[0]])
    probe = Probe(app)
    tmp = Path(tempfile.mkdtemp(prefix="deskapp-fit-"))
    db = open_database(f"sqlite:///{tmp / 'demo.sqlite3'}")
    directory.mark_training(db)
    now = DEMO_NOW.astimezone(dt.UTC)
    fill_demo(db, now, tickets=60, seed=7)
    clock = FixedClock(now)
    keys = {
        "queueTable": (Q_NUMBER, Q_PRIORITY, COUNTDOWN),
        "historyView": (0, 1, 2, 3),  # When, Who, What, Note
        "customerHistoryTable": (NUMBER, LOGGED, OUTCOME),
    }
    apps: list[Any] = []
    try:
        lead: Any = DeskApp(db, clock, QSettings(str(tmp / "lead.ini"), QSettings.Format.IniFormat))
        apps.append(lead)
        window: Any = lead.start(Session("lead", "Lee Lead", Role.LEAD), start_timers=False)
        window.show()  # a fresh install: the window as it opens, no resize
        with_rules = lead.rules_ran  # the rules line in the status bar, as after the first pass
        done: list[object] = []
        with_rules.connect(done.append)
        lead.run_rules(clock.now())
        lead.pool.waitForDone(10_000)
        probe.settle()
        if not done:
            probe.problems.append("the rule pass did not report")
        probe.check(window, "queue", keys)
        window.show_notice("P1 logged: INC-000999", "Liffey Systems: nobody can sign in", True)
        probe.check(window, "queue with a notice (no tray)", keys)
        window.dismiss_notices()
        number = next(str(lead.model.row(r).number) for r in range(lead.model.rowCount())
                      if lead.model.row(r).status == "awaiting_info")  # fmt: skip
        lead.open_ticket(number)
        lead.wait_for_reads()  # the ticket's page is read on the worker, then painted
        probe.settle()
        lead.history_panel.pool.waitForDone(5000)
        probe.check(window, "ticket", keys)
        probe.shares(window, lead.ticket_view)
        tv = lead.ticket_view
        tv.actions_by_step[Action.ASSIGN].trigger()
        lead.wait_for_reads()  # who can take it, read on the worker
        probe.settle()
        probe.check(window, "ticket assign form", keys)
        tv.close_action()
        for i in range(1, window.work_tabs.count()):
            window.work_tabs.setCurrentIndex(i)
            page = window.work_tabs.tabText(i).replace("&", "")
            if window.work_tabs.currentWidget() is lead.reports_view:
                for report in ("compliance", "response-times", "surveys"):
                    lead.reports_view.run(report)
                    probe.check(window, f"reports {report}", keys)
            else:
                probe.check(window, page, keys)
        window.work_tabs.setCurrentIndex(0)
        intake = lead.open_intake()
        probe.check(intake, "new incident", keys)
        intake.close()
        dialog = SettingsDialog(lead.settings, window, in_use=database_in_use(db), tray=False)
        dialog.show()
        probe.check(dialog, "settings")
        dialog.close()
        from deskapp.gui.password_dialog import PasswordDialog
        from deskapp.gui.signin_dialog import FirstAdminDialog, SignInDialog

        for title, make in (
            ("sign in", lambda: SignInDialog(db, window)),
            ("first administrator", lambda: FirstAdminDialog(db, clock, window)),
            ("change password", lambda: PasswordDialog(lead.desk, window)),
            ("keyboard shortcuts", window.show_shortcuts),
        ):
            shown = make()
            shown.show()
            probe.check(shown, title)
            shown.close()

        admin: Any = DeskApp(db, clock, QSettings(str(tmp / "admin.ini"), QSettings.Format.IniFormat))
        apps.append(admin)
        admin_window: Any = admin.start(Session("admin", "Alex Admin", Role.ADMIN), start_timers=False)
        admin_window.show()
        for i in range(1, admin_window.work_tabs.count()):
            admin_window.work_tabs.setCurrentIndex(i)
            probe.check(admin_window, "admin " + admin_window.work_tabs.tabText(i).replace("&", ""), keys)
        from deskapp.gui.mail_settings_dialog import MailSettingsDialog

        mail = MailSettingsDialog(admin.desk, admin_window)
        mail.show()
        probe.check(mail, "mail server")
        mail.close()
        admin_window.close()
        window.close()
    finally:
        for desk_app in apps:
            desk_app.stop()
        db.close()
    print(json.dumps({"screen": [probe.screen.width(), probe.screen.height()],
                      "views": probe.views, "problems": probe.problems}))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
