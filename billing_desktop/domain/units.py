"""Billing-unit rules and cost allocation (PRODUCT §6). Pure: no I/O, no Qt, no SQL.

A billing unit (cost centre) has a name, users and phone numbers. **A phone number belongs to
at most one unit; a user may belong to several.** Unit names are trimmed, 1–100 characters,
and unique whatever their case ("Sales" and "sales" are the same unit).

Cost allocation for one month, at list price (quantity x unit price, graduated tiers applied,
before free units and credits — what a cost centre is charged back):

1. Each product's list-price total is computed once, from the account's quantity, and rounded
   half-up to the currency's minor unit (the rule of every invoice line).
2. That money is shared among *targets* in proportion to the quantity each drives, by the
   largest-remainder method in minor units (ties to the earlier target: units by name, then
   users by id, then Unassigned), so the shares add up to the product's total exactly:

   * a call on a number held by a unit -> that unit (number-driven), whoever made it;
   * a call on a number held by no unit (or without a number) but made by a user who is in at
     least one unit -> that user (user-driven);
   * a delivered alert -> its user; an agent seat (``per_agent``) -> its agent;
   * a number rental (``per_number``) -> the number's unit;
   * anything else — no number or user, a number or user in no unit, conversations, SMS,
     interviews, recordings, storage, and any quantity the drivers do not account for ->
     *Unassigned*.
3. A user's share is split equally among the user's units, to the minor unit; the remainder
   goes to the first of them by name.

A driver may carry the membership in force when it happened (dated assignments, issue 20 §5,
``domain.unit_history``): its target is then read off that membership instead of the report's.

Every unit gets a row (zero when nothing is allocated to it); the *Unassigned* row is there when
any quantity went unassigned. The rows add up exactly to the account's list-price total.
Recurring charges are the ``per_agent`` and ``per_number`` products; usage is the rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from billing_desktop.domain.errors import Conflict, InvalidInput, NotFound
from billing_desktop.domain.model import AgentSeat, BillingUnit, Metering, Product, User
from billing_desktop.domain.money import HALF_UP, from_minor, round_money, to_minor
from billing_desktop.domain.rating import list_price

MAX_NAME_LENGTH = 100
UNASSIGNED = "Unassigned"
RECURRING_RULES = frozenset({Metering.PER_AGENT, Metering.PER_NUMBER})
ZERO = Decimal(0)


# -- names -------------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """What makes two unit names the same: trimmed, case-insensitive."""
    return name.strip().casefold()


def clean_unit_name(name: str, existing: Iterable[str] = ()) -> str:
    """``name`` trimmed, or InvalidInput when it is empty, too long or already taken.

    ``existing`` are the names of the other units (leave out the unit being renamed).
    """
    cleaned = name.strip()
    if not cleaned:
        raise InvalidInput("a billing unit needs a name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"a billing unit name has at most {MAX_NAME_LENGTH} characters "
            f"('{cleaned[:20]}…' has {len(cleaned)})"
        )
    if any(c in cleaned for c in "\r\n\t"):
        raise InvalidInput("a billing unit name is one line of text")
    wanted = name_key(cleaned)
    for other in existing:
        if name_key(other) == wanted:
            raise InvalidInput(f"there is already a billing unit named '{other.strip()}'")
    return cleaned


def unit_order(unit: BillingUnit) -> tuple[str, str, int]:
    """Units by name (case-insensitive, then exact, then id): "the first unit by name"."""
    return (unit.name.casefold(), unit.name, unit.id)


# -- numbers: at most one unit each ------------------------------------------------------------


class NumberHeld(Conflict):
    """Numbers to assign are already in other units; the message names each holding unit."""

    def __init__(self, held: Sequence[tuple[str, str]]) -> None:
        self.held = tuple(held)  # (number, holding unit's name)
        super().__init__(
            "; ".join(f"{number} is already in unit '{unit}'" for number, unit in self.held)
        )


def number_holders(units: Iterable[BillingUnit]) -> dict[str, BillingUnit]:
    """The unit holding each assigned number."""
    return {number: unit for unit in units for number in unit.numbers}


def held_elsewhere(
    numbers: Iterable[str], unit_id: int, holders: Mapping[str, BillingUnit]
) -> list[tuple[str, BillingUnit]]:
    """The numbers among ``numbers`` that another unit than ``unit_id`` holds, with it."""
    found = []
    for number in numbers:
        holder = holders.get(number)
        if holder is not None and holder.id != unit_id:
            found.append((number, holder))
    return found


def require_numbers_free(
    numbers: Iterable[str], unit_id: int, holders: Mapping[str, BillingUnit]
) -> None:
    """Raise NumberHeld when a number is already in another unit (PRODUCT §6)."""
    held = held_elsewhere(numbers, unit_id, holders)
    if held:
        raise NumberHeld([(number, unit.name) for number, unit in held])


# -- teams -----------------------------------------------------------------------------------


def team_members(users: Iterable[User]) -> dict[str, tuple[str, ...]]:
    """Each team's member ids (sorted), teams by name."""
    members: dict[str, list[str]] = defaultdict(list)
    for user in users:
        for team in user.teams:
            members[team].append(user.id)
    return {team: tuple(sorted(ids)) for team, ids in sorted(members.items(), key=lambda i: i[0])}


def expand_teams(teams: Iterable[str], users: Iterable[User]) -> tuple[str, ...]:
    """The user ids of ``teams``' members, each once, in id order: assigning a team assigns
    its members (as they are now; later joiners are not added). Team names match whatever
    their case; an unknown team is NotFound."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for team, ids in team_members(users).items():
        by_key[team.casefold()].update(ids)
    chosen: set[str] = set()
    for team in teams:
        members = by_key.get(team.strip().casefold())
        if members is None:
            raise NotFound(f"no team named '{team.strip()}' in this workspace")
        chosen.update(members)
    return tuple(sorted(chosen))


def licensed_agents(seats: Iterable[AgentSeat], first: date, last: date) -> tuple[str, ...]:
    """Users with a seat active on any day of [first, last] (per-agent charges are monthly,
    not prorated), by id."""
    return tuple(
        sorted(
            {
                seat.user_id
                for seat in seats
                if seat.started_on <= last and (seat.ended_on is None or seat.ended_on >= first)
            }
        )
    )


# -- cost allocation -----------------------------------------------------------------------------


def is_recurring(product: Product) -> bool:
    return product.metering in RECURRING_RULES


def list_price_total(product: Product, quantity: Decimal, currency: str) -> Decimal:
    """The product's list price for ``quantity`` (tiers applied), rounded half-up once."""
    return round_money(list_price(quantity, product.unit_price, product.tiers), currency, HALF_UP)


@dataclass(frozen=True, slots=True)
class Driver:
    """Some of a product's quantity and what drove it: a number, a user, both or neither."""

    quantity: Decimal
    number: str | None = None
    user_id: str | None = None
    # Who was in which unit when it happened (dated assignments); None: the report's membership.
    membership: Membership | None = None


@dataclass(frozen=True, slots=True)
class ProductCost:
    """One product's month: its list-price ``amount`` (rounded), the account's ``quantity`` and
    the drivers of (some of) that quantity."""

    code: str
    amount: Decimal
    quantity: Decimal
    recurring: bool
    drivers: tuple[Driver, ...] = ()


@dataclass(frozen=True, slots=True)
class Membership:
    """Who is in which unit, as allocation needs it."""

    units: tuple[BillingUnit, ...]  # by name (``unit_order``)
    number_unit: Mapping[str, int] = field(default_factory=dict)
    user_units: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, units: Iterable[BillingUnit]) -> Membership:
        ordered = tuple(sorted(units, key=unit_order))
        number_unit: dict[str, int] = {}
        user_units: dict[str, list[int]] = defaultdict(list)
        for unit in ordered:
            for number in unit.numbers:
                number_unit[number] = unit.id
            for user_id in unit.user_ids:
                if unit.id not in user_units[user_id]:
                    user_units[user_id].append(unit.id)
        return cls(ordered, number_unit, {u: tuple(ids) for u, ids in user_units.items()})


@dataclass(frozen=True, slots=True)
class UnitCost:
    """One row of the units report; ``unit_id`` None is the Unassigned row."""

    unit_id: int | None
    name: str
    usage: Decimal
    recurring: Decimal

    @property
    def total(self) -> Decimal:
        return self.usage + self.recurring


@dataclass(frozen=True, slots=True)
class Allocation:
    currency: str
    rows: tuple[UnitCost, ...]  # units by name, then Unassigned when anything is unassigned
    total: Decimal  # the account's list-price total: the sum of the products' amounts
    # Minor units of each product per row key (unit id, or None for Unassigned).
    by_product: Mapping[str, Mapping[int | None, int]] = field(default_factory=dict)

    @property
    def rows_total(self) -> Decimal:
        return sum((row.total for row in self.rows), ZERO)


# A target of one product's money: ("unit", id, ()), ("user", id, the user's unit ids) or
# ("unassigned", "", ()).
_Target = tuple[str, int | str, tuple[int, ...]]
_UNASSIGNED: _Target = ("unassigned", "", ())


def largest_remainder(total: int, weights: Sequence[Decimal | Fraction]) -> list[int]:
    """Split ``total`` minor units in proportion to ``weights`` (non-negative, not all zero),
    exactly: floors first, then one more unit each to the largest remainders, ties to the
    earlier weight."""
    exact_weights = [Fraction(w) for w in weights]
    whole = sum(exact_weights, Fraction(0))
    if whole <= 0:
        raise ValueError("weights must add up to more than zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    exact = [magnitude * w / whole for w in exact_weights]
    shares = [int(e) for e in exact]  # floor: the values are non-negative
    left = magnitude - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return [sign * s for s in shares]


def split_equally(total: int, parts: int) -> list[int]:
    """``total`` minor units in ``parts`` equal shares; the remainder goes to the first."""
    if parts < 1:
        raise ValueError("split among at least one part")
    sign = -1 if total < 0 else 1
    base, remainder = divmod(abs(total), parts)
    return [sign * (base + (remainder if i == 0 else 0)) for i in range(parts)]


def _target(driver: Driver, membership: Membership) -> _Target:
    if driver.membership is not None:
        membership = driver.membership
    if driver.number is not None and driver.number in membership.number_unit:
        return ("unit", membership.number_unit[driver.number], ())
    if driver.user_id is not None and membership.user_units.get(driver.user_id):
        return ("user", driver.user_id, membership.user_units[driver.user_id])
    return _UNASSIGNED


def _allocate_product(
    product: ProductCost, membership: Membership, currency: str, unit_rank: Mapping[int, int]
) -> tuple[dict[int | None, int], bool]:
    """The product's minor units per unit id (None = Unassigned), and whether any of its
    quantity went unassigned."""
    weights: dict[_Target, Decimal] = defaultdict(Decimal)
    for driver in product.drivers:
        if driver.quantity > 0:
            weights[_target(driver, membership)] += driver.quantity
    driven = sum(weights.values(), ZERO)
    if product.quantity > driven:
        weights[_UNASSIGNED] += product.quantity - driven
    minor = to_minor(product.amount, currency)
    out: dict[int | None, int] = defaultdict(int)
    if not weights:
        if minor:
            out[None] += minor
        return dict(out), bool(minor)

    def rank(target: _Target) -> tuple[int, int, str, tuple[int, ...]]:
        kind, key, units = target
        if kind == "unit":
            assert isinstance(key, int)
            return (0, unit_rank[key], "", ())
        if kind == "user":
            return (1, 0, str(key), tuple(sorted(unit_rank[u] for u in units)))
        return (2, 0, "", ())

    targets = sorted(weights, key=rank)
    shares = largest_remainder(minor, [weights[t] for t in targets])
    for target, share in zip(targets, shares, strict=True):
        kind, key, user_units = target
        if kind == "unit":
            assert isinstance(key, int)
            out[key] += share
        elif kind == "user":
            units = sorted(user_units, key=lambda u: unit_rank[u])
            for unit_id, part in zip(units, split_equally(share, len(units)), strict=True):
                out[unit_id] += part
        else:
            out[None] += share
    return dict(out), _UNASSIGNED in weights


def allocate(currency: str, products: Sequence[ProductCost], membership: Membership) -> Allocation:
    """Share each product's list-price total among the units (module docstring)."""
    unit_rank = {unit.id: i for i, unit in enumerate(membership.units)}
    usage: dict[int | None, int] = defaultdict(int)
    recurring: dict[int | None, int] = defaultdict(int)
    by_product: dict[str, dict[int | None, int]] = {}
    anything_unassigned = False
    for product in products:
        shares, unassigned = _allocate_product(product, membership, currency, unit_rank)
        anything_unassigned = anything_unassigned or unassigned
        by_product[product.code] = shares
        bucket = recurring if product.recurring else usage
        for key, minor in shares.items():
            bucket[key] += minor
    rows = [
        UnitCost(
            unit.id,
            unit.name,
            from_minor(usage.get(unit.id, 0), currency),
            from_minor(recurring.get(unit.id, 0), currency),
        )
        for unit in membership.units
    ]
    if anything_unassigned or usage.get(None) or recurring.get(None):
        rows.append(
            UnitCost(
                None,
                UNASSIGNED,
                from_minor(usage.get(None, 0), currency),
                from_minor(recurring.get(None, 0), currency),
            )
        )
    total = sum((p.amount for p in products), ZERO)
    return Allocation(currency, tuple(rows), round_money(total, currency), by_product)
