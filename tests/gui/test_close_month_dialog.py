"""Close month… on the Usage tab (issue 18 §1): who sees it, the preview, the close, and every
view following it."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Area
from billing_desktop.domain.periods import Month
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.month_close import close_month, preview_close
from billing_desktop.ui.dialogs.close_month import CloseMonthDialog
from billing_desktop.ui.tabs.invoices import InvoicesTab
from billing_desktop.ui.widgets.close_month_bar import months_sentence
from tests.gui.test_main_window import wait_idle
from tests.gui.test_usage_tab import usage_tab, window_of


def test_months_are_named_as_a_sentence() -> None:
    assert months_sentence([Month(2026, 10), Month(2026, 11)]) == (
        "October and November 2026 have ended and are not closed"
    )
    assert months_sentence([Month(2026, 12), Month(2027, 1), Month(2027, 2)]) == (
        "December 2026, January 2027 and February 2027 have ended and are not closed"
    )
    assert months_sentence([Month(2026, 11)]) == "November 2026 has ended and is not closed"


def test_viewers_do_not_see_the_close_bar(qtbot: Any, acme: SqlStore) -> None:
    tab = usage_tab(qtbot, acme, "sam")  # a supervisor: Usage view only
    assert not tab.close_bar.allowed
    assert tab.close_bar.isHidden()
    tab.close_bar.request_close()
    assert tab.close_month_dialog is None


def test_close_month_previews_then_closes_and_every_view_follows(
    qtbot: Any, acme: SqlStore, today: date
) -> None:
    tab = usage_tab(qtbot, acme, "eve")  # Edit Billing
    window = window_of(tab)
    bar = tab.close_bar
    qtbot.waitUntil(lambda: bar.isVisible(), timeout=5000)
    oldest, newer = Month.of(today).plus(-2), Month.of(today).plus(-1)
    assert bar.months == [oldest, newer]
    assert bar.label.text().startswith(months_sentence([oldest, newer]))
    assert "Close" in bar.button.text()

    qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    dialog = tab.close_month_dialog
    assert isinstance(dialog, CloseMonthDialog) and dialog.month == oldest
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=5000)
    with acme() as uow:
        expected = preview_close(uow, resolve_actor(uow, "eve"), oldest, today)
    assert dialog.plan == expected
    assert dialog.ledger_model.rowCount() == len(expected.ledger_rows) > 0
    assert dialog.lines_model.rowCount() == len(expected.lines)
    assert dialog.close_button.isEnabled() and dialog.close_button.isDefault()

    # Enter on the default button closes the month (keyboard), off the GUI thread.
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert dialog.report is not None and not dialog.report.already_closed
    assert "Closed" in dialog.status.text()
    dialog.accept()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: bar.months == [newer], timeout=5000)

    # The closed month is read-only in Usage, and its invoice is in Invoices.
    tab.month_combo.setCurrentIndex(tab._month_index(oldest))
    qtbot.waitUntil(lambda: tab.page is not None and tab.page.month == oldest, timeout=5000)
    assert tab.page is not None and tab.page.summary.closed
    assert "read-only" in (tab.manage_refusal() or "")
    second = CloseMonthDialog(tab.context, newer, tab)
    qtbot.addWidget(second)
    qtbot.waitUntil(lambda: second.plan is not None, timeout=5000)
    second.close_month()
    qtbot.waitUntil(lambda: second.report is not None, timeout=10_000)
    invoice = second.report.invoice if second.report else None
    assert invoice is not None
    invoices = window.select_area(Area.INVOICES)
    assert isinstance(invoices, InvoicesTab)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: invoices.loaded_once, timeout=5000)
    shown = [invoices.model.index(r, 0).data() for r in range(invoices.model.rowCount())]
    assert invoice.number in shown
    window.select_area(Area.USAGE)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: bar.isHidden(), timeout=5000)


def test_a_refused_close_is_shown_in_the_dialog(qtbot: Any, acme: SqlStore, today: date) -> None:
    tab = usage_tab(qtbot, acme, "eve")
    newer = Month.of(today).plus(-1)
    dialog = CloseMonthDialog(tab.context, newer, tab)  # not the oldest: refused
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.status.isHidden(), timeout=5000)
    assert f"close {Month.of(today).plus(-2)} first" in dialog.status.text()
    assert not dialog.close_button.isEnabled()


def test_a_month_closed_elsewhere_offers_nothing_to_close(
    qtbot: Any, acme: SqlStore, today: date
) -> None:
    tab = usage_tab(qtbot, acme, "eve")
    oldest = Month.of(today).plus(-2)
    with acme() as uow:
        close_month(uow, resolve_actor(uow, "ada"), oldest, today=today)
        uow.commit()
    dialog = CloseMonthDialog(tab.context, oldest, tab)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=5000)
    assert "is closed already" in dialog.summary.text()
    assert not dialog.close_button.isEnabled()
    dialog.close_month()
    assert dialog.report is None
