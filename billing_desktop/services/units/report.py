"""The cost report: a month's charges allocated to the billing units (``domain.units``), at
list price or as invoiced."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from billing_desktop.domain.access import Actor
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.metering import MEASURES
from billing_desktop.domain.model import BillingUnit, Metering, Product, Source
from billing_desktop.domain.money import format_amount, quantum
from billing_desktop.domain.periods import Month
from billing_desktop.domain.unit_history import MembershipChange, segments, units_at
from billing_desktop.domain.units import (
    Allocation,
    Driver,
    Membership,
    ProductCost,
    UnitCost,
    allocate,
    is_recurring,
    licensed_agents,
    list_price_total,
)
from billing_desktop.services.billing import BillingEngine
from billing_desktop.services.units.common import ZERO, _require_view
from billing_desktop.store.ports import UnitOfWork

# -- the report --------------------------------------------------------------------------------


BASES = ("list", "invoiced")


@dataclass(frozen=True, slots=True)
class UnitReport:
    """Usage and recurring charges per unit for a month (PRODUCT §6), at list price or as
    invoiced (issue 20 §4: each product's charge after free units and credits, shared in the
    same proportions, so the units add up to the month's charges)."""

    month: Month
    currency: str
    closed: bool
    rows: tuple[UnitCost, ...]  # units by name, then Unassigned when anything is unassigned
    total: Decimal  # the account's total of the month on this basis; the rows add up to it
    basis: str = "list"  # "list" or "invoiced"

    @property
    def usage(self) -> Decimal:
        return sum((r.usage for r in self.rows), ZERO)

    @property
    def recurring(self) -> Decimal:
        return sum((r.recurring for r in self.rows), ZERO)

    def as_json(self) -> dict[str, object]:
        """The shape PRODUCT §11.1 promises for ``units report --json``."""
        money = self._money
        return {
            "month": str(self.month),
            "currency": self.currency,
            "closed": self.closed,
            "basis": self.basis,
            "total": money(self.total),
            "units": [
                {
                    "name": row.name,
                    "unassigned": row.unit_id is None,
                    "usage": money(row.usage),
                    "recurring": money(row.recurring),
                    "total": money(row.total),
                }
                for row in self.rows
            ],
        }

    def _money(self, amount: Decimal) -> str:
        return format_amount(amount, self.currency)

    def _amount(self, amount: Decimal) -> Decimal:
        return amount.quantize(quantum(self.currency))


def unit_report(
    uow: UnitOfWork,
    actor: Actor,
    month: Month | None = None,
    today: date | None = None,
    basis: str = "list",
) -> UnitReport:
    """Usage and recurring charges per unit for ``month`` (default: the current month), at
    list price (``basis`` "list") or as invoiced ("invoiced")."""
    _require_view(actor)
    return _report(uow, month, today, basis)


# Who is in which unit now and the recorded changes (issue 20 §5), when not read off the store:
# an assignment's preview passes them as they would be once it is saved.
Members = tuple[Sequence[BillingUnit], Sequence[MembershipChange]]


def _report(
    uow: UnitOfWork,
    month: Month | None,
    today: date | None,
    basis: str = "list",
    members: Members | None = None,
    units_now: Sequence[BillingUnit] | None = None,
) -> UnitReport:
    """``members``: the membership as it would be (a preview); ``units_now``: the units as the
    caller has just read them from the store (``uow.units.all()``, in its order)."""
    if basis not in BASES:
        raise InvalidInput(f"basis '{basis}': use list or invoiced")
    engine = BillingEngine(uow, today)
    month = month or engine.current_month
    currency = engine.account.currency
    charged: dict[str, Decimal] = {}
    if basis == "invoiced":
        # The engine's lines, as usage --json shows them: quantity and what is charged.
        by_code = {p.code: p for p in engine.products}
        lines = [ln for ln in engine.month_lines(month) if ln.product in by_code]
        quantities = [(by_code[ln.product], ln.quantity) for ln in lines if ln.quantity > 0]
        charged = {ln.product: ln.charged for ln in lines}
    else:
        quantities = _quantities(engine, month)
    start, end = month.bounds(engine.zone)
    history: Sequence[MembershipChange]
    if members is None:
        units_now = uow.units.all() if units_now is None else units_now
        history = uow.units.history(after=start)
    else:
        units_now = members[0]
        history = [c for c in members[1] if c.effective_from and c.effective_from > start]
    # The month cut where a dated change takes effect, each part with the membership in force;
    # one part with today's membership when nothing changed in or after the month.
    parts: list[tuple[datetime, datetime, Membership | None]] = (
        [
            (a, b, Membership.of(units_at(units_now, history, a)))
            for a, b in segments(start, end, history)
        ]
        if history
        else [(start, end, None)]
    )
    at_end = parts[-1][2]  # recurring charges follow the membership at the month's end
    calls: list[tuple[str | None, str | None, int, int, Membership | None]] | None = None
    alerts: list[tuple[str, int, Membership | None]] | None = None
    agents: tuple[str, ...] | None = None
    numbers: list[str] | None = None
    products: list[ProductCost] = []
    for product, quantity in quantities:
        rule = (product.source, product.metering)
        drivers: list[Driver] = []
        if product.source == Source.CALLS and rule in MEASURES:
            if calls is None:
                calls = [
                    (row.number, row.user_id, row.calls, row.minutes, held)
                    for a, b, held in parts
                    for row in uow.queries.call_usage_by_number_and_user(a, b)
                ]
            by_minutes = product.metering == Metering.SUM
            drivers = [
                Driver(Decimal(minutes if by_minutes else count), number, user_id, held)
                for number, user_id, count, minutes, held in calls
            ]
        elif product.source == Source.ALERTS and rule in MEASURES:
            if alerts is None:
                alerts = [
                    (u, n, held)
                    for a, b, held in parts
                    for u, n in sorted(uow.queries.alerts_by_user(a, b).items())
                ]
            drivers = [Driver(Decimal(n), user_id=u, membership=held) for u, n, held in alerts]
        elif rule == (Source.AGENTS, Metering.PER_AGENT):
            if agents is None:
                agents = licensed_agents(engine.seats, month.first_day, month.last_day)
            drivers = [Driver(Decimal(1), user_id=u, membership=at_end) for u in agents]
        elif rule == (Source.NUMBERS, Metering.PER_NUMBER):
            if numbers is None:
                numbers = [n.number for n in uow.numbers.all()]
            drivers = [Driver(Decimal(1), number=n, membership=at_end) for n in numbers]
        products.append(
            ProductCost(
                product.code,
                charged[product.code]
                if basis == "invoiced"
                else list_price_total(product, quantity, currency),
                quantity,
                is_recurring(product),
                tuple(drivers),
            )
        )
    # Every unit of today gets a row, and a unit deleted since that had members in the month.
    shown: dict[int, BillingUnit] = {u.id: u for u in units_now}
    for _a, _b, held in parts:
        for unit in held.units if held is not None else ():
            shown.setdefault(unit.id, unit)
    listed = Membership.of(shown.values()) if history else Membership.of(units_now)
    allocation: Allocation = allocate(currency, products, listed)
    return UnitReport(
        month, currency, month in engine.closed, allocation.rows, allocation.total, basis
    )


def _quantities(engine: BillingEngine, month: Month) -> list[tuple[Product, Decimal]]:
    """Each product's quantity in ``month``, as the month was (closed) or is (open) rated."""
    if month in engine.closed:
        by_code = {p.code: p for p in engine.products}
        lines = engine.uow.closing.lines(month.first_day)
        return [
            (by_code[line.product], line.quantity)
            for line in lines
            if line.product in by_code and line.quantity > 0
        ]
    totals = engine.uow.rollups.totals(month.first_day, month.last_day)
    found = []
    for product in engine.products:
        quantity = engine.quantity(product, month, totals)
        if quantity > 0 and engine.shown(product, month):
            found.append((product, quantity))
    return found
