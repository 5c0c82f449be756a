"""Usage tab (PRODUCT §5): the rate-card products with usage in a month.

Balances, free units and commits come with the billing engine; this tab shows what the store
holds now: which products were used in the chosen month, and their list prices.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from billing_desktop.domain.access import Area
from billing_desktop.services import overview
from billing_desktop.services.overview import UsageProduct
from billing_desktop.ui.models.table import CENTER, Column, price_column, text_column
from billing_desktop.ui.tabs.base import TabContext, TableTab


def month_label(month: date) -> str:
    return f"{month:%B %Y}"


class UsageTab(TableTab):
    """Products with usage in the month picked in the month selector.

    Signals:
        loaded(): see :class:`TableTab`.
    """

    area = Area.USAGE

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.month_combo = QComboBox(self)
        self.month_combo.setObjectName("monthCombo")
        months = overview.recent_months(context.account)
        chosen = overview.month_start(context.month) if context.month else months[0]
        if chosen not in months:
            months.append(chosen)
            months.sort(reverse=True)
        for month in months:
            self.month_combo.addItem(month_label(month), month)
        self.month_combo.setCurrentIndex(months.index(chosen))
        self.month_combo.setToolTip("The billing month shown (in the account's time zone)")
        month_caption = QLabel("&Month:", self)
        month_caption.setBuddy(self.month_combo)
        self.toolbar.addWidget(month_caption)
        self.toolbar.addWidget(self.month_combo)
        self.month_combo.currentIndexChanged.connect(self.refresh)
        self._update_caption()

    @property
    def month(self) -> date:
        value = self.month_combo.currentData()
        assert isinstance(value, date)
        return value

    def columns(self) -> Sequence[Column[Any]]:
        currency = self.context.currency
        return [
            text_column("Product", lambda p: p.name),
            text_column("Code", lambda p: p.code),
            text_column("Unit", lambda p: p.unit.value),
            price_column(
                "Unit price",
                lambda p: p.unit_price,
                currency,
                "List price per unit, before free units and credits",
            ),
            Column[UsageProduct](
                "Contact center services",
                lambda p: "Yes" if p.contact_center_services else "No",
                CENTER,
                "Counts toward the Contact center services balance",
                lambda p: p.contact_center_services,
            ),
        ]

    def start_load(self) -> None:
        self._update_caption()
        self.load(overview.usage_products, self.context.actor, self.month)

    def _update_caption(self) -> None:
        zone = self.context.account.timezone if self.context.account else "UTC"
        self.caption.setText(
            f"Products with usage in {month_label(self.month)} "
            f"(calendar month in {zone}), at list price."
        )

    def empty_text(self) -> str:
        return (
            f"No usage recorded in {month_label(self.month)}.\n"
            "Products appear here once calls, conversations, messages or other usage are "
            "recorded for the month."
        )
