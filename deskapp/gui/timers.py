"""The app's timers: named QTimer subclasses that read one injected Clock.

Each emits `fired(now)` with the instant read once from the clock, so the
handlers never ask the time themselves; tests move a `FixedClock` and call
`fire()` instead of waiting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QTimer, Signal

from deskapp.domain.clock import Clock


class ClockTimer(QTimer):
    fired = Signal(object)  # dt.datetime, aware UTC

    def __init__(self, clock: Clock, interval_ms: int, parent: Any = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self.setInterval(interval_ms)
        self.timeout.connect(self.fire)

    def fire(self) -> dt.datetime:
        now = self._clock.now()
        self.fired.emit(now)
        return now


class CountdownTimer(ClockTimer):
    """Every second: the visible countdowns are recomputed from memory."""

    DEFAULT_MS = 1000

    def __init__(self, clock: Clock, interval_ms: int = DEFAULT_MS, parent: Any = None) -> None:
        super().__init__(clock, interval_ms, parent)


class RulesTimer(ClockTimer):
    """Every 30 seconds (by default): a rule pass off the GUI thread."""

    DEFAULT_MS = 30_000

    def __init__(self, clock: Clock, interval_ms: int = DEFAULT_MS, parent: Any = None) -> None:
        super().__init__(clock, interval_ms, parent)


class ChangeWatchTimer(ClockTimer):
    """Every few seconds: has another workstation changed the database?"""

    DEFAULT_MS = 3000

    def __init__(self, clock: Clock, interval_ms: int = DEFAULT_MS, parent: Any = None) -> None:
        super().__init__(clock, interval_ms, parent)


class MailFetchTimer(ClockTimer):
    """Every 15 seconds: this workstation's turn at the desk's mailbox (`deskapp.mail.station`).
    The lease's holder renews it each turn (TTL 45 s: two turns may be missed), and another
    takes over within the TTL and one interval of the holder going away: under a minute."""

    DEFAULT_MS = 15_000

    def __init__(self, clock: Clock, interval_ms: int = DEFAULT_MS, parent: Any = None) -> None:
        super().__init__(clock, interval_ms, parent)
