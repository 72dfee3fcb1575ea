"""The reports view on the hand-worked desk of tests/reports: table, chart values, CSV, PDF."""

from __future__ import annotations

from pathlib import Path

import peewee
import pytest
from pytestqt.qtbot import QtBot

from deskapp.domain.lifecycle import Role
from deskapp.gui.desk import Desk as GuiDesk
from deskapp.gui.reports_view import ReportsView
from deskapp.gui.session import Session
from deskapp.reports.charts import chart_for
from deskapp.reports.table import Table
from tests.desk_setup import make_desk
from tests.gui.conftest import check_model
from tests.reports.test_reports import build


@pytest.fixture
def view(qtbot: QtBot, desk_db: peewee.Database) -> ReportsView:
    desk = make_desk(desk_db)
    build(desk)  # leaves the clock at Wed 11 Mar 2026 10:00
    reports = ReportsView(GuiDesk(desk_db, desk.clock, Session("lee", "Lee Lead", Role.LEAD)))
    qtbot.addWidget(reports)
    reports.resize(1400, 700)
    reports.show()
    return reports


def _cells(view: ReportsView) -> dict[tuple[str, str], tuple[str, str, str]]:
    p = view.proxy
    out = {}
    for r in range(p.rowCount()):
        month, prio, met, missed, _decided, met_pct = (p.index(r, c).data() for c in range(6))
        out[(month, prio)] = (met, missed, met_pct)
    return out


def test_compliance_table_and_stacked_chart(qtbot: QtBot, qtmodeltester: object, view: ReportsView) -> None:
    with qtbot.waitSignal(view.report_shown):
        table = view.run("compliance")
    assert table is not None
    check_model(qtmodeltester, view.model)  # type: ignore[arg-type]
    check_model(qtmodeltester, view.proxy)  # type: ignore[arg-type]
    cells = _cells(view)
    assert cells[("2026-03", "P1")] == ("1", "0", "100.0")
    assert cells[("2026-03", "P2")] == ("1", "1", "50.0")
    assert cells[("2026-03", "P3")] == ("0", "1", "0.0")
    assert view.chart_values() == {"met": [2.0], "missed": [2.0]}
    assert view.chart_view.isVisible()
    assert "01 Oct 2025 to 11 Mar 2026" in view.title_label.text()


def test_response_times_and_breaches(view: ReportsView) -> None:
    view.run("response-times")
    values = view.chart_values()
    assert set(values) == {"P1", "P2"}
    assert sum(values["P2"]) == 2.0 and values["P1"][0] == 1.0  # < 15 min
    view.run("breaches")
    assert view.proxy.rowCount() == 2
    assert not view.chart_view.isVisible()  # a list: no chart
    assert not view.since_edit.isEnabled() or view.report_name == "breaches"


def test_csv_and_pdf_exports(view: ReportsView, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert view.export_csv(str(tmp_path / "x.csv")) is None  # nothing run yet
    assert view.error_label.text() == "run a report first"
    view.run("compliance")
    monkeypatch.setattr(
        "deskapp.gui.reports_view.QFileDialog.getSaveFileName", lambda *a, **k: (str(tmp_path / "c.csv"), "")
    )
    saved = view.export_csv()
    assert saved == tmp_path / "c.csv"
    assert (
        saved.read_text(encoding="utf-8-sig").splitlines()[0]
        == "month,priority,met,missed,decided,met %,missed %"
    )
    pdf = view.export_pdf(str(tmp_path / "c.pdf"))
    assert pdf is not None
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 2000


def _pages_with_colour(pdf: Path) -> list[tuple[int, int] | None]:
    """Per page of `pdf`, drawn by Qt's PDF reader: the first and last pixel row with colour
    in it (the chart's bars; the text and the table are black on white), or None."""
    import numpy as np
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument()
    doc.load(str(pdf))
    out: list[tuple[int, int] | None] = []
    for page in range(doc.pageCount()):
        image = doc.render(page, QSize(594, 420)).convertToFormat(QImage.Format.Format_RGB32)
        pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
        rgb = pixels[:, : image.width() * 4].reshape(image.height(), image.width(), 4)[:, :, :3].astype(int)
        rows = np.flatnonzero((rgb.max(axis=2) - rgb.min(axis=2) > 80).any(axis=1))
        out.append((int(rows[0]), int(rows[-1])) if rows.size else None)
    return out


@pytest.mark.parametrize("copies", [10, 12, 28])
def test_the_pdf_keeps_the_chart_whole_on_one_page(view: ReportsView, tmp_path: Path, copies: int) -> None:
    """A table long enough to end part-way down a page: the chart is not split across the page
    boundary (half on each page) but drawn whole, on the last page's room or a new page."""
    import dataclasses

    view.run("compliance")
    assert view.table is not None
    view.table = dataclasses.replace(view.table, rows=view.table.rows * copies)  # 6 rows a copy
    pdf = view.export_pdf(str(tmp_path / "long.pdf"))
    assert pdf is not None
    coloured = _pages_with_colour(pdf)
    assert len(coloured) >= 3, coloured  # the table alone takes pages
    with_chart = [page for page, rows in enumerate(coloured) if rows is not None]
    assert with_chart == [len(coloured) - 1], coloured  # one page, the last
    layout = view.pdf_layout
    assert layout is not None and layout.pages == len(coloured) and layout.chart_page == with_chart[0]
    assert 0 <= layout.chart_top < layout.chart_bottom <= layout.page_height


def test_a_chart_goes_to_a_new_page_only_when_the_last_has_no_room() -> None:
    from deskapp.gui.report_pdf import chart_place

    assert chart_place(used=100, chart_height=300, page_height=1000, gap=20) == (False, 120)
    assert chart_place(used=700, chart_height=300, page_height=1000, gap=20) == (True, 0.0)
    assert chart_place(used=0, chart_height=1200, page_height=1000, gap=20) == (False, 0.0)


def test_survey_chart_is_the_spread_of_all_answers() -> None:
    columns = ("month", "offered", "emailed", "answered", "mean score", "1", "2", "3", "4", "5")
    table = Table("s", columns, [
        ("2026-03", 2, 2, 1, 4.0, 0, 0, 0, 1, 0), ("all", 2, 2, 2, 3.0, 0, 1, 0, 1, 0)])  # fmt: skip
    chart = chart_for("surveys", table)
    assert chart is not None and chart.categories == ("1", "2", "3", "4", "5")
    assert chart.series == (("answers", (0.0, 1.0, 0.0, 1.0, 0.0)),)
    assert chart_for("breaches", table) is None


def test_the_run_button_reads_the_report_off_the_gui_thread(qtbot: QtBot, view: ReportsView) -> None:
    view.select_report("compliance")
    with qtbot.waitSignal(view.report_shown, timeout=10_000) as shown:
        view.run_button.click()
        assert not view.run_button.isEnabled() and view.note_label.text().startswith("Running")
        assert not view.start(), "one report at a time"
    assert shown.args == ["compliance"]
    assert view.run_button.isEnabled()
    assert _cells(view)[("2026-03", "P2")] == ("1", "1", "50.0")
    assert view.export_csv_button.isEnabled()


def test_a_report_that_cannot_be_read_says_so(qtbot: QtBot, view: ReportsView) -> None:
    from deskapp.store.connection import database_from_url
    from tests.mail.smtp_server import free_port

    real = view.desk.db
    view.desk.db = database_from_url(f"postgresql://deskapp@127.0.0.1:{free_port()}/gone")  # nobody listens
    try:
        assert view.start("breaches")
        qtbot.waitUntil(lambda: view.run_button.isEnabled(), timeout=10_000)
    finally:
        view.desk.db = real
    assert view.error_label.text().startswith("the report could not be read")
    assert view.table is None


def test_picking_another_report_clears_the_last_one_until_run(view: ReportsView) -> None:
    view.run("compliance")
    assert view.proxy.rowCount() > 0 and view.chart_view.isVisible()
    view.select_report("surveys")
    assert view.table is None and view.proxy.rowCount() == 0 and view.proxy.columnCount() == 0
    assert not view.chart_view.isVisible()
    assert view.title_label.text().endswith("press Run to draw it")
    assert "compliance" not in view.title_label.text().lower()
    assert not view.export_csv_button.isEnabled()


def test_count_axes_tick_in_whole_numbers(view: ReportsView) -> None:
    from PySide6.QtCharts import QValueAxis

    from deskapp.gui.reports_view import integer_ticks

    assert integer_ticks(1) == (1, 2)  # 0, 1, 2: never 0, 0, 0, 0, 1
    assert integer_ticks(0) == (1, 1)
    assert integer_ticks(17) == (5, 20)
    assert integer_ticks(99) == (20, 100)
    view.run("compliance")  # one stacked bar of 2 met and 2 missed
    axis = next(a for a in view.chart.axes() if isinstance(a, QValueAxis))
    assert axis.tickType() == QValueAxis.TickType.TicksDynamic and axis.tickInterval() == 1
    assert (axis.min(), axis.max()) == (0, 5) and axis.labelFormat() == "%d"


def test_met_and_missed_differ_by_more_than_colour(view: ReportsView) -> None:
    from PySide6.QtCharts import QAbstractBarSeries
    from PySide6.QtCore import Qt

    view.run("compliance")
    series = next(s for s in view.chart.series() if isinstance(s, QAbstractBarSeries))
    brushes = {b.label(): b.brush().style() for b in series.barSets()}
    assert brushes == {"met": Qt.BrushStyle.SolidPattern, "missed": Qt.BrushStyle.BDiagPattern}
    assert series.isLabelsVisible()  # each bar says its count
    assert view.chart.legend().isVisible()  # and the legend its word
