"""Screenshot tests of the layout at 1600x900, 1280x720 and 150% scale (1920x1080 shown at 1.5,
1280x720 logical; 1600x900 shown at 1.5, 1067x600 logical): every view of a demo desk, as a
fresh install lays it out, keeps each visible button, label, field and header section inside
the window and its parent, no narrower than its text needs; the key columns (the queue's
Response SLA among them) are in sight; no pane is at zero width; the window is no larger
than the screen; dialogs keep their content off their edges.

Each size runs `tests.gui.layout_probe` in its own process: the screen and the scale are
fixed when Qt starts (an offscreen screen of that size, QT_SCALE_FACTOR).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import peewee
import pytest
from pytestqt.qtbot import QtBot

from deskapp.domain.clock import FixedClock

ROOT = Path(__file__).resolve().parents[2]
VIEWS = {"queue", "ticket", "ticket assign form", "Escalations", "Outbox", "reports compliance",
         "reports response-times", "reports surveys", "Find", "new incident", "settings", "sign in",
         "first administrator", "change password", "keyboard shortcuts", "admin Directory",
         "admin Templates", "mail server"}  # fmt: skip


def probe(tmp_path: Path, width: int, height: int, scale: float) -> dict[str, object]:
    screen = tmp_path / "screen.json"
    one = {"name": "s", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96, "dpr": 1}
    screen.write_text(json.dumps({"screens": [{**one, "logicalBaseDpi": 96}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={screen}", QT_SCALE_FACTOR=f"{scale:g}",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"))  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "tests.gui.layout_probe"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("width", "height", "scale", "logical"),
    [
        (1600, 900, 1.0, [1600, 900]),
        (1280, 720, 1.0, [1280, 720]),
        (1920, 1080, 1.5, [1280, 720]),
        (1600, 900, 1.5, [1067, 600]),
    ],
    ids=["1600x900", "1280x720", "150%", "1600x900@150%"],
)
def test_nothing_is_cut(tmp_path: Path, width: int, height: int, scale: float, logical: list[int]) -> None:
    result = probe(tmp_path, width, height, scale)
    assert result["screen"] == logical
    views = result["views"]
    assert isinstance(views, list)
    assert set(views) >= VIEWS, f"views not checked: {VIEWS - set(views)}"
    problems = result["problems"]
    assert isinstance(problems, list)
    assert problems == [], "\n".join(str(p) for p in problems)


def test_screenshots_are_drawn_at_the_size_and_scale_asked(tmp_path: Path) -> None:
    """`deskapp screenshots --size 1920x1080 --scale 1.5`: the window fills that screen (1280x720
    logical at 150%), in the fresh install's layout."""
    from PySide6.QtGui import QImage

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))  # fmt: skip
    out = tmp_path / "shots"
    command = [sys.executable, "-m", "deskapp", "screenshots", "--out", str(out), "--tickets", "30",
               "--size", "1920x1080", "--scale", "1.5"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    image = QImage(str(out / "main-window.png"))
    assert (image.width(), image.height()) == (1920, 1080)
    assert (out / "reports-surveys.png").is_file()


def test_a_split_saved_before_the_history_panel_gives_it_the_fresh_share(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock, tmp_path: Path
) -> None:
    """An older release saved a split of two panes: restored over three, the customer's history
    got 0 px. Such a state is not restored; a fresh install's split is used instead."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QSplitter, QWidget

    from deskapp.gui.app import DeskApp
    from tests.gui.seed import desk_for

    settings = QSettings(str(tmp_path / "deskapp.ini"), QSettings.Format.IniFormat)
    old = QSplitter()
    for _ in range(2):
        old.addWidget(QWidget())
    old.setSizes([900, 700])
    settings.setValue("window/queueSplitter", old.saveState())  # no pane count: an older release
    desk_app = DeskApp(seeded, clock, settings)
    try:
        window = desk_app.start(desk_for(seeded, clock, "lee").session, start_timers=False)
        qtbot.addWidget(window)
        window.resize(1600, 900)
        window.show()
        qtbot.waitExposed(window)
        sizes = window.queue_splitter.sizes()
        assert len(sizes) == 3 and sizes[2] >= 300, sizes
        window.save_layout()
        assert settings.value("window/queueSplitterPanes") in (3, "3")
    finally:
        desk_app.stop()


def test_a_narrow_window_puts_the_history_away_and_the_view_menu_brings_it_back(
    qtbot: QtBot, seeded: peewee.Database, clock: FixedClock, tmp_path: Path
) -> None:
    """1600x900 at 150% scale is 1067 px logical: a fresh install gives the queue and the
    ticket the width (the queue's Response SLA in sight); View > Customer history shows it
    again with its share, and the choice is kept with the layout."""
    from PySide6.QtCore import QSettings

    from deskapp.gui.app import DeskApp
    from deskapp.gui.models.queue_model import COUNTDOWN
    from tests.gui.seed import desk_for

    settings = QSettings(str(tmp_path / "deskapp.ini"), QSettings.Format.IniFormat)
    for first in (True, False):
        desk_app = DeskApp(seeded, clock, settings)
        try:
            window = desk_app.start(desk_for(seeded, clock, "lee").session, start_timers=False)
            qtbot.addWidget(window)
            window.resize(1067, 600)
            window.show()
            qtbot.waitExposed(window)
            panel = window.queue_splitter.widget(2)
            assert panel is not None
            if first:  # the fresh install
                assert panel.isHidden() and not window.history_action.isChecked()
                assert desk_app.queue_view is not None
                table = desk_app.queue_view.table
                header = table.horizontalHeader()
                right = header.sectionViewportPosition(COUNTDOWN) + header.sectionSize(COUNTDOWN)
                assert header.sectionViewportPosition(COUNTDOWN) >= 0 and right <= table.viewport().width()
                window.history_action.trigger()
                assert not panel.isHidden() and window.queue_splitter.sizes()[2] >= 200, (
                    window.queue_splitter.sizes()
                )
            else:  # restored as it was left: shown
                assert not panel.isHidden() and window.history_action.isChecked()
            window.save_layout()
        finally:
            desk_app.stop()
