"""The main window: which pages and tabs each user gets, real data in every tab, settings."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.domain.periods import Month
from billing_desktop.store.ports import UnitOfWorkFactory
from billing_desktop.store.sql import safety
from billing_desktop.ui.main_window import LAST_TAB_KEY, MainWindow
from billing_desktop.ui.tabs.call_log import CallLogSection
from billing_desktop.ui.tabs.usage import UsageTab
from billing_desktop.ui.tabs.usage_data import UsageDataTab
from tests.gui.conftest import RecordingStore
from tests.gui.workspace_data import ACCOUNT, CALLS, ROLE_USERS

ALL_TABS = ["Usage", "Billing Units", "Plans", "Invoices", "Usage Data"]


def open_window(
    qtbot: Any, store: UnitOfWorkFactory, user_id: str | None = None, **kwargs: Any
) -> MainWindow:
    window = MainWindow(store, user_id, **kwargs)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, window)
    return window


def wait_idle(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: not window.runner.busy and window.current_page_name != "loading", timeout=10_000
    )


def table_pages(window: MainWindow) -> dict[Area, Any]:
    """The tabs' table pages: the Usage Data tab stands for its call-log section here."""
    pages: dict[Area, Any] = dict(window.tab_pages)
    usage_data = pages.get(Area.USAGE_DATA)
    if isinstance(usage_data, UsageDataTab):
        pages[Area.USAGE_DATA] = usage_data.show_section("calls")
    return pages


def load_all_tabs(qtbot: Any, window: MainWindow) -> None:
    for area in window.tab_pages:
        window.select_area(area)
        wait_idle(qtbot, window)


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        ("admin", ALL_TABS),
        ("shared", ["Usage", "Invoices", "Usage Data"]),
        ("supervisor", ["Usage", "Billing Units", "Usage Data"]),
    ],
)
def test_each_role_sees_exactly_its_tabs(
    qtbot: Any, populated_store: SqlStore, role: str, titles: list[str]
) -> None:
    window = open_window(qtbot, populated_store, ROLE_USERS[role])
    assert window.current_page_name == "workspace"
    assert window.tab_titles == titles
    visible = [a.text() for a in window.goto_actions if a.isVisible()]
    assert visible == [f"&{i + 1} {title}" for i, title in enumerate(titles)]


def test_the_default_user_is_the_first_admin(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store)
    assert window.tab_titles == ALL_TABS
    assert window.windowTitle() == f"Billing Desktop — {ACCOUNT.name}"
    assert window.user_label.text() == "User: Ada Admin (Admin)"
    assert window.store_label.text() == populated_store.description


def test_an_agent_gets_the_no_access_page(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store, ROLE_USERS["agent"])
    assert window.current_page_name == "no_access"
    assert window.tab_titles == []
    assert window.ui.noAccessTitle.text() == "No billing access"
    assert "Alex Agent" in window.ui.noAccessText.text()
    assert window.user_label.text() == "User: Alex Agent (Agent)"


def test_an_unknown_user_is_told_so(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store, "nobody")
    assert window.current_page_name == "no_access"
    assert window.load_error is not None and "nobody" in window.load_error
    assert "nobody" in window.ui.noAccessText.text()


def test_an_empty_store_shows_the_welcome_page(qtbot: Any, store: SqlStore) -> None:
    window = open_window(qtbot, store)
    assert window.current_page_name == "empty"
    assert window.ui.emptyTitle.text() == "This store is empty"
    assert window.ui.createDemoButton.isEnabled()
    assert window.ui.importCsvButton.isEnabled()
    assert window.windowTitle() == "Billing Desktop"


def test_every_tab_shows_real_data(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store)
    load_all_tabs(qtbot, window)
    pages = table_pages(window)
    wait_idle(qtbot, window)
    assert all(page.showing_table for page in pages.values())

    usage = pages[Area.USAGE].model
    assert [usage.data(usage.index(r, 0)) for r in range(usage.rowCount())] == [
        "Billing sessions",
        "Voice minutes",  # SMS has no usage this month, so it is not listed
    ]
    assert usage.data(usage.index(1, 1)) == "Contact center services"
    assert usage.data(usage.index(1, 4)).startswith("-$")  # no commit, no free units: invoiced
    assert usage.data(usage.index(1, 4), Qt.ItemDataRole.TextAlignmentRole) & (
        Qt.AlignmentFlag.AlignRight
    )

    units = pages[Area.BILLING_UNITS].model
    assert [units.data(units.index(r, 0)) for r in range(2)] == ["Sales", "Support"]
    assert units.data(units.index(0, 1)) == "2"

    plans = pages[Area.PLANS].model
    assert plans.rowCount() == 2
    assert plans.data(plans.index(1, 4)) == "-$15.25"
    assert plans.data(plans.index(1, 4), Qt.ItemDataRole.ForegroundRole) is not None
    assert plans.data(plans.index(0, 4), Qt.ItemDataRole.ForegroundRole) is None

    invoices = pages[Area.INVOICES].model
    assert [invoices.data(invoices.index(r, 0)) for r in range(2)] == ["INV-0002", "INV-0001"]
    assert invoices.data(invoices.index(1, 3)) == "$1,234.50"
    assert invoices.data(invoices.index(0, 2)) == "2026-09"

    calls = pages[Area.USAGE_DATA]
    assert isinstance(calls, CallLogSection)
    assert calls.paged.total == CALLS
    assert calls.model.rowCount() == CALLS  # a row for every call; the first page is read
    assert calls.paged.held_rows == 500
    assert calls.model.data(calls.model.index(0, 0)) == f"call-{CALLS - 1:05}"  # newest first
    assert "1,200 calls" in calls.caption.text()


def test_every_model_passes_the_model_tester(
    qtbot: Any, qtmodeltester: Any, populated_store: SqlStore
) -> None:
    window = open_window(qtbot, populated_store)
    load_all_tabs(qtbot, window)
    pages = table_pages(window)
    wait_idle(qtbot, window)
    assert set(pages) == set(Area)  # every tab's model, none skipped
    for page in pages.values():
        assert page.model.rowCount() > 0
        qtmodeltester.check(page.model)
    wait_idle(qtbot, window)  # a page the tester's data() calls asked for has landed too


def test_the_call_log_reads_the_rows_scrolled_to(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store)
    tab = window.select_area(Area.USAGE_DATA)
    assert isinstance(tab, UsageDataTab)
    page = tab.show_section("calls")
    assert isinstance(page, CallLogSection)
    wait_idle(qtbot, window)
    model = page.paged
    assert model.rowCount() == CALLS and not model.canFetchMore(model.index(-1, -1))
    last = model.index(CALLS - 1, 0)
    page.table.scrollToBottom()  # the last page, read alone (not the pages in between)
    qtbot.waitUntil(lambda: model.is_loaded(CALLS - 1), timeout=10_000)
    wait_idle(qtbot, window)
    assert model.data(last) == "call-00000"  # the oldest call, at the end
    assert not model.is_loaded(CALLS // 2)
    ids: dict[int, str] = {}
    for row in range(0, CALLS, 20):  # scroll through: every row is reachable, in order
        page.table.scrollTo(model.index(row, 0))
        qtbot.waitUntil(lambda r=row: model.is_loaded(r), timeout=10_000)
        ids.update({r: model.data(model.index(r, 0)) for r in range(row, min(row + 20, CALLS))})
    assert [ids[r] for r in range(CALLS)] == [f"call-{i:05}" for i in reversed(range(CALLS))]


def test_the_store_is_only_used_off_the_gui_thread(qtbot: Any, populated_store: SqlStore) -> None:
    recording = RecordingStore(populated_store)
    window = open_window(qtbot, recording)
    load_all_tabs(qtbot, window)
    window.ui.actionRefresh.trigger()
    wait_idle(qtbot, window)
    usage = window.select_area(Area.USAGE)
    assert isinstance(usage, UsageTab)
    usage.month_combo.setCurrentIndex(1)
    wait_idle(qtbot, window)
    window.select_area(Area.USAGE_DATA)
    calls = table_pages(window)[Area.USAGE_DATA]
    wait_idle(qtbot, window)
    calls.table.scrollToBottom()
    qtbot.waitUntil(lambda: calls.paged.is_loaded(calls.paged.total - 1), timeout=10_000)
    wait_idle(qtbot, window)
    assert len(recording.threads) >= 8
    assert threading.main_thread() not in recording.threads


def test_the_usage_month_can_be_chosen(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store, month=date(2020, 2, 1))
    usage = window.select_area(Area.USAGE)
    assert isinstance(usage, UsageTab)
    wait_idle(qtbot, window)
    assert usage.month == Month(2020, 2)
    assert usage.month_combo.count() == 13  # the last 12 months and the one asked for
    assert not usage.showing_table
    assert "No usage recorded in February 2020" in usage.empty_label.text()
    usage.month_combo.setCurrentIndex(0)  # the current month has calls
    wait_idle(qtbot, window)
    assert usage.showing_table and usage.model.rowCount() == 2


def test_empty_tables_explain_themselves(qtbot: Any, store: SqlStore) -> None:
    with store() as uow:
        uow.account.save(
            m.Account(
                "Bare",
                "EUR",
                "UTC",
                m.PlanTier.ENTERPRISE,
                m.PaymentMethod.INVOICE,
                m.CommitScope.NONE,
            )
        )
        uow.users.add_many([m.User("ada", "Ada", "ada@example.com", m.Role.ADMIN)])
        uow.commit()
    window = open_window(qtbot, store)
    load_all_tabs(qtbot, window)
    pages = table_pages(window)
    wait_idle(qtbot, window)
    texts = {area: page.empty_label.text() for area, page in pages.items()}
    assert not any(page.showing_table for page in pages.values())
    assert texts[Area.USAGE].startswith("No usage recorded")
    assert texts[Area.BILLING_UNITS].startswith("No billing units yet")
    assert texts[Area.PLANS].startswith("No apps")
    assert "Enterprise plan" in texts[Area.INVOICES]
    assert texts[Area.USAGE_DATA].startswith("No calls recorded yet")


def test_the_window_remembers_its_geometry_and_last_tab(
    qtbot: Any, populated_store: SqlStore, clean_settings: QSettings
) -> None:
    first = open_window(qtbot, populated_store)
    first.resize(700, 500)  # within the offscreen screen (800x600)
    first.select_area(Area.INVOICES)
    wait_idle(qtbot, first)
    first.close()
    assert clean_settings.value(LAST_TAB_KEY) == Area.INVOICES.value

    second = open_window(qtbot, populated_store)
    assert second.current_area == Area.INVOICES
    assert (second.width(), second.height()) == (700, 500)


def test_a_remembered_tab_the_user_cannot_see_falls_back_to_the_first(
    qtbot: Any, populated_store: SqlStore, clean_settings: QSettings
) -> None:
    clean_settings.setValue(LAST_TAB_KEY, Area.PLANS.value)
    window = open_window(qtbot, populated_store, ROLE_USERS["shared"])
    assert window.current_area == Area.USAGE


def test_keyboard_actions_switch_tabs(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store)
    window.goto_actions[3].trigger()
    assert window.current_area == Area.INVOICES
    assert window.ui.actionGoToTab4.shortcut().toString() == "Ctrl+4"
    shortcuts = {
        window.ui.actionNewStore: "Ctrl+N",
        window.ui.actionOpenStore: "Ctrl+O",
        window.ui.actionImport: "Ctrl+I",
        window.ui.actionQuit: "Ctrl+Q",
        window.ui.actionRefresh: "F5",
    }
    for action, keys in shortcuts.items():
        assert action.shortcut().toString() == keys
    table = window.tab_pages[Area.INVOICES].table
    assert table.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_opening_another_store_switches_the_window(
    qtbot: Any, populated_store: SqlStore, tmp_path: Any
) -> None:
    window = open_window(qtbot, populated_store, remember=False)
    with qtbot.waitSignal(window.store_changed, timeout=10_000):
        window.open_location(str(tmp_path / "other.db"), create=True)  # as New local store…
    wait_idle(qtbot, window)
    assert window.current_page_name == "empty"
    assert "other.db" in window.store_label.text()
    assert window.tab_titles == []


def test_closing_the_window_after_reading_leaves_the_store_as_it_was_checked(
    qtbot: Any, populated_store: SqlStore, store_path: Path
) -> None:
    """The window's store is closed with it, so SQLite removes its WAL: the next open finds
    the file as it was checked and does not read every page again (5 s at 10M calls)."""
    populated_store.close()
    checked = SqlStore(f"sqlite:///{store_path}", create=False)  # checked and remembered
    window = open_window(qtbot, checked, remember=False)
    load_all_tabs(qtbot, window)
    window.close()
    assert not Path(f"{store_path}-wal").exists()
    assert safety.verified_before(store_path)


def test_closing_the_window_moves_every_change_into_the_store_files(
    qtbot: Any, populated_store: SqlStore, store_path: Path, tmp_path: Path
) -> None:
    """A user may copy the store's file alone once the app is closed: the changes the WAL held
    are in it, for the store shown last and for one shown before it (File > New store)."""
    window = open_window(qtbot, populated_store, remember=False)
    with populated_store(write=True) as uow:
        uow.settings.put("statement-pdf.test", "1")
        uow.commit()
    other = tmp_path / "other.db"
    with qtbot.waitSignal(window.store_changed, timeout=10_000):
        window.open_location(str(other), create=True)
    wait_idle(qtbot, window)
    window.close()
    for path in (store_path, other):
        assert not Path(f"{path}-wal").exists(), path
    with contextlib.closing(sqlite3.connect(f"file:{store_path}?immutable=1", uri=True)) as file:
        stored = file.execute(
            "SELECT value FROM workspace_settings WHERE key = ?", ("statement-pdf.test",)
        )
        assert stored.fetchall() == [('"1"',)]


def test_the_first_start_fits_the_window_on_the_screen(
    qtbot: Any, populated_store: SqlStore
) -> None:
    window = open_window(qtbot, populated_store)
    available = window.screen().availableGeometry()
    assert window.width() <= available.width() and window.height() <= available.height()
