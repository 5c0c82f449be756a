"""Closed months and their stored rating."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from billing_desktop.domain.money import from_minor, to_minor
from billing_desktop.store.ports import (
    ClosedMonth,
    MonthLine,
)
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.repositories.common import (
    CurrencySource,
    _need,
    _savepoint,
)


class SqlClosing:
    def __init__(self, conn: sa.Connection, currency: CurrencySource) -> None:
        self._conn = conn
        self._currency = currency

    def all(self) -> list[ClosedMonth]:
        query = sa.select(t.closed_months).order_by(t.closed_months.c.month)
        return [ClosedMonth(**row._mapping) for row in self._conn.execute(query)]

    def get(self, month: date) -> ClosedMonth | None:
        query = sa.select(t.closed_months).where(t.closed_months.c.month == month)
        row = self._conn.execute(query).first()
        return None if row is None else ClosedMonth(**row._mapping)

    def add(self, closed: ClosedMonth, lines: Sequence[MonthLine]) -> None:
        currency = _need(self._currency.currency())
        with _savepoint(self._conn, lambda: self._clash(closed.month)):
            self._add(closed, lines, currency)

    def _clash(self, month: date) -> str:
        if self.get(month) is not None:
            return f"{month:%Y-%m}: the month is closed already"
        return f"{month:%Y-%m}: a product is given twice"

    def _add(self, closed: ClosedMonth, lines: Sequence[MonthLine], currency: str) -> None:
        self._conn.execute(
            t.closed_months.insert().values(
                month=closed.month,
                closed_at=closed.closed_at,
                closed_by=closed.closed_by,
                invoice_number=closed.invoice_number,
            )
        )
        if lines:
            self._conn.execute(
                t.month_lines.insert(),
                [
                    {
                        "month": closed.month,
                        "product": line.product,
                        "quantity": line.quantity,
                        "free_units_total": line.free_units_total,
                        "free_units_used": line.free_units_used,
                        "unit_price": line.unit_price,
                        "amount_minor": to_minor(line.amount, currency),
                        "credit_applied_minor": to_minor(line.credit_applied, currency),
                        "charged_minor": to_minor(line.charged, currency),
                        "balance_minor": to_minor(line.balance, currency),
                    }
                    for line in lines
                ],
            )

    def lines(self, month: date) -> list[MonthLine]:
        currency = _need(self._currency.currency())
        c = t.month_lines.c
        query = sa.select(t.month_lines).where(c.month == month).order_by(c.product)
        return [
            MonthLine(
                product=row.product,
                quantity=row.quantity,
                free_units_total=row.free_units_total,
                free_units_used=row.free_units_used,
                unit_price=row.unit_price,
                amount=from_minor(row.amount_minor, currency),
                credit_applied=from_minor(row.credit_applied_minor, currency),
                charged=from_minor(row.charged_minor, currency),
                balance=from_minor(row.balance_minor, currency),
            )
            for row in self._conn.execute(query)
        ]
