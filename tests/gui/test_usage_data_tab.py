"""The Usage Data tab's call log: SQL sorting from the header, filters, the windowed model
under the model tester, and the streamed CSV export with progress."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Area
from billing_desktop.ui.tabs.call_log import CallLogSection
from billing_desktop.ui.tabs.usage_data import UsageDataTab
from tests.gui.test_main_window import open_window, wait_idle
from tests.gui.workspace_data import CALLS


def open_tab(qtbot: Any, store: SqlStore) -> tuple[Any, CallLogSection]:
    window = open_window(qtbot, store)
    tab = window.select_area(Area.USAGE_DATA)
    assert isinstance(tab, UsageDataTab)
    page = tab.show_section("calls")
    assert isinstance(page, CallLogSection)
    wait_idle(qtbot, window)
    return window, page


def every_row(qtbot: Any, window: Any, page: CallLogSection) -> list[Any]:
    """Every call of the log, read page by page as a view scrolling through it would."""
    model = page.paged
    model.request_rows(0, model.rowCount() - 1)
    qtbot.waitUntil(lambda: all(model.is_loaded(r) for r in range(model.rowCount())))
    wait_idle(qtbot, window)
    return [model.row_at(r) for r in range(model.rowCount())]


def column_of(page: CallLogSection, title: str) -> int:
    model = page.model
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return titles.index(title)


def test_clicking_cost_sorts_every_call_in_sql(
    qtbot: Any, qtmodeltester: Any, populated_store: SqlStore
) -> None:
    window, page = open_tab(qtbot, populated_store)
    assert page.from_edit.date().isValid()
    cost = column_of(page, "Cost")
    assert "list price" in page.model.headerData(
        cost, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )
    page.table.sortByColumn(cost, Qt.SortOrder.DescendingOrder)
    wait_idle(qtbot, window)
    assert page.query.sort == "cost" and page.query.descending
    assert page.paged.total == CALLS
    seconds = [line.call.duration_seconds for line in every_row(qtbot, window, page)]
    assert seconds[0] == max(30 + i % 300 for i in range(CALLS))
    assert seconds == sorted(seconds, reverse=True)
    assert "by cost, descending" in page.caption.text()
    qtmodeltester.check(page.model)
    wait_idle(qtbot, window)


def test_filters_apply_in_sql(qtbot: Any, populated_store: SqlStore) -> None:
    window, page = open_tab(qtbot, populated_store)
    page.type_combo.setCurrentIndex(page.type_combo.findData("live"))
    page.apply_button.click()
    wait_idle(qtbot, window)
    live = len([i for i in range(CALLS) if i % 3 == 0])
    assert page.paged.total == live
    assert page.model.rowCount() == live
    assert {line.call.type for line in every_row(qtbot, window, page)} == {"live"}
    page.from_edit.setDate(page.to_edit.date().addDays(1))
    page.apply_button.click()
    assert "ends before it starts" in page.caption.text()


def test_the_export_streams_every_row_with_progress(
    qtbot: Any, populated_store: SqlStore, tmp_path: Path
) -> None:
    window, page = open_tab(qtbot, populated_store)
    out = tmp_path / "calls.csv"
    page.export_to(out)
    assert page.exporting and page.progress.isVisibleTo(page)
    qtbot.waitUntil(lambda: page.last_export == out, timeout=10_000)
    wait_idle(qtbot, window)
    assert not page.exporting and not page.progress.isVisibleTo(page)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle))) == CALLS + 1
    assert f"Exported {CALLS:,} calls" in page.caption.text()


def test_the_export_writes_a_workbook_when_that_file_type_is_chosen(
    qtbot: Any, populated_store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    from billing_desktop.exports.tables import TABLE_FILTERS, XLSX_FILTER
    from billing_desktop.ui.tabs import call_log

    window, page = open_tab(qtbot, populated_store)
    asked: list[str] = []

    def save_dialog(parent: object, title: str, name: str, filters: str) -> tuple[str, str]:
        asked.append(filters)
        return str(tmp_path / "calls"), XLSX_FILTER  # no suffix typed, Excel picked

    monkeypatch.setattr(call_log.QFileDialog, "getSaveFileName", save_dialog)
    page.export_button.click()
    out = tmp_path / "calls.xlsx"
    qtbot.waitUntil(lambda: page.last_export == out, timeout=30_000)
    wait_idle(qtbot, window)
    assert asked == [TABLE_FILTERS]
    book = openpyxl.load_workbook(out, read_only=True)
    assert len(list(book["Call log"].iter_rows())) == CALLS + 1
    book.close()
