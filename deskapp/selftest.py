"""`deskapp --self-test`: prove a build works, headless, and say what was checked.

Run by CI against the PyInstaller bundle: it must find its `ui/` and
`resources/` files from inside the bundle, open the main window offscreen on
a temporary database, and run one rule pass. Exit status 0 means every check
passed; each check prints one line.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path


def run_self_test() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    checks: list[tuple[str, Callable[[], str]]] = []
    state: dict[str, object] = {}
    tmp = tempfile.TemporaryDirectory(prefix="deskapp-selftest-")

    def files() -> str:
        from deskapp.resources import app_root, default_policy_path, resource_path, ui_path

        forms = sorted(p.name for p in ui_path("").glob("*.ui"))
        if not forms:
            raise RuntimeError(f"no Designer forms under {ui_path('')}")
        for name in ("deskapp.png", "deskapp.svg"):
            if not resource_path("icons", name).is_file():
                raise RuntimeError(f"icon {name} missing")
        if not default_policy_path().is_file():
            raise RuntimeError("default policy missing")
        return f"{len(forms)} forms, icons and policy found under {app_root()}"

    def policy() -> str:
        from deskapp.sla import default_policy, response_due

        due = response_due("P2", dt.datetime(2026, 3, 13, 17, tzinfo=dt.UTC))
        if due != dt.datetime(2026, 3, 16, 11, tzinfo=dt.UTC):
            raise RuntimeError(f"P2 logged Fri 17:00 is due {due}, not Mon 11:00")
        return f"policy {default_policy().version} loaded; SLA engine answers a worked example"

    def holiday_cache() -> str:
        # The bundle must carry the holidays library's metadata, or no launch is ever warm.
        from deskapp.domain import holiday_source
        from deskapp.user_cache import use_holiday_cache

        path = Path(tmp.name) / "holidays.json"
        holiday_source.use_cache(path)
        try:
            names = holiday_source.holiday_names("GB", "ENG", [2026])
        finally:
            use_holiday_cache()
        if names.get(dt.date(2026, 12, 25)) != "Christmas Day":
            raise RuntimeError(f"the holidays library gave {names}")
        if not path.is_file():
            raise RuntimeError("holidays were not kept (is the library's metadata in the bundle?)")
        return "holidays read from the library and kept in the cache file"

    def database() -> str:
        from deskapp import services as sv
        from deskapp.domain.clock import FixedClock
        from deskapp.store.connection import open_database

        db = open_database(f"sqlite:///{Path(tmp.name) / 'selftest.sqlite3'}")
        clock = FixedClock(dt.datetime(2026, 3, 16, 9, tzinfo=dt.UTC))
        sv.add_staff(db, clock, None, "selftest", name="Self Test", role="admin")
        sv.add_staff(db, clock, "selftest", "eng", name="Engineer", role="tier1")
        sv.add_reseller(db, clock, "selftest", "Self Test Ltd", country="GB", email="t@example.co.uk")
        ticket = sv.log_ticket(
            db, clock, "eng", reseller="Self Test Ltd", contact="Pat", phone="+44 20 7946 0000",
            tenant="t1", impact="some", channel="phone", summary="self-test ticket",
        )  # fmt: skip
        state.update(db=db, clock=clock, number=ticket.number)
        return f"temporary SQLite database made; {ticket.number} logged"

    def window() -> str:
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from deskapp.domain.lifecycle import Role
        from deskapp.gui.app import DeskApp
        from deskapp.gui.launch import application
        from deskapp.gui.session import Session

        application()
        settings = QSettings(str(Path(tmp.name) / "settings.ini"), QSettings.Format.IniFormat)
        desk_app = DeskApp(state["db"], state["clock"], settings)  # type: ignore[arg-type]
        win = desk_app.start(Session("eng", "Engineer", Role.TIER1), start_timers=False)
        win.resize(1280, 800)
        win.show()
        QApplication.processEvents()
        rows = desk_app.model.rowCount() if desk_app.model is not None else 0
        state.update(desk_app=desk_app, window=win)
        if rows != 1:
            raise RuntimeError(f"the queue shows {rows} tickets, expected 1")
        return f"main window shown offscreen ({win.width()}x{win.height()}); the queue shows 1 ticket"

    def rules() -> str:
        from deskapp.rules import run_rules

        clock = state["clock"]
        clock.set(dt.datetime(2026, 3, 16, 14, tzinfo=dt.UTC))  # type: ignore[attr-defined]
        summary = run_rules(state["db"], clock)  # type: ignore[arg-type]
        if state["number"] not in summary.applied.get("sla_breached", []):
            raise RuntimeError(f"the rule pass did not record the breach: {summary.lines()}")
        return "one rule pass ran and recorded the overdue response once"

    checks += [("files", files), ("policy", policy), ("holiday cache", holiday_cache),
               ("database", database), ("window", window), ("rules", rules)]  # fmt: skip
    failed = 0
    for name, check in checks:
        try:
            print(f"ok    {name}: {check()}", flush=True)
        except Exception as exc:  # a self-test reports the failure, whatever it is, and exits 1
            failed += 1
            print(f"FAIL  {name}: {exc}", flush=True)
            traceback.print_exc(file=sys.stderr)
            break  # later checks depend on earlier ones
    app = state.get("desk_app")
    if app is not None:
        app.stop()  # type: ignore[attr-defined]
    print("self-test passed" if not failed else "self-test FAILED", flush=True)
    return 1 if failed else 0
