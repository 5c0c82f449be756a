"""Plans tab and its Manage dialog: icons and tooltips, every dialog path, shared users."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.ui.dialogs.plan_manager import PlanManagerDialog
from billing_desktop.ui.main_window import MainWindow
from billing_desktop.ui.tabs.plans import PlansTab
from tests.gui.test_main_window import open_window, wait_idle


@pytest.fixture
def window(qtbot: Any, populated_store: SqlStore) -> Iterator[MainWindow]:
    with populated_store() as uow:
        uow.plans.add_many([m.Plan("scale", "Scale", Decimal("599.00"), 50_000, 3)])
        uow.commit()
    opened = open_window(qtbot, populated_store, "ada")
    opened.select_area(Area.PLANS)
    wait_idle(qtbot, opened)
    yield opened
    wait_idle(qtbot, opened)


def plans_tab(window: MainWindow) -> PlansTab:
    tab = window.tab_pages[Area.PLANS]
    assert isinstance(tab, PlansTab)
    return tab


def open_dialog(qtbot: Any, window: MainWindow, app_id: str) -> PlanManagerDialog:
    tab = plans_tab(window)
    tab.select_app(app_id)
    assert tab.manage_button.isEnabled()
    qtbot.mouseClick(tab.manage_button, Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.busy, timeout=10_000)
    return dialog


def act(qtbot: Any, dialog: PlanManagerDialog, button: Any) -> None:
    assert button.isEnabled()
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_info_icon_and_tooltip_mark_pending_downgrades(
    window: MainWindow, qtmodeltester: Any
) -> None:
    model = plans_tab(window).model
    qtmodeltester.check(model)
    names = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    careers, faq = names.index("Careers bot"), names.index("FAQ bot")
    decoration = Qt.ItemDataRole.DecorationRole
    assert model.data(model.index(careers, 0), decoration) is None
    assert model.data(model.index(faq, 0), decoration) is not None
    tip = model.data(model.index(faq, 0), Qt.ItemDataRole.ToolTipRole)
    assert "Downgrade to Starter pending" in tip and "2026-12-31" in tip
    assert model.data(model.index(faq, 1), decoration) is None


def test_manage_shows_eligibility_and_upgrades_now(qtbot: Any, window: MainWindow) -> None:
    dialog = open_dialog(qtbot, window, "careers")
    rows = {o.plan.code: r for r, o in enumerate(dialog.plans_model.rows)}
    model = dialog.plans_model
    assert model.data(model.index(rows["growth"], 4)) == "Current plan"
    assert model.data(model.index(rows["scale"], 4)) == "Eligible"
    dialog.select_plan("growth")
    assert not dialog.change_button.isEnabled()
    dialog.select_plan("scale")
    act(qtbot, dialog, dialog.change_button)
    assert dialog.status.text() == "Plan changed to Scale now."
    assert dialog.view is not None and dialog.view.app.plan == "scale"
    tab = plans_tab(window)
    wait_idle(qtbot, window)
    assert "Scale" in [a.plan_name for a in tab.model.rows if a.id == "careers"]


def test_ineligible_plans_say_why_and_cannot_be_chosen(qtbot: Any, window: MainWindow) -> None:
    from datetime import date

    from billing_desktop.domain.metering import BILLING_SESSIONS
    from billing_desktop.domain.periods import Month

    store = window.store
    last = Month.of(date.today()).plus(-1)
    with store() as uow:
        uow.rollups.add({(last.first_day, 9, "careers", BILLING_SESSIONS): Decimal(12_400)})
        uow.commit()
    dialog = open_dialog(qtbot, window, "careers")
    model = dialog.plans_model
    row = next(r for r, o in enumerate(model.rows) if o.plan.code == "starter")
    text = model.data(model.index(row, 4))
    assert text == "Not eligible: needs 12,400 sessions a month; includes 1,000"
    assert model.data(model.index(row, 4), Qt.ItemDataRole.ForegroundRole) is not None
    assert model.data(model.index(row, 4), Qt.ItemDataRole.ToolTipRole) == text  # not clipped
    dialog.select_plan("starter")
    assert not dialog.change_button.isEnabled()
    assert "not eligible" in dialog.change_button.toolTip()


def test_downgrade_is_scheduled_then_cancelled(qtbot: Any, window: MainWindow) -> None:
    dialog = open_dialog(qtbot, window, "careers")
    assert not dialog.cancel_button.isVisible()
    dialog.select_plan("starter")
    act(qtbot, dialog, dialog.change_button)
    assert dialog.status.text().startswith("Downgrade to Starter scheduled")
    assert dialog.pending_label.text().startswith("Pending: downgrade to Starter")
    assert dialog.view is not None and dialog.view.app.plan == "growth"
    act(qtbot, dialog, dialog.cancel_button)
    assert dialog.view.app.pending_plan is None
    assert dialog.pending_label.text() == "No plan change pending."


def test_add_funds_validates_then_adds(qtbot: Any, window: MainWindow) -> None:
    dialog = open_dialog(qtbot, window, "faq")
    dialog.funds_amount.setText("-3")
    qtbot.mouseClick(dialog.funds_button, Qt.MouseButton.LeftButton)
    assert dialog.status_is_error and "more than zero" in dialog.status.text()
    dialog.funds_amount.setText("20.25")
    act(qtbot, dialog, dialog.funds_button)
    assert dialog.status.text() == "Funds added. Balance now $5.00."
    assert dialog.funds_amount.text() == ""
    with window.store() as uow:
        assert [e.amount for e in uow.ledger.all() if e.pool == "app:faq"] == [Decimal("20.25")]


def test_extension_request_is_escaped_and_pending(qtbot: Any, window: MainWindow) -> None:
    dialog = open_dialog(qtbot, window, "careers")
    qtbot.mouseClick(dialog.extension_button, Qt.MouseButton.LeftButton)
    assert dialog.status_is_error and "reason" in dialog.status.text()
    dialog.reason_edit.setPlainText("<b>Hiring</b> season")
    dialog.end_edit.setDate(QDate.currentDate().addDays(40))
    act(qtbot, dialog, dialog.extension_button)
    text = dialog.extensions_label.text()
    assert "Pending" in text and "&lt;b&gt;Hiring&lt;/b&gt; season" in text
    wait_idle(qtbot, window)
    model = plans_tab(window).model
    row = next(r for r, a in enumerate(model.rows) if a.id == "careers")
    assert "Extension to" in model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)


def test_change_owner_lists_owners_and_changes(qtbot: Any, window: MainWindow) -> None:
    dialog = open_dialog(qtbot, window, "careers")
    combo = dialog.owner_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["ada", "sam"]
    assert not dialog.owner_button.isEnabled()
    combo.setCurrentIndex(combo.findData("sam"))
    act(qtbot, dialog, dialog.owner_button)
    assert dialog.status.text() == "Owner changed to Sam Supervisor."
    wait_idle(qtbot, window)
    owners = {a.id: a.owner_name for a in plans_tab(window).model.rows}
    assert owners["careers"] == "Sam Supervisor"


def test_the_dialog_grab_renders(qtbot: Any, window: MainWindow, tmp_path: Any) -> None:
    dialog = open_dialog(qtbot, window, "faq")
    assert not dialog.grab().isNull()


def test_shared_account_users_have_no_plans_tab(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store, "shay")
    assert Area.PLANS not in window.tab_pages
