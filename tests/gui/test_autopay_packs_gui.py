"""My account's auto-pay setting, the Invoices tab's auto-pay note (issue 19 §3), and Quotas ▸
Buy pack… with the quota bar's "+1 pack" (§5)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.domain.periods import account_today
from billing_desktop.domain.quotas import Statistic
from billing_desktop.services import payment_methods as pm
from billing_desktop.services.account import auto_pay_enabled
from billing_desktop.services.context import resolve_actor
from billing_desktop.ui.dialogs.buy_pack import BuyPackDialog
from billing_desktop.ui.tabs.invoices import InvoicesTab
from tests.gui.test_account_dialog import open_account, run_action
from tests.gui.test_main_window import open_window, wait_idle
from tests.gui.test_quotas_section import add_sms, open_quotas

D = Decimal


def add_due_invoice(store: SqlStore) -> None:
    issued, due = date(2026, 10, 1), date(2026, 10, 31)
    with store() as uow:
        invoice = m.Invoice(
            "INV-0901", issued, date(2026, 9, 1), D("75.00"), m.InvoiceStatus.ISSUED, due
        )
        uow.invoices.add_many([invoice])
        uow.ledger.add_many(
            [m.LedgerEntry(issued, m.LedgerKind.INVOICE, D("-75.00"), reference="INV-0901")]
        )
        uow.commit()


def open_invoices(qtbot: Any, store: SqlStore) -> tuple[Any, InvoicesTab]:
    window = open_window(qtbot, store, "ada")
    tab = window.select_area(Area.INVOICES)
    assert isinstance(tab, InvoicesTab)
    wait_idle(qtbot, window)
    return window, tab


def test_auto_pay_is_switched_on_in_my_account(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store, "ada")
    dialog = open_account(qtbot, window)
    assert not dialog.auto_pay_check.isChecked() and dialog.auto_pay_check.isEnabled()
    dialog.auto_pay_check.setChecked(True)
    assert dialog.changed_values() == {"auto_pay": "on"}
    run_action(qtbot, dialog, dialog.save_button)
    assert dialog.status.text().startswith("Saved auto-pay invoices. Auto-pay pays nothing while")
    with populated_store() as uow:
        assert auto_pay_enabled(uow)
    wait_idle(qtbot, window)


def test_the_invoices_tab_says_why_a_due_invoice_was_not_paid_then_shows_it_paid(
    qtbot: Any, populated_store: SqlStore
) -> None:
    add_due_invoice(populated_store)
    with populated_store() as uow:
        profile = dict(uow.settings.get("account_profile") or {})
        uow.settings.put("account_profile", {**profile, "auto_pay": True})
        uow.commit()
    window, tab = open_invoices(qtbot, populated_store)  # no payment method on file
    qtbot.waitUntil(lambda: tab.auto_pay_note.isVisibleTo(tab), timeout=10_000)
    assert tab.auto_pay_note.text() == (
        "Auto-pay could not pay INV-0901 ($75.00, due 2026-10-31): there is no default payment "
        "method: add one in File ▸ My account ▸ Payment methods and make it the default."
    )
    window.close()
    with populated_store() as uow:
        actor = resolve_actor(uow, "ada")
        day = account_today(uow.account.get())  # type: ignore[arg-type]
        pm.add_card(uow, actor, "Visa", "1111", "12/30", "Ada Admin", day,
                    datetime.now(UTC))  # fmt: skip
        uow.commit()
    window, tab = open_invoices(qtbot, populated_store)  # the start pays it
    qtbot.waitUntil(lambda: "by Visa •••• 1111" in tab.auto_pay_note.text(), timeout=10_000)
    assert tab.auto_pay_note.text() == (
        "Auto-pay is on: open invoices are paid by Visa •••• 1111 on their due date."
    )
    with populated_store() as uow:
        (payment,) = uow.payments.all()
        assert (payment.invoice, payment.reference) == ("INV-0901", "AUTOPAY-INV-0901")


def test_a_pack_is_bought_from_the_quotas_section(qtbot: Any, populated_store: SqlStore) -> None:
    add_sms(populated_store, 90)  # 90 of 100: the warning
    with populated_store() as uow:
        today = account_today(uow.account.get())  # type: ignore[arg-type]
        uow.ledger.add_many(
            [
                m.LedgerEntry(
                    today,
                    m.LedgerKind.PURCHASE,
                    D("50.00"),
                    reference="CR-000901",
                    pool=m.CREDITS_POOL,
                )
            ]
        )
        uow.commit()  # fmt: skip
    window, page = open_quotas(qtbot, populated_store)
    assert not page.buy_pack_button.isEnabled()  # nothing selected
    page.packs_table.selectRow(1)  # SMS 1,000 at $7.00
    assert page.buy_pack_button.isEnabled()
    page.packs_table.selectRow(0)  # Interviews 100: no interview quota is set
    assert not page.buy_pack_button.isEnabled()
    assert "has no monthly quota" in page.buy_pack_button.toolTip()
    page.packs_table.selectRow(1)
    dialog = page.open_buy_pack()
    assert isinstance(dialog, BuyPackDialog) and dialog.isVisible()
    dialog.count.setValue(2)
    assert dialog.adds.text() == "100 → 2,100 (+2,000 messages)"
    assert dialog.price.text() == "$14.00"
    assert dialog.buy_button.text() == "&Buy 2 packs"
    with qtbot.waitSignal(dialog.bought, timeout=10_000):
        qtbot.mouseClick(dialog.buy_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: page.buy_dialog is None, timeout=5_000)
    assert page.notice.text().startswith("Bought 2 × SMS 1,000 (PACK-000001)")
    assert page.overview is not None
    line = page.overview.line(Statistic.SMS)
    assert (line.quota, line.effective_quota, line.packs_bought) == (100, 2_100, 2)
    bar = page.rows[Statistic.SMS].bar
    assert bar.format() == "90 of 2,100 (4 %) · +2 packs"
    assert page.rows[Statistic.SMS].quota.text() == "100 + 2,000"
    assert not page.banners[Statistic.SMS].isVisibleTo(page)  # 4 %: no warning any more
    # Not enough credit for another: the dialog says so and nothing is bought.
    page.packs_table.selectRow(1)  # the reload cleared the selection
    dialog = page.open_buy_pack()
    assert dialog is not None
    dialog.count.setValue(6)  # $42.00 of the $36.00 left
    qtbot.mouseClick(dialog.buy_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert "costs $42.00 and the account has $36.00 of credit" in dialog.status.text()
    dialog.reject()
    wait_idle(qtbot, window)


def test_who_may_not_edit_usage_billing_cannot_buy(qtbot: Any, populated_store: SqlStore) -> None:
    add_sms(populated_store, 90)
    window, page = open_quotas(qtbot, populated_store, "sam")
    page.packs_table.selectRow(1)
    assert not page.buy_pack_button.isEnabled()
    assert page.open_buy_pack() is None
    wait_idle(qtbot, window)


def test_what_auto_pay_paid_reads_as_a_notice() -> None:
    from billing_desktop.services.auto_pay import AutoPaid
    from billing_desktop.ui.auto_pay_start import paid_text

    paid = [
        AutoPaid("INV-000005", "PMT-000002", D("1376.05"), date(2026, 10, 1), "Visa •••• 4242"),
        AutoPaid("PACK-000001", "PMT-000003", D("7.00"), date(2026, 12, 21), "Visa •••• 4242"),
    ]
    assert paid_text(paid, "USD") == (
        "Auto-pay paid INV-000005 ($1,376.05) by Visa •••• 4242. "
        "Auto-pay paid PACK-000001 ($7.00) by Visa •••• 4242."
    )
