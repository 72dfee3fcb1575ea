"""The outbox table model and its proxy (failed only, Python-value sorting)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt

from deskapp.gui.models.outbox_model import (
    ATTEMPTS,
    LAST_ERROR,
    NEXT_ATTEMPT,
    STATUS,
    OutboxModel,
    OutboxProxy,
)
from deskapp.services.outbox import OutboxRow
from tests.gui.conftest import check_model

LONDON = ZoneInfo("Europe/London")
AT = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)


def message(ident: int, status: str, attempts: int = 0, error: str | None = None) -> OutboxRow:
    return OutboxRow(
        ident, f"INC-{ident:06d}", "ticket_number", "jo@acme.example", "Your ticket", status, attempts,
        AT, AT + dt.timedelta(minutes=ident), AT if status == "sent" else None, error,
    )  # fmt: skip


def test_columns_failed_filter_and_sorting(qtmodeltester: object) -> None:
    model = OutboxModel(LONDON)
    model.set_rows([message(3, "failed", 6, "refused"), message(2, "sent", 1), message(1, "pending", 10)])
    proxy = OutboxProxy()
    proxy.setSourceModel(model)
    check_model(qtmodeltester, model)  # type: ignore[arg-type]
    check_model(qtmodeltester, proxy)  # type: ignore[arg-type]
    assert model.index(0, STATUS).data() == "failed"
    assert model.index(0, LAST_ERROR).data() == "refused"
    assert model.index(0, NEXT_ATTEMPT).data() == "—"
    assert model.index(1, NEXT_ATTEMPT).data() == "sent Mon 09 Mar 09:00"
    assert model.index(2, NEXT_ATTEMPT).data() == "Mon 09 Mar 09:01"
    assert model.index(0, STATUS).data(Qt.ItemDataRole.ForegroundRole) is not None
    proxy.sort(ATTEMPTS, Qt.SortOrder.AscendingOrder)  # 1 < 6 < 10 as numbers, not text
    assert [proxy.index(r, ATTEMPTS).data() for r in range(3)] == ["1", "6", "10"]
    proxy.set_failed_only(True)
    assert proxy.rowCount() == 1 and proxy.index(0, STATUS).data() == "failed"
