"""The plain collections of the unit of work (products, users, records…) and their mappers."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from billing_desktop.domain import model as m
from billing_desktop.domain import receivables as rv
from billing_desktop.domain.errors import NotFound
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.repositories.common import (
    CHUNK,
    Mapper,
    SqlCollection,
    _savepoint,
    chunks,
)


class SqlApps(SqlCollection[str, m.App]):
    """Apps, which the Plans tab changes in place (plan, balance, owner)."""

    def update(self, app: m.App) -> None:
        row = self._mapper.to_row(app, self._currency())
        table = self._mapper.table
        result = self._conn.execute(table.update().where(table.c.id == app.id).values(**row))
        if result.rowcount != 1:
            raise NotFound(f"app {app.id}: no such app in this workspace")


class SqlUsers(SqlCollection[str, m.User]):
    """Users with their team memberships and access groups."""

    def _teams_of(self, user_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        teams: dict[str, list[str]] = {}
        query = sa.select(t.team_members.c.user_id, t.team_members.c.team).order_by(
            t.team_members.c.user_id, t.team_members.c.position
        )
        if user_ids:
            for part in chunks(list(user_ids), CHUNK):
                for user_id, team in self._conn.execute(
                    query.where(t.team_members.c.user_id.in_(part))
                ):
                    teams.setdefault(user_id, []).append(team)
        return {k: tuple(v) for k, v in teams.items()}

    def _with_teams(self, users: list[m.User]) -> list[m.User]:
        teams = self._teams_of([u.id for u in users])
        return [dataclasses.replace(u, teams=teams.get(u.id, ())) for u in users]

    def get_many(self, keys: Sequence[str]) -> dict[str, m.User]:
        found = super().get_many(keys)
        return {u.id: u for u in self._with_teams(list(found.values()))}

    def all(self) -> list[m.User]:
        return self._with_teams(super().all())

    def add_many(self, items: Sequence[m.User]) -> None:
        with _savepoint(self._conn, lambda: "users: a team is given twice for one user"):
            super().add_many(items)
            memberships = [
                {"team": team, "user_id": user.id, "position": position}
                for user in items
                for position, team in enumerate(user.teams)
            ]
            if memberships:
                self._conn.execute(t.team_members.insert(), memberships)


def _encode_groups(groups: tuple[m.Privilege, ...]) -> str:
    return ";".join(sorted(g.value for g in groups))


def _decode_groups(text: str) -> tuple[m.Privilege, ...]:
    return tuple(m.Privilege(g) for g in text.split(";") if g)


def _encode_tiers(tiers: tuple[m.Tier, ...]) -> str:
    return ";".join(f"{tier.above}:{tier.unit_price}" for tier in tiers)


def _decode_tiers(text: str) -> tuple[m.Tier, ...]:
    pairs = (part.split(":") for part in text.split(";") if part)
    return tuple(m.Tier(Decimal(above), Decimal(price)) for above, price in pairs)


def _encode_commit_product(product: str | None) -> str:
    return product or ""


def _decode_commit_product(product: str) -> str | None:
    return product or None


MAPPERS: dict[str, Mapper[Any]] = {
    "products": Mapper(
        m.Product, t.products, ("code",), codecs={"tiers": (_encode_tiers, _decode_tiers)}
    ),
    "commits": Mapper(
        m.Commit,
        t.commits,
        ("product", "started_on"),
        money=("amount",),
        codecs={"product": (_encode_commit_product, _decode_commit_product)},
    ),
    "users": Mapper(
        m.User,
        t.users,
        ("id",),
        codecs={"access_groups": (_encode_groups, _decode_groups)},
        columns=("id", "name", "email", "role", "access_groups"),
    ),
    "agents": Mapper(m.AgentSeat, t.agent_seats, ("user_id", "started_on")),
    "numbers": Mapper(m.PhoneNumber, t.phone_numbers, ("number",)),
    "plans": Mapper(m.Plan, t.plans, ("code",), money=("monthly_price",)),
    "apps": Mapper(m.App, t.apps, ("id",), money=("balance",)),
    "conversations": Mapper(m.Conversation, t.conversations, ("id",)),
    "alerts": Mapper(m.Alert, t.alerts, ("id",)),
    "calls": Mapper(m.Call, t.calls, ("id",)),
    "sms": Mapper(m.Sms, t.sms, ("id",)),
    "interviews": Mapper(m.Interview, t.interviews, ("id",)),
    "recordings": Mapper(m.Recording, t.recordings, ("id",)),
    "storage": Mapper(m.StorageSnapshot, t.storage_snapshots, ("day",)),
    "invoices": Mapper(m.Invoice, t.invoices, ("number",), money=("amount",)),
    # payments, voids, credit notes, staged bank lines (domain/receivables.py)
    "payments": Mapper(rv.Payment, t.payments, ("number",), money=("amount",)),
    "payment_voids": Mapper(rv.PaymentVoid, t.payment_voids, ("payment",)),
    "credit_notes": Mapper(rv.CreditNote, t.credit_notes, ("number",), money=("amount",)),
    "bank_lines": Mapper(rv.BankLine, t.bank_lines, ("id",), money=("amount",)),
    "bank_line_dismissals": Mapper(rv.BankLineDismissal, t.bank_line_dismissals, ("line",)),
    "ledger": Mapper(m.LedgerEntry, t.ledger, ("id",), money=("amount",)),
}
