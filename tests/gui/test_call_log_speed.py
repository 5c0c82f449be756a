"""What keeps the call log's steps quick in the window (B6): the columns are sized once (a sort
keeps the widths, the user's own too), a new order shows its first rows without reading the
page the view was on, the count is made once per state of the store and filter, and a repaint
answers the roles it does not use and the page it holds without work."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt

from billing_desktop.bootstrap import SqlStore
from billing_desktop.services import usage_data
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.usage_data import CallQuery
from billing_desktop.store.sql.repositories.queries import SqlQueries
from billing_desktop.ui.models.paged import MAX_PAGES, PAGE_SIZE
from tests.gui.test_call_log_model import FakeLog, call, make_model, runner, settle
from tests.gui.test_main_window import wait_idle
from tests.gui.test_usage_data_tab import column_of, open_tab
from tests.gui.workspace_data import CALLS

__all__ = ["runner"]  # the fixture, shared with test_call_log_model


def test_a_sort_keeps_the_widths_and_shows_the_first_rows_of_the_new_order(
    qtbot: Any, populated_store: SqlStore
) -> None:
    window, page = open_tab(qtbot, populated_store)
    table, model = page.table, page.paged
    campaign, cost = column_of(page, "Campaign"), column_of(page, "Cost")
    fitted = [table.columnWidth(c) for c in range(model.columnCount())]
    assert all(width >= 60 for width in fitted)
    table.setColumnWidth(campaign, fitted[campaign] + 37)  # the user widened it
    table.scrollToBottom()
    qtbot.waitUntil(lambda: model.is_loaded(model.total - 1))
    wait_idle(qtbot, window)
    read_before = model.pages_read
    table.sortByColumn(cost, Qt.SortOrder.DescendingOrder)
    wait_idle(qtbot, window)
    assert page.query.sort == "cost" and model.total == CALLS
    assert table.verticalScrollBar().value() == 0  # the first rows of the new order
    assert table.rowAt(0) == 0 and model.is_loaded(0)
    assert model.pages_read == read_before  # the start read brought them: no page read
    assert table.columnWidth(campaign) == fitted[campaign] + 37  # kept, not fitted again
    others = [c for c in range(model.columnCount()) if c != campaign]
    assert [table.columnWidth(c) for c in others] == [fitted[c] for c in others]
    page.refresh()  # F5 keeps the widths too
    wait_idle(qtbot, window)
    assert table.columnWidth(campaign) == fitted[campaign] + 37


def test_the_count_is_made_once_per_state_of_the_store_and_filter(
    populated_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[object] = []
    real = SqlQueries.call_count_where

    def spy(self: SqlQueries, where: Any) -> int:
        counted.append(where)
        return real(self, where)

    monkeypatch.setattr(SqlQueries, "call_count_where", spy)
    with populated_store() as uow:
        actor = resolve_actor(uow, None)
    newest, by_cost = CallQuery(), CallQuery(sort="cost")
    for query in (newest, by_cost, newest):  # a new order counts the same calls
        assert populated_store.read(usage_data.call_log_count, actor, query) == CALLS
    assert len(counted) == 1
    live = CallQuery(type="live")
    live_count = populated_store.read(usage_data.call_log_count, actor, live)
    assert len(counted) == 2 and live_count < CALLS
    with populated_store(write=True) as uow:  # the store changes: counted again
        first = uow.queries.call_page_where(*_everything(), 0, 1)[0]
        uow.connection.exec_driver_sql(
            "INSERT INTO calls (id, type, triggered_by, trigger_source, campaign, started_at, "
            "duration_seconds) SELECT 'one-more', type, triggered_by, trigger_source, campaign, "
            f"started_at, duration_seconds FROM calls WHERE id = '{first.id}'"
        )
        uow.commit()
    assert populated_store.read(usage_data.call_log_count, actor, newest) == CALLS + 1
    assert len(counted) == 3


def _everything() -> tuple[Any, Any]:
    from billing_desktop.store.ports import CallFilter, CallOrder

    return CallFilter(), CallOrder()


def test_a_repaint_answers_unused_roles_at_once_and_keeps_the_lru_order(
    qtbot: Any, runner: Any
) -> None:
    log = FakeLog()
    model = make_model(runner, log)
    index = model.index(3, 0)
    assert model.data(index) == call(3).call.id
    assert model.data(index, Qt.ItemDataRole.FontRole) is None
    assert model.data(index, Qt.ItemDataRole.DecorationRole) is None
    assert model.data(index, Qt.ItemDataRole.UserRole) == call(3).call.id
    # Hold MAX_PAGES pages, then look at page 0 again: it becomes the most recent, so the
    # next page read pushes out page 1, the least recently looked at.
    for number in range(1, MAX_PAGES):  # one at a time, as a view scrolling down asks
        model.request_rows(number * PAGE_SIZE, number * PAGE_SIZE)
        qtbot.waitUntil(lambda n=number: model.is_loaded(n * PAGE_SIZE), timeout=10_000)
    settle(runner)
    assert model.held_rows == MAX_PAGES * PAGE_SIZE
    assert model.data(model.index(0, 0)) == call(0).call.id
    model.request_rows(MAX_PAGES * PAGE_SIZE, MAX_PAGES * PAGE_SIZE)
    qtbot.waitUntil(lambda: model.is_loaded(MAX_PAGES * PAGE_SIZE), timeout=10_000)
    settle(runner)
    assert model.is_loaded(0) and not model.is_loaded(PAGE_SIZE)


def test_the_loading_caption_shows_only_when_a_read_is_slow(
    qtbot: Any, populated_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, page = open_tab(qtbot, populated_store)
    shown = page.caption.text()
    assert shown.startswith("Call log:")
    release = threading.Event()
    real = usage_data.call_log_start

    def slow(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(usage_data, "call_log_start", slow)
    page.refresh()
    # A quick read (most are) changes the caption once, when it is shown: no "Loading…" flash.
    assert page.caption.text() == shown and page.is_loading
    qtbot.waitUntil(lambda: page.caption.text() == "Loading the call log…", timeout=5_000)
    release.set()
    wait_idle(qtbot, window)
    assert page.caption.text() == shown
