"""Usage tab ▸ Explain this charge (a product row opens the walk-through of its figures) and
the Month-end forecast section (issue 20 §1, §2). Kept out of ``usage.py``: the tab calls
:func:`install` once."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QDate, QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QWidget,
)

from billing_desktop.domain.periods import Month, account_today
from billing_desktop.services.billing import ProductSummary
from billing_desktop.services.usage_page import UsagePage
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.models.table import ColumnTableModel
from billing_desktop.ui.widgets.forecast_panel import ForecastPanel

if TYPE_CHECKING:  # imported when first opened: its chart (pyqtgraph) is not needed at start
    from billing_desktop.services.usage_data import CallQuery
    from billing_desktop.ui.dialogs.explain_charge import ExplainChargeDialog
    from billing_desktop.ui.dialogs.what_if import WhatIfDialog


class UsageTab(Protocol):
    """What the hooks need of the Usage tab (not imported: the tab imports this module)."""

    context: TabContext
    table: QTableView
    toolbar: QHBoxLayout
    refresh_button: QPushButton
    sections: QTabWidget
    loaded: Any
    forecast_panel: QWidget | None
    what_if_dialog: QWidget | None
    explain_dialog: QWidget | None

    @property
    def model(self) -> ColumnTableModel[Any]: ...

    @property
    def month(self) -> Month: ...

    @property
    def page(self) -> UsagePage | None: ...


def install(tab: UsageTab) -> None:
    """Double-click a product row, or right-click it ▸ Explain this charge…"""
    table = tab.table
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    table.customContextMenuRequested.connect(lambda pos: _menu(tab, pos))
    table.doubleClicked.connect(lambda index: explain_row(tab, index.row()))
    table.setToolTip(
        tr("Double-click a product (or right-click it) to see how its charge is made up")
    )
    button = QPushButton(tr("What &if…"), tab.table)
    button.setObjectName("whatIfButton")
    button.setToolTip(
        tr(
            "Try other agents, a commit or a price on an open month and see its invoice "
            "and unit costs beside today's (nothing is saved)"
        )
    )
    button.clicked.connect(lambda: open_what_if(tab))
    tab.toolbar.insertWidget(tab.toolbar.indexOf(tab.refresh_button), button)
    panel = ForecastPanel(tab.context)
    tab.forecast_panel = panel
    # Scrolls rather than making the window taller than the other sections need.
    page = QScrollArea(tab.sections)
    page.setObjectName("forecastScroll")
    page.setWidgetResizable(True)
    page.setFrameShape(QFrame.Shape.NoFrame)
    page.setWidget(panel)
    index = tab.sections.addTab(page, tr("Month-end forecast"))
    tab.sections.setTabToolTip(index, tr("Where the current month will end, from its run-rate"))

    def shown() -> bool:
        return tab.sections.currentWidget() is page

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
    action = QAction(tr("&Explain this charge…"), menu)
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
    from billing_desktop.ui.dialogs.what_if import WhatIfDialog

    dialog = WhatIfDialog(tab.context, months, products, tab.table)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    tab.what_if_dialog = dialog
    dialog.show()
    return dialog


def call_log(context: TabContext, query: CallQuery, parent: QWidget) -> QWidget:
    """The Usage Data tab's call log, showing ``query`` (for the explanation's records)."""
    from billing_desktop.ui.tabs.call_log import CallLogSection

    section = CallLogSection(context, parent)
    if query.first is not None and query.last is not None:
        section.from_edit.setDate(QDate(query.first.year, query.first.month, query.first.day))
        section.to_edit.setDate(QDate(query.last.year, query.last.month, query.last.day))
    section.set_query(query)
    return section


def explain_row(tab: UsageTab, row: int) -> ExplainChargeDialog | None:
    """Open the explanation of the product in ``row`` of the month shown."""
    if tab.page is None or not 0 <= row < tab.model.rowCount():
        return None
    product = tab.model.row_at(row)
    assert isinstance(product, ProductSummary)
    from billing_desktop.ui.dialogs.explain_charge import ExplainChargeDialog

    dialog = ExplainChargeDialog(
        tab.context, tab.page.month, product.code, tab.table, partial(call_log, tab.context)
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    tab.explain_dialog = dialog
    dialog.show()
    return dialog
