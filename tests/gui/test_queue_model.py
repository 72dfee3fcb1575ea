"""The queue's table model and proxy: countdown bands, filters, search, sorting."""

from __future__ import annotations

import datetime as dt

import numpy as np
from pytestqt.modeltest import ModelTester

from deskapp.domain.clock import FixedClock
from deskapp.domain.sla import SlaEngine
from deskapp.gui.models.countdowns import AT_RISK, BREACHED, MET, ON_TRACK
from deskapp.gui.models.queue_filter import QueueFilter, count
from deskapp.gui.models.queue_model import BAND_ROLE, COUNTDOWN, NUMBER, QueueModel
from deskapp.gui.models.queue_proxy import QueueProxy
from tests.gui.conftest import check_model
from tests.gui.factories import row
from tests.london import local

MON_9 = local(2026, 3, 9, 9, 0)  # a Monday, desk open


def _model(engine: SlaEngine, clock: FixedClock) -> QueueModel:
    model = QueueModel(engine, clock.now())
    model.set_rows(
        [
            row(1, MON_9, priority="P2"),  # due 13:00
            row(2, MON_9 - dt.timedelta(minutes=30), priority="P1", reseller="Blue Sky IT"),  # due 10:30
            row(3, MON_9, priority="P3", status="awaiting_info", engineer="ann", tier=2),
            row(4, MON_9, priority="P2", engineer="bob", contact="Ola Nordmann", summary="VPN drops"),
            row(5, MON_9, priority="P2", responded_at=MON_9 + dt.timedelta(minutes=5)),
        ],
        clock.now(),
    )
    return model


def test_models_pass_qtmodeltester(qtmodeltester: ModelTester, engine: SlaEngine) -> None:
    clock = FixedClock(MON_9)
    model = _model(engine, clock)
    check_model(qtmodeltester, model)
    proxy = QueueProxy(model)
    proxy.set_filter(QueueFilter(search="acme"))
    check_model(qtmodeltester, proxy)
    empty = QueueModel(engine, clock.now())
    check_model(qtmodeltester, empty)


def test_countdown_text_and_band_move_with_the_fake_clock(engine: SlaEngine) -> None:
    clock = FixedClock(MON_9)
    model = _model(engine, clock)
    assert model.data(model.index(0, COUNTDOWN)) == "4h 00m left"
    assert model.band(0) == ON_TRACK
    assert model.data(model.index(4, COUNTDOWN)) == "met"
    assert model.band(4) == MET

    changed: list[tuple[int, int, int]] = []
    model.dataChanged.connect(lambda a, b, _r=(): changed.append((a.row(), b.row(), a.column())))
    clock.advance(dt.timedelta(hours=3, minutes=15))  # 12:15: 45 min of 4 h left (< 25 %)
    model.tick(clock.now(), [0, 1])
    assert model.band(0) == AT_RISK
    assert model.data(model.index(0, COUNTDOWN)) == "AT RISK 0h 45m"
    assert model.data(model.index(0, COUNTDOWN), BAND_ROLE) == "at risk"
    assert model.band(1) == BREACHED  # P1 was due 10:30
    assert model.data(model.index(1, COUNTDOWN)) == "BREACHED +1h 45m"
    assert changed == [(0, 1, COUNTDOWN)]  # one run, countdown column only
    # rows not ticked keep their last computed band until they are visible
    assert model.band(3) == ON_TRACK


def test_countdown_paused_outside_business_hours(engine: SlaEngine) -> None:
    clock = FixedClock(local(2026, 3, 13, 17, 0))  # Friday 17:00
    model = QueueModel(engine, clock.now())
    model.set_rows([row(1, clock.now(), priority="P2")], clock.now())
    clock.set(local(2026, 3, 14, 10, 0))  # Saturday
    model.tick(clock.now(), [0])
    assert model.data(model.index(0, COUNTDOWN)) == "3h 00m left, paused until Mon 08:00"


def test_tick_cost_does_not_depend_on_loaded_rows(engine: SlaEngine) -> None:
    clock = FixedClock(MON_9)
    model = QueueModel(engine, clock.now())
    model.set_rows([row(i, MON_9 - dt.timedelta(minutes=i % 500)) for i in range(1, 3001)], clock.now())
    seen: list[int] = []
    model.dataChanged.connect(lambda a, b, _r=(): seen.extend(range(a.row(), b.row() + 1)))
    model.tick(clock.now(), np.arange(100, 140))
    assert seen == list(range(100, 140))


def test_filters_and_search(engine: SlaEngine) -> None:
    clock = FixedClock(MON_9 + dt.timedelta(hours=3, minutes=15))
    model = _model(engine, FixedClock(MON_9))
    model.refresh_all_bands(clock.now())
    proxy = QueueProxy(model)
    proxy.set_me("bob")

    def shown(f: QueueFilter) -> list[str]:
        proxy.set_filter(f)
        return sorted(proxy.index(r, NUMBER).data() for r in range(proxy.rowCount()))

    assert len(shown(QueueFilter())) == 5
    assert shown(QueueFilter(mine=True)) == ["INC-000004"]
    assert shown(QueueFilter(unassigned=True)) == ["INC-000001", "INC-000002", "INC-000005"]
    assert shown(QueueFilter(priority="P1")) == ["INC-000002"]
    assert shown(QueueFilter(status="awaiting_info")) == ["INC-000003"]
    assert shown(QueueFilter(awaiting_info=True)) == ["INC-000003"]
    assert shown(QueueFilter(tier=2)) == ["INC-000003"]
    assert shown(QueueFilter(at_risk=True)) == ["INC-000001", "INC-000002", "INC-000004"]
    assert shown(QueueFilter(search="blue sky")) == ["INC-000002"]
    assert shown(QueueFilter(search="nordmann")) == ["INC-000004"]
    assert shown(QueueFilter(search="vpn")) == ["INC-000004"]
    assert shown(QueueFilter(search="000003")) == ["INC-000003"]
    assert shown(QueueFilter(unassigned=True, priority="P2")) == ["INC-000001", "INC-000005"]

    counts = count(model.rows(), list(model.bands()), "bob")
    assert (counts.total, counts.mine, counts.unassigned) == (5, 1, 3)
    assert (counts.at_risk, counts.awaiting_info) == (3, 1)
    assert counts.priority == {"P1": 1, "P2": 3, "P3": 1}


def test_filter_round_trips_through_settings_values() -> None:
    f = QueueFilter(mine=True, priority="P2", tier=3, search="x")
    as_strings = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in f.to_settings().items()}
    assert QueueFilter.from_settings(as_strings) == f
    assert QueueFilter.from_settings({"tier": "junk"}) == QueueFilter()


def test_sort_by_due_through_the_proxy_keeps_selection(engine: SlaEngine) -> None:
    model = _model(engine, FixedClock(MON_9))
    proxy = QueueProxy(model)
    proxy.sort(COUNTDOWN)
    numbers = [proxy.index(r, NUMBER).data() for r in range(proxy.rowCount())]
    assert numbers[0] == "INC-000002"  # P1, due 10:30
    assert numbers[-2:] == ["INC-000003", "INC-000005"]  # P3 due tomorrow; then the answered one
    counting = [
        model.row(r).response_due for r in range(model.rowCount()) if model.row(r).responded_at is None
    ]
    assert counting == sorted(counting)


def test_upsert_updates_adds_and_drops(engine: SlaEngine) -> None:
    clock = FixedClock(MON_9)
    model = _model(engine, clock)
    updated = row(1, MON_9, priority="P2", responded_at=MON_9 + dt.timedelta(minutes=1))
    closed = row(2, MON_9, status="closed")
    new = row(9, MON_9, priority="P1")
    model.upsert([updated, closed, new], clock.now(), keep=lambda t: t.status != "closed")
    assert [model.row(r).id for r in range(model.rowCount())] == [1, 3, 4, 5, 9]
    assert model.data(model.index(0, COUNTDOWN)) == "met"
    assert model.data(model.index(4, COUNTDOWN)) == "2h 00m left"


def test_urgency_puts_what_needs_action_first(engine: SlaEngine) -> None:
    """A ticket breached weeks ago must not sit above a P1 with 19 minutes left."""
    clock = FixedClock(MON_9)
    model = QueueModel(engine, clock.now())
    model.set_rows(
        [
            row(1, MON_9 - dt.timedelta(days=21), priority="P2"),  # breached weeks ago
            row(2, MON_9 - dt.timedelta(minutes=101), priority="P1"),  # 19 minutes left: at risk
            row(3, MON_9, priority="P3"),  # on track, due tomorrow
            row(4, MON_9 - dt.timedelta(days=3), priority="P2"),  # breached last Friday
            row(5, MON_9, priority="P1", responded_at=MON_9),  # answered
            row(6, MON_9 - dt.timedelta(minutes=30), priority="P1"),  # on track, due 10:30
        ],
        clock.now(),
    )
    proxy = QueueProxy(model)
    proxy.sort(COUNTDOWN)
    numbers = [proxy.index(r, NUMBER).data()[-1] for r in range(proxy.rowCount())]
    assert model.data(model.index(0, COUNTDOWN), BAND_ROLE) == "at risk"
    assert numbers == ["2", "4", "1", "6", "3", "5"]
