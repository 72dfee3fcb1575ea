"""The main window: the queue beside the open ticket, other pages in tabs, menus.

It only arranges the views it is given and offers their actions in menus;
`deskapp.gui.app` builds everything and connects it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from deskapp.gui.eliding_label import ElidingLabel
from deskapp.gui.queue_view import QueueView
from deskapp.gui.session import Session
from deskapp.gui.ticket_view import TicketView

# A fresh install's split of the width: the queue, the open ticket, the customer's history.
# The queue scrolls sideways for its last columns; the ticket needs room for its fields,
# conversation and history; the history panel its numbers and outcomes.
SHARES = (44, 38, 18)
AT_LEAST = (0, 470, 320)  # px: on a narrow screen the ticket and the history keep these, the queue gives
# px of split width under which a fresh install starts with the customer's history put away
# (View > Customer history brings it back): at 1600x900 and 150% scale (1067 px logical) the
# three panes cannot all keep their key columns, and the queue's Response SLA matters most.
NARROW = 1200
DEFAULT_SIZE = (1600, 900)
NOTICE_MS = 60_000  # a notice in the window stays a minute after the last one
NOTICES_SHOWN = 3


class MainWindow(QMainWindow):
    def __init__(
        self, session: Session, queue_view: QueueView, ticket_view: TicketView,
        settings: QSettings, parent: Any = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"deskapp — {session.name} ({session.role.label})")
        self._settings = settings
        self.queue_view = queue_view
        self.ticket_view = ticket_view

        self.queue_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.queue_splitter.setObjectName("queueSplitter")
        self.queue_splitter.addWidget(queue_view)
        self.queue_splitter.addWidget(ticket_view)
        self.queue_splitter.setStretchFactor(0, SHARES[0])
        self.queue_splitter.setStretchFactor(1, SHARES[1])
        self._default_split_pending = False  # a fresh install: shares applied when first shown
        self.work_tabs = QTabWidget()
        self.work_tabs.setObjectName("workTabs")
        self.work_tabs.addTab(self.queue_splitter, "&Queue")
        self._build_notice_bar()
        central = QWidget()
        central.setObjectName("centralPanel")
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.notice_frame)
        column.addWidget(self.work_tabs, 1)
        self.setCentralWidget(central)

        self.who_label = QLabel(f"Signed in as {session.name} ({session.login}, {session.role.label})")
        self.who_label.setObjectName("whoLabel")
        self.rules_label = ElidingLabel("")
        self.rules_label.setObjectName("rulesLabel")
        self.database_label = ElidingLabel("")
        self.database_label.setObjectName("databaseLabel")
        self.statusBar().addWidget(self.who_label)
        self.statusBar().addWidget(self.database_label)
        self.statusBar().addPermanentWidget(self.rules_label)

        desk_menu = self.menuBar().addMenu("&Desk")
        self.new_incident_action = self._action(desk_menu, "&New incident…", "newIncidentAction",
                                                QKeySequence.StandardKey.New)  # fmt: skip
        self.refresh_action = self._action(
            desk_menu, "&Refresh", "refreshAction", QKeySequence.StandardKey.Refresh
        )
        self.run_rules_action = self._action(desk_menu, "Run &rules now", "runRulesAction", "Ctrl+R")
        desk_menu.addSeparator()
        self.settings_action = self._action(
            desk_menu, "&Settings…", "settingsAction", QKeySequence.StandardKey.Preferences
        )
        self.password_action = self._action(desk_menu, "Change my &password…", "changePasswordAction", None)
        self.sign_out_action = self._action(desk_menu, "Sign &out", "signOutAction", None)
        self.quit_action = self._action(desk_menu, "&Quit", "quitAction", QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)

        ticket_menu = self.menuBar().addMenu("&Ticket")
        for act in ticket_view.actions_by_step.values():
            ticket_menu.addAction(act)
        ticket_menu.addSeparator()
        self.take_action = self._action(
            ticket_menu, "&Take it (the selected, or the open one)", "takeAction", "Ctrl+T"
        )
        self.assign_selected_action = self._action(
            ticket_menu, "Assign the &selected…", "assignSelectedAction", "Ctrl+Shift+G"
        )
        self.next_urgent_action = self._action(ticket_menu, "&Next most urgent", "nextUrgentAction", "Ctrl+J")

        view_menu = self.view_menu = self.menuBar().addMenu("&View")
        show_queue = self._action(view_menu, "&Queue", "showQueueAction", "Ctrl+1")
        show_queue.triggered.connect(lambda: self.work_tabs.setCurrentIndex(0))
        focus_search = self._action(view_menu, "&Search the queue", "focusSearchAction", "Ctrl+F")
        focus_search.triggered.connect(self._focus_search)
        help_menu = self.menuBar().addMenu("&Help")
        self.shortcuts_action = self._action(help_menu, "&Keyboard shortcuts", "shortcutsAction", "F1")
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.restore_layout()

    # --- notices where there is no system tray ------------------------------------------

    def _build_notice_bar(self) -> None:
        self.notice_frame = QFrame()
        self.notice_frame.setObjectName("noticeFrame")
        self.notice_label = QLabel("")
        self.notice_label.setObjectName("noticeLabel")
        self.notice_label.setWordWrap(True)
        self.notice_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dismiss = self.notice_dismiss_button = QPushButton("&Dismiss")
        dismiss.setObjectName("noticeDismissButton")
        dismiss.clicked.connect(self.dismiss_notices)
        row = QHBoxLayout(self.notice_frame)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.notice_label, 1)
        row.addWidget(dismiss)
        self._notices: list[str] = []
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.timeout.connect(self.dismiss_notices)
        self.notice_frame.hide()

    def show_notice(self, title: str, message: str, urgent: bool = False) -> None:
        """A notice the system tray would have shown (this desktop has none): a bar above the
        tabs with the newest few, until dismissed or NOTICE_MS after the last one."""
        self._notices = [f"{'⚠ ' if urgent else ''}{title}: {message}", *self._notices][:NOTICES_SHOWN]
        self.notice_label.setText("\n".join(self._notices))
        self.notice_frame.setProperty("urgent", urgent)
        self.notice_frame.style().unpolish(self.notice_frame)
        self.notice_frame.style().polish(self.notice_frame)
        self.notice_frame.show()
        self._notice_timer.start(NOTICE_MS)

    def dismiss_notices(self) -> None:
        self._notices = []
        self.notice_frame.hide()

    def show_shortcuts(self) -> Any:
        from deskapp.gui.shortcuts_dialog import ShortcutsDialog

        dialog = ShortcutsDialog(self)
        dialog.open()
        return dialog

    def _action(self, menu: Any, text: str, name: str, shortcut: Any) -> QAction:
        act = QAction(text, self)
        act.setObjectName(name)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        menu.addAction(act)
        return act

    def add_beside_ticket(self, panel: QWidget) -> None:
        """A panel to the right of the open ticket (the customer's history), narrow and
        collapsible; a layout saved before it existed is not restored over it."""
        self.queue_splitter.addWidget(panel)
        self.queue_splitter.setStretchFactor(2, SHARES[2])
        self.queue_splitter.setCollapsible(2, True)
        act = self.history_action = self._action(
            self.view_menu, "Customer &history beside the ticket", "customerHistoryAction", "Ctrl+Shift+H"
        )
        act.setCheckable(True)
        act.setChecked(True)
        act.toggled.connect(self._show_history)
        self._restore_splitters()

    def _show_history(self, shown: bool) -> None:
        """View > Customer history: shown again, it gets its fresh share of the width (the
        queue and the ticket give it); the choice is kept with the layout."""
        if self.queue_splitter.count() < 3:
            return
        panel = self.queue_splitter.widget(2)
        if panel is None or panel.isHidden() != shown:
            return
        panel.setVisible(shown)
        if shown and self.isVisible():
            self.apply_default_split(fresh=False)

    def add_page(self, page: QWidget, title: str, name: str, shortcut: str) -> QAction:
        """Another tab beside the queue, with its entry in the View menu."""
        self.work_tabs.addTab(page, title)
        show = self._action(self.view_menu, title, name, shortcut)
        show.triggered.connect(lambda: self.work_tabs.setCurrentWidget(page))
        return show

    def _focus_search(self) -> None:
        self.work_tabs.setCurrentIndex(0)
        self.queue_view.focus_search()

    def bring_to_front(self) -> None:
        """Another start of the app on this seat: this window comes forward instead."""
        self.setWindowState(
            (self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
        self.show()
        self.raise_()
        self.activateWindow()

    # --- remembered layout -------------------------------------------------------------

    def restore_layout(self) -> None:
        s = self._settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(*self._fitting(DEFAULT_SIZE))
        self._restore_splitters()

    def _fitting(self, size: tuple[int, int]) -> tuple[int, int]:
        """`size`, made smaller where the screen is (1280x720, or 1600x900 at 150% scale)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return size
        room = screen.availableGeometry()
        return min(size[0], room.width()), min(size[1], room.height())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._default_split_pending:
            self.apply_default_split()

    def apply_default_split(self, *, fresh: bool = True) -> None:
        """The fresh install's split (SHARES) of the width the splitter has now; `fresh`: as a
        fresh install opens, with the customer's history put away on a narrow window."""
        self._default_split_pending = False
        splitter = self.queue_splitter
        panes = splitter.count()
        if fresh and panes == 3 and splitter.width() < NARROW and self.history_action.isChecked():
            self.history_action.setChecked(False)  # a fresh install on a narrow screen
        if panes == 3 and self.history_action.isChecked():
            panel = splitter.widget(2)
            if panel is not None and panel.isHidden():
                panel.show()
        if panes == 3 and not self.history_action.isChecked():
            panes = 2  # put away: the queue and the ticket share the width
        width = splitter.width() - splitter.handleWidth() * (panes - 1)
        shares = SHARES[:panes]
        least = AT_LEAST[:panes]
        sizes = [max(width * share // sum(shares), px) for share, px in zip(shares, least, strict=True)]
        queue = splitter.widget(0)
        sizes[0] = max(width - sum(sizes[1:]), queue.minimumSizeHint().width() if queue is not None else 0)
        splitter.setSizes(sizes + [0] * (splitter.count() - panes))

    def _restore_splitters(self) -> None:
        s = self._settings
        for key, splitter in self._splitters().items():
            state = s.value(f"window/{key}")
            panes = s.value(f"window/{key}Panes")
            # A split saved with other panes (before the customer's history was beside the
            # ticket, it got 0 px) is not restored over this one: the fresh split instead.
            restored = (isinstance(state, QByteArray) and not state.isEmpty()
                        and str(panes) == str(splitter.count()))  # fmt: skip
            if restored:
                splitter.restoreState(state)
            if splitter is self.queue_splitter and restored and splitter.count() == 3:
                shown = s.value("window/customerHistoryShown", True)
                self.history_action.setChecked(str(shown).lower() not in ("false", "0"))
            if splitter is self.ticket_view.detail_splitter and restored:
                self.ticket_view.detail_split_pending = False
            if splitter is self.queue_splitter:
                self._default_split_pending = not restored
                if not restored and self.isVisible():
                    self.apply_default_split()

    def save_layout(self) -> None:
        s = self._settings
        s.setValue("window/geometry", self.saveGeometry())
        for key, splitter in self._splitters().items():
            s.setValue(f"window/{key}", splitter.saveState())
            s.setValue(f"window/{key}Panes", splitter.count())
        if self.queue_splitter.count() == 3:
            s.setValue("window/customerHistoryShown", self.history_action.isChecked())
        s.sync()

    def _splitters(self) -> dict[str, QSplitter]:
        return {"queueSplitter": self.queue_splitter, "detailSplitter": self.ticket_view.detail_splitter}

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        super().closeEvent(event)
