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
* ``commit_scope``: the account's commit scope becomes account, product or none (which commits
  the engine draws on: the account commit, the product commits, or neither).
* ``tiers``: a product's whole price table is replaced: the price of its first band (its unit
  price) and the graduated tiers above it.
* ``plans``: an app moves to another plan, as the Plans tab would do it (an upgrade now, a
  downgrade at the end of the plan period). Plan fees are paid from the app's own funds, not by
  the account's invoice, so the invoice and the unit costs stay as they are; the comparison
  shows the plan in force in the month, its monthly price and included sessions, the app's
  sessions and whether the app is eligible (:class:`PlanComparison`).
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
from billing_desktop.domain.metering import BILLING_SESSIONS
from billing_desktop.domain.model import (
    Account,
    AgentSeat,
    App,
    BillingUnit,
    Commit,
    CommitScope,
    Frequency,
    Plan,
    Product,
    Tier,
)
from billing_desktop.domain.money import format_amount
from billing_desktop.domain.periods import Month
from billing_desktop.domain.plans import Change, change_between, period_end
from billing_desktop.domain.units import licensed_agents, name_key
from billing_desktop.services.billing import (
    BillingEngine,
    UsageSummary,
    plain_decimal,
    usage_summary,
)
from billing_desktop.services.plans import app_plans
from billing_desktop.services.units import UnitReport, unit_report
from billing_desktop.store.ports import UnitOfWork

ZERO = Decimal(0)
ACCOUNT = "account"
MAX_AGENTS = 100_000
MAX_BANDS = 20  # price bands of a --tiers table


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
class TierChange:
    """A product's price table replaced: ``unit_price`` for the first band, then each tier's
    price for the billable units above its threshold (``Tier.above``)."""

    product: str
    unit_price: Decimal
    tiers: tuple[Tier, ...] = ()

    def text(self) -> str:
        """The bands as ``--tiers`` writes them: ``1000:0.01,5000:0.008,0.006``."""
        uptos = [t.above for t in self.tiers]
        prices = [self.unit_price, *(t.unit_price for t in self.tiers)]
        bands = [
            f"{plain_decimal(u)}:{plain_decimal(p)}"
            for u, p in zip(uptos, prices[:-1], strict=True)
        ]
        return ",".join([*bands, plain_decimal(prices[-1])])


@dataclass(frozen=True, slots=True)
class AppPlanChange:
    """An app (id or name) moved to a plan (code or name)."""

    app: str
    plan: str


@dataclass(frozen=True, slots=True)
class Changes:
    agents: int | None = None
    commits: tuple[CommitChange, ...] = ()
    prices: tuple[PriceChange, ...] = ()
    moves: tuple[Move, ...] = ()
    commit_scope: CommitScope | None = None
    tiers: tuple[TierChange, ...] = ()
    plans: tuple[AppPlanChange, ...] = ()

    @property
    def none(self) -> bool:
        return (
            self.agents is None
            and not self.commits
            and not self.prices
            and not self.moves
            and self.commit_scope is None
            and not self.tiers
            and not self.plans
        )

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
        if self.commit_scope is not None:
            said.append(f"commit scope {self.commit_scope.value}")
        for t in self.tiers:
            said.append(f"{t.product} priced {t.text()}")
        for a in self.plans:
            said.append(f"{a.app} on plan {a.plan}")
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


def parse_scope(text: str) -> CommitScope:
    """ "account", "product" or "none"."""
    try:
        return CommitScope(text.strip().casefold())
    except ValueError:
        choices = ", ".join(s.value for s in CommitScope)
        raise InvalidInput(f"--commit-scope '{text}': give one of {choices}") from None


def _amount(option: str, text: str, part: str, what: str) -> Decimal:
    try:
        value = Decimal(part.strip())
    except InvalidOperation:
        value = Decimal(-1)
    if not part.strip() or not value.is_finite() or value < 0:
        raise InvalidInput(
            f"{option} '{text}': {what} '{part.strip()}' is not a number of 0 or more"
        )
    return value


def parse_tiers(text: str) -> TierChange:
    """ "sms=1000:0.01,5000:0.008,0.006": the first 1,000 billable units at 0.01, the units up
    to 5,000 at 0.008, the rest at 0.006 (the last band has no UPTO; "sms=0.01" is one price
    for every unit, no tiers)."""
    product, sep, rest = text.partition("=")
    parts = [p.strip() for p in rest.split(",")]
    if not sep or not product.strip() or not rest.strip():
        raise InvalidInput(
            f"--tiers '{text}': write PRODUCT=UPTO:PRICE,…,PRICE (e.g. sms=1000:0.01,5000:0.008,"
            "0.006)"
        )
    if len(parts) > MAX_BANDS:
        raise InvalidInput(f"--tiers '{text}': at most {MAX_BANDS} bands")
    last = parts[-1]
    if ":" in last:
        upto, _colon, price = last.partition(":")
        if upto.strip():
            raise InvalidInput(
                f"--tiers '{text}': the last band '{last}' has no upper bound: write its price "
                "alone (e.g. 0.006)"
            )
        last = price
    uptos: list[Decimal] = []
    prices: list[Decimal] = []
    for part in parts[:-1]:
        upto, colon, price = part.partition(":")
        if not colon:
            raise InvalidInput(f"--tiers '{text}': band '{part}' is not UPTO:PRICE")
        bound = _amount("--tiers", text, upto, "UPTO")
        if bound <= (uptos[-1] if uptos else 0):
            raise InvalidInput(
                f"--tiers '{text}': band '{part}': UPTO must be more than 0 and increase"
            )
        uptos.append(bound)
        prices.append(_amount("--tiers", text, price, "PRICE"))
    prices.append(_amount("--tiers", text, last, "PRICE"))
    tiers = tuple(Tier(above, price) for above, price in zip(uptos, prices[1:], strict=True))
    return TierChange(product.strip(), prices[0], tiers)


def parse_plan(text: str) -> AppPlanChange:
    """ "app-007=growth" (an app's id or name, a plan's code or name)."""
    app, sep, plan = text.partition("=")
    if not sep or not app.strip() or not plan.strip():
        raise InvalidInput(f"--plan '{text}': write APP=PLAN (e.g. app-001=growth)")
    return AppPlanChange(app.strip(), plan.strip())


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

    def get_many(self, keys: Sequence[Any]) -> dict[Any, Any]:
        wanted = set(keys)
        found = ((self._inner.key_of(item), item) for item in self._items)
        return {key: item for key, item in found if key in wanted}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Account:
    """The account repository with a changed account (its commit scope)."""

    def __init__(self, account: Account | None) -> None:
        self._account = account

    def get(self) -> Account | None:
        return self._account


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
        account: Account | None,
        apps: list[App] | None,
    ) -> None:
        self._inner = inner
        self.products = _Fixed(inner.products, products)
        self.commits = _Fixed(inner.commits, commits)
        self.agents = _Fixed(inner.agents, seats)
        self.units = _Fixed(inner.units, units)
        self.account = _Account(account)
        if apps is not None:  # else the store's, through __getattr__
            self.apps = _Fixed(inner.apps, apps)

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


def _apply(uow: UnitOfWork, month: Month, changes: Changes, apps: Sequence[App] = ()) -> UnitOfWork:
    products = uow.products.all()
    codes = {p.code for p in products}
    prices = {}
    for price in changes.prices:
        if price.product not in codes:
            raise InvalidInput(f"--price: no product '{price.product}' on the rate card")
        prices[price.product] = price.unit_price
    products = [replace(p, unit_price=prices[p.code]) if p.code in prices else p for p in products]
    tables = {}
    for table in changes.tiers:
        if table.product not in codes:
            raise InvalidInput(f"--tiers: no product '{table.product}' on the rate card")
        if table.product in prices:
            raise InvalidInput(
                f"--tiers {table.product}: --price changes the same product; give one of them"
            )
        tables[table.product] = table
    products = [
        replace(p, unit_price=tables[p.code].unit_price, tiers=tables[p.code].tiers)
        if p.code in tables
        else p
        for p in products
    ]
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
    account = uow.account.get()
    if account is not None and changes.commit_scope is not None:
        account = replace(account, commit_scope=changes.commit_scope)
    changed = {app.id: app for app in apps}
    every_app = [changed.get(app.id, app) for app in uow.apps.all()] if changed else None
    return cast(UnitOfWork, _Overlay(uow, products, commits, seats, units, account, every_app))


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


# -- an app's plan -------------------------------------------------------------------------


def plan_in_force(app: App, month: Month) -> str:
    """The plan ``app`` is on during ``month``: a pending downgrade whose period ended before
    the month began has been applied by then (the close of the month it ended in)."""
    if (
        app.pending_plan is not None
        and app.plan_ends_on is not None
        and app.plan_ends_on < month.first_day
    ):
        return app.pending_plan
    return app.plan


@dataclass(frozen=True, slots=True)
class PlanComparison:
    """One app's plan today and with the change, for the month asked."""

    app: str
    app_name: str
    change: Change  # upgrade (at once), downgrade (at the period's end) or same
    takes_effect_on: date | None  # None: at once
    today: Plan | None  # in force during the month as things stand
    projected: Plan | None  # in force during the month with the change
    usage: int  # the app's highest monthly billing sessions of the last three full months
    eligible: bool  # the plan includes that many sessions (the Plans tab refuses it if not)
    reason: str  # why not eligible ("" when eligible)
    month_sessions: Decimal  # the app's billing sessions in the month (so far)

    def as_json(self, currency: str) -> dict[str, object]:
        def plan(p: Plan | None) -> dict[str, object] | None:
            if p is None:
                return None
            return {
                "code": p.code,
                "name": p.name,
                "monthly_price": format_amount(p.monthly_price, currency),
                "included_sessions": p.included_sessions,
            }

        return {
            "app": self.app,
            "name": self.app_name,
            "change": self.change.value,
            "takes_effect_on": None if self.takes_effect_on is None else str(self.takes_effect_on),
            "today": plan(self.today),
            "projected": plan(self.projected),
            "usage": self.usage,
            "eligible": self.eligible,
            "reason": self.reason,
            "month_sessions": plain_decimal(self.month_sessions),
        }


def _find_app(apps: Sequence[App], wanted: str) -> App:
    key = wanted.casefold()
    found = next((a for a in apps if a.id == wanted), None) or next(
        (a for a in apps if a.name.casefold() == key or a.id.casefold() == key), None
    )
    if found is None:
        raise InvalidInput(f"--plan: no app '{wanted}' in this workspace")
    return found


def _find_plan(plans: Sequence[Plan], wanted: str) -> Plan:
    key = wanted.casefold()
    found = next((p for p in plans if p.code.casefold() == key), None) or next(
        (p for p in plans if p.name.casefold() == key), None
    )
    if found is None:
        raise InvalidInput(f"--plan: no plan '{wanted}' in the catalogue")
    return found


def _plan_changes(
    uow: UnitOfWork, actor: Actor, month: Month, asked: Sequence[AppPlanChange], day: date
) -> tuple[list[App], list[PlanComparison]]:
    """The apps as the Plans tab would leave them (``services.plans.change_plan``: an upgrade
    now, a downgrade scheduled for the period's end, the current plan cancels a pending
    downgrade), and what that means for ``month``."""
    if not asked:
        return [], []
    apps = uow.apps.all()
    plans = uow.plans.all()
    by_code = {p.code: p for p in plans}
    changed: dict[str, App] = {}
    comparisons = []
    for change in asked:
        app = _find_app(apps, change.app)
        if app.id in changed:
            raise InvalidInput(f"--plan: app '{change.app}' is given twice")
        target = _find_plan(plans, change.plan)
        seen = app_plans(uow, actor, app.id, day)  # the Plans view right, usage, eligibility
        option = next(o for o in seen.options if o.plan.code == target.code)
        kind = change_between(by_code.get(app.plan), target)
        effect: date | None = None
        if kind == Change.SAME:
            after = replace(app, pending_plan=None)
        elif kind == Change.UPGRADE:
            after = replace(app, plan=target.code, pending_plan=None)
        else:
            effect = period_end(app, day)
            after = replace(app, pending_plan=target.code, plan_ends_on=effect)
        changed[app.id] = after
        sessions = uow.rollups.totals(month.first_day, month.last_day, app=app.id)
        comparisons.append(
            PlanComparison(
                app.id,
                app.name,
                kind,
                effect,
                by_code.get(plan_in_force(app, month)),
                by_code.get(plan_in_force(after, month)),
                seen.usage,
                option.eligible,
                option.reason,
                sessions.get(BILLING_SESSIONS, ZERO),
            )
        )
    return list(changed.values()), comparisons


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
    plans: tuple[PlanComparison, ...] = field(default=())

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
            "plans": [p.as_json(self.currency) for p in self.plans],
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
    apps, plans = _plan_changes(uow, actor, month, changes.plans, engine.today)
    view = _apply(uow, month, changes, apps)
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
        month,
        now.currency,
        changes,
        now,
        then,
        units_now,
        units_then,
        tuple(lines),
        units,
        tuple(plans),
    )


__all__ = [
    "AppPlanChange",
    "Changes",
    "CommitChange",
    "Move",
    "PlanComparison",
    "PriceChange",
    "TierChange",
    "WhatIf",
    "parse_commit",
    "parse_move",
    "parse_plan",
    "parse_price",
    "parse_scope",
    "parse_tiers",
    "plan_in_force",
    "what_if",
]
