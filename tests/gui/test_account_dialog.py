"""File ▸ My account… (issue 19 §1, §2) and the extension decision in Plans ▸ Manage (§6)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.services import payment_methods as pm
from billing_desktop.services import plans
from billing_desktop.services.context import resolve_actor
from billing_desktop.ui.dialogs.account import AccountDialog
from billing_desktop.ui.dialogs.prepaid import PrepaidDialog
from billing_desktop.ui.main_window import MainWindow
from tests.gui.test_main_window import open_window, wait_idle
from tests.gui.test_plans_tab import act, open_dialog


@pytest.fixture
def window(qtbot: Any, populated_store: SqlStore) -> Iterator[MainWindow]:
    opened = open_window(qtbot, populated_store, "ada")
    wait_idle(qtbot, opened)
    yield opened
    wait_idle(qtbot, opened)


def open_account(qtbot: Any, window: MainWindow, page: int = 0) -> AccountDialog:
    assert window.account_action.isEnabled()
    window.open_account(page)
    dialog = window.account_dialog
    assert isinstance(dialog, AccountDialog)
    qtbot.waitUntil(lambda: dialog.details is not None and not dialog.busy, timeout=10_000)
    return dialog


def run_action(qtbot: Any, dialog: AccountDialog, button: Any) -> None:
    assert button.isEnabled()
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_account_is_edited_and_saved_in_one_change(
    qtbot: Any, window: MainWindow, populated_store: SqlStore
) -> None:
    assert window.account_action.text() == "My &account…"
    dialog = open_account(qtbot, window)
    assert dialog.name_edit.text() == window.workspace.account.name  # type: ignore[union-attr]
    assert dialog.changed_values() == {}
    dialog.vat_edit.setText("DE 136695976")
    dialog.address_edit.setPlainText("Hauptstr. 1\n10115 Berlin")
    assert set(dialog.changed_values()) == {"vat_id", "address"}
    run_action(qtbot, dialog, dialog.save_button)
    assert dialog.status.text() == "Saved postal address, vat id."
    assert dialog.vat_edit.text() == "DE136695976"
    with populated_store() as uow:
        assert uow.settings.get("account_profile") == {
            "address": ["Hauptstr. 1", "10115 Berlin"],
            "vat_id": "DE136695976",
        }
    dialog.contacts_edit.setText("not an address")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.status_is_error, timeout=10_000)
    assert "is not an e-mail address" in dialog.status.text()


def test_a_card_is_checked_here_and_its_number_cleared(
    qtbot: Any, window: MainWindow, populated_store: SqlStore, qtmodeltester: Any
) -> None:
    dialog = open_account(qtbot, window, page=1)
    assert dialog.empty_label.isVisibleTo(dialog) and not dialog.methods_table.isVisibleTo(dialog)
    dialog.card_number.setText("4111 1111 1111 1112")
    dialog.card_cvc.setText("123")
    qtbot.mouseClick(dialog.add_card_button, Qt.MouseButton.LeftButton)
    assert dialog.status_is_error and "check digit" in dialog.status.text()
    assert dialog.card_cvc.text() == ""  # the CVC never stays in the field
    dialog.card_number.setText("4111 1111 1111 1111")
    dialog.card_cvc.setText("123")
    dialog.card_expiry.setText("08/30")
    dialog.card_holder.setText("Ada Admin")
    run_action(qtbot, dialog, dialog.add_card_button)
    assert dialog.status.text() == "Added Visa •••• 1111. It is the default."
    assert (dialog.card_number.text(), dialog.card_cvc.text(), dialog.card_holder.text()) == (
        "", "", "",
    )  # fmt: skip
    model = dialog.methods_model
    qtmodeltester.check(model)
    assert [model.data(model.index(0, c)) for c in range(4)] == [
        "Visa •••• 1111", "08/30", "Ada Admin", "Default",
    ]  # fmt: skip
    dialog.bank_iban.setText("DE89 3704 0044 0532 0130 00")
    dialog.bank_name.setText("Main account")
    run_action(qtbot, dialog, dialog.add_bank_button)
    dialog.methods_table.selectRow(1)
    run_action(qtbot, dialog, dialog.default_button)
    assert "Bank account •••• 3000 is now the default" in dialog.status.text()
    assert "default card on file" in dialog.auto_note.text()  # a bank account is not a card
    with populated_store() as uow:
        stored = str(uow.settings.get(pm.SETTING_KEY))
    assert "4111111111111111" not in stored and "'123'" not in stored


def test_who_may_not_edit_sees_the_account_read_only(qtbot: Any, populated_store: SqlStore) -> None:
    opened = open_window(qtbot, populated_store, "sam")
    wait_idle(qtbot, opened)
    dialog = open_account(qtbot, opened)
    assert not dialog.can_edit
    for widget in (dialog.name_edit, dialog.save_button, dialog.add_card_button):
        assert not widget.isEnabled()
        assert "right to edit Usage" in widget.toolTip()
    dialog.close()
    wait_idle(qtbot, opened)
    agent = open_window(qtbot, populated_store, "alex")
    wait_idle(qtbot, agent)
    assert not agent.account_action.isEnabled()


def test_an_admin_approves_a_pending_extension_in_manage(
    qtbot: Any, populated_store: SqlStore
) -> None:
    today = datetime.now(UTC).date()
    asked_end = date(today.year + 1, 1, 31) if today.month < 11 else date(today.year + 1, 3, 31)
    with populated_store() as uow:
        plans.request_extension(uow, resolve_actor(uow, "ada"), "careers", "Pilot", asked_end)
        uow.commit()
    window = open_window(qtbot, populated_store, "ada")
    window.select_area(Area.PLANS)
    wait_idle(qtbot, window)
    dialog = open_dialog(qtbot, window, "careers")
    assert dialog.decision_row.isVisibleTo(dialog)
    granted = date(asked_end.year, asked_end.month, 15)
    dialog.grant_edit.setDate(QDate(granted.year, granted.month, granted.day))
    act(qtbot, dialog, dialog.approve_button)
    assert (
        dialog.status.text() == f"Extension approved: the plan now ends on {granted.isoformat()}."
    )
    assert not dialog.decision_row.isVisibleTo(dialog)  # nothing pending any more
    assert "granted until" in dialog.extensions_label.text()
    dialog.close()
    wait_idle(qtbot, window)


def test_prepaid_invoices_are_issued_and_paid_from_invoices(
    qtbot: Any, store: SqlStore, qtmodeltester: Any
) -> None:
    from tests.usage_workspace import build

    with store() as uow:
        build(uow, datetime.now(UTC).date(), m.PaymentMethod.INVOICE)
        uow.commit()
    window = open_window(qtbot, store, "ada")
    window.select_area(Area.INVOICES)
    wait_idle(qtbot, window)
    tab = window.tab_pages[Area.INVOICES]
    assert tab.prepaid_button.isVisibleTo(tab)  # type: ignore[attr-defined]
    tab.open_prepaid()  # type: ignore[attr-defined]
    dialog = tab.prepaid_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, PrepaidDialog)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert dialog.empty.isVisibleTo(dialog)
    dialog.amount.setText("300")
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text().startswith("Prepaid invoice PRE-000001 of $300.00 issued")
    qtmodeltester.check(dialog.model)
    dialog.table.selectRow(0)
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        qtbot.mouseClick(dialog.paid_button, Qt.MouseButton.LeftButton)
    assert dialog.model.data(dialog.model.index(0, 4)) == "Paid"
    assert not dialog.paid_button.isEnabled()
    dialog.close()
    wait_idle(qtbot, window)
    numbers = [r.number for r in tab.model.rows]  # type: ignore[attr-defined]
    assert "PRE-000001" in numbers  # the Invoices tab followed the write
