"""Invoices tab ▸ Explain a line…: the selected invoice's lines, each opening the walk-through
of its charge (issue 20 §1). Kept out of ``invoices.py``: the tab calls :func:`install` once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton

from billing_desktop.domain.access import Area
from billing_desktop.domain.money import format_money
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import UsageSummary, usage_summary
from billing_desktop.ui.context import read
from billing_desktop.ui.dialogs.explain_charge import ExplainChargeDialog

if TYPE_CHECKING:
    from billing_desktop.ui.tabs.invoices import InvoicesTab

TIP = "Pick a line of the selected invoice to see how its charge is made up"


def install(tab: InvoicesTab) -> None:
    button = QPushButton("&Explain a line…", tab)
    button.setObjectName("explainLineButton")
    button.setToolTip(TIP)
    row = tab.filters.layout()
    assert isinstance(row, QHBoxLayout)
    row.insertWidget(row.count() - 1, button)  # before Statements…
    tab.explain_button = button
    button.clicked.connect(lambda: lines_menu(tab))
    button.setAutoDefault(False)

    def update() -> None:
        chosen = tab.selected
        allowed = tab.context.actor.rights.can_view(Area.USAGE)
        button.setEnabled(chosen is not None and bool(chosen.period) and allowed)
        if not allowed:
            button.setToolTip("Explaining a charge takes the right to view Usage")

    tab.table.selectionModel().selectionChanged.connect(update)
    tab.model.modelReset.connect(update)
    update()


def lines_menu(tab: InvoicesTab, show: bool = True) -> None:
    """Read the invoice's month and offer its lines (``show``: pop the menu up under the
    button; else it is only built, in ``tab.explain_menu``)."""
    chosen = tab.selected
    if chosen is None or not chosen.period:
        return
    month = Month.parse(chosen.period)
    tab.context.runner.run(
        read,
        tab.context.store,
        usage_summary,
        tab.context.actor,
        month,
        on_done=lambda summary: _offer(tab, summary, show),
        description="read the invoice's lines",
    )


def _offer(tab: InvoicesTab, summary: Any, show: bool) -> None:
    assert isinstance(summary, UsageSummary)
    menu = QMenu(tab)
    menu.setObjectName("explainLinesMenu")
    for product in sorted(summary.products, key=lambda p: p.name.casefold()):
        text = f"{product.name} — {format_money(product.charged, summary.currency)} charged"
        action = QAction(text, menu)
        action.triggered.connect(
            lambda _checked=False, code=product.code: open_explanation(tab, summary.month, code)
        )
        menu.addAction(action)
    if not summary.products:
        menu.addAction("No lines in this month").setEnabled(False)
    tab.explain_menu = menu
    button = tab.explain_button
    assert button is not None
    if show:
        menu.popup(button.mapToGlobal(button.rect().bottomLeft()))


def open_explanation(tab: InvoicesTab, month: Month, code: str) -> ExplainChargeDialog:
    dialog = ExplainChargeDialog(tab.context, month, code, tab)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    tab.explain_dialog = dialog
    dialog.show()
    return dialog
