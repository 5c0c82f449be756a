"""Every open view follows every write (issue 16.2): a write announces the resources it
changed, the tab shown reloads what shows them and the others reload when next shown."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from typing import Any

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Area
from billing_desktop.domain.periods import Month
from billing_desktop.services import credits, units
from billing_desktop.services.changes import announced_changes
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.imports import import_file
from billing_desktop.store.ports import RESOURCES
from billing_desktop.ui.context import write
from billing_desktop.ui.main_window import POLL_SECONDS, MainWindow
from billing_desktop.ui.tabs.billing_units import BillingUnitsTab
from billing_desktop.ui.tabs.invoices import InvoicesTab
from billing_desktop.ui.tabs.usage import UsageTab
from tests.gui.test_main_window import open_window, wait_idle
from tests.gui.test_usage_tab import choose_month


def gui_write(qtbot: Any, window: MainWindow, service: Any, *args: Any) -> None:
    """Run a write as the tabs and dialogs do: on the task runner, through the store."""
    assert window.workspace is not None
    with qtbot.waitSignal(window.resources_changed, timeout=10_000):
        window.runner.run(write, window.store, service, window.workspace.actor, *args)
    wait_idle(qtbot, window)


def orders(tab: InvoicesTab) -> list[str]:
    return [tab.model.data(tab.model.index(r, 0)) for r in range(tab.model.rowCount())]


def test_buying_credits_on_usage_shows_the_order_in_the_loaded_invoices_tab(
    qtbot: Any, acme: SqlStore
) -> None:
    window = open_window(qtbot, acme)
    invoices = window.select_area(Area.INVOICES)
    assert isinstance(invoices, InvoicesTab)
    wait_idle(qtbot, window)
    before = orders(invoices)
    usage = window.select_area(Area.USAGE)
    assert isinstance(usage, UsageTab)
    wait_idle(qtbot, window)
    balance_before = usage.account_card.value.text()

    gui_write(qtbot, window, credits.purchase_credits, "100")

    assert usage.account_card.value.text() != balance_before  # the tab shown reloaded
    window.select_area(Area.INVOICES)  # no F5: it was marked stale and reloads when shown
    wait_idle(qtbot, window)
    new = [number for number in orders(invoices) if number not in before]
    assert len(new) == 1 and new[0].startswith("CR-")


def test_the_tab_shown_reloads_at_once(qtbot: Any, acme: SqlStore) -> None:
    window = open_window(qtbot, acme)
    tab = window.select_area(Area.BILLING_UNITS)
    assert isinstance(tab, BillingUnitsTab)
    wait_idle(qtbot, window)
    count = tab.model.rowCount()
    gui_write(qtbot, window, units.add_unit, "Night shift")
    qtbot.waitUntil(lambda: tab.model.rowCount() == count + 1, timeout=10_000)


def test_pages_watch_only_what_they_show(qtbot: Any, acme: SqlStore) -> None:
    window = open_window(qtbot, acme)
    wait_idle(qtbot, window)
    invoices = window.tab_pages[Area.INVOICES]
    window.select_area(Area.INVOICES)
    wait_idle(qtbot, window)
    window.select_area(Area.USAGE)
    wait_idle(qtbot, window)
    gui_write(qtbot, window, units.add_unit, "Night shift")  # units: not on the Invoices tab
    assert not invoices._stale
    gui_write(qtbot, window, credits.purchase_credits, "5")
    assert invoices._stale


def test_a_write_announces_what_it_changed(acme: SqlStore, today: date) -> None:
    heard: list[frozenset[str]] = []
    acme.add_write_listener(heard.append)
    with acme() as uow:
        actor = resolve_actor(uow, None)
    acme.write(credits.purchase_credits, actor, "1")
    acme.write(units.add_unit, actor, "Days")
    assert heard == [frozenset({"credits"}), frozenset({"units"})]
    assert announced_changes(import_file) == RESOURCES  # not an operation: everything may change
    acme.remove_write_listener(heard.append)
    acme.write(units.add_unit, actor, "Nights")
    assert len(heard) == 2


def test_a_month_closed_by_another_process_shows_closed_in_the_open_window(
    qtbot: Any, acme: SqlStore, today: date
) -> None:
    """``close-month`` from the command line while the window is open: the Usage tab showing
    that month follows within the poll interval (here 0.3 s; POLL_SECONDS by default)."""
    assert POLL_SECONDS == 5.0
    window = open_window(qtbot, acme, poll_seconds=0.3)
    tab = window.select_area(Area.USAGE)
    assert isinstance(tab, UsageTab)
    wait_idle(qtbot, window)
    month = Month.of(today).plus(-2)  # the VOICE commit's start: the first billed month
    choose_month(qtbot, tab, month)
    assert tab.page is not None and not tab.page.summary.closed
    invoices = window.tab_pages[Area.INVOICES]
    closed = subprocess.run(
        [sys.executable, "-m", "billing_desktop", "--store", acme.url, "close-month", str(month)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert closed.returncode == 0, closed.stderr
    qtbot.waitUntil(lambda: tab.page is not None and tab.page.summary.closed, timeout=10_000)
    assert invoices._stale  # and the Invoices tab reloads when shown


def test_a_poll_after_its_own_write_reloads_nothing_more(qtbot: Any, acme: SqlStore) -> None:
    window = open_window(qtbot, acme, poll_seconds=0)
    wait_idle(qtbot, window)
    window.poll_changes()
    qtbot.waitUntil(lambda: window._versions_seen is not None, timeout=10_000)
    gui_write(qtbot, window, units.add_unit, "Night shift")
    heard: list[object] = []
    window.resources_changed.connect(heard.append)
    window.poll_changes()
    qtbot.waitUntil(lambda: not window._polling, timeout=10_000)
    assert heard == []  # its own write was followed already


def test_assigning_a_number_updates_the_shown_cost_report(qtbot: Any, store: SqlStore) -> None:
    """Issue 16.2: a number assigned to a unit moves its rental from the Unassigned row of the
    cost report shown beside it, without F5."""
    from tests.integration.units_workspace import fill

    with store() as uow:
        fill(uow)
        uow.commit()
    window = open_window(qtbot, store)
    tab = window.select_area(Area.BILLING_UNITS)
    assert isinstance(tab, BillingUnitsTab)
    wait_idle(qtbot, window)
    tab.details.setCurrentWidget(tab.report)
    qtbot.waitUntil(lambda: tab.report.report is not None, timeout=10_000)
    wait_idle(qtbot, window)

    def recurring(name: str) -> Decimal:
        report = tab.report.report
        assert report is not None
        return next(row.recurring for row in report.rows if row.name == name)

    before = recurring("Unassigned")
    with store() as uow:
        sales = next(unit for unit in uow.units.all() if unit.name == "Sales")
    gui_write(qtbot, window, units.assign, sales.id, (), (), ("+15550102",))
    qtbot.waitUntil(lambda: recurring("Unassigned") < before, timeout=10_000)
