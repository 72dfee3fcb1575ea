"""Reports for team leads and administrators: pick a report and a period, read the table,
see the chart (QtCharts), export to CSV or to PDF (Qt's PDF writer).

The numbers come from `deskapp.reports` (read-only); what a chart shows is worked
out Qt-free by `deskapp.reports.charts`; this view only draws and writes files.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QRectF, QSizeF, Qt, QThreadPool, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QPainter,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from deskapp.gui.desk import Desk
from deskapp.gui.forms import child, load_form
from deskapp.gui.models.report_model import ReportModel, ReportProxy, cell_text
from deskapp.gui.report_pdf import PdfLayout, write_report_pdf
from deskapp.gui.workers import Read, ReportSignals
from deskapp.reports.catalogue import PERIOD_REPORTS, REPORTS, run_report
from deskapp.reports.charts import STACKED, Chart, chart_for
from deskapp.reports.table import CsvFileError, Table

PDF_CHART_SIZE = (1000, 520)  # px: the chart as the PDF shows it, a page's width and half its height
COLOURS = {"met": "#2e7d32", "missed": "#c62828"}
# Met and missed differ by more than red and green: missed bars are hatched, and every bar
# carries its count and the legend its word.
PATTERNS = {"missed": Qt.BrushStyle.BDiagPattern}
MOST_TICKS = 8
DEFAULT_MONTHS = 6


class ReportsView(QWidget):
    report_shown = Signal(str)  # the report's name, after its table and chart are drawn

    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsView")
        self.desk = desk
        self.table: Table | None = None
        self.chart_spec: Chart | None = None
        self.pdf_layout: PdfLayout | None = None  # where the last PDF's pages and chart went
        self.model = ReportModel(self)
        self.proxy = ReportProxy(self)
        self.proxy.setSourceModel(self.model)
        form = load_form("reports_view.ui", self)
        self.report_combo = child(form, QComboBox, "reportCombo")
        self.since_edit = child(form, QDateEdit, "sinceEdit")
        self.until_edit = child(form, QDateEdit, "untilEdit")
        self.run_button = child(form, QPushButton, "runReportButton")
        self.export_csv_button = child(form, QPushButton, "exportCsvButton")
        self.export_pdf_button = child(form, QPushButton, "exportPdfButton")
        self.title_label = child(form, QLabel, "reportTitleLabel")
        self.title_label.setProperty("role", "ticketHeader")
        self.table_view = child(form, QTableView, "reportTable")
        self.splitter = child(form, QSplitter, "reportSplitter")
        self.note_label = child(form, QLabel, "reportNoteLabel")
        self.error_label = child(form, QLabel, "reportErrorLabel")
        self.error_label.setProperty("role", "error")
        chart_panel = self.chart_panel = child(form, QWidget, "chartPanel")
        self.chart = self._new_chart()
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("reportChartView")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumSize(420, 300)
        layout = chart_panel.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addWidget(self.chart_view)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.table_view.setModel(self.proxy)
        self.table_view.verticalHeader().setVisible(False)
        self.table_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for name, (title, _fn) in REPORTS.items():
            self.report_combo.addItem(title, name)
        today = desk.clock.now().astimezone(desk.policy.tz).date()
        first = today.year * 12 + today.month - 1 - (DEFAULT_MONTHS - 1)  # this month and 5 before
        self.since_edit.setDate(QDate(first // 12, first % 12 + 1, 1))
        self.until_edit.setDate(QDate(today.year, today.month, today.day))
        self.report_combo.currentIndexChanged.connect(self._report_changed)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = ReportSignals(self)
        self._signals.finished.connect(self._finished)
        self._signals.failed.connect(self._failed)
        self._running = False
        self.run_button.clicked.connect(lambda: self.start())
        self.export_csv_button.clicked.connect(lambda: self.export_csv())
        self.export_pdf_button.clicked.connect(lambda: self.export_pdf())
        self._report_changed()

    # --- choosing -----------------------------------------------------------------------

    @property
    def report_name(self) -> str:
        return str(self.report_combo.currentData())

    def select_report(self, name: str) -> None:
        self.report_combo.setCurrentIndex(self.report_combo.findData(name))

    def _report_changed(self) -> None:
        """Another report picked: the last one's table, chart and title go (they would read
        as this one's) until Run draws it."""
        periodic = self.report_name in PERIOD_REPORTS
        for w in (self.since_edit, self.until_edit):
            w.setEnabled(periodic)
        self._set_exports(False)
        self.table = None
        self.model.set_table(Table(title="", columns=()))
        self.title_label.setText(f"{self.report_combo.currentText()}: press Run to draw it")
        self.note_label.clear()
        self.error_label.clear()
        self._draw_chart(None)

    def _set_exports(self, on: bool) -> None:
        self.export_csv_button.setEnabled(on)
        self.export_pdf_button.setEnabled(on)

    def period(self) -> tuple[dt.datetime, dt.datetime]:
        """From the first day's local midnight to the midnight after the last day."""
        tz = self.desk.policy.tz
        first, last = self.since_edit.date().toPython(), self.until_edit.date().toPython()
        assert isinstance(first, dt.date) and isinstance(last, dt.date)
        since = dt.datetime.combine(first, dt.time(), tz)
        until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz)
        return since.astimezone(dt.UTC), until.astimezone(dt.UTC)

    # --- running ------------------------------------------------------------------------

    def start(self, name: str | None = None) -> bool:
        """Run a report off the GUI thread (the Run button); `report_shown` says when it is
        drawn. False if the period is wrong or a report is already running."""
        if name is not None:
            self.select_report(name)
        name = self.report_name
        period = self._checked_period()
        if period is None or self._running:
            return False
        since, until = period
        self._running = True
        self.run_button.setEnabled(False)
        self.note_label.setText(f"Running {self.report_combo.currentText()}…")
        read = self._reader(name, since, until)
        self._pool.start(Read(
            self.desk.db, "the report", lambda: (name, read(), since, until),
            self._signals.finished, self._signals.failed,
        ))  # fmt: skip
        return True

    def run(self, name: str | None = None) -> Table | None:
        """Run a report here and now (scripts, screenshots); the view shows it as `start` does."""
        if name is not None:
            self.select_report(name)
        name = self.report_name
        period = self._checked_period()
        if period is None:
            return None
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            table = self._reader(name, *period)()
        except Exception as exc:  # a database that went away, said in words
            self._failed(f"the report could not be read: {exc}")
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._show(name, table, *period)
        return table

    def stop(self) -> None:
        """Wait for a report still being read (the app calls this on the way out)."""
        self._pool.waitForDone()

    def _checked_period(self) -> tuple[dt.datetime, dt.datetime] | None:
        since, until = self.period()
        if since >= until:
            self.error_label.setText("the period ends before it starts: pick a later 'to' date")
            return None
        return since, until

    def _reader(self, name: str, since: dt.datetime, until: dt.datetime) -> Callable[[], Table]:
        desk = self.desk
        now = desk.clock.now()
        return lambda: run_report(name, desk.db, now=now, policy=desk.policy, since=since, until=until)

    def _finished(self, result: tuple[str, Table, dt.datetime, dt.datetime]) -> None:
        self._running = False
        self.run_button.setEnabled(True)
        if result[0] != self.report_name:  # another report was picked while this one was read
            self.note_label.clear()
            return
        self._show(*result)

    def _failed(self, message: str) -> None:
        self._running = False
        self.run_button.setEnabled(True)
        self.note_label.clear()
        self.error_label.setText(message)

    def _show(self, name: str, table: Table, since: dt.datetime, until: dt.datetime) -> None:
        self.error_label.clear()
        self.table = table
        self.model.set_table(table)
        self.proxy.sort(-1)
        self.table_view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        period = ""
        if name in PERIOD_REPORTS:
            last = until - dt.timedelta(days=1)
            tz = self.desk.policy.tz
            period = f" — logged {since.astimezone(tz):%d %b %Y} to {last.astimezone(tz):%d %b %Y}"
        self.title_label.setText(f"{table.title}{period}")
        rows = len(table.rows)
        self.note_label.setText(table.note if rows else "Nothing to report for this period.")
        self._draw_chart(chart_for(name, table))
        self._set_exports(True)
        self.report_shown.emit(name)

    @staticmethod
    def _new_chart() -> QChart:
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        return chart

    def _draw_chart(self, spec: Chart | None) -> None:
        self.chart_spec = spec
        chart = self.chart = self._new_chart()  # a fresh chart: no axes left from the last report
        self.chart_view.setChart(chart)
        drawn = spec is not None and bool(spec.categories)
        self.chart_view.setVisible(drawn)
        self.chart_panel.setVisible(drawn)  # no chart: the table takes the width, no empty pane
        if spec is None or not spec.categories:
            return
        chart.setTitle(spec.title)
        series = QStackedBarSeries() if spec.kind == STACKED else QBarSeries()
        top = 0.0
        for label, values in spec.series:
            bar_set = QBarSet(label)
            bar_set.append(list(values))
            if label in COLOURS:
                brush = QBrush(QColor(COLOURS[label]), PATTERNS.get(label, Qt.BrushStyle.SolidPattern))
                bar_set.setBrush(brush)
                bar_set.setBorderColor(QColor(COLOURS[label]))
            series.append(bar_set)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value")
        if spec.kind == STACKED:
            top = max((sum(v[i] for _, v in spec.series) for i in range(len(spec.categories))), default=0)
        else:
            top = max((max(v, default=0) for _, v in spec.series), default=0)
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append([_axis_label(c) for c in spec.categories])
        y = QValueAxis()
        y.setTitleText(spec.axis_title)
        if spec.axis_title == "hours":
            y.setRange(0, max(1.0, top * 1.1))
            y.setLabelFormat("%.1f")
        else:  # counts: whole-number ticks (0, 1, 2 …), never 0, 0, 0, 1 from "%d" of 0.25s
            step, ceiling = integer_ticks(top)
            y.setRange(0, ceiling)
            y.setTickType(QValueAxis.TickType.TicksDynamic)
            y.setTickAnchor(0)
            y.setTickInterval(step)
            y.setMinorTickCount(0)
            y.setLabelFormat("%d")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        chart.legend().setVisible(len(spec.series) > 1)

    def chart_values(self) -> dict[str, list[float]]:
        """What the drawn chart holds: each bar set's values by its label."""
        out: dict[str, list[float]] = {}
        for series in self.chart.series():
            assert isinstance(series, QBarSeries | QStackedBarSeries)
            for bar_set in series.barSets():
                out[bar_set.label()] = [bar_set.at(i) for i in range(bar_set.count())]
        return out

    # --- exporting ----------------------------------------------------------------------

    def _save_path(self, what: str, suffix: str, path: str | None) -> Path | None:
        if self.table is None:
            self.error_label.setText("run a report first")
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, f"Export the report as {what}", f"{self.report_name}.{suffix}",
                f"{what} files (*.{suffix})",
            )  # fmt: skip
            if not path:
                return None
        return Path(path)

    def export_csv(self, path: str | None = None) -> Path | None:
        target = self._save_path("CSV", "csv", path)
        if target is None or self.table is None:
            return None
        try:
            self.table.write_csv(target)
        except CsvFileError as exc:
            self.error_label.setText(str(exc))
            return None
        self.error_label.clear()
        self.note_label.setText(f"saved {target}")
        return target

    def export_pdf(self, path: str | None = None) -> Path | None:
        """The title, the period, the table and the chart, on A4 landscape pages (the chart
        whole on one page: `report_pdf`)."""
        target = self._save_path("PDF", "pdf", path)
        if target is None or self.table is None:
            return None
        has_chart = self.chart_spec is not None and bool(self.chart_spec.categories)
        try:
            self.pdf_layout = write_report_pdf(
                target, self.table.title, self.report_html(), self.chart_image() if has_chart else None
            )
        except OSError as exc:
            self.error_label.setText(str(exc))
            return None
        if not target.exists() or target.stat().st_size == 0:
            self.error_label.setText(f"cannot write {target}")
            return None
        self.error_label.clear()
        self.note_label.setText(f"saved {target}")
        return target

    def chart_image(self) -> QImage:
        """The chart drawn at a page's proportions (PDF_CHART_SIZE), not the pane's: a tall,
        narrow pane gave a chart with no room for its axes and legend."""
        chart, (w, h) = self.chart, PDF_CHART_SIZE
        was = chart.size()
        chart.resize(QSizeF(w, h))
        layout = chart.layout()
        if layout is not None:
            layout.activate()
        image = QImage(w, h, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scene = chart.scene()
        if scene is not None:
            scene.render(painter, QRectF(0, 0, w, h), chart.sceneBoundingRect())
        painter.end()
        chart.resize(was)
        return image

    def report_html(self) -> str:
        """The title, the period, the table and the note (the chart is drawn after them)."""
        assert self.table is not None
        t, e = self.table, html.escape
        head = "".join(f"<th align='left'>{e(c)}</th>" for c in t.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{e(cell_text(v))}</td>" for v in row) + "</tr>" for row in t.rows
        )
        made = self.desk.clock.now().astimezone(self.desk.policy.tz)
        note = f"<p><i>{e(t.note)}</i></p>" if t.note else ""
        return (
            f"<h2>{e(self.title_label.text())}</h2>"
            f"<p>Made by deskapp on {made:%a %d %b %Y %H:%M} for {e(self.desk.session.name)}</p>"
            f"<table border='1' cellspacing='0' cellpadding='3'><tr>{head}</tr>{body}</table>"
            f"{note}"
        )


def integer_ticks(top: float, most: int = MOST_TICKS) -> tuple[int, int]:
    """A whole-number tick step (1, 2, 5, 10, 20, 50 …) giving about `most` steps up to
    `top`, and the axis's top: the first tick above `top`, so the tallest bar has headroom."""
    step, scale = 1, 1
    while True:
        for mult in (1, 2, 5):
            step = mult * scale
            if top <= step * most:
                return step, (math.floor(top / step) + 1) * step
        scale *= 10


def _axis_label(text: str) -> str:
    """Axis labels are drawn as rich text when they look like it: "< 15 min" would vanish."""
    return f"<span>{html.escape(text)}</span>" if "<" in text or "&" in text else text
