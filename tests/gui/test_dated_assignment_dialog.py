"""Assign from a date in the Billing Units tab (issue 20 §5): the dialog previews each affected
month's cost per unit, saves exactly that, and the change is undone like any other."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.periods import Month
from billing_desktop.services import units as service
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.month_close import close_month
from billing_desktop.ui.dialogs.dated_assignment import DatedAssignmentDialog
from billing_desktop.ui.tabs.billing_units import BillingUnitsTab
from tests.gui.test_billing_units_tab import open_tab, show_unit, stored, wait
from tests.integration.units_workspace import TODAY, fill

OCTOBER = Month(2026, 10)
LINE = "+15550100"  # Sales's number


@pytest.fixture
def units_store(store: SqlStore) -> SqlStore:
    with store() as uow:
        fill(uow)
        uow.commit()
    return store


def october(store: SqlStore) -> dict[str, Decimal]:
    with store() as uow:
        report = service.unit_report(uow, resolve_actor(uow, None), OCTOBER)
    return {r.name: r.total for r in report.rows}


def open_dialog(qtbot: Any, tab: BillingUnitsTab) -> DatedAssignmentDialog:
    show_unit(qtbot, tab, "Support")
    assert tab.dated_action.isEnabled()
    tab.dated_action.trigger()
    dialog = tab.dated_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def tick(dialog: DatedAssignmentDialog, number: str) -> None:
    for i in range(dialog.numbers.count()):
        item = dialog.numbers.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == number:
            item.setCheckState(Qt.CheckState.Checked)
            return
    raise AssertionError(f"{number} is not offered")


def cells(dialog: DatedAssignmentDialog, row: int) -> list[str]:
    return [dialog.table.item(row, c).text() for c in range(dialog.table.columnCount())]


def test_the_dialog_previews_saves_and_undoes_a_dated_move(
    qtbot: Any, units_store: SqlStore
) -> None:
    tab = open_tab(qtbot, units_store)
    before = october(units_store)
    dialog = open_dialog(qtbot, tab)
    assert not dialog.save_button.isEnabled()
    assert dialog.status.text() == "Tick the users and numbers to assign from the date."
    offered = [dialog.numbers.item(i).text() for i in range(dialog.numbers.count())]
    assert f"{LINE}  Sales line  (moves from Sales)" in offered
    tick(dialog, LINE)
    dialog.set_from_date(date(2026, 10, 5))
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=10_000)
    assert cells(dialog, 0) == ["2026-10", "Sales", "$35.31", "$32.86", "-$2.45"]
    assert cells(dialog, 1) == ["2026-10", "Support", "$98.88", "$101.33", "+$2.45"]
    assert cells(dialog, 2) == ["2026-10", "Unassigned", "$66.50", "$66.50", "—"]
    assert dialog.table.item(0, 2).textAlignment() & Qt.AlignmentFlag.AlignRight
    assert dialog.status.text() == "Move 1 number from Sales to Support from 2026-10-05."
    assert dialog.save_button.isEnabled()
    if os.environ.get("DATED_SCREENSHOTS"):
        dialog.grab().save(os.environ["DATED_SCREENSHOTS"] + "/dated-assignments-dialog.png")
    after = {r.name: r.after for r in dialog.preview.months[0].rows}  # type: ignore[union-attr]
    dialog.save_button.click()
    wait(qtbot, tab)
    assert stored(units_store)["Support"][1] == (LINE, "+15550101")
    assert october(units_store) == after  # what was previewed is what was saved
    assert tab.undo_stack.undoText() == "Move 1 number from Sales to Support from 2026-10-05"
    tab.undo()
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][1] == (LINE,)
    assert october(units_store) == before
    tab.redo()
    wait(qtbot, tab)
    assert october(units_store) == after


def test_a_date_in_a_closed_month_is_refused_in_the_dialog(
    qtbot: Any, units_store: SqlStore
) -> None:
    with units_store() as uow:
        actor = resolve_actor(uow, None)
        close_month(uow, actor, OCTOBER.plus(-1), today=TODAY)
        close_month(uow, actor, OCTOBER, today=TODAY)
        uow.commit()
    tab = open_tab(qtbot, units_store)
    dialog = open_dialog(qtbot, tab)
    tick(dialog, LINE)
    dialog.set_from_date(date(2026, 10, 20))
    qtbot.waitUntil(lambda: "closed" in dialog.status.text(), timeout=10_000)
    assert "\n" not in dialog.status.text()
    assert "2026-10 is closed" in dialog.status.text()
    assert not dialog.save_button.isEnabled() and dialog.table.rowCount() == 0
    if os.environ.get("DATED_SCREENSHOTS"):
        dialog.grab().save(os.environ["DATED_SCREENSHOTS"] + "/dated-assignments-refused.png")
    dialog.reject()
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][1] == (LINE,)


def test_a_user_moves_from_a_date_and_the_move_is_undone(qtbot: Any, units_store: SqlStore) -> None:
    tab = open_tab(qtbot, units_store)
    before = october(units_store)
    dialog = open_dialog(qtbot, tab)
    assert dialog.move_users.isChecked()  # moving is the default: they leave Sales
    for i in range(dialog.users.count()):
        if dialog.users.item(i).data(Qt.ItemDataRole.UserRole) == "ada":
            dialog.users.item(i).setCheckState(Qt.CheckState.Checked)
    dialog.set_from_date(date(2026, 10, 8))
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=10_000)
    assert cells(dialog, 0) == ["2026-10", "Sales", "$35.31", "$35.30", "-$0.01"]
    assert dialog.status.text() == "Move 1 user from Sales to Support from 2026-10-08."
    dialog.save_button.click()
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][0] == ("bo",)
    assert stored(units_store)["Support"][0] == ("ada", "bo", "cy")
    tab.undo()
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][0] == ("ada", "bo")
    assert october(units_store) == before
