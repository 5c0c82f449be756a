"""Invoices ▸ Payments…, Credit note… and Reconcile… (issue 18 §2, §3) driven as a user would."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Area
from billing_desktop.ui.dialogs.credit_note import CreditNoteDialog
from billing_desktop.ui.dialogs.reconcile import ReconcileDialog
from billing_desktop.ui.dialogs.record_payment import RecordPaymentDialog
from billing_desktop.ui.main_window import MainWindow
from billing_desktop.ui.tabs.invoices import InvoicesTab
from tests.gui.test_main_window import open_window, wait_idle
from tests.integration.test_payments import INVOICE, close_october
from tests.usage_workspace import build

TODAY = date(2026, 11, 21)
# The tab derives statuses as of the real today: INV-000001 is due on 1 December 2026.
PART = "Overdue" if date.today() > date(2026, 12, 1) else "Partly paid"
UNPAID = "Overdue" if date.today() > date(2026, 12, 1) else "Issued"


@pytest.fixture
def acme(store: SqlStore) -> SqlStore:
    with store() as uow:
        build(uow, TODAY)
        close_october(uow)
        uow.commit()
    return store


def invoices(qtbot: Any, window: MainWindow) -> InvoicesTab:
    tab = window.select_area(Area.INVOICES)
    wait_idle(qtbot, window)
    assert isinstance(tab, InvoicesTab)
    return tab


def row_texts(tab: InvoicesTab, number: str) -> list[str]:
    model = tab.model
    for r in range(model.rowCount()):
        if model.data(model.index(r, 0)) == number:
            return [model.data(model.index(r, c)) for c in range(model.columnCount())]
    raise AssertionError(f"{number} is not listed")


def select(tab: InvoicesTab, number: str) -> None:
    model = tab.model
    rows = [r for r in range(model.rowCount()) if model.data(model.index(r, 0)) == number]
    tab.table.selectRow(rows[0])
    assert tab.selected is not None and tab.selected.number == number


def test_recording_and_voiding_a_payment(qtbot: Any, qtmodeltester: Any, acme: SqlStore) -> None:
    window = open_window(qtbot, acme)
    tab = invoices(qtbot, window)
    assert not tab.payment_button.isEnabled()  # nothing selected
    select(tab, INVOICE)
    assert tab.payment_button.isEnabled() and tab.credit_button.isEnabled()
    tab.open_payments()
    dialog = tab.dialog
    assert isinstance(dialog, RecordPaymentDialog)
    wait_idle(qtbot, window)
    assert dialog.amount.text() == "400.00"  # what is left, to pay it in full
    assert dialog.empty.isVisibleTo(dialog) and not dialog.table.isVisibleTo(dialog)
    dialog.amount.setText("150.00")
    assert dialog.effect.text() == "Leaves $250.00 to pay (partly paid)."
    dialog.amount.setText("450")
    assert dialog.effect.text() == "Pays the invoice; $50.00 beyond it becomes credit."
    dialog.amount.setText("12.345")
    dialog.record_button.click()
    assert dialog.status.text().startswith("Amount:")  # refused before anything is sent
    dialog.amount.setText("150.00")
    dialog.date.setDate(QDate(2026, 11, 10))
    dialog.method.setCurrentIndex(dialog.method.findData("cheque"))
    dialog.payer.setText("Acme Corp")
    dialog.record_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Recorded"), timeout=10_000)
    assert dialog.status.text() == "Recorded PMT-000001: $150.00. Left to pay: $250.00."
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    qtmodeltester.check(dialog.model)
    wait_idle(qtbot, window)
    assert row_texts(tab, INVOICE)[4] == f"{PART} · $250.00 left"  # the tab followed

    dialog.table.selectRow(0)
    assert not dialog.void_button.isEnabled()  # a reason first
    dialog.reason.setText("cheque bounced")
    assert dialog.void_button.isEnabled()
    dialog.void_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Voided"), timeout=10_000)
    qtbot.waitUntil(
        lambda: dialog.model.rowCount() == 1 and dialog.model.row_at(0).voided_on is not None,
        timeout=10_000,
    )
    wait_idle(qtbot, window)
    assert row_texts(tab, INVOICE)[4] == UNPAID
    dialog.close()


def test_a_credit_note_from_the_invoices_tab(qtbot: Any, acme: SqlStore) -> None:
    window = open_window(qtbot, acme)
    tab = invoices(qtbot, window)
    select(tab, INVOICE)
    tab.open_credit_note()
    dialog = tab.dialog
    assert isinstance(dialog, CreditNoteDialog)
    qtbot.waitUntil(lambda: dialog.line.count() == 3, timeout=10_000)
    items = [dialog.line.itemText(i) for i in range(dialog.line.count())]
    assert items[0] == "The whole invoice (up to $400.00)"
    assert sorted(items[1:]) == [
        "Line: SMS messages (up to $100.00)",
        "Line: Voice minutes (up to $300.00)",
    ]
    dialog.line.setCurrentIndex(dialog.line.findData("SMS"))
    dialog.amount.setText("120.00")
    assert dialog.effect.text() == "More than the $100.00 left."
    dialog.amount.setText("40.00")
    assert dialog.effect.text() == "Reduces what is due; $360.00 left to pay."
    assert not dialog.issue_button.isEnabled()  # a reason first
    dialog.reason.setText("SMS billed twice")
    dialog.issue_button.click()
    qtbot.waitUntil(
        lambda: dialog.status.text().startswith("Credit note CN-000001"), timeout=10_000
    )
    qtbot.waitUntil(lambda: "up to $60.00" in dialog.line.itemText(2) + dialog.line.itemText(1))
    wait_idle(qtbot, window)
    note = row_texts(tab, "CN-000001")
    assert note[3] == "-$40.00" and note[4] == "Credit note"
    assert note[7] == "Credit note · Correction of INV-000001, line SMS: SMS billed twice"
    assert row_texts(tab, INVOICE)[4] == f"{PART} · $360.00 left"
    select(tab, "CN-000001")
    assert tab.open_button.isEnabled() and not tab.payment_button.isEnabled()
    dialog.close()


def test_reconciling_an_imported_statement(
    qtbot: Any, qtmodeltester: Any, acme: SqlStore, tmp_path: Path
) -> None:
    window = open_window(qtbot, acme)
    tab = invoices(qtbot, window)
    tab.open_reconcile()
    dialog = tab.dialog
    assert isinstance(dialog, ReconcileDialog)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: "No bank lines wait" in dialog.empty.text(), timeout=10_000)
    assert dialog.empty.isVisibleTo(dialog) and not dialog.confirm_matched.isEnabled()
    bank = tmp_path / "bank.csv"
    bank.write_text(
        "date,amount,reference,payer\n"
        "2026-11-18,150.00,INV-000001 part,Acme Corp\n"
        "2026-11-19,99.00,Deposit refund,Landlord Ltd\n",
        encoding="utf-8",
    )
    dialog.import_file(bank)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=10_000)
    qtmodeltester.check(dialog.model)
    model = dialog.model
    texts = [[model.data(model.index(r, c)) for c in (1, 4, 5, 6)] for r in range(2)]
    assert texts == [
        ["$150.00", "Matched", INVOICE, "$400.00"],
        ["$99.00", "Unmatched", "—", "—"],
    ]
    dialog.table.selectRow(1)
    assert not dialog.confirm_selected.isEnabled()  # no invoice chosen for it
    assert dialog.dismiss_button.isEnabled()
    dialog.invoice.setCurrentIndex(dialog.invoice.findData(INVOICE))
    dialog.invoice.activated.emit(dialog.invoice.currentIndex())
    assert model.data(model.index(1, 5)) == INVOICE and dialog.confirm_selected.isEnabled()
    dialog.confirm_all_matched()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Recorded 1"), timeout=10_000)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    wait_idle(qtbot, window)
    assert row_texts(tab, INVOICE)[4] == f"{PART} · $250.00 left"
    dialog.table.selectRow(0)  # the deposit refund: not a payment
    dialog.dismiss_button.click()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=10_000)
    assert dialog.status.text() == "Set aside 1 line: not a payment of an invoice."
    assert dialog.empty.text().endswith("1 line(s) confirmed earlier, 1 set aside.")
    dialog.close()


def test_a_shared_account_user_sees_payments_but_changes_nothing(
    qtbot: Any, acme: SqlStore
) -> None:
    from billing_desktop.domain import model as m
    from billing_desktop.ui.dialogs.record_payment import VIEW_ONLY

    with acme() as uow:
        uow.users.add_many([m.User("sue", "Sue Shared", "sue@example.com", m.Role.SHARED)])
        uow.commit()
    window = open_window(qtbot, acme, "sue")
    tab = invoices(qtbot, window)
    select(tab, INVOICE)
    assert tab.payment_button.isEnabled() and not tab.credit_button.isEnabled()
    tab.open_payments()
    dialog = tab.dialog
    assert isinstance(dialog, RecordPaymentDialog)
    wait_idle(qtbot, window)
    assert not dialog.record_button.isEnabled() and not dialog.amount.isEnabled()
    assert dialog.record_button.toolTip() == VIEW_ONLY
    dialog.close()
    tab.open_reconcile()
    reconcile = tab.dialog
    assert isinstance(reconcile, ReconcileDialog)
    wait_idle(qtbot, window)
    assert not reconcile.import_button.isEnabled() and not reconcile.confirm_matched.isEnabled()
    reconcile.close()
