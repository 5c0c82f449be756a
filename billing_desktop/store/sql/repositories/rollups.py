"""The hourly usage rollups."""

from __future__ import annotations

import typing
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from billing_desktop.domain.errors import StoreError
from billing_desktop.store.ports import (
    RollupRow,
)
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.repositories.common import (
    INSERT_BATCH,
    chunks,
)

MICRO = Decimal("0.000001")


def to_micro_units(quantity: Decimal) -> int:
    scaled = quantity.scaleb(6)
    if scaled != scaled.to_integral_value():
        raise StoreError(f"{quantity} has more than 6 decimals; usage quantities cannot")
    return int(scaled)


def from_micro_units(value: int) -> Decimal:
    return (Decimal(value) * MICRO).normalize() if value else Decimal(0)


class SqlRollups:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, deltas: typing.Mapping[tuple[date, int, str, str], Decimal]) -> None:
        rows = [
            {
                "day": day,
                "hour": hour,
                "app": app,
                "measure": measure,
                "quantity": to_micro_units(quantity),
            }
            for (day, hour, app, measure), quantity in sorted(deltas.items())
            if quantity
        ]
        if not rows:
            return
        dialect = self._conn.dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
        statement = upsert(t.usage_hourly)
        statement = statement.on_conflict_do_update(
            index_elements=["day", "hour", "app", "measure"],
            # A changed rollup is stamped again for the replicas (sync_seq, revision 0014).
            set_={
                "quantity": t.usage_hourly.c.quantity + statement.excluded.quantity,
                "sync_seq": None,
            },
        )
        for part in chunks(rows, INSERT_BATCH):
            self._conn.execute(statement, list(part))

    def totals(self, first: date, last: date, app: str | None = None) -> dict[str, Decimal]:
        c = t.usage_hourly.c
        query = (
            sa.select(c.measure, sa.func.sum(c.quantity))
            .where(c.day >= first, c.day <= last)
            .group_by(c.measure)
        )
        if app is not None:
            query = query.where(c.app == app)
        return {
            measure: from_micro_units(int(total)) for measure, total in self._conn.execute(query)
        }

    def rows(
        self, first: date, last: date, measures: Sequence[str], app: str | None = None
    ) -> list[RollupRow]:
        c = t.usage_hourly.c
        query = (
            sa.select(c.day, c.hour, c.measure, sa.func.sum(c.quantity))
            .where(c.day >= first, c.day <= last, c.measure.in_(list(measures)))
            .group_by(c.day, c.hour, c.measure)
            .order_by(c.day, c.hour, c.measure)
        )
        if app is not None:
            query = query.where(c.app == app)
        return [
            RollupRow(day, hour, app or "", measure, from_micro_units(int(total)))
            for day, hour, measure, total in self._conn.execute(query)
        ]

    def span(self, measures: Sequence[str] | None = None) -> tuple[date, date] | None:
        c = t.usage_hourly.c
        query = sa.select(sa.func.min(c.day), sa.func.max(c.day))
        if measures is not None:
            query = query.where(c.measure.in_(list(measures)))
        first, last = self._conn.execute(query).one()
        return None if first is None else (first, last)

    def clear(self) -> None:
        self._conn.execute(t.usage_hourly.delete())
