"""Invoices tab (PRODUCT §8): the invoice history, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from billing_desktop.domain.access import Area
from billing_desktop.domain.model import InvoiceStatus
from billing_desktop.services import overview
from billing_desktop.services.overview import InvoiceHistory, InvoiceRow
from billing_desktop.ui.models.table import LEFT, NEGATIVE, Column, money_column, text_column
from billing_desktop.ui.tabs.base import TableTab

STATUS_TITLES = {
    InvoiceStatus.ISSUED: "Issued",
    InvoiceStatus.PAID: "Paid",
    InvoiceStatus.OVERDUE: "Overdue",
}


class InvoicesTab(TableTab):
    """Invoices with number, date, billed month, amount and status.

    Signals:
        loaded(): see :class:`TableTab`.
    """

    area = Area.INVOICES

    def columns(self) -> Sequence[Column[Any]]:
        return [
            text_column("Invoice", lambda i: i.number),
            text_column("Issued", lambda i: i.issued_on),
            text_column("Period", lambda i: i.period, "The billed month"),
            money_column("Amount", lambda i: i.amount, self.context.currency),
            Column[InvoiceRow](
                "Status",
                lambda i: STATUS_TITLES.get(i.status, str(i.status)),
                LEFT,
                raw=lambda i: i.status,
                foreground=lambda i: NEGATIVE if i.status == InvoiceStatus.OVERDUE else None,
            ),
        ]

    def start_load(self) -> None:
        self.caption.setText(
            "Invoice history, newest first. Usage is invoiced at the start of the month after."
        )
        self.load(overview.invoices, self.context.actor)

    def rows_of(self, result: Any) -> Sequence[Any]:
        assert isinstance(result, InvoiceHistory)
        return list(result.rows)

    def unavailable_text(self, result: Any) -> str | None:
        assert isinstance(result, InvoiceHistory)
        return result.unavailable

    def empty_text(self) -> str:
        return (
            "No invoices yet.\nInvoices are issued at the start of each month for the month before."
        )
