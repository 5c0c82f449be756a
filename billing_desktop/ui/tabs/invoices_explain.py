"""Invoices tab ▸ right-click an invoice: its lines, each opening the walk-through of its
charge (issue 20 §1). A context menu, not a button: the filter row keeps its width. Kept out of
``invoices.py``: the tab calls :func:`install` once."""

from __future__ import annotations

from functools import partial
from typing import Any, Protocol

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QTableView, QWidget

from billing_desktop.domain.access import Area
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import UsageSummary, usage_summary
from billing_desktop.services.statements import HistoryRow
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.dialogs.explain_charge import ExplainChargeDialog
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.locale_format import format_money
from billing_desktop.ui.models.table import ColumnTableModel


class InvoicesTab(Protocol):
    """What the hook needs of the Invoices tab (not imported: the tab imports this module)."""

    context: TabContext
    table: QTableView
    menu_at: QPoint
    explain_menu: QWidget | None
    explain_dialog: QWidget | None

    @property
    def model(self) -> ColumnTableModel[Any]: ...

    @property
    def selected(self) -> HistoryRow | None: ...


TIP = tr("Right-click an invoice to see how each of its lines is made up")


def install(tab: InvoicesTab) -> None:
    table = tab.table
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    table.customContextMenuRequested.connect(lambda pos: _requested(tab, pos))
    if tab.context.actor.rights.can_view(Area.USAGE):
        table.setToolTip(TIP)


def can_explain(tab: InvoicesTab) -> bool:
    """An invoice of a month is selected and the user may see Usage."""
    chosen = tab.selected
    allowed = tab.context.actor.rights.can_view(Area.USAGE)
    return chosen is not None and bool(chosen.period) and allowed


def _requested(tab: InvoicesTab, pos: QPoint) -> None:
    index = tab.table.indexAt(pos)
    if not index.isValid():
        return
    tab.table.selectRow(index.row())
    if can_explain(tab):
        tab.menu_at = tab.table.viewport().mapToGlobal(pos)
        lines_menu(tab)


def lines_menu(tab: InvoicesTab, show: bool = True) -> None:
    """Read the invoice's month and offer its lines (``show``: pop the menu up where the user
    clicked; else it is only built, in ``tab.explain_menu``)."""
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
        text = tr("{name} — {format_money} charged").format(
            name=product.name, format_money=format_money(product.charged, summary.currency)
        )
        action = QAction(text, menu)
        action.triggered.connect(
            lambda _checked=False, code=product.code: open_explanation(tab, summary.month, code)
        )
        menu.addAction(action)
    if not summary.products:
        menu.addAction(tr("No lines in this month")).setEnabled(False)
    tab.explain_menu = menu
    if show:
        menu.popup(tab.menu_at)


def open_explanation(tab: InvoicesTab, month: Month, code: str) -> ExplainChargeDialog:
    from billing_desktop.ui.tabs.usage_explain import call_log

    dialog = ExplainChargeDialog(
        tab.context, month, code, tab.table, partial(call_log, tab.context)
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    tab.explain_dialog = dialog
    dialog.show()
    return dialog
