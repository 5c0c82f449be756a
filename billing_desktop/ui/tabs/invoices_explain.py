"""Invoices tab ▸ Explain a line…: the selected invoice's lines, each opening the walk-through
of its charge (issue 20 §1). Kept out of ``invoices.py``: the tab calls :func:`install` once."""

from __future__ import annotations

from functools import partial
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton, QTableView, QWidget

from billing_desktop.domain.access import Area
from billing_desktop.domain.money import format_money
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import UsageSummary, usage_summary
from billing_desktop.services.statements import HistoryRow
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.dialogs.explain_charge import ExplainChargeDialog
from billing_desktop.ui.models.table import ColumnTableModel


class InvoicesTab(Protocol):
    """What the hook needs of the Invoices tab (not imported: the tab imports this module)."""

    context: TabContext
    table: QTableView
    filters: QWidget
    explain_button: QPushButton | None
    explain_menu: QWidget | None
    explain_dialog: QWidget | None

    @property
    def model(self) -> ColumnTableModel[Any]: ...

    @property
    def selected(self) -> HistoryRow | None: ...


TIP = "Pick a line of the selected invoice to see how its charge is made up"


def install(tab: InvoicesTab) -> None:
    button = QPushButton("&Explain a line…", tab.filters)
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
    menu = QMenu(tab.table)
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
    from billing_desktop.ui.tabs.usage_explain import call_log

    dialog = ExplainChargeDialog(
        tab.context, month, code, tab.table, partial(call_log, tab.context)
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    tab.explain_dialog = dialog
    dialog.show()
    return dialog
