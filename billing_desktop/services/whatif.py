"""What-if (issue 20 §3): the month's invoice and unit costs if the agents, a commit or a price
were different — computed, never written.

The billing engine and the unit report run as they always do, on a read-only view of the store
in which the rate card, the commits and the agent seats are copies with the changes applied
(:class:`_Overlay`); nothing else differs and nothing reaches the store. With no change the
figures are today's, exactly (the same code on the same data).

Changes:

* ``agents``: the month's licensed agents become N. Fewer: the first N agents by user id keep
  their seats; more: new agents (in no billing unit) are licensed for the whole month.
* ``commits``: a product's commit (or the account's, product "account") becomes AMOUNT recharged
  every FREQ; an existing commit keeps its start, a new one starts on the month's first day.
  Only commits of the account's commit scope count, as in the engine.
* ``prices``: a product's unit price becomes PRICE (its graduated tiers stay).
* ``moves``: users and phone numbers move into a billing unit, leaving the others (the unit
  cost report's allocation, previewed before anything is assigned).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import AgentSeat, BillingUnit, Commit, Frequency, Product
from billing_desktop.domain.money import format_amount
from billing_desktop.domain.periods import Month
from billing_desktop.domain.units import licensed_agents, name_key
from billing_desktop.services.billing import BillingEngine, UsageSummary, usage_summary
from billing_desktop.services.units import UnitReport, unit_report
from billing_desktop.store.ports import UnitOfWork

ZERO = Decimal(0)
ACCOUNT = "account"
MAX_AGENTS = 100_000


@dataclass(frozen=True, slots=True)
class CommitChange:
    product: str | None  # None: the account commit
    amount: Decimal
    frequency: Frequency


@dataclass(frozen=True, slots=True)
class PriceChange:
    product: str
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class Move:
    """Users (ids) and phone numbers ("+…") moved into the billing unit named ``unit``: they
    leave every other unit (a number is in one unit at most)."""

    unit: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Changes:
    agents: int | None = None
    commits: tuple[CommitChange, ...] = ()
    prices: tuple[PriceChange, ...] = ()
    moves: tuple[Move, ...] = ()

    @property
    def none(self) -> bool:
        return self.agents is None and not self.commits and not self.prices and not self.moves

    def describe(self) -> list[str]:
        said = []
        if self.agents is not None:
            said.append(f"{self.agents} licensed agents")
        for c in self.commits:
            said.append(f"{c.product or ACCOUNT} commit {c.amount} {c.frequency.value}")
        for p in self.prices:
            said.append(f"{p.product} at {p.unit_price} a unit")
        for m in self.moves:
            said.append(f"{', '.join(m.members)} moved to {m.unit}")
        return said


def parse_commit(text: str) -> CommitChange:
    """ "voice-minutes=500/monthly", "account=1000/quarterly"."""
    match = re.fullmatch(r"\s*([^=\s]+)\s*=\s*([0-9.]+)\s*/\s*([a-z]+)\s*", text)
    if not match:
        raise InvalidInput(f"--commit '{text}': write PRODUCT=AMOUNT/FREQ (e.g. sms=100/monthly)")
    product, amount, frequency = match.groups()
    try:
        value = Decimal(amount)
        freq = Frequency(frequency)
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            f"--commit '{text}': AMOUNT is a number, FREQ monthly, quarterly or yearly"
        ) from None
    if value < 0:
        raise InvalidInput(f"--commit '{text}': the amount cannot be negative")
    return CommitChange(None if product == ACCOUNT else product, value, freq)


def parse_price(text: str) -> PriceChange:
    """ "sms=0.0075"."""
    match = re.fullmatch(r"\s*([^=\s]+)\s*=\s*([0-9.]+)\s*", text)
    try:
        value = Decimal(match.group(2)) if match else None
    except InvalidOperation:
        value = None
    if match is None or value is None or value < 0:
        raise InvalidInput(f"--price '{text}': write PRODUCT=PRICE (e.g. sms=0.0075)")
    return PriceChange(match.group(1), value)


def parse_move(text: str) -> Move:
    """ "Sales=u001,+14155550100"."""
    unit, sep, rest = text.partition("=")
    members = tuple(m.strip() for m in rest.split(",") if m.strip())
    if not sep or not unit.strip() or not members:
        raise InvalidInput(
            f"--move '{text}': write UNIT=MEMBER[,MEMBER…] (user ids or +numbers, e.g. "
            "Sales=u001,+14155550100)"
        )
    return Move(unit.strip(), members)


# -- the read-only view with the changes ------------------------------------------------------


class _Fixed:
    """A repository whose ``all()`` is a given list; everything else is the store's."""

    def __init__(self, inner: Any, items: Sequence[Any]) -> None:
        self._inner = inner
        self._items = list(items)

    def all(self) -> list[Any]:
        return list(self._items)

    def count(self) -> int:
        return len(self._items)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Overlay:
    """The unit of work as the services see it, with copies of the rate card, commits and
    seats. It has no commit: whatever is asked of it, the store is only read."""

    def __init__(
        self,
        inner: UnitOfWork,
        products: list[Product],
        commits: list[Commit],
        seats: list[AgentSeat],
        units: list[BillingUnit],
    ) -> None:
        self._inner = inner
        self.products = _Fixed(inner.products, products)
        self.commits = _Fixed(inner.commits, commits)
        self.agents = _Fixed(inner.agents, seats)
        self.units = _Fixed(inner.units, units)

    # The store's change token does not see these copies: a what-if's figures are never kept
    # by the usage summary's cache (services.billing), nor served from it.
    change_token = None

    def commit(self) -> None:
        raise RuntimeError("a what-if writes nothing")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _outside(seat: AgentSeat, month: Month, dropped: set[str]) -> list[AgentSeat]:
    """``seat``, or for a dropped agent the parts of it outside ``month`` (other months are
    rated as they are)."""
    if seat.user_id not in dropped:
        return [seat]
    pieces = []
    if seat.started_on < month.first_day:
        end = month.first_day - timedelta(days=1)
        last = end if seat.ended_on is None else min(seat.ended_on, end)
        pieces.append(AgentSeat(seat.user_id, seat.started_on, last))
    if seat.ended_on is None or seat.ended_on > month.last_day:
        start = max(seat.started_on, month.last_day + timedelta(days=1))
        pieces.append(AgentSeat(seat.user_id, start, seat.ended_on))
    return pieces


def _apply(uow: UnitOfWork, month: Month, changes: Changes) -> UnitOfWork:
    products = uow.products.all()
    codes = {p.code for p in products}
    prices = {}
    for price in changes.prices:
        if price.product not in codes:
            raise InvalidInput(f"--price: no product '{price.product}' on the rate card")
        prices[price.product] = price.unit_price
    products = [replace(p, unit_price=prices[p.code]) if p.code in prices else p for p in products]
    commits = list(uow.commits.all())
    for change in changes.commits:
        if change.product is not None and change.product not in codes:
            raise InvalidInput(f"--commit: no product '{change.product}' on the rate card")
        mine = [c for c in commits if c.product == change.product]
        start = max((c.started_on for c in mine), default=month.first_day)
        commits = [c for c in commits if c.product != change.product]
        commits.append(Commit(change.product, change.amount, change.frequency, start))
    seats = list(uow.agents.all())
    if changes.agents is not None:
        if not 0 <= changes.agents <= MAX_AGENTS:
            raise InvalidInput(f"--agents: give 0 to {MAX_AGENTS:,}")
        licensed = licensed_agents(seats, month.first_day, month.last_day)
        if changes.agents < len(licensed):
            dropped = set(licensed[changes.agents :])
            seats = [piece for seat in seats for piece in _outside(seat, month, dropped)]
        for n in range(len(licensed), changes.agents):
            seats.append(AgentSeat(f"what-if-agent-{n + 1}", month.first_day, month.last_day))
    units = _moved(uow, changes.moves)
    return cast(UnitOfWork, _Overlay(uow, products, commits, seats, units))


def _moved(uow: UnitOfWork, moves: Sequence[Move]) -> list[BillingUnit]:
    units = {u.id: u for u in uow.units.all()}
    for move in moves:
        target = next((u for u in units.values() if name_key(u.name) == name_key(move.unit)), None)
        if target is None:
            raise InvalidInput(f"--move: no billing unit named '{move.unit}'")
        numbers = [m for m in move.members if m.startswith("+")]
        users = [m for m in move.members if not m.startswith("+")]
        known_numbers = uow.numbers.get_many(numbers)
        known_users = uow.users.get_many(users)
        for member in move.members:
            if member not in known_numbers and member not in known_users:
                raise InvalidInput(
                    f"--move: '{member}' is no user or phone number of this workspace"
                )
        for unit_id, unit in list(units.items()):
            units[unit_id] = BillingUnit(
                unit.id,
                unit.name,
                tuple(u for u in unit.user_ids if u not in users),
                tuple(n for n in unit.numbers if n not in numbers),
            )
        mine = units[target.id]
        units[target.id] = BillingUnit(
            mine.id,
            mine.name,
            tuple(sorted({*mine.user_ids, *users})),
            tuple(sorted({*mine.numbers, *numbers})),
        )
    return list(units.values())


# -- the comparison -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineComparison:
    code: str
    name: str
    quantity: Decimal
    today_amount: Decimal
    projected_amount: Decimal
    today_charged: Decimal
    projected_charged: Decimal
    today_balance: Decimal
    projected_balance: Decimal


@dataclass(frozen=True, slots=True)
class UnitComparison:
    name: str
    today: Decimal
    projected: Decimal


@dataclass(frozen=True, slots=True)
class WhatIf:
    month: Month
    currency: str
    changes: Changes
    today: UsageSummary
    projected: UsageSummary
    units_today: UnitReport
    units_projected: UnitReport
    lines: tuple[LineComparison, ...] = field(default=())
    units: tuple[UnitComparison, ...] = field(default=())

    @property
    def invoice_today(self) -> Decimal:
        return sum((p.charged for p in self.today.products), ZERO)

    @property
    def invoice_projected(self) -> Decimal:
        return sum((p.charged for p in self.projected.products), ZERO)

    def as_json(self) -> dict[str, object]:
        """``whatif --json`` (the shape is in the README)."""

        def money(amount: Decimal) -> str:
            return format_amount(amount, self.currency)

        return {
            "month": str(self.month),
            "currency": self.currency,
            "changes": self.changes.describe(),
            "invoice": {
                "today": money(self.invoice_today),
                "projected": money(self.invoice_projected),
            },
            "balance": {
                "today": money(self.today.balance),
                "projected": money(self.projected.balance),
            },
            "agents": {"today": self.today.agents, "projected": self.projected.agents},
            "lines": [
                {
                    "code": line.code,
                    "name": line.name,
                    "quantity": format(line.quantity.normalize(), "f"),
                    "amount": {
                        "today": money(line.today_amount),
                        "projected": money(line.projected_amount),
                    },
                    "charged": {
                        "today": money(line.today_charged),
                        "projected": money(line.projected_charged),
                    },
                    "balance": {
                        "today": money(line.today_balance),
                        "projected": money(line.projected_balance),
                    },
                }
                for line in self.lines
            ],
            "units": {
                "basis": self.units_today.basis,
                "today_total": money(self.units_today.total),
                "projected_total": money(self.units_projected.total),
                "rows": [
                    {"name": u.name, "today": money(u.today), "projected": money(u.projected)}
                    for u in self.units
                ],
            },
        }


def what_if(
    uow: UnitOfWork,
    actor: Actor,
    month: Month,
    changes: Changes,
    basis: str = "invoiced",
    today: date | None = None,
) -> WhatIf:
    """``month``'s invoice and unit costs today and with ``changes``, line by line."""
    actor.rights.require(Area.USAGE, Level.VIEW, "see usage")
    actor.rights.require(Area.BILLING_UNITS, Level.VIEW, "see billing units")
    engine = BillingEngine(uow, today)
    if month in engine.closed:
        raise InvalidInput(f"{month} is closed: its invoice is final; pick an open month")
    now = usage_summary(uow, actor, month, today)
    units_now = unit_report(uow, actor, month, today, basis)
    view = _apply(uow, month, changes)
    then = usage_summary(view, actor, month, today)
    units_then = unit_report(view, actor, month, today, basis)
    before = {p.code: p for p in now.products}
    after = {p.code: p for p in then.products}
    codes = sorted(set(before) | set(after), key=lambda c: ((before.get(c) or after[c]).name, c))
    lines = []
    for code in codes:
        a, b = before.get(code), after.get(code)
        either = a or b
        assert either is not None
        lines.append(
            LineComparison(
                code,
                either.name,
                either.quantity if b is None else b.quantity,
                a.amount if a else ZERO,
                b.amount if b else ZERO,
                a.charged if a else ZERO,
                b.charged if b else ZERO,
                a.balance if a else ZERO,
                b.balance if b else ZERO,
            )
        )
    units_before = {r.name: r.total for r in units_now.rows}
    units_after = {r.name: r.total for r in units_then.rows}
    names = list(units_before) + [n for n in units_after if n not in units_before]
    units = tuple(
        UnitComparison(n, units_before.get(n, ZERO), units_after.get(n, ZERO)) for n in names
    )
    return WhatIf(
        month, now.currency, changes, now, then, units_now, units_then, tuple(lines), units
    )


__all__ = [
    "Changes",
    "CommitChange",
    "Move",
    "PriceChange",
    "WhatIf",
    "parse_commit",
    "parse_move",
    "parse_price",
    "what_if",
]
