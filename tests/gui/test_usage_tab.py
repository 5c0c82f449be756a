"""The Usage tab driven like a user would: figures, colours, months, credits, pricing, exports."""

from __future__ import annotations

import csv
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QModelIndex, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.domain.money import format_amount, format_money
from billing_desktop.domain.periods import Month
from billing_desktop.exports.tables import TABLE_FILTERS, XLSX_FILTER
from billing_desktop.services import credits
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.month_close import close_month
from billing_desktop.store.ports import UnitOfWorkFactory
from billing_desktop.ui.delegates.free_units_bar import LEFT_LOW, LEFT_PLENTY, FreeUnitsBarDelegate
from billing_desktop.ui.dialogs.manage_credits import VIEW_ONLY, ManageCreditsDialog
from billing_desktop.ui.main_window import MainWindow
from billing_desktop.ui.models.sortable import BAR_ROLE, SortableTableModel
from billing_desktop.ui.models.table import NEGATIVE
from billing_desktop.ui.tabs.usage import (
    BALANCE,
    COMMIT,
    COMMIT_PERIOD,
    FREE_UNITS,
    PRODUCT,
    TAG,
    USED,
    UsageTab,
)
from tests.gui.conftest import RecordingStore
from tests.gui.test_main_window import open_window, wait_idle
from tests.gui.test_workspace_actions import close_message_boxes
from tests.integration.pdf_text import pdf_text
from tests.usage_workspace import build

D = Decimal
USER = Qt.ItemDataRole.UserRole
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole


@pytest.fixture
def acme_closed(acme: SqlStore, today: date) -> SqlStore:
    """The month before closed: 0.20 of SMS invoiced as INV-000001 (after the month of the
    VOICE commit's start, the first billed month, closed with nothing to invoice)."""
    with acme() as uow:
        actor = resolve_actor(uow, None)
        close_month(uow, actor, Month.of(today).plus(-2), today=today)
        close_month(uow, actor, Month.of(today).plus(-1), today=today)
        uow.commit()
    return acme


def usage_tab(qtbot: Any, store: UnitOfWorkFactory, user: str | None = None) -> UsageTab:
    window = open_window(qtbot, store, user)
    tab = window.select_area(Area.USAGE)
    assert isinstance(tab, UsageTab)
    wait_idle(qtbot, window)
    assert tab.page is not None
    return tab


def window_of(tab: UsageTab) -> MainWindow:
    window = tab.window()
    assert isinstance(window, MainWindow)
    return window


def choose_month(qtbot: Any, tab: UsageTab, month: Month) -> None:
    index = next(i for i in range(tab.month_combo.count()) if tab.month_combo.itemData(i) == month)
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.month_combo.setCurrentIndex(index)
    wait_idle(qtbot, window_of(tab))
    assert tab.month == month


def cell(tab: UsageTab, row: int, column: int, role: int = DISPLAY) -> Any:
    return tab.model.data(tab.model.index(row, column), role)


def row_of(tab: UsageTab, name: str) -> int:
    names = [cell(tab, r, PRODUCT) for r in range(tab.model.rowCount())]
    return names.index(name)


def summary_json(store: SqlStore, month: Month | None = None) -> dict[str, Any]:
    with store() as uow:
        return usage_summary(uow, resolve_actor(uow, None), month).as_json()


def shown_json(tab: UsageTab) -> dict[str, Any]:
    """What the tab shows, in the shape of ``usage --json`` (from its cells, not its rows)."""
    currency = "USD"

    def money(text: str) -> str:
        sign = "-" if text.startswith("-") else ""
        return sign + text.lstrip("-$").replace(",", "")

    products = []
    for r in range(tab.model.rowCount()):
        used, total = cell(tab, r, FREE_UNITS, USER)
        commit_text = cell(tab, r, COMMIT)
        commit: object = commit_text
        raw = cell(tab, r, COMMIT, USER)
        if not isinstance(raw, str):
            amount, frequency = commit_text.rsplit(" ", 1)
            first, following = cell(tab, r, COMMIT_PERIOD).split(" – ")
            commit = {
                "amount": money(amount),
                "frequency": frequency,
                "last_recharge": first,
                "next_recharge": following,
            }
        products.append(
            {
                "name": cell(tab, r, PRODUCT),
                "quantity": format(cell(tab, r, USED, USER).normalize(), "f"),
                "free_units_used": format(used.normalize(), "f"),
                "free_units_total": format(total.normalize(), "f"),
                "balance": money(cell(tab, r, BALANCE)),
                "balance_raw": format_amount(cell(tab, r, BALANCE, USER), currency),
                "commit": commit,
                "contact_center_services": cell(tab, r, TAG) == "Contact center services",
            }
        )
    return {
        "balance": money(tab.account_card.value.text()),
        "contact_center_services_balance": money(tab.cc_card.value.text()),
        "products": sorted(products, key=lambda p: p["name"]),
    }


def expected_json(store: SqlStore, month: Month | None = None) -> dict[str, Any]:
    data = summary_json(store, month)
    keys = ("name", "quantity", "free_units_used", "free_units_total", "balance", "commit")
    return {
        "balance": data["balance"],
        "contact_center_services_balance": data["contact_center_services_balance"],
        "products": sorted(
            (
                {
                    **{k: p[k] for k in keys},
                    "balance_raw": p["balance"],
                    "contact_center_services": p["contact_center_services"],
                }
                for p in data["products"]
            ),
            key=lambda p: p["name"],
        ),
    }


# Figures --------------------------------------------------------------------------------------


def test_every_figure_is_the_one_usage_json_prints(
    qtbot: Any, qtmodeltester: Any, acme_closed: SqlStore, today: date
) -> None:
    tab = usage_tab(qtbot, acme_closed)
    assert tab.month == Month.of(today) and tab.showing_table
    assert shown_json(tab) == expected_json(acme_closed)
    assert shown_json(tab)["balance"] == "21.20"  # the worked figures of tests/usage_workspace
    qtmodeltester.check(tab.model)
    qtmodeltester.check(tab.transactions_model)

    # Switching to the closed month before: its stored figures, read-only, with its invoice.
    previous = Month.of(today).plus(-1)
    label = tab.month_combo.itemText(tab.month_combo.currentIndex() + 1)
    assert label.endswith("— closed, INV-000001")
    choose_month(qtbot, tab, previous)
    assert tab.page is not None and tab.page.summary.closed
    assert shown_json(tab) == expected_json(acme_closed, previous)
    assert tab.banner.isVisible() and "INV-000001" in tab.banner.text()
    assert "read-only" in tab.banner.text()
    assert not tab.manage_button.isEnabled()
    assert "is closed (invoice INV-000001): it is read-only" in tab.manage_button.toolTip()
    assert tab.account_card.caption.text() == "Balance at the close"
    sms = row_of(tab, "SMS messages")
    assert cell(tab, sms, BALANCE, TOOLTIP).startswith(
        f"Invoiced on {Month.of(today).first_day.isoformat()} (INV-000001)"
    )
    qtmodeltester.check(tab.model)

    choose_month(qtbot, tab, Month.of(today))
    assert not tab.banner.isVisible() and tab.manage_button.isEnabled()


def test_negative_balances_are_red_and_say_when_they_are_invoiced(
    qtbot: Any, acme: SqlStore, today: date
) -> None:
    tab = usage_tab(qtbot, acme)
    invoice_day = Month.of(today).plus(1).first_day.isoformat()
    sms = row_of(tab, "SMS messages")
    assert cell(tab, sms, BALANCE) == "-$0.50"
    assert cell(tab, sms, BALANCE, FOREGROUND).color() == NEGATIVE
    assert cell(tab, sms, BALANCE, TOOLTIP).startswith(f"To be invoiced on {invoice_day}: $0.50")
    assert cell(tab, sms, BALANCE, Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    voice = row_of(tab, "Voice minutes")
    assert cell(tab, voice, BALANCE) == "$22.00"
    assert cell(tab, voice, BALANCE, FOREGROUND) is None  # the normal colour
    assert cell(tab, voice, BALANCE, TOOLTIP).startswith("Credit still available")
    # The account is in credit overall: normal colour on the card.
    assert tab.account_card.value.text() == "$21.20" and not tab.account_card.value_is_red
    assert tab.account_card.note.text() == "Credit available"


def test_the_card_turns_red_when_the_month_will_be_invoiced(
    qtbot: Any, populated_store: SqlStore
) -> None:
    tab = usage_tab(qtbot, populated_store)  # no commits and no credit: everything is charged
    assert tab.page is not None and tab.page.summary.balance < 0
    assert tab.account_card.value_is_red and tab.account_card.value.text().startswith("-$")
    invoice_day = tab.page.summary.invoice_date.isoformat()
    assert tab.account_card.note.text() == f"To be invoiced on {invoice_day}"
    assert tab.account_card.field("commit").text() == "Per product: none in use this month"


def test_commit_cells_show_na_dash_or_the_commit(qtbot: Any, acme: SqlStore, today: date) -> None:
    tab = usage_tab(qtbot, acme)
    sms, sessions, voice = (row_of(tab, n) for n in ("SMS messages", "Billing sessions",
                                                    "Voice minutes"))  # fmt: skip
    assert cell(tab, sms, COMMIT) == "N/A"
    assert cell(tab, sms, COMMIT, TOOLTIP) == "No credit commit is available for this product"
    assert cell(tab, sessions, COMMIT) == "-"
    assert "available for this product but has not been purchased" in cell(
        tab, sessions, COMMIT, TOOLTIP
    )
    assert cell(tab, voice, COMMIT) == "$30.00 monthly"
    month = Month.of(today)
    assert cell(tab, voice, COMMIT_PERIOD) == (
        f"{month.first_day.isoformat()} – {month.plus(1).first_day.isoformat()}"
    )
    assert cell(tab, sms, COMMIT_PERIOD) == ""
    assert cell(tab, voice, TAG) == "Contact center services" and cell(tab, sms, TAG) == ""
    assert cell(tab, voice, FREE_UNITS) == "200 / 200"
    assert cell(tab, sms, FREE_UNITS) == "No free units"
    assert cell(tab, voice, USED) == "600 minutes"
    account = tab.account_card
    assert account.field("commit").text() == "Per product: 1 commit (see the table)"
    assert tab.cc_card.value.text() == "$22.00"
    assert tab.cc_card.field("products").text() == "1 with usage this month"
    assert tab.cc_card.field("source").text() == "Each product's own commit, then purchased credits"


def test_the_table_sorts_itself_and_keeps_the_model_valid(
    qtbot: Any, qtmodeltester: Any, acme: SqlStore
) -> None:
    tab = usage_tab(qtbot, acme)
    model = tab.model
    assert isinstance(model, SortableTableModel)

    def names() -> list[str]:
        return [cell(tab, r, PRODUCT) for r in range(model.rowCount())]

    assert names() == ["Billing sessions", "SMS messages", "Voice minutes"]  # by name
    selected = model.index(row_of(tab, "Voice minutes"), PRODUCT)
    tab.table.selectionModel().setCurrentIndex(
        selected, tab.table.selectionModel().SelectionFlag.ClearAndSelect
    )
    tab.table.sortByColumn(BALANCE, Qt.SortOrder.AscendingOrder)
    assert names() == ["SMS messages", "Billing sessions", "Voice minutes"]
    assert tab.table.currentIndex().row() == 2  # the selection follows its row
    tab.table.sortByColumn(BALANCE, Qt.SortOrder.DescendingOrder)
    assert names() == ["Voice minutes", "Billing sessions", "SMS messages"]
    assert tab.table.currentIndex().row() == 0
    tab.table.sortByColumn(COMMIT, Qt.SortOrder.AscendingOrder)
    assert names()[0] == "Voice minutes" and names()[-1] == "SMS messages"  # amount, -, N/A
    qtmodeltester.check(model)
    tab.refresh()  # new rows keep the order chosen
    wait_idle(qtbot, window_of(tab))
    assert names()[0] == "Voice minutes"


def coloured_pixels(delegate: FreeUnitsBarDelegate, used: str, total: str) -> dict[str, int]:
    model = SortableTableModel([])
    image = QImage(300, 28, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))

    class Index(QModelIndex):
        def data(self, role: int = DISPLAY) -> Any:  # type: ignore[override]
            if role == BAR_ROLE:
                return (D(used), D(total))
            if role == DISPLAY:
                return f"{used} / {total}"
            return None

        def isValid(self) -> bool:
            return True

        def model(self) -> Any:
            return model

    option = QStyleOptionViewItem()
    option.rect = QRect(QPoint(0, 0), image.size())
    painter = QPainter(image)
    try:
        delegate.paint(painter, option, Index())
    finally:
        painter.end()
    counts = {"plenty": 0, "low": 0}
    for x in range(image.width()):
        for y in range(image.height()):
            rgb = image.pixelColor(x, y).rgb()
            if rgb == LEFT_PLENTY.rgb():
                counts["plenty"] += 1
            elif rgb == LEFT_LOW.rgb():
                counts["low"] += 1
    return counts


def test_the_free_units_bar_shrinks_as_units_are_used(qtbot: Any, acme: SqlStore) -> None:
    tab = usage_tab(qtbot, acme)
    delegate = tab.table.itemDelegateForColumn(FREE_UNITS)
    assert isinstance(delegate, FreeUnitsBarDelegate)  # one delegate, no widget per row
    assert tab.table.indexWidget(tab.model.index(0, FREE_UNITS)) is None
    voice = row_of(tab, "Voice minutes")
    assert cell(tab, voice, FREE_UNITS, BAR_ROLE) == (D(200), D(200))
    unused = coloured_pixels(delegate, "0", "1000")["plenty"]
    half = coloured_pixels(delegate, "500", "1000")["plenty"]
    low = coloured_pixels(delegate, "900", "1000")
    spent = coloured_pixels(delegate, "1000", "1000")
    assert unused > half > 0
    assert abs(half * 2 - unused) <= unused * 0.15
    assert low["low"] > 0 and low["plenty"] == 0  # little left: amber
    assert spent == {"plenty": 0, "low": 0}  # all used: an empty track


# Manage credits ---------------------------------------------------------------------------------


def open_dialog(qtbot: Any, tab: UsageTab) -> ManageCreditsDialog:
    assert tab.manage_button.isEnabled()
    tab.manage_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, ManageCreditsDialog) and dialog.isVisible()
    return dialog


def ledger(store: SqlStore) -> list[m.LedgerEntry]:
    with store() as uow:
        return [e for e in uow.ledger.all() if e.pool == m.CREDITS_POOL]


def test_purchasing_credits_writes_the_ledger_and_updates_the_card_at_once(
    qtbot: Any, acme: SqlStore, today: date
) -> None:
    recording = RecordingStore(acme)
    tab = usage_tab(qtbot, recording)
    dialog = open_dialog(qtbot, tab)
    assert "Current balance for" in dialog.balance_label.text() and "$21.20" in (
        dialog.balance_label.text()
    )
    dialog.purchase_amount.setText("1,250.50")
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.purchase_button.click()
    wait_idle(qtbot, window_of(tab))
    [row] = ledger(acme)
    assert (row.kind, row.amount, row.reference, row.occurred_on) == (
        m.LedgerKind.PURCHASE,
        D("1250.50"),
        "CR-000001",
        today,
    )
    with acme() as uow:
        assert next((a.action, a.entity_id, a.actor) for a in uow.audit.recent(5)) == (
            "purchase-credits",
            "CR-000001",
            "ada",
        )
    assert tab.account_card.value.text() == "$1,271.70"  # 21.20 + 1,250.50
    assert summary_json(acme)["balance"] == "1271.70"
    assert dialog.status.text() == f"Purchased credits of $1,250.50 (CR-000001, {today})."
    assert not dialog.status_is_error and dialog.purchase_amount.text() == ""
    assert "$1,271.70" in dialog.balance_label.text()
    assert tab.notice.text() == dialog.status.text()
    transactions = tab.transactions_model
    last = transactions.rowCount() - 1
    texts = [transactions.data(transactions.index(last, c)) for c in range(8)]
    assert texts[1:4] == ["Credit purchase", "", "CR-000001"]
    assert texts[5] == "$1,250.50" and texts[7] == "Ada Admin"
    assert threading.main_thread() not in recording.threads  # the store, off the GUI thread


def test_a_one_time_payment_by_enter_key_is_written_once(qtbot: Any, acme: SqlStore) -> None:
    tab = usage_tab(qtbot, acme, "eve")  # the Edit Billing access group may change credits
    dialog = open_dialog(qtbot, tab)
    dialog.payment_amount.setText("40")
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        qtbot.keyClick(dialog.payment_amount, Qt.Key.Key_Return)
    wait_idle(qtbot, window_of(tab))
    rows = ledger(acme)
    assert [(r.kind, r.amount, r.reference) for r in rows] == [
        (m.LedgerKind.ONE_TIME_PAYMENT, D("40.00"), "OTP-000001")
    ]
    assert dialog.isVisible()  # Enter ran the payment, it did not close the dialog
    assert tab.account_card.value.text() == "$61.20"
    assert tab.transactions_model.data(tab.transactions_model.index(0, 7)) == "Eve Editor"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("-5", "more than zero"),
        ("0", "more than zero"),
        ("1.234", "more decimals than USD allows"),
        ("2000000", "at most $1,000,000.00"),
        ("lots", "is not an amount"),
    ],
)
def test_bad_amounts_are_explained_and_nothing_is_written(
    qtbot: Any, acme: SqlStore, text: str, problem: str
) -> None:
    tab = usage_tab(qtbot, acme)
    dialog = open_dialog(qtbot, tab)
    dialog.purchase_amount.setText(text)
    dialog.purchase_button.click()
    assert not window_of(tab).runner.busy  # refused before any store work
    assert dialog.status_is_error and problem in dialog.status.text()
    assert dialog.status.text().startswith("Purchase amount: ")
    assert ledger(acme) == []


def test_auto_recharge_is_saved_and_fires_when_the_balance_is_below_it(
    qtbot: Any, acme: SqlStore
) -> None:
    tab = usage_tab(qtbot, acme)
    assert tab.account_card.field("auto").text() == "Off"
    dialog = open_dialog(qtbot, tab)
    assert not dialog.auto_reason.isVisible() and dialog.auto_enabled.isEnabled()
    assert not dialog.auto_threshold.isEnabled()  # until switched on
    dialog.auto_enabled.setChecked(True)
    assert dialog.auto_threshold.isEnabled() and dialog.auto_amount.isEnabled()
    dialog.auto_threshold.setText("100")
    dialog.auto_amount.setText("50.00")
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.auto_button.click()
    wait_idle(qtbot, window_of(tab))
    with acme() as uow:
        assert uow.settings.get("auto_recharge") == {
            "enabled": True,
            "threshold_minor": 10_000,
            "amount_minor": 5_000,
        }
    # 21.20 is below 100.00: the refresh after saving recharged once, visible as a ledger row.
    [row] = ledger(acme)
    assert (row.reference, row.description, row.amount) == ("AUTO-000001", "Auto-recharge", D(50))
    assert "Auto-recharge added $50.00 (AUTO-000001" in dialog.status.text()
    assert tab.account_card.value.text() == "$71.20"
    assert tab.account_card.field("auto").text() == (
        "On: adds $50.00 when the balance is below $100.00"
    )
    kinds = [
        tab.transactions_model.data(tab.transactions_model.index(r, 1))
        for r in range(tab.transactions_model.rowCount())
    ]
    assert kinds == ["Auto-recharge"]
    # Refreshing again (F5) does not charge twice for the same drop.
    window_of(tab).ui.actionRefresh.trigger()
    wait_idle(qtbot, window_of(tab))
    assert len(ledger(acme)) == 1


def test_auto_recharge_is_refused_for_an_account_paying_by_invoice(
    qtbot: Any, store: SqlStore, today: date
) -> None:
    with store() as uow:
        build(uow, today, m.PaymentMethod.INVOICE)
        uow.commit()
    tab = usage_tab(qtbot, store)
    assert tab.account_card.field("auto").text() == "Not available (pays by invoice)"
    dialog = open_dialog(qtbot, tab)
    assert not dialog.auto_enabled.isEnabled()
    assert not dialog.auto_threshold.isEnabled() and not dialog.auto_amount.isEnabled()
    assert not dialog.auto_button.isEnabled()
    assert dialog.auto_reason.isVisible() and dialog.auto_reason.text() == credits.CARD_ONLY
    assert dialog.auto_enabled.toolTip() == credits.CARD_ONLY
    # Purchases and payments still work for this account.
    assert dialog.purchase_button.isEnabled() and dialog.payment_button.isEnabled()
    dialog.auto_enabled.setChecked(True)  # even if it were ticked somehow
    dialog.save_auto_recharge()
    assert dialog.status_is_error and "credit card" in dialog.status.text()
    with store() as uow:
        assert uow.settings.get("auto_recharge") is None


def test_viewers_see_everything_but_may_not_manage_credits(qtbot: Any, acme: SqlStore) -> None:
    tab = usage_tab(qtbot, acme, "sam")  # supervisor: view Usage
    assert tab.showing_table and tab.account_card.value.text() == "$21.20"
    assert not tab.manage_button.isEnabled() and tab.manage_button.toolTip() == VIEW_ONLY
    assert tab.open_manage_credits() is None
    assert tab.pricing_button.isEnabled()
    assert tab.page is not None
    with acme() as uow:
        viewer = resolve_actor(uow, "sam")
    dialog = ManageCreditsDialog(acme, window_of(tab).runner, viewer, tab.page)
    qtbot.addWidget(dialog)
    for widget in (dialog.purchase_button, dialog.payment_button, dialog.purchase_amount):
        assert not widget.isEnabled() and widget.toolTip() == VIEW_ONLY
    assert not dialog.auto_enabled.isEnabled() and dialog.auto_reason.text() == VIEW_ONLY


def test_an_open_past_month_sends_credit_changes_to_the_current_one(
    qtbot: Any, acme: SqlStore, today: date
) -> None:
    tab = usage_tab(qtbot, acme)
    current = Month.of(today)
    choose_month(qtbot, tab, current.plus(-1))
    assert tab.page is not None and not tab.page.summary.closed
    assert not tab.manage_button.isEnabled()
    assert tab.manage_button.toolTip() == (
        f"Credits are added today, to the current month: choose "
        f"{current.first_day:%B %Y} to manage them."
    )
    assert tab.account_card.caption.text() == "Balance (the month is not closed yet)"


# Refresh and live updates -----------------------------------------------------------------------


def test_f5_reads_the_figures_again(qtbot: Any, acme: SqlStore, today: date) -> None:
    tab = usage_tab(qtbot, acme)
    with acme() as uow:  # a change made elsewhere (another window, the command line)
        credits.purchase_credits(uow, resolve_actor(uow, None), "100", today=today)
        uow.commit()
    assert tab.account_card.value.text() == "$21.20"
    window = window_of(tab)
    assert window.ui.actionRefresh.shortcut().toString() == "F5"
    window.ui.actionRefresh.trigger()
    wait_idle(qtbot, window)
    assert tab.account_card.value.text() == "$121.20"
    tab.refresh_button.click()
    wait_idle(qtbot, window)
    assert tab.account_card.value.text() == "$121.20"


def test_an_import_updates_the_tab_and_can_fire_auto_recharge(
    qtbot: Any, acme: SqlStore, today: date, tmp_path: Path
) -> None:
    with acme() as uow:
        credits.set_auto_recharge(uow, resolve_actor(uow, None), True, "21.00", "10.00")
        uow.commit()
    window = usage_tab(qtbot, acme).window()
    assert isinstance(window, MainWindow)
    sms = tmp_path / "sms.csv"
    first = Month.of(today).first_day.isoformat()
    sms.write_text(
        "id,type,campaign,sent_at\n"
        + "".join(f"extra-{n},reminder,Fall,{first}T08:00:00Z\n" for n in range(30)),
        encoding="utf-8",
    )
    window.run_import("sms", sms)  # 30 more SMS: -0.30, the balance drops to 20.90
    qtbot.waitUntil(lambda: bool(close_message_boxes()), timeout=10_000)
    wait_idle(qtbot, window)
    tab = window.tab_pages[Area.USAGE]
    assert isinstance(tab, UsageTab)
    wait_idle(qtbot, window)
    assert cell(tab, row_of(tab, "SMS messages"), USED) == "80 messages"
    assert tab.account_card.value.text() == "$30.90"  # 20.90 + the 10.00 auto-recharge
    assert [e.reference for e in ledger(acme)] == ["AUTO-000001"]


def test_opening_the_tab_checks_auto_recharge(qtbot: Any, acme: SqlStore) -> None:
    with acme() as uow:
        credits.set_auto_recharge(uow, resolve_actor(uow, None), True, "500", "25")
        uow.commit()
    tab = usage_tab(qtbot, acme)
    assert tab.notice.isVisible() and "Auto-recharge added $25.00" in tab.notice.text()
    assert tab.account_card.value.text() == "$46.20"
    assert len(ledger(acme)) == 1


def test_a_refresh_that_recharges_tells_every_open_view(qtbot: Any, acme: SqlStore) -> None:
    """The refresh is a read that wrote (a ledger row): it is announced like any write, so the
    other tabs that show credits (Invoices, Quotas) follow without F5."""
    tab = usage_tab(qtbot, acme)
    window = window_of(tab)
    with acme() as uow:  # another program switches it on: nothing announced yet
        credits.set_auto_recharge(uow, resolve_actor(uow, None), True, "500", "25")
        uow.commit()
    with qtbot.waitSignal(window.resources_changed, timeout=10_000) as announced:
        tab.refresh()
    assert "credits" in announced.args[0]
    wait_idle(qtbot, window)
    assert len(ledger(acme)) == 1  # the announcement's own reload found nothing more to do


# Files ------------------------------------------------------------------------------------------


def test_usage_pricing_is_saved_as_pdf_and_csv(
    qtbot: Any, acme: SqlStore, today: date, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = usage_tab(qtbot, acme, "sam")  # viewers may download the rate card
    asked: list[str] = []

    def choose(title: str, default_name: str, filters: str) -> Path:
        asked.append(default_name)
        return tmp_path / "pricing"  # no suffix typed: the format's is added

    monkeypatch.setattr(tab, "choose_save_path", choose)
    tab.pricing_pdf_action.trigger()
    wait_idle(qtbot, window_of(tab))
    assert asked == [f"usage-pricing-acme-recruiting-{today.isoformat()}.pdf"]
    pdf = tmp_path / "pricing.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert tab.notice.text() == f"Usage pricing saved to {pdf} (3 products)."
    text = pdf_text(pdf, layout=True)
    for expected in ("Usage pricing", "Acme Recruiting", "Voice minutes", "$0.02", "100",
                     "Contact center services", "US Dollar (USD)"):  # fmt: skip
        assert expected in text, expected
    tab.pricing_csv_action.trigger()
    wait_idle(qtbot, window_of(tab))
    with (tmp_path / "pricing.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["code"], r["unit_price"], r["currency"]) for r in rows] == [
        ("SESSIONS", "0.05", "USD"),
        ("SMS", "0.01", "USD"),
        ("VOICE", "0.02", "USD"),
    ]
    tab.pricing_xlsx_action.trigger()
    wait_idle(qtbot, window_of(tab))
    sheet = openpyxl.load_workbook(tmp_path / "pricing.xlsx")["Usage pricing"]
    assert [(r[0].value, r[3].value, r[4].value) for r in sheet.iter_rows(min_row=2)] == [
        ("SESSIONS", 0.05, "USD"),
        ("SMS", 0.01, "USD"),
        ("VOICE", 0.02, "USD"),
    ]
    assert sheet["D2"].number_format == '#,##0.00###### "USD"'


def test_the_months_transactions_export_to_csv(
    qtbot: Any, acme: SqlStore, today: date, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with acme() as uow:
        credits.purchase_credits(uow, resolve_actor(uow, None), "12", today=today)
        uow.commit()
    tab = usage_tab(qtbot, acme)
    assert tab.export_button.isEnabled()
    target = tmp_path / "tx.csv"
    monkeypatch.setattr(tab, "choose_save_path", lambda *args: target)
    tab.sections.setCurrentIndex(1)
    tab.export_button.click()
    wait_idle(qtbot, window_of(tab))
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        [
            "date",
            "kind",
            "product",
            "reference",
            "description",
            "amount",
            "balance_after",
            "currency",
            "who",
        ],
        [
            today.isoformat(),
            "Credit purchase",
            "",
            "CR-000001",
            "Credit purchase",
            "12.00",
            "12.00",
            "USD",
            "Ada Admin",
        ],
    ]
    assert tab.notice.text() == f"1 transaction saved to {target}."
    assert format_money(D("12"), "USD") in tab.transactions_model.data(
        tab.transactions_model.index(0, 5)
    )

    def choose_excel(title: str, default_name: str, filters: str) -> Path:
        assert filters == TABLE_FILTERS
        tab.chosen_filter = XLSX_FILTER  # the file type picked in the dialog
        return tmp_path / "tx"

    monkeypatch.setattr(tab, "choose_save_path", choose_excel)
    tab.export_button.click()
    wait_idle(qtbot, window_of(tab))
    sheet = openpyxl.load_workbook(tmp_path / "tx.xlsx")["Transactions"]
    row = [c.value for c in sheet[2]]
    assert row[0].date() == today and row[1:5] == ["Credit purchase", None, "CR-000001",
                                                   "Credit purchase"]  # fmt: skip
    assert row[5:] == [12, 12, "USD", "Ada Admin"]
    assert sheet["F2"].number_format == '#,##0.00 "USD"'


def test_the_cards_follow_an_account_level_commit(qtbot: Any, acme: SqlStore, today: date) -> None:
    start = Month.of(today).plus(-2).first_day
    with acme() as uow:
        account = uow.account.get()
        assert account is not None
        uow.account.save(
            m.Account(
                account.name,
                account.currency,
                account.timezone,
                account.plan,
                account.payment_method,
                m.CommitScope.ACCOUNT,
            )
        )
        uow.commits.add_many([m.Commit(None, D("100.00"), m.Frequency.QUARTERLY, start)])
        uow.commit()
    tab = usage_tab(qtbot, acme)
    page = tab.page
    assert page is not None and page.summary.account_commit is not None
    commit = page.summary.account_commit
    assert tab.account_card.field("commit").text() == "$100.00 quarterly"
    assert tab.account_card.field("period").text() == (
        f"Last recharge {commit.last_recharge.isoformat()}, next {commit.next_recharge.isoformat()}"
    )
    assert tab.cc_card.field("source").text() == "The account commit, then purchased credits"
    assert shown_json(tab) == expected_json(acme)
