"""Rating (PRODUCT §4.3, §4.4): free units, then credits, then charges — in that order.

For each product with usage in a month:

1. free units = allowance per agent x the month's peak daily agent count; used first;
2. the rest (billable quantity) is priced — graduated tiers where the rate card has them —
   and rounded half-up to the currency's minor unit ONCE per line (the named rule of PRODUCT §3);
3. that amount is paid from credit pools in the order the caller gives (the product's own commit,
   then the account commit, then purchased credits), never below zero;
4. what no credit covers is charged: a negative balance, invoiced at the start of next month.

Pools are plain money balances keyed by name; this module never reads a store.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from billing_desktop.domain.model import Product, Tier
from billing_desktop.domain.money import HALF_UP, round_money

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class PriceSlice:
    """One band of a priced quantity: ``quantity`` units from ``start`` at ``unit_price``."""

    start: Decimal  # the band's first unit is the one after ``start``
    quantity: Decimal
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price


def price_slices(
    quantity: Decimal, unit_price: Decimal, tiers: Sequence[Tier] = ()
) -> tuple[PriceSlice, ...]:
    """The bands ``quantity`` units are priced in: ``unit_price`` up to the first tier's
    threshold, then each tier's price for the units above its threshold (none for 0 units)."""
    slices: list[PriceSlice] = []
    price = unit_price
    floor = ZERO
    for tier in sorted(tiers):
        if quantity <= tier.above:
            break
        if tier.above > floor:
            slices.append(PriceSlice(floor, tier.above - floor, price))
        floor, price = tier.above, tier.unit_price
    if quantity > floor:
        slices.append(PriceSlice(floor, quantity - floor, price))
    return tuple(slices)


def list_price(quantity: Decimal, unit_price: Decimal, tiers: Sequence[Tier] = ()) -> Decimal:
    """Exact (unrounded) price of ``quantity`` units: the sum of its :func:`price_slices`."""
    return sum((s.amount for s in price_slices(quantity, unit_price, tiers)), ZERO)


@dataclass(frozen=True, slots=True)
class ProductUsage:
    """Input: one product's metered quantity for a month and the pools it draws from, in order."""

    product: Product
    quantity: Decimal
    pools: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RatedLine:
    product: Product
    quantity: Decimal
    free_units_total: Decimal
    free_units_used: Decimal
    billable_quantity: Decimal
    amount: Decimal  # charge for the usage beyond free units, before credit (rounded once)
    drawn: tuple[tuple[str, Decimal], ...]  # credit applied, pool by pool
    charged: Decimal  # what no credit covered: invoiced next month
    balance: Decimal  # the product's own commit credit left (>= 0), or minus the charge
    slices: tuple[PriceSlice, ...] = ()  # how the billable quantity was priced
    exact_amount: Decimal = ZERO  # the sum of the slices, before rounding to ``amount``
    # Each pool the line drew from, with the credit it held before this line drew and after.
    pools_seen: tuple[tuple[str, Decimal, Decimal], ...] = ()

    @property
    def credit_applied(self) -> Decimal:
        return sum((amount for _pool, amount in self.drawn), ZERO)


@dataclass(frozen=True, slots=True)
class MonthRating:
    currency: str
    agents: int
    lines: tuple[RatedLine, ...]
    pools_before: Mapping[str, Decimal]
    pools_after: Mapping[str, Decimal]
    pool_products: Mapping[str, str]  # a product commit's pool -> its product code

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def credit_applied(self) -> Decimal:
        return sum((line.credit_applied for line in self.lines), ZERO)

    @property
    def charged(self) -> Decimal:
        """The month's invoice total: a sum of rounded lines."""
        return sum((line.charged for line in self.lines), ZERO)

    def balance(self, products: Collection[str] | None = None) -> Decimal:
        """Credit left minus what will be invoiced: over every product, or over ``products``."""
        charges = {line.product.code: line.charged for line in self.lines}
        return month_balance(self.pools_after, self.pool_products, charges, products)


def month_balance(
    pools_left: Mapping[str, Decimal],
    pool_products: Mapping[str, str],
    charges: Mapping[str, Decimal],
    products: Collection[str] | None = None,
) -> Decimal:
    """A month's balance: the credit left in its pools minus what will be invoiced, over every
    product, or over ``products`` (their own commits' credit and charges, plus the pools no
    product owns: the account commit and purchased credits). One rule for open and closed
    months alike."""

    def counted(pool: str) -> bool:
        owner = pool_products.get(pool)
        return owner is None or products is None or owner in products

    credit = sum((left for pool, left in pools_left.items() if counted(pool)), ZERO)
    charged = sum(
        (amount for code, amount in charges.items() if products is None or code in products),
        ZERO,
    )
    return credit - charged


def rate_month(
    currency: str,
    usages: Sequence[ProductUsage],
    agents: int,
    pools: Mapping[str, Decimal],
    pool_products: Mapping[str, str] | None = None,
) -> MonthRating:
    """Rate a month. ``pools`` are the credit balances available at the month's start;
    ``pool_products`` names the product whose own commit each product pool is."""
    owners = dict(pool_products or {})
    own_pool = {product: pool for pool, product in owners.items()}
    left = {name: max(balance, ZERO) for name, balance in pools.items()}
    lines: list[RatedLine] = []
    for usage in sorted(usages, key=lambda u: u.product.code):
        product = usage.product
        free_total = product.free_units_per_agent * agents
        free_used = min(usage.quantity, free_total)
        billable = usage.quantity - free_used
        slices = price_slices(billable, product.unit_price, product.tiers)
        exact = sum((s.amount for s in slices), ZERO)
        amount = round_money(exact, currency, HALF_UP)
        remaining = amount
        drawn: list[tuple[str, Decimal]] = []
        seen: list[tuple[str, Decimal, Decimal]] = []
        for pool in usage.pools:
            available = left.get(pool, ZERO)
            take = min(remaining, available)
            if take > 0:
                left[pool] = available - take
                drawn.append((pool, take))
                remaining -= take
            seen.append((pool, available, left.get(pool, ZERO)))
        mine = own_pool.get(product.code)
        own_left = left.get(mine, ZERO) if mine is not None else ZERO
        lines.append(
            RatedLine(
                product=product,
                quantity=usage.quantity,
                free_units_total=free_total,
                free_units_used=free_used,
                billable_quantity=billable,
                amount=amount,
                drawn=tuple(drawn),
                charged=remaining,
                balance=own_left if remaining == 0 else -remaining,
                slices=slices,
                exact_amount=exact,
                pools_seen=tuple(seen),
            )
        )
    return MonthRating(currency, agents, tuple(lines), dict(pools), left, owners)
