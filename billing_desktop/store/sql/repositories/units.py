"""Billing units and their members."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from billing_desktop.domain import model as m
from billing_desktop.domain.errors import Conflict
from billing_desktop.domain.unit_history import MembershipChange
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.repositories.common import (
    _savepoint,
)


class SqlBillingUnits:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def all(self) -> list[m.BillingUnit]:
        members: dict[int, list[str]] = {}
        for unit_id, user_id in self._conn.execute(
            sa.select(t.billing_unit_users.c.unit_id, t.billing_unit_users.c.user_id).order_by(
                t.billing_unit_users.c.user_id
            )
        ):
            members.setdefault(unit_id, []).append(user_id)
        numbers: dict[int, list[str]] = {}
        for unit_id, number in self._conn.execute(
            sa.select(t.billing_unit_numbers.c.unit_id, t.billing_unit_numbers.c.number).order_by(
                t.billing_unit_numbers.c.number
            )
        ):
            numbers.setdefault(unit_id, []).append(number)
        return [
            m.BillingUnit(
                id=unit_id,
                name=name,
                user_ids=tuple(members.get(unit_id, ())),
                numbers=tuple(numbers.get(unit_id, ())),
            )
            for unit_id, name in self._conn.execute(
                sa.select(t.billing_units.c.id, t.billing_units.c.name).order_by(
                    t.billing_units.c.name
                )
            )
        ]

    def names(self) -> dict[int, str]:
        c = t.billing_units.c
        return {
            int(unit_id): str(name) for unit_id, name in self._conn.execute(sa.select(c.id, c.name))
        }

    def add(self, name: str) -> m.BillingUnit:
        # One more than the highest id stored, on every backend (SQLite's own rule), never a
        # sequence's next value: an id restore() put back cannot collide with a new one, and
        # an add that was rolled back uses no id up.
        # One statement (the id, the row, and nothing written on a clash: no savepoint), as
        # a server's unit writes run it while they hold the units' version (B10).
        if self._conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        c = t.billing_units.c
        next_id = sa.func.coalesce(sa.func.max(c.id), 0) + 1
        # WHERE: SQLite reads "INSERT ... SELECT ... ON CONFLICT" only with one in the SELECT.
        chosen = sa.select(next_id, sa.literal(name, t.billing_units.c.name.type)).where(sa.true())
        added = self._conn.execute(
            insert(t.billing_units)
            .from_select(["id", "name"], chosen)
            .on_conflict_do_nothing()
            .returning(c.id)
        ).scalar()
        if added is None:
            taken = sa.select(c.id).where(c.name == name)
            if self._conn.execute(taken).first() is not None:
                raise Conflict(f"billing unit '{name}': the name is taken")
            raise Conflict(
                f"billing unit '{name}': another unit was added at the same moment; try again"
            )
        return m.BillingUnit(id=int(added), name=name)

    def _clash(self, unit: m.BillingUnit) -> str:
        taken = sa.select(t.billing_units.c.id).where(t.billing_units.c.name == unit.name)
        if self._conn.execute(taken).first() is not None:
            return f"billing unit '{unit.name}': the name is taken"
        if self.get(unit.id) is not None:
            return f"billing unit {unit.id}: the id is taken"
        return f"billing unit '{unit.name}': a member is not in the store or in another unit"

    def set_members(self, unit_id: int, user_ids: Sequence[str], numbers: Sequence[str]) -> None:
        with _savepoint(self._conn):
            self._conn.execute(
                t.billing_unit_users.delete().where(t.billing_unit_users.c.unit_id == unit_id)
            )
            self._conn.execute(
                t.billing_unit_numbers.delete().where(t.billing_unit_numbers.c.unit_id == unit_id)
            )
            if user_ids:
                self._conn.execute(
                    t.billing_unit_users.insert(),
                    [{"unit_id": unit_id, "user_id": u} for u in user_ids],
                )
            if numbers:
                self._conn.execute(
                    t.billing_unit_numbers.insert(),
                    [{"unit_id": unit_id, "number": n} for n in numbers],
                )

    def count(self) -> int:
        query = sa.select(sa.func.count()).select_from(t.billing_units)
        return int(self._conn.execute(query).scalar_one())

    def get(self, unit_id: int) -> m.BillingUnit | None:
        row = self._conn.execute(
            sa.select(t.billing_units.c.name).where(t.billing_units.c.id == unit_id)
        ).first()
        if row is None:
            return None
        users = self._conn.execute(
            sa.select(t.billing_unit_users.c.user_id)
            .where(t.billing_unit_users.c.unit_id == unit_id)
            .order_by(t.billing_unit_users.c.user_id)
        ).scalars()
        numbers = self._conn.execute(
            sa.select(t.billing_unit_numbers.c.number)
            .where(t.billing_unit_numbers.c.unit_id == unit_id)
            .order_by(t.billing_unit_numbers.c.number)
        ).scalars()
        return m.BillingUnit(unit_id, row[0], tuple(users), tuple(numbers))

    def rename(self, unit_id: int, name: str) -> None:
        with _savepoint(self._conn, lambda: f"billing unit '{name}': the name is taken"):
            self._conn.execute(
                t.billing_units.update().where(t.billing_units.c.id == unit_id).values(name=name)
            )

    def delete(self, unit_id: int) -> None:
        # Members first: the cascade is not relied on (SQLite needs foreign keys on for it).
        self.set_members(unit_id, [], [])
        self._conn.execute(t.billing_units.delete().where(t.billing_units.c.id == unit_id))

    def restore(self, unit: m.BillingUnit) -> None:
        with _savepoint(self._conn, lambda: self._clash(unit)):
            self._conn.execute(t.billing_units.insert().values(id=unit.id, name=unit.name))
            self.set_members(unit.id, unit.user_ids, unit.numbers)

    # -- the history of membership (issue 20 §5) ------------------------------------------------
    def record(self, changes: Sequence[MembershipChange]) -> None:
        if not changes:
            return
        h = t.billing_unit_history
        highest = self._conn.execute(sa.select(sa.func.max(h.c.id))).scalar()
        first = int(highest or 0) + 1
        self._conn.execute(
            h.insert(),
            [
                {
                    "id": first + i,
                    "unit_id": c.unit_id,
                    "unit_name": c.unit_name,
                    "kind": c.kind,
                    "member": c.member,
                    "added": c.added,
                    "effective_from": c.effective_from,
                    "recorded_at": c.recorded_at,
                    "actor": c.actor,
                }
                for i, c in enumerate(changes)
            ],
        )

    def history(self, after: datetime | None = None) -> list[MembershipChange]:
        """Every recorded change, or (``after`` an instant) those taking effect after it."""
        h = t.billing_unit_history
        query = sa.select(h).order_by(h.c.id)
        if after is not None:
            query = query.where(h.c.effective_from > after)
        return [
            MembershipChange(
                row.unit_id,
                row.unit_name,
                row.kind,
                row.member,
                bool(row.added),
                row.effective_from,
                row.recorded_at,
                row.actor,
                row.id,
            )
            for row in self._conn.execute(query)
        ]
