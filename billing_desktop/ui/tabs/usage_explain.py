"""Usage tab ▸ Explain this charge (a product row opens the walk-through of its figures) and
the Month-end forecast section (issue 20 §1, §2). Kept out of ``usage.py``: the tab calls
:func:`install` once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QPushButton

from billing_desktop.domain.periods import Month, account_today
from billing_desktop.services.billing import ProductSummary
from billing_desktop.ui.dialogs.explain_charge import ExplainChargeDialog
from billing_desktop.ui.dialogs.what_if import WhatIfDialog
from billing_desktop.ui.widgets.forecast_panel import ForecastPanel

if TYPE_CHECKING:
    from billing_desktop.ui.tabs.usage import UsageTab


def install(tab: UsageTab) -> None:
    """Double-click a product row, or right-click it ▸ Explain this charge…"""
    table = tab.table
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    table.customContextMenuRequested.connect(lambda pos: _menu(tab, pos))
    table.doubleClicked.connect(lambda index: explain_row(tab, index.row()))
    table.setToolTip("Double-click a product (or right-click it) to see how its charge is made up")
    button = QPushButton("What &if…", tab)
    button.setObjectName("whatIfButton")
    button.setToolTip(
        "Try other agents, a commit or a price on an open month and see its invoice and unit "
        "costs beside today's (nothing is saved)"
    )
    button.clicked.connect(lambda: open_what_if(tab))
    tab.toolbar.insertWidget(tab.toolbar.indexOf(tab.refresh_button), button)
    panel = ForecastPanel(tab.context, tab.sections)
    tab.forecast_panel = panel
    index = tab.sections.addTab(panel, "Month-end forecast")
    tab.sections.setTabToolTip(index, "Where the current month will end, from its run-rate")

    def shown() -> bool:
        return tab.sections.currentWidget() is panel

    tab.sections.currentChanged.connect(lambda _i: panel.ensure_loaded() if shown() else None)

    def reloaded() -> None:
        panel.stale = True
        if shown():
            panel.ensure_loaded()

    tab.loaded.connect(reloaded)


def _menu(tab: UsageTab, pos: QPoint) -> None:
    index: QModelIndex = tab.table.indexAt(pos)
    if not index.isValid():
        return
    menu = QMenu(tab.table)
    action = QAction("&Explain this charge…", menu)
    action.triggered.connect(lambda: explain_row(tab, index.row()))
    menu.addAction(action)
    menu.popup(tab.table.viewport().mapToGlobal(pos))


def open_what_if(tab: UsageTab) -> WhatIfDialog:
    """The What if… dialog, on the current month and the next (open months only)."""
    account = tab.context.account
    current = Month.of(account_today(account)) if account is not None else tab.month
    months = [current, current.plus(1)]
    page = tab.page
    products: list[tuple[str, str]] = []
    if page is not None:
        products = [(p.code, p.name) for p in sorted(page.summary.products, key=lambda p: p.name)]
    dialog = WhatIfDialog(tab.context, months, products, tab)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    tab.what_if_dialog = dialog
    dialog.show()
    return dialog


def explain_row(tab: UsageTab, row: int) -> ExplainChargeDialog | None:
    """Open the explanation of the product in ``row`` of the month shown."""
    if tab.page is None or not 0 <= row < tab.model.rowCount():
        return None
    product = tab.model.row_at(row)
    assert isinstance(product, ProductSummary)
    dialog = ExplainChargeDialog(tab.context, tab.page.month, product.code, tab)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    tab.explain_dialog = dialog
    dialog.show()
    return dialog
