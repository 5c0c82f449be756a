"""Issue 22, "Found on screen": each finding of the screen-by-screen review, held in place."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.domain.errors import StoreError
from billing_desktop.domain.periods import Month
from billing_desktop.domain.plans import period_end
from billing_desktop.services import credits, overview
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.usage_page import KIND_LABELS
from billing_desktop.ui.dialogs.manage_credits import ManageCreditsDialog
from billing_desktop.ui.dialogs.plan_manager import ELIGIBILITY, PlanManagerDialog
from billing_desktop.ui.tabs.billing_units import BillingUnitsTab
from billing_desktop.ui.tabs.invoices import InvoicesTab
from billing_desktop.ui.tabs.plans import PlansTab
from billing_desktop.ui.tabs.usage import (
    DESCRIPTION,
    LEDGER_BALANCE_TITLE,
    UsageTab,
    invoice_note,
)
from tests.gui.accessibility import unnamed_controls
from tests.gui.conftest import RecordingStore
from tests.gui.test_main_window import open_window, wait_idle
from tests.gui.test_usage_tab import choose_month, usage_tab

D = Decimal


class FlakyStore(RecordingStore):
    """A store whose reads fail once ``failing`` is set (a remote server gone away)."""

    failing = False

    def read(self, service: Any, *args: Any, **kwargs: Any) -> Any:
        if self.failing:
            raise StoreError("the server at https://billing.example did not answer")
        return super().read(service, *args, **kwargs)


# --- Transactions -----------------------------------------------------------------------------


def test_transactions_say_which_balance_and_do_not_repeat_the_kind(
    qtbot: Any, acme: SqlStore, today: date
) -> None:
    with acme() as uow:
        credits.purchase_credits(uow, resolve_actor(uow, None), "40.00", today=today)
        uow.commit()
    tab = usage_tab(qtbot, acme)
    model = tab.transactions_model
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert LEDGER_BALANCE_TITLE in titles and "Balance after" not in titles
    assert "not the month's balance" in tab.transactions_label.text()
    assert tab.account_card.caption.text() != LEDGER_BALANCE_TITLE
    purchase = next(
        r for r, t in enumerate(model.rows) if t.kind_label == KIND_LABELS[m.LedgerKind.PURCHASE]
    )
    assert model.rows[purchase].description == "Credit purchase"  # stored as it was
    assert model.index(purchase, DESCRIPTION).data() == ""  # not shown twice


# --- Plans ------------------------------------------------------------------------------------


def plans_window(qtbot: Any, store: SqlStore) -> tuple[Any, PlansTab]:
    window = open_window(qtbot, store, "ada")
    window.resize(1500, 700)
    tab = window.select_area(Area.PLANS)
    assert isinstance(tab, PlansTab)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: tab.showing_table, timeout=10_000)
    return window, tab


def open_manage(qtbot: Any, tab: PlansTab, row: int) -> PlanManagerDialog:
    dialog = tab.manage_row(row)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.busy, timeout=10_000)
    return dialog


def test_plans_columns_fill_the_width(qtbot: Any, populated_store: SqlStore) -> None:
    _window, tab = plans_window(qtbot, populated_store)
    header = tab.table.horizontalHeader()
    used = sum(header.sectionSize(c) for c in range(header.count()))
    assert used == tab.table.viewport().width()  # no blank band after the last column


def test_plan_ends_has_one_source_with_the_manage_dialog(
    qtbot: Any, populated_store: SqlStore
) -> None:
    with populated_store() as uow:
        stored = {a.id: a for a in uow.apps.all()}
    _window, tab = plans_window(qtbot, populated_store)
    column = next(
        c for c in range(tab.model.columnCount()) if tab.model.columns[c].title == "Plan ends"
    )
    without_end = [r for r, a in enumerate(tab.model.rows) if stored[a.id].plan_ends_on is None]
    assert without_end, "the workspace needs an app without a stored plan end"
    row = without_end[0]
    shown = tab.model.index(row, column).data()
    assert shown  # no longer empty
    dialog = open_manage(qtbot, tab, row)
    assert dialog.view is not None
    assert shown == dialog.view.period_end.isoformat()
    assert f"Plan period ends {shown}" in dialog.header.text()
    assert shown == period_end(stored[tab.model.rows[row].id], dialog.view.today).isoformat()


def test_the_eligibility_reason_is_not_cut(qtbot: Any, populated_store: SqlStore) -> None:
    from billing_desktop.domain.metering import BILLING_SESSIONS

    last = Month.of(date.today()).plus(-1)
    with populated_store() as uow:
        uow.rollups.add({(last.first_day, 9, "careers", BILLING_SESSIONS): D(12_400)})
        uow.commit()
    _window, tab = plans_window(qtbot, populated_store)
    careers = next(r for r, a in enumerate(tab.model.rows) if a.id == "careers")
    dialog = open_manage(qtbot, tab, careers)
    dialog.resize(640, 760)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.wait(50)  # the layout settles
    table = dialog.plans_table
    model = dialog.plans_model
    refused = [r for r, option in enumerate(model.rows) if not option.eligible]
    assert refused, "the app needs a plan it is not eligible for"
    header = table.horizontalHeader()
    used = sum(header.sectionSize(c) for c in range(header.count()))
    assert used <= table.viewport().width()  # no sideways scrolling to read the reason
    assert not table.horizontalScrollBar().isVisible()
    for row in refused:
        text = model.index(row, ELIGIBILITY).data()
        assert len(text) > 40  # long enough to have been cut before
        width = table.columnWidth(ELIGIBILITY) - 12  # the cell's margins
        needed = table.fontMetrics().boundingRect(
            QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text
        )
        assert needed.height() <= table.rowHeight(row)
        assert table.rowHeight(row) > table.fontMetrics().height() * 1.5  # wrapped, not one line
    dialog.close()


def test_hover_shows_manage_and_more_offers_change_owner(
    qtbot: Any, populated_store: SqlStore
) -> None:
    _window, tab = plans_window(qtbot, populated_store)
    actions = tab.row_actions
    assert actions.isHidden()
    rect = tab.table.visualRect(tab.model.index(1, 0))
    tab.table.entered.emit(tab.model.index(1, 0))  # what hovering the row emits
    assert actions.isVisible() and actions.row == 1
    assert actions.main_button.text() == "Manage…"
    assert abs(actions.geometry().center().y() - rect.center().y()) <= 2
    assert actions.geometry().right() <= tab.table.viewport().width()
    assert [a.text() for a in actions.more_actions] == ["Change &owner…"]
    actions.more_actions[0].trigger()
    dialog = tab.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.busy, timeout=10_000)
    assert tab.selected_app() == tab.model.rows[1]
    assert dialog.view is not None and dialog.view.app.id == tab.model.rows[1].id
    qtbot.waitUntil(lambda: dialog.owner_combo.hasFocus(), timeout=5_000)
    headers = [c for c in unnamed_controls(dialog) if not c.startswith("QHeaderView")]
    assert headers == []  # every control of Manage has an accessible name
    dialog.close()
    qtbot.waitUntil(lambda: tab.dialog is None, timeout=5_000)
    qtbot.mouseClick(actions.main_button, Qt.MouseButton.LeftButton)  # Manage on the row
    assert tab.dialog is not None
    tab.dialog.close()
    tab.model.set_rows(list(tab.model.rows))  # a reload hides the stale buttons
    assert actions.isHidden() and actions.row == -1


# --- Usage ------------------------------------------------------------------------------------


def test_disabled_manage_credits_says_why_on_screen(
    qtbot: Any, acme: SqlStore, today: date
) -> None:
    tab = usage_tab(qtbot, acme)
    assert tab.manage_button.isEnabled() and tab.manage_reason.isHidden()
    choose_month(qtbot, tab, Month.of(today).plus(-1))  # ended, not closed
    assert not tab.manage_button.isEnabled()
    reason = tab.manage_refusal()
    assert reason and "current month" in reason
    assert tab.manage_reason.isVisible() and tab.manage_reason.text() == reason
    assert tab.manage_reason.width() <= tab.manage_reason.maximumWidth()


def test_month_list_is_one_chronological_order_with_each_state(
    qtbot: Any, acme: SqlStore, today: date
) -> None:
    with acme() as uow:
        from billing_desktop.services.month_close import close_month

        close_month(uow, resolve_actor(uow, None), Month.of(today).plus(-2), today=today)
        uow.commit()
    tab = usage_tab(qtbot, acme)
    combo = tab.month_combo
    months = [combo.itemData(i) for i in range(combo.count())]
    assert months == sorted(months, reverse=True)
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels[0].endswith("(current)")
    assert labels[1].endswith("— open, not closed yet")
    assert "— closed" in labels[2]
    assert all(("(current)" in t) or ("— open" in t) or ("— closed" in t) for t in labels)
    # a month shown from elsewhere (not in the list) takes its place in the order
    far = Month.of(today).plus(-40)
    page = tab.page
    assert page is not None
    combo.removeItem(combo.count() - 1)
    tab.show_page(page)
    assert [combo.itemData(i) for i in range(combo.count())] == sorted(
        [combo.itemData(i) for i in range(combo.count())], reverse=True
    )
    assert far not in [combo.itemData(i) for i in range(combo.count())]


def test_an_open_month_past_its_invoice_date_is_not_to_be_invoiced_in_the_past(
    qtbot: Any, acme: SqlStore, today: date
) -> None:
    tab = usage_tab(qtbot, acme)
    choose_month(qtbot, tab, Month.of(today).plus(-1))
    page = tab.page
    assert page is not None and not page.summary.closed
    due = page.summary.invoice_date
    assert due <= today
    note = invoice_note(page.summary, page.today)
    assert note.startswith("To be invoiced when") and f"due {due.isoformat()}" in note
    assert f"To be invoiced on {due.isoformat()}" not in note
    negative = [p for p in page.summary.products if p.balance < 0]
    for product in negative:
        tip = tab._balance_tip(product)
        assert tip is not None and tip.startswith(note)
    if page.summary.balance < 0:
        assert tab.account_card.note.text() == note
    choose_month(qtbot, tab, Month.of(today))  # the current month: its date is ahead
    current = tab.page
    assert current is not None
    assert invoice_note(current.summary, current.today) == (
        f"To be invoiced on {current.summary.invoice_date.isoformat()}"
    )


def test_recharge_automatically_lines_up_with_the_form(qtbot: Any, acme: SqlStore) -> None:
    tab = usage_tab(qtbot, acme)
    dialog = tab.open_manage_credits()
    assert isinstance(dialog, ManageCreditsDialog)
    qtbot.waitExposed(dialog)
    form = dialog.auto_box.findChild(QFormLayout)
    assert form is not None
    label = form.itemAt(1, QFormLayout.ItemRole.LabelRole).widget()
    assert isinstance(label, QLabel) and label.text() == "When the balance is below:"
    checkbox_x = dialog.auto_enabled.mapTo(dialog, QPoint(0, 0)).x()
    assert checkbox_x == label.mapTo(dialog, QPoint(0, 0)).x()
    dialog.close()


# --- Invoices (Enterprise) --------------------------------------------------------------------


def test_enterprise_invoices_page_has_no_stray_caption(qtbot: Any, store: SqlStore) -> None:
    with store() as uow:
        uow.account.save(
            m.Account("Big Co", "EUR", "UTC", m.PlanTier.ENTERPRISE, m.PaymentMethod.INVOICE,
                      m.CommitScope.NONE)
        )  # fmt: skip
        uow.users.add_many([m.User("ada", "Ada", "ada@example.com", m.Role.ADMIN)])
        uow.commit()
    window = open_window(qtbot, store)
    tab = window.select_area(Area.INVOICES)
    assert isinstance(tab, InvoicesTab)
    wait_idle(qtbot, window)
    visible = [
        label.text()
        for label in tab.findChildren(QLabel)
        if label.isVisibleTo(window) and label.text()
    ]
    assert visible == [overview.ENTERPRISE_INVOICES]


# --- Remote errors ----------------------------------------------------------------------------


def test_a_failed_refresh_leaves_no_stale_figures(qtbot: Any, acme: SqlStore, today: date) -> None:
    flaky = FlakyStore(acme)
    window = open_window(qtbot, flaky)
    tab = window.select_area(Area.USAGE)
    assert isinstance(tab, UsageTab)
    wait_idle(qtbot, window)
    assert "licensed" in tab.caption.text()
    flaky.failing = True
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.refresh()
    assert tab.account_card.value.text() == "—"
    assert "licensed" not in tab.caption.text()


def test_a_failed_members_read_wraps_inside_the_window(
    qtbot: Any, populated_store: SqlStore
) -> None:
    window = open_window(qtbot, populated_store, "ada")
    window.resize(1000, 700)
    tab = window.select_area(Area.BILLING_UNITS)
    assert isinstance(tab, BillingUnitsTab)
    wait_idle(qtbot, window)
    long_message = "Could not read the unit's members: " + "the server did not answer " * 12
    tab.editor.show_unit(None, long_message)
    qtbot.wait(10)
    editor: QWidget = tab.editor
    assert editor.minimumSizeHint().width() < 600
    assert editor.mapTo(window, QPoint(editor.width(), 0)).x() <= window.width()
    assert tab.editor.title.wordWrap()


def test_the_status_bar_has_no_gap_when_the_workspace_fails(qtbot: Any, acme: SqlStore) -> None:
    flaky = FlakyStore(acme)
    window = open_window(qtbot, flaky)
    assert window.user_label.isVisible()
    flaky.failing = True
    window.reload()
    wait_idle(qtbot, window)
    assert window.load_error is not None
    assert window.user_label.isHidden()
    assert window.store_label.isVisible()
    flaky.failing = False
    window.reload()
    wait_idle(qtbot, window)
    assert window.user_label.isVisible()
