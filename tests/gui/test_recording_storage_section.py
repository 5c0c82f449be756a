"""Usage Data ▸ Storage (issue 19 §7): the summary, the bars and the empty state."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pyqtgraph as pg

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.ui.tabs.recording_storage import RecordingStorageSection
from billing_desktop.ui.tabs.usage_data import UsageDataTab
from tests.gui.test_main_window import open_window, wait_idle

STORAGE = m.Product(
    "REC-STORE", "Recording storage", m.Unit.GB, Decimal("0.50"), Decimal("0"), False,
    m.Metering.PEAK_DAY, m.Source.STORAGE, m.CommitAvailability.NOT_AVAILABLE,
)  # fmt: skip


def storage_section(qtbot: Any, store: SqlStore) -> RecordingStorageSection:
    window = open_window(qtbot, store, "ada")
    window.select_area(Area.USAGE_DATA)
    wait_idle(qtbot, window)
    tab = window.tab_pages[Area.USAGE_DATA]
    assert isinstance(tab, UsageDataTab)
    section = tab.pages["storage"]
    assert isinstance(section, RecordingStorageSection)
    with qtbot.waitSignal(section.loaded, timeout=10_000):
        tab.sections.setCurrentWidget(section)
    return section


def test_the_trend_window_and_charge_are_shown(qtbot: Any, populated_store: SqlStore) -> None:
    today = date.today()
    with populated_store() as uow:
        uow.products.add_many([STORAGE])
        uow.storage.add_many(
            [m.StorageSnapshot(today - timedelta(days=n), Decimal(100 + n % 7)) for n in range(10)]
        )
        uow.commit()
    section = storage_section(qtbot, populated_store)
    found = section.result
    assert found is not None and found.product_code == "REC-STORE"
    assert found.peak in {Decimal(100 + n) for n in range(7)}
    assert section.summary.text() == found.summary()
    assert "implies $" in section.summary.text()
    bars = [i for i in section.chart.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
    assert len(bars) == 1 and len(bars[0].opts["height"]) == 10
    assert not section.empty.isVisibleTo(section)


def test_without_snapshots_it_says_how_to_get_them(qtbot: Any, populated_store: SqlStore) -> None:
    section = storage_section(qtbot, populated_store)
    assert section.empty.isVisibleTo(section)
    assert "kind “storage”" in section.empty.text()
