"""The ledger: every money change, one row each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from billing_desktop.domain import model as m
from billing_desktop.domain.money import from_minor
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.repositories.collections import MAPPERS
from billing_desktop.store.sql.repositories.common import (
    CurrencySource,
    _need,
)


class SqlLedger:
    def __init__(self, conn: sa.Connection, currency: CurrencySource) -> None:
        self._conn = conn
        self._currency = currency
        self._mapper = MAPPERS["ledger"]

    def add_many(self, entries: Sequence[m.LedgerEntry]) -> None:
        currency = self._currency.currency()
        rows = [self._mapper.to_row(e, currency) for e in entries]
        for row in rows:
            row.pop("id", None)
        if rows:
            self._conn.execute(t.ledger.insert(), rows)

    def all(self) -> list[m.LedgerEntry]:
        return self._select(sa.true())

    def between(self, first: date, last: date) -> list[m.LedgerEntry]:
        c = t.ledger.c
        return self._select(sa.and_(c.occurred_on >= first, c.occurred_on <= last))

    def _select(self, condition: sa.ColumnElement[bool]) -> list[m.LedgerEntry]:
        currency = self._currency.currency()
        query = sa.select(t.ledger).where(condition).order_by(t.ledger.c.occurred_on, t.ledger.c.id)
        return [self._mapper.from_row(row, currency) for row in self._conn.execute(query)]

    def pool_totals(self, before: date) -> dict[str, Decimal]:
        currency = _need(self._currency.currency())
        c = t.ledger.c
        query = (
            sa.select(c.pool, sa.func.sum(c.amount_minor))
            .where(c.occurred_on < before)
            .group_by(c.pool)
        )
        return {pool: from_minor(int(total), currency) for pool, total in self._conn.execute(query)}
