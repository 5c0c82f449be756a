"""Usage tab ▸ Explain this charge (a product row opens the walk-through of its figures) and
the Month-end forecast section (issue 20 §1, §2). Kept out of ``usage.py``: the tab calls
:func:`install` once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from billing_desktop.services.billing import ProductSummary
from billing_desktop.ui.dialogs.explain_charge import ExplainChargeDialog
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
