"""The one wiring point: database, services, clock, timers and windows, connected here.

    app = DeskApp(db, clock, settings)
    session = app.sign_in()                # first run: the first administrator
    window = app.start(session)            # loads the queue, starts the timers

Data flows one way: database -> services (`Desk`) -> Qt models -> views.
All three timers read the one injected Clock.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import peewee as pw
from PySide6.QtCore import QObject, QSettings, QThreadPool, Signal
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import DeskError, Role, Status
from deskapp.domain.policy import Policy, default_policy
from deskapp.gui import settings as conf
from deskapp.gui.after_paint import AfterPaint
from deskapp.gui.change_listener import ChangeListenerThread, ChangePoller
from deskapp.gui.desk import Desk
from deskapp.gui.eliding_label import ElidingLabel
from deskapp.gui.intake_view import IntakeDialog
from deskapp.gui.mail_fetcher import MailFetcher, status_text
from deskapp.gui.main_window import MainWindow
from deskapp.gui.models.queue_model import QueueModel
from deskapp.gui.notifier import Notifier
from deskapp.gui.queue_view import QueueView
from deskapp.gui.session import Session
from deskapp.gui.signin_dialog import FirstAdminDialog, SignInDialog
from deskapp.gui.ticket_view import TicketView
from deskapp.gui.timers import ChangeWatchTimer, CountdownTimer, RulesTimer
from deskapp.gui.workers import (
    LoadSignals,
    Read,
    ReadSignals,
    RulesRun,
    RulesSignals,
    close_pool,
    keeping_pool,
    start,
)
from deskapp.mail.fetch import default_worker
from deskapp.mail.station import FAILED, READ
from deskapp.services import directory, presence
from deskapp.services.queue import QueueRow
from deskapp.store.connection import GUI_SQLITE_CACHE_KIB, describe, is_sqlite, limit_cache

WATERMARK_SLACK = dt.timedelta(microseconds=1)  # re-read the last instant: ties are not missed
FIRST_PAGE = 300  # tickets shown first at launch: more than a screenful, cheap to read


def _open(row: QueueRow) -> bool:
    return row.status != Status.CLOSED.value


class DeskApp(QObject):
    rules_ran = Signal(object)  # RuleSummary, after the queue was refreshed
    queue_refreshed = Signal(list)  # ids of the changed tickets
    queue_first_page = Signal(int)  # rows, when the most urgent page is shown
    queue_loaded = Signal(int)  # rows, after an asynchronous first load

    def __init__(
        self, db: pw.Database, clock: Clock, settings: QSettings, *,
        policy: Policy | None = None, notifier: Notifier | None = None, parent: Any = None,
        mail_holder: str | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        limit_cache(db, GUI_SQLITE_CACHE_KIB)  # every thread's connection (SQLite)
        self.db = db
        self.clock = clock
        self.settings = settings
        self.policy = policy or default_policy()
        self.notifier = notifier or Notifier(self)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # one rule pass at a time
        # The queue's refreshes and presence marks: never behind a long rule pass, in order.
        self.read_pool = keeping_pool(self)
        self._refreshing = False
        self._refresh_again: set[str] | None = None  # asked for meanwhile: these numbers...
        self._refresh_all_again = False  # ...or everything changed
        self._refresh_signals = ReadSignals(self)
        self._refresh_signals.done.connect(self._refresh_read)
        self._refresh_signals.failed.connect(lambda _text: self._refresh_failed())
        self._mail_signals = ReadSignals(self)
        self._mail_signals.done.connect(self._mail_warning_read)
        self._presence_signals = ReadSignals(self)
        self._presence_signals.done.connect(self._presence_read)
        self.desk: Desk | None = None
        self.window: MainWindow | None = None
        self.model: QueueModel | None = None
        self.queue_view: QueueView | None = None
        self.ticket_view: TicketView | None = None
        self.escalations_view: Any = None
        self.outbox_view: Any = None
        self.reports_view: Any = None
        self.directory_view: Any = None
        self.mail_label: QLabel | None = None
        self.templates_view: Any = None
        self.inbox_view: Any = None
        self.search_view: Any = None
        self.saved_views: Any = None
        self.queue_work: Any = None
        self.history_panel: Any = None
        self._watermark: dt.datetime | None = None
        self._rules_running = False
        self.change_listener: ChangeListenerThread | ChangePoller | None = None
        self.workstation = presence.this_workstation()
        self._offline = False
        self._presence: tuple[str, float] | None = None  # (ticket open here, last heartbeat)
        self._timers_wanted = False
        self.signed_out = False  # "Sign out" ended this session (the launcher signs in again)
        self._loading = False
        self._load_signals = LoadSignals(self)
        self._rules_signals = RulesSignals(self)
        self._rules_signals.finished.connect(self._rules_finished)
        self._rules_signals.failed.connect(self._rules_failed)
        self._seen_signals = ReadSignals(self)  # seen marks read (a dict) or written (None)
        self._seen_signals.done.connect(self._seen_read)
        self.countdown_timer = CountdownTimer(clock, conf.read(settings, conf.COUNTDOWN_MS), self)
        self.rules_timer = RulesTimer(clock, conf.read(settings, conf.RULES_MS), self)
        self.watch_timer = ChangeWatchTimer(clock, conf.read(settings, conf.WATCH_MS), self)
        # This workstation's turn at the desk's mailbox (one holder of the lease reads it);
        # `mail_holder` names it in the lease (tests run two "workstations" in one process).
        holder = mail_holder or default_worker()
        self.mail_fetcher = MailFetcher(db, clock, holder, policy=self.policy, parent=self)
        self.mail_fetcher.turned.connect(self._mail_turned)
        self.fetch_label: QLabel | None = None

    # --- signing in ---------------------------------------------------------------------

    def sign_in_dialog(self, parent: QWidget | None = None) -> FirstAdminDialog | SignInDialog:
        if directory.staff_count(self.db) == 0:
            return FirstAdminDialog(self.db, self.clock, parent)
        return SignInDialog(self.db, parent)

    def sign_in(self) -> Session | None:
        dialog = self.sign_in_dialog()
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.session

    # --- building the window ------------------------------------------------------------------

    def start(self, session: Session, *, start_timers: bool = True, load_async: bool = False) -> MainWindow:
        """Build and connect everything. `load_async` is the launch path: the window shows at
        once, the most urgent tickets are read off the GUI thread and painted first, and the
        other tabs and the rest of the queue follow that paint."""
        desk = self.desk = Desk(self.db, self.clock, session, self.policy)
        self.model = QueueModel(desk.engine, self.clock.now(), self)
        self.queue_view = QueueView(
            self.model, self.settings, scope=f"{conf.desk_key(self.db)}/{session.login}"
        )
        self.queue_view.set_me(session.login if session.is_engineer else None)
        from deskapp.gui.saved_views_bar import SavedViewsBar

        self.saved_views = SavedViewsBar(desk, self.queue_view)
        self.queue_view.add_to_search_row(self.saved_views)
        self.ticket_view = TicketView(desk)
        window = self.window = MainWindow(session, self.queue_view, self.ticket_view, self.settings)
        from deskapp.gui.customer_history_panel import CustomerHistoryPanel

        history = self.history_panel = CustomerHistoryPanel(desk)
        window.add_beside_ticket(history)
        history.ticket_activated.connect(self.open_ticket)
        window.database_label.setText(describe(self.db))
        self.notifier.enabled = bool(conf.read(self.settings, conf.NOTICES))
        self.notifier.in_window.connect(window.show_notice)  # only where there is no tray
        self.mail_label = ElidingLabel("")  # gives way on a narrow window, whole in its tooltip
        self.mail_label.setObjectName("mailWarningLabel")
        self.mail_label.setProperty("role", "error")
        window.statusBar().addPermanentWidget(self.mail_label)
        self.update_mail_warning()
        self.fetch_label = ElidingLabel("")  # reading the desk's mailbox: who, when, what went wrong
        self.fetch_label.setObjectName("mailFetchLabel")
        self.fetch_label.hide()  # until a turn says there is a mailbox to read
        window.statusBar().addPermanentWidget(self.fetch_label)
        self.saved_views.message.connect(lambda text: window.statusBar().showMessage(text, 8000))
        from deskapp.gui.queue_work import QueueWork

        work = self.queue_work = QueueWork(
            desk, self.queue_view, self.ticket_view, self.open_ticket, lambda: self.refresh_queue(),
            lambda text: window.statusBar().showMessage(text, 15000), self,
        )  # fmt: skip
        window.take_action.triggered.connect(lambda: work.take())
        window.assign_selected_action.triggered.connect(lambda: work.assign_selected())
        window.next_urgent_action.triggered.connect(lambda: work.next_most_urgent())
        window.work_tabs.currentChanged.connect(lambda _i: self._reload_escalations())
        self.queue_view.ticket_activated.connect(self.open_ticket)
        self.ticket_view.changed.connect(self._ticket_changed)
        self.ticket_view.shown.connect(self._ticket_shown)
        self.ticket_view.refused.connect(lambda text: window.statusBar().showMessage(text, 10_000))
        self.ticket_view.also_done.connect(self._opened_written)
        self.ticket_view.follow_up_requested.connect(lambda number: self.open_intake(linked_to=number))
        self.model.bands_turned.connect(self._bands_turned)
        window.new_incident_action.triggered.connect(lambda: self.open_intake())
        window.refresh_action.triggered.connect(lambda: self.refresh_queue())  # not `checked`
        window.run_rules_action.triggered.connect(lambda: self.run_rules(self.clock.now()))
        window.settings_action.triggered.connect(self.open_settings)
        window.password_action.triggered.connect(self.open_password_dialog)
        window.sign_out_action.triggered.connect(self.sign_out)

        self.countdown_timer.fired.connect(self._tick)
        # The timer's pass skips when another workstation's is running (it applies what is
        # due); a pass asked for from the menu waits for it, then says who held it.
        self.rules_timer.fired.connect(lambda now: self.run_rules(now, skip_if_busy=True))
        self.watch_timer.fired.connect(lambda _now: self.refresh_queue())
        self.watch_timer.fired.connect(lambda _now: self._presence_heartbeat())
        self.watch_timer.fired.connect(lambda _now: self.update_mail_warning())
        self.watch_timer.fired.connect(lambda _now: self.reload_inbox())  # mail imported elsewhere
        if load_async:
            self.queue_view.shown_label.setText("Loading the queue…")
            self._load_signals.first_page.connect(self._first_page_loaded)
            self._load_signals.loaded.connect(self._queue_loaded)
            self._load_signals.failed.connect(self.queue_view.shown_label.setText)
            self._timers_wanted = start_timers
            self._loading = True
            self.pool.start(Read(
                self.db, "the queue", lambda: desk.queue_rows(most_urgent=FIRST_PAGE),
                self._load_signals.first_page, self._load_signals.failed,
            ))  # fmt: skip
        else:
            self._add_other_pages()
            self.load_queue()
            if start_timers:
                self.start_timers()
        return window

    def _add_other_pages(self) -> None:
        """Escalations for leads, the outbox and the Inbox for everyone, reports for leads and administrators,
        the directory (staff and resellers) for administrators."""
        desk, window = self.desk, self.window
        assert desk is not None and window is not None
        if desk.session.is_lead:
            from deskapp.gui.escalations_view import EscalationsView

            escalations = self.escalations_view = EscalationsView(desk)
            escalations.ticket_activated.connect(self.open_ticket)
            escalations.changed.connect(self._ticket_changed)
            window.add_page(escalations, "&Escalations", "showEscalationsAction", "Ctrl+2")
        from deskapp.gui.outbox_view import OutboxView

        outbox = self.outbox_view = OutboxView(desk)
        outbox.tickets_changed.connect(lambda: self.refresh_queue())
        outbox.ticket_activated.connect(self.open_ticket)
        window.add_page(outbox, "&Outbox", "showOutboxAction", "Ctrl+3")
        window.work_tabs.currentChanged.connect(
            lambda _i: outbox.reload() if window.work_tabs.currentWidget() is outbox else None
        )
        from deskapp.gui.inbox_view import InboxView

        inbox = self.inbox_view = InboxView(desk)
        inbox.ticket_logged.connect(self._logged)
        inbox.tickets_changed.connect(lambda: self.refresh_queue())
        window.add_page(inbox, "&Inbox", "showInboxAction", "Ctrl+6")
        window.work_tabs.currentChanged.connect(lambda _i: self.reload_inbox())
        if desk.session.is_lead:
            from deskapp.gui.reports_view import ReportsView

            self.reports_view = ReportsView(desk)
            window.add_page(self.reports_view, "Re&ports", "showReportsAction", "Ctrl+4")
        if desk.session.role is Role.ADMIN:
            from deskapp.gui.directory_view import DirectoryView

            directory = self.directory_view = DirectoryView(desk)
            window.add_page(directory, "&Directory", "showDirectoryAction", "Ctrl+5")
            window.work_tabs.currentChanged.connect(
                lambda _i: directory.reload() if window.work_tabs.currentWidget() is directory else None
            )
            from deskapp.gui.templates_view import TemplatesView

            texts = self.templates_view = TemplatesView(desk)
            window.add_page(texts, "&Templates", "showTemplatesAction", "Ctrl+7")
            window.work_tabs.currentChanged.connect(
                lambda _i: texts.reload() if window.work_tabs.currentWidget() is texts else None
            )
        from deskapp.gui.search_view import SearchView

        search = self.search_view = SearchView(desk)
        search.ticket_activated.connect(self.open_ticket)
        find = window.add_page(search, "&Find", "showFindAction", "Ctrl+K")
        find.setText("&Find any ticket (closed too)")
        find.triggered.connect(lambda: search.focus_find())
        assert self.queue_view is not None
        self.queue_view.search_everywhere.connect(self.find_everywhere)

    def find_everywhere(self, query: str) -> None:
        """The queue's search, over the whole history (the Find page)."""
        if self.search_view is None or self.window is None:
            return
        self.window.work_tabs.setCurrentWidget(self.search_view)
        self.search_view.focus_find(query)

    def _first_page_loaded(self, rows: list[QueueRow]) -> None:
        # The most urgent tickets, painted before anything else is built or read.
        if not self._loading or self.model is None or self.queue_view is None:
            return
        self.model.set_rows(rows, self.clock.now())
        self.queue_first_page.emit(len(rows))
        self.queue_view.shown_label.setText(f"Loading the queue… the {len(rows)} most urgent first")
        AfterPaint(self.queue_view.table.viewport(), self._after_first_paint)

    def _after_first_paint(self) -> None:
        desk = self.desk
        assert desk is not None
        self._add_other_pages()
        signals = self._load_signals
        self.pool.start(Read(self.db, "the queue", lambda: desk.queue_rows(), signals.loaded, signals.failed))

    def _queue_loaded(self, rows: list[QueueRow]) -> None:
        self._loading = False
        self._apply_loaded(rows)
        if self._timers_wanted:
            self.start_timers()
        self.queue_loaded.emit(len(rows))

    def start_timers(self) -> None:
        for timer in (self.countdown_timer, self.rules_timer, self.watch_timer):
            timer.start()
        self.mail_fetcher.start()
        self.start_change_listener()

    def start_change_listener(self) -> None:
        """Live updates: tickets changed anywhere are refreshed by number within a second
        (`deskapp.store.change_feed`); the watch timer stays as a slow safety net."""
        if self.change_listener is not None:
            return
        # PostgreSQL: polled on the GUI thread's own connection, so a workstation holds one
        # server connection, not two; SQLite: a thread with its own handle on the local file.
        kind = ChangeListenerThread if is_sqlite(self.db) else ChangePoller
        listener = self.change_listener = kind(self.db, self)
        listener.changed.connect(lambda numbers: self.refresh_queue(numbers))
        listener.changed.connect(lambda _numbers: self.reload_inbox())
        listener.resync.connect(lambda: self.refresh_queue())
        listener.resync.connect(lambda: self.reload_inbox())
        listener.online_changed.connect(self._online_changed)
        listener.start()

    def _online_changed(self, online: bool) -> None:
        self._offline = not online
        if self.window is not None:
            self.window.database_label.setText(
                describe(self.db) if online else
                f"OFFLINE: {describe(self.db)} is unreachable; reconnecting (what you type is kept)"
            )  # fmt: skip

    def sign_out(self) -> None:
        """End this person's session: the window closes (its layout is kept) and the
        application's event loop returns, so the launcher can ask who signs in next."""
        from PySide6.QtWidgets import QApplication

        self.signed_out = True
        if self.window is not None:
            self.window.close()
        QApplication.quit()

    def stop(self) -> None:
        """Stop every timer and wait for a running rule pass (tests call this after each test)."""
        for timer in (self.countdown_timer, self.rules_timer, self.watch_timer):
            timer.stop()
        if self.change_listener is not None:
            self.change_listener.stop()
            self.change_listener = None
        if self.ticket_view is not None:
            self.ticket_view.stop()  # a ticket being read (and marked open): before the close
        from deskapp.gui.writes import stop_writes

        stop_writes(self.desk)  # a save in progress finishes; its thread's connection closes
        self._mark_open(None)
        self.mail_fetcher.stop()  # its turn ends and the lease is released: another takes over
        self.pool.waitForDone(10_000)
        close_pool(self.read_pool, self.db)
        if self.outbox_view is not None:
            self.outbox_view.stop()  # a send in progress
        if self.reports_view is not None:
            self.reports_view.stop()  # a report being read
        if self.search_view is not None:
            self.search_view.stop()  # a search being read
        if self.history_panel is not None:
            self.history_panel.stop()
        if self.inbox_view is not None:
            self.inbox_view.stop()  # a read of the Inbox
        self.notifier.hide()

    # --- the queue ------------------------------------------------------------------------------

    def load_queue(self) -> None:
        assert self.desk is not None
        self._apply_loaded(self.desk.queue_rows())

    def _apply_loaded(self, rows: list[QueueRow]) -> None:
        assert self.model is not None and self.desk is not None
        self.model.set_rows(rows, self.clock.now())
        self._watermark = max((r.updated_at for r in rows), default=None)
        self._reload_escalations()
        desk, signals = self.desk, self._seen_signals
        self.pool.start(Read(self.db, "what you looked at", desk.seen_versions, signals.done, signals.failed))

    def _seen_read(self, seen: Any) -> None:
        if isinstance(seen, dict) and self.model is not None:
            self.model.set_seen(seen)
            if self.queue_view is not None:
                self.queue_view.refresh_counts()

    def _looked_at(self) -> None:
        """The open ticket, as shown now, is seen by this person (marked off the GUI thread)."""
        tv, desk = self.ticket_view, self.desk
        if tv is None or tv.detail is None or desk is None or self.model is None:
            return
        number, version, ticket_id = tv.detail.number, tv.detail.version, tv.detail.id
        self.model.mark_seen(ticket_id, version)
        signals = self._seen_signals
        self.pool.start(Read(self.db, "the seen mark", lambda: desk.mark_seen(number, version),
                             signals.done, signals.failed))  # fmt: skip

    def refresh_queue(self, numbers: list[str] | None = None) -> None:
        """Apply what changed since the last look (one indexed query; nothing if nothing changed);
        with `numbers` (from the change feed), just those tickets. Read on the worker; a call
        while a read is on its way is kept and runs after it (`queue_refreshed` says what changed)."""
        assert self.desk is not None and self.model is not None
        if self._loading:
            return  # the first load is still on its way
        if self._refreshing:
            if numbers is None:
                self._refresh_all_again = True
            else:
                self._refresh_again = (self._refresh_again or set()) | set(numbers)
            return
        self._refreshing = True
        since = None if self._watermark is None else self._watermark - WATERMARK_SLACK
        desk = self.desk

        def read() -> tuple[dt.datetime | None, list[QueueRow] | None]:
            try:
                if numbers is not None:
                    return since, desk.queue_rows(numbers=numbers)
                return since, desk.queue_rows(since=since) if since is not None else desk.queue_rows()
            except DeskError:  # DatabaseUnavailable: shown; the listener reconnects and resyncs
                return since, None

        signals = self._refresh_signals
        start(self.read_pool, Read(self.db, "the queue", read, signals.done, signals.failed, keep_open=True))

    def _refresh_failed(self) -> None:
        self._refreshing = False
        self._online_changed(False)

    def _refresh_read(self, result: tuple[dt.datetime | None, list[QueueRow] | None]) -> None:
        self._refreshing = False
        since, rows = result
        if rows is None:
            self._online_changed(False)
        elif self.model is not None:
            self._apply_refresh(since, rows)
        if self._refresh_all_again or self._refresh_again:
            again = None if self._refresh_all_again else sorted(self._refresh_again or ())
            self._refresh_all_again, self._refresh_again = False, None
            self.refresh_queue(again)

    def _apply_refresh(self, since: dt.datetime | None, rows: list[QueueRow]) -> None:
        assert self.model is not None
        if self._offline:
            self._online_changed(True)
        changed = []
        for r in rows:
            at = self.model.row_of(r.id)
            if at is not None and self.model.row(at).version == r.version:
                continue
            if at is None and _open(r) and r.priority == self._top_priority() and since is not None:
                self.notifier.notify(
                    f"{r.priority} logged: {r.number}", f"{r.reseller}: {r.summary}", urgent=True
                )
            changed.append(r)
        if rows:
            self._watermark = max(
                [*(r.updated_at for r in rows), *([self._watermark] if self._watermark else [])]
            )
        if changed:
            self.model.upsert(changed, self.clock.now(), keep=_open)
            assert self.queue_view is not None
            self.queue_view.refresh_counts()
            ids = {r.id for r in changed}
            tv = self.ticket_view
            if tv is not None and tv.detail is not None and tv.detail.id in ids:
                tv.external_change()  # read again; seen once shown (`_ticket_shown`)
            self._reload_escalations()
        self.queue_refreshed.emit([r.id for r in changed])

    def reload_inbox(self) -> bool:
        """Read the Inbox again while it is looked at (off the GUI thread); its tab is read
        again whenever it is shown, so a hidden Inbox costs nothing."""
        view: Any = self.inbox_view
        if view is None or self.window is None:
            return False
        shown: Any = self.window.work_tabs.currentWidget()
        if shown is not view:
            return False
        view.reload()
        return True

    def _mail_turned(self, turn: Any) -> None:
        """A turn at the mailbox ended: say so; what it imported is shown at once (the change
        feed would bring the tickets it touched too, a moment later)."""
        if self.fetch_label is not None:
            text = status_text(turn, self.policy.tz)
            self.fetch_label.setText(text)
            self.fetch_label.setProperty("role", "error" if turn.state == FAILED else "")
            self.fetch_label.style().unpolish(self.fetch_label)  # the role's colour, now
            self.fetch_label.style().polish(self.fetch_label)
            self.fetch_label.setVisible(bool(text))
        if turn.state == READ and turn.imported and self.desk is not None:
            self.refresh_queue()
            self.reload_inbox()

    def _reload_escalations(self) -> None:
        """Only while the lead is looking at them (two queries each time)."""
        view: Any = self.escalations_view
        if view is None or self.window is None:
            return
        shown: Any = self.window.work_tabs.currentWidget()
        if shown is view:
            view.reload()

    def _top_priority(self) -> str:
        return next(iter(self.policy.priorities))

    def _tick(self, now: dt.datetime) -> None:
        assert self.queue_view is not None and self.ticket_view is not None
        self.queue_view.on_tick(now)
        self.ticket_view.update_countdown(now)
        if self.inbox_view is not None:
            self.inbox_view.on_tick(now)

    def _bands_turned(self, ids: list[int]) -> None:
        assert self.model is not None
        for ticket_id in ids[:5]:
            at = self.model.row_of(ticket_id)
            if at is None:
                continue
            row = self.model.row(at)
            self.notifier.notify(
                f"{row.number} {self.model.countdown_text(at)}",
                f"{row.priority} {row.reseller}: {row.summary}",
            )
        if len(ids) > 5:
            self.notifier.notify("Response SLAs", f"{len(ids) - 5} more tickets turned at risk or breached")

    # --- tickets ---------------------------------------------------------------------------------

    def open_ticket(self, number: str) -> None:
        """Show the ticket: read on the worker, painted when it arrives (`_ticket_shown`).
        The same job says it is open here and seen by this person (`_opened_here`)."""
        assert self.ticket_view is not None and self.window is not None
        self.window.work_tabs.setCurrentIndex(0)
        if self.queue_view is not None:
            self.queue_view.select_number(number)  # the row highlighted is the ticket open
        previous = self._presence[0] if self._presence is not None else None
        self._presence = (number.strip().upper(), time.monotonic())
        self.ticket_view.show_ticket(number, also=self._opened_here(previous))

    def _opened_here(self, previous: str | None) -> Any:
        """What runs on the worker after the page read: presence (the ticket before this one is
        closed here) and the seen mark. Returns (the number, the others who have it open)."""
        assert self.desk is not None
        desk, db, clock, here = self.desk, self.db, self.clock, self.workstation
        login = desk.session.login

        def also(d: Any) -> tuple[str, list[presence.Editor]]:
            desk.mark_seen(d.number, d.version)
            try:
                if previous is not None and previous != d.number:
                    presence.close_ticket(db, login, previous, here)
                return d.number, presence.open_ticket(db, clock, login, d.number, here)
            except (pw.PeeweeException, DeskError):
                return d.number, []

        return also

    def wait_for_reads(self, timeout_ms: int = 10_000) -> None:
        """Block until the reads started so far are done and their results delivered (the
        screenshots and the benchmarks, which must see the page they asked for). Saves started
        before come first (their results start the reads of what they changed)."""
        from PySide6.QtCore import QCoreApplication

        self.wait_for_writes(timeout_ms)
        for pool in (self.ticket_view.pool if self.ticket_view else None, self.read_pool):
            if pool is not None:
                pool.waitForDone(timeout_ms)
        QCoreApplication.sendPostedEvents()

    def wait_for_writes(self, timeout_ms: int = 10_000) -> None:
        """Block until the saves started so far are done and their results delivered."""
        from PySide6.QtCore import QCoreApplication

        from deskapp.gui.writes import wait_for_writes

        wait_for_writes(self.desk, timeout_ms)
        QCoreApplication.sendPostedEvents()

    def _ticket_shown(self, page: Any) -> None:
        """A ticket's page was painted: it is seen, it is open here, its customer's history."""
        tv = self.ticket_view
        assert tv is not None
        number, opened, tv.opened_here = page.detail.number, tv.opened_here, False
        if not opened:
            self._looked_at()  # a reload (after a step, or a change elsewhere): seen again
        else:
            self._presence = (number, time.monotonic())
            if self.model is not None:
                self.model.mark_seen(page.detail.id, page.detail.version)  # written after the read
        if self.history_panel is not None:
            self.history_panel.show_history(number, page.history)

    def _opened_written(self, result: Any) -> None:
        """The presence and seen marks of a ticket opened were written: who else has it open."""
        if result is not None:
            self._presence_read(result)

    def _mark_open(self, number: str | None) -> None:
        """Presence: say this person has `number` open here (None: nothing), and show who
        else has it open (`deskapp.services.presence`). Advice only: never in the way,
        written on the worker."""
        if self.desk is None:
            return
        login, db, clock, here = self.desk.session.login, self.db, self.clock, self.workstation
        previous = self._presence
        self._presence = None if number is None else (number, time.monotonic())

        def write() -> tuple[str | None, list[presence.Editor]]:
            try:
                if previous is not None and previous[0] != number:
                    presence.close_ticket(db, login, previous[0], here)
                if number is None:
                    return number, []
                return number, presence.open_ticket(db, clock, login, number, here)
            except (pw.PeeweeException, DeskError):
                return number, []

        signals = self._presence_signals
        start(self.read_pool, Read(db, "presence", write, signals.done, signals.failed, keep_open=True))

    def _presence_read(self, result: tuple[str | None, list[presence.Editor]]) -> None:
        number, others = result
        tv = self.ticket_view
        if others and tv is not None and number is not None and tv.number == number:
            who = "; ".join(e.describe(self.policy) for e in others)
            tv.conflict_label.setText(f"Also open: {who}. Saves may collide; reload before saving.")
            tv.conflict_frame.show()

    def _presence_heartbeat(self) -> None:
        if self._presence is not None:
            number, last = self._presence
            if time.monotonic() - last >= presence.HEARTBEAT.total_seconds():
                self._mark_open(number)

    def _ticket_changed(self, number: str) -> None:
        self.refresh_queue()
        self.update_mail_warning()
        # this person's own step is seen when the ticket is shown again (`_ticket_shown`)

    def open_intake(self, linked_to: str | None = None) -> IntakeDialog:
        assert self.desk is not None and self.model is not None
        try:
            resellers = [r.name for r in self.desk.resellers() if r.active]  # a retired one: no new ticket
        except (DeskError, pw.PeeweeException):  # offline: those in the queue will do for completion
            resellers = sorted({r.reseller for r in self.model.rows()})
        dialog = IntakeDialog(self.desk, linked_to=linked_to, resellers=resellers, parent=self.window)
        dialog.logged.connect(self._logged)
        dialog.notified.connect(lambda _n: self.refresh_queue())
        dialog.show()
        return dialog

    def _logged(self, number: str) -> None:
        self.refresh_queue()
        self.open_ticket(number)

    # --- rules -------------------------------------------------------------------------------------

    def run_rules(self, now: dt.datetime, *, skip_if_busy: bool = False) -> bool:
        """Start a rule pass off the GUI thread (skipped while one is running; with
        `skip_if_busy`, also when another workstation's pass holds the rules' lock)."""
        if self._rules_running:
            return False
        self._rules_running = True
        self.pool.start(RulesRun(self.db, now, self.policy, self._rules_signals, skip_if_busy=skip_if_busy))
        return True

    def _rules_finished(self, summary: Any) -> None:
        self._rules_running = False
        if self.model is not None:
            self.refresh_queue()
            self.model.refresh_all_bands(summary.now)
            if self.queue_view is not None:
                self.queue_view.refresh_counts()
        if self.window is not None:
            local = summary.now.astimezone(self.policy.tz)
            self.window.rules_label.setText(f"rules ran {local:%H:%M:%S}: {'; '.join(summary.lines())}")
        self.update_mail_warning()
        self.rules_ran.emit(summary)

    def update_mail_warning(self) -> None:
        """The status bar's mail warning: no mail server set, or the outbox stuck (read on
        the worker; shown when it arrives)."""
        if self.desk is None or self.mail_label is None:
            return
        desk = self.desk

        def read() -> tuple[bool, str | None]:
            try:
                return True, desk.mail_warning()
            except (DeskError, pw.PeeweeException):
                return False, None  # offline: the database label says so

        signals = self._mail_signals
        start(self.read_pool, Read(self.db, "the outbox", read, signals.done, signals.failed, keep_open=True))

    def _mail_warning_read(self, result: tuple[bool, str | None]) -> None:
        read, warning = result
        if read and self.mail_label is not None:
            self.mail_label.setText(warning or "")
            self.mail_label.setVisible(bool(warning))

    def _rules_failed(self, message: str) -> None:
        self._rules_running = False
        if self.window is not None:
            self.window.rules_label.setText(message)

    # --- settings ------------------------------------------------------------------------------------

    def open_password_dialog(self) -> Any:
        from deskapp.gui.password_dialog import PasswordDialog

        assert self.desk is not None
        dialog = PasswordDialog(self.desk, self.window)
        dialog.open()  # window-modal, not blocking: the timers keep running
        return dialog

    def open_settings(self) -> None:
        from deskapp.gui.settings_dialog import SettingsDialog, database_in_use

        dialog = SettingsDialog(self.settings, self.window, in_use=database_in_use(self.db),
                                tray=self.notifier.has_tray)  # fmt: skip
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.notifier.enabled = bool(conf.read(self.settings, conf.NOTICES))
            self.countdown_timer.setInterval(conf.read(self.settings, conf.COUNTDOWN_MS))
            self.rules_timer.setInterval(conf.read(self.settings, conf.RULES_MS))
            self.watch_timer.setInterval(conf.read(self.settings, conf.WATCH_MS))
