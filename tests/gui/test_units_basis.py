"""Billing Units (issue 20 §4): the as-invoiced switch, totals that follow the month picked, and
who and which numbers are in each unit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.overview import workspace
from billing_desktop.services.units import unit_report
from billing_desktop.ui.tabs.billing_units import BillingUnitsTab
from tests.gui.test_billing_units_tab import open_tab, wait
from tests.integration.units_workspace import fill


@pytest.fixture
def units_store(store: SqlStore) -> SqlStore:
    with store() as uow:
        fill(uow)
        uow.commit()
    return store


TOOLTIP = Qt.ItemDataRole.ToolTipRole


def _pick(tab: BillingUnitsTab, qtbot: Any, text: str) -> None:
    report = tab.report
    index = next(
        i for i in range(report.month_combo.count()) if text in report.month_combo.itemText(i)
    )
    report.month_combo.setCurrentIndex(index)
    wait(qtbot, tab)


def test_the_month_total_follows_the_month_and_basis_picked(
    qtbot: Any,
    units_store: SqlStore,
    qtmodeltester: Any,
) -> None:
    tab = open_tab(qtbot, units_store)
    report = tab.report
    tab.details.setCurrentWidget(report)
    wait(qtbot, tab)
    _pick(tab, qtbot, "October 2026")
    assert tab.overview is not None and tab.overview.month == Month.parse("2026-10")
    shown = {r.name: r.month_total for r in tab.model.rows}
    assert report.report is not None
    assert shown == {r.name: r.total for r in report.report.rows if r.unit_id is not None}
    assert "October 2026, at list price" in tab.caption.text()

    report.basis_combo.setCurrentIndex(report.basis_combo.findData("invoiced"))
    wait(qtbot, tab)
    assert report.report is not None and report.report.basis == "invoiced"
    assert "October 2026, as invoiced" in tab.caption.text()
    actor = units_store.read(workspace, None).actor
    october = Month.parse("2026-10")
    charges = sum(
        (p.charged for p in units_store.read(usage_summary, actor, october).products),
        Decimal(0),
    )
    assert report.report.total == charges
    assert report.total_label.text().startswith(f"Total {report.money(charges)}")
    expected = units_store.read(unit_report, actor, october, None, "invoiced")
    assert {r.name: r.month_total for r in tab.model.rows} == {
        r.name: r.total for r in expected.rows if r.unit_id is not None
    }
    qtmodeltester.check(tab.model)
    qtmodeltester.check(report.model)


def test_counts_name_the_users_and_numbers(
    qtbot: Any,
    units_store: SqlStore,
) -> None:
    tab = open_tab(qtbot, units_store)
    model = tab.model
    with units_store() as uow:
        units = {u.name: u for u in uow.units.all()}
        names = {u.id: u.name for u in uow.users.all()}
    for row in range(model.rowCount()):
        unit = units[model.rows[row].name]
        users_tip = model.data(model.index(row, 1), TOOLTIP)
        numbers_tip = model.data(model.index(row, 2), TOOLTIP)
        assert sorted(users_tip.split("\n")) == sorted(names[u] for u in unit.user_ids)
        assert numbers_tip.split("\n") == list(unit.numbers)
