"""A report on A4 landscape pages: the title, the table and the note flow over as many pages
as they need; the chart follows, whole on one page.

Qt's own `QTextDocument.print_` put the chart inline with the text, so a long table pushed it
across a page boundary (half a chart on each page). Here the text is paginated by the
document and drawn page by page, and the chart is placed by `chart_place`: where the last
page has room for it, or at the top of a new page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument

RESOLUTION = 300  # dpi of the PDF's page units
GAP = 0.04  # of a page's height between the text and the chart
CHART_SHARE = 0.9  # the chart is at most this share of a page's height (its legend and axes whole)


@dataclass(frozen=True)
class PdfLayout:
    """Where things went, in page units (the page's printable area): for the tests and the
    curious. `chart_page` is None when there is no chart."""

    pages: int
    page_height: float
    chart_page: int | None = None
    chart_top: float = 0.0
    chart_bottom: float = 0.0


def chart_place(used: float, chart_height: float, page_height: float, gap: float) -> tuple[bool, float]:
    """(start a new page?, the chart's top on its page): after `used` of the last page and a
    gap when it fits there, otherwise at the top of the next page. A chart is never split."""
    top = used + gap if used > 0 else 0.0
    if top + chart_height <= page_height or used <= 0:
        return False, top
    return True, 0.0


def write_report_pdf(target: Path, title: str, body_html: str, chart: QImage | None) -> PdfLayout:
    """Write `body_html` (title, table, note) and then `chart` to `target`. Raises OSError
    when the file cannot be written."""
    writer = QPdfWriter(str(target))
    writer.setResolution(RESOLUTION)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageOrientation(QPageLayout.Orientation.Landscape)
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setTitle(title)
    writer.setCreator("deskapp")
    area = writer.pageLayout().paintRectPixels(writer.resolution())
    width, height = float(area.width()), float(area.height())
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)  # fonts sized for the page, not the screen
    doc.setHtml(body_html)
    doc.setPageSize(QSizeF(width, height))
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {target}")
    try:
        pages = max(doc.pageCount(), 1)
        for page in range(pages):
            if page:
                writer.newPage()
            painter.save()
            painter.translate(0, -page * height)
            doc.drawContents(painter, QRectF(0, page * height, width, height))
            painter.restore()
        if chart is None or chart.isNull():
            return PdfLayout(pages=pages, page_height=height)
        last = doc.documentLayout().blockBoundingRect(doc.lastBlock())
        used = max(last.bottom() - (pages - 1) * height, 0.0)
        scale = min(width / chart.width(), height * CHART_SHARE / chart.height())
        chart_w, chart_h = chart.width() * scale, chart.height() * scale
        new_page, top = chart_place(used, chart_h, height, height * GAP)
        if new_page:
            writer.newPage()
            pages += 1
        painter.drawImage(QRectF(0, top, chart_w, chart_h), chart)
        return PdfLayout(pages, height, pages - 1, top, top + chart_h)
    finally:
        painter.end()
