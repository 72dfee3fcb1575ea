"""The domain imports neither Qt nor peewee (proved in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

DOMAIN_MODULES = [
    "deskapp.sla",
    "deskapp.domain.policy",
    "deskapp.domain.business_calendar",
    "deskapp.domain.sla",
    "deskapp.domain.sla_batch",
    "deskapp.domain.explain",
    "deskapp.domain.clock",
]


def test_domain_imports_no_qt_and_no_peewee() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        "import deskapp.domain as d\n"
        f"mods = {DOMAIN_MODULES!r}\n"
        "mods += ['deskapp.domain.' + m.name for m in pkgutil.iter_modules(d.__path__)]\n"
        "for m in mods: importlib.import_module(m)\n"
        "from deskapp.sla import response_due; import datetime as dt\n"
        "response_due('P2', dt.datetime(2026, 3, 16, 9, tzinfo=dt.UTC))\n"
        "banned = ('PySide6', 'peewee', 'playhouse', 'psycopg')\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in banned)\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "", f"domain pulled in: {proc.stdout.strip()}"


def test_the_launch_preload_imports_no_qt() -> None:
    # deskapp.gui.preload runs before PySide6 is imported; that is its whole point.
    code = (
        "import sys\n"
        "from deskapp.gui.preload import preload\n"
        "preload()\n"
        "print(','.join(sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6', 'shiboken6'))))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "", f"preload pulled in: {proc.stdout.strip()}"
