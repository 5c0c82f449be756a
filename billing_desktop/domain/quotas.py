"""Monthly quotas of the Usage Data statistics (PRODUCT §8.1): states and the cost beyond them.

Each statistic (completed interviews, SMS messages, recorded minutes) may have a monthly quota:
a whole number of units per calendar month in the account's time zone. The month's usage
against it is in one of four states, in this order as usage grows:

* ``UNSET``: no quota (nothing to warn about);
* ``OK``: below 80 % of the quota;
* ``WARNING``: from 80 % of the quota up to the quota itself (reached, not yet beyond);
* ``EXCEEDED``: beyond the quota.

A quota of 0 is a real quota: any usage exceeds it. Usage beyond the quota is a variable cost at
the rate card's list price (before free units, credits and commits, like the call log's cost
column): the price of the units beyond the quota, where graduated tiers count from the month's
first unit, so the excess units cost what they add to the month's list price. It is rounded
half-up to the currency's minor unit once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, StrEnum

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import Metering, Source, Tier
from billing_desktop.domain.money import HALF_UP, round_money, to_minor
from billing_desktop.domain.rating import list_price

ZERO = Decimal(0)
WARNING_PERCENT = 80
MAX_QUOTA = 1_000_000_000  # units per month; far above any account, within a 32-bit spin box
MAX_PACK_VOLUME = 1_000_000_000
MAX_PACK_PRICE = Decimal(10_000_000)
MAX_PACK_NAME = 80


class Statistic(StrEnum):
    """The statistics of the Usage Data tab that carry a monthly quota."""

    INTERVIEWS = "interviews"
    SMS = "sms"
    RECORDING_MINUTES = "recording_minutes"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def unit(self) -> str:
        """The plural unit name ("interviews", "messages", "minutes")."""
        return _UNITS[self]

    @property
    def unit_one(self) -> str:
        return _UNITS_ONE[self]

    @property
    def rule(self) -> tuple[Source, Metering]:
        """The rate-card pairing (source, metering rule) of the product that prices it."""
        return _RULES[self]

    def units(self, quantity: int | Decimal) -> str:
        """ "1 interview", "2,500 messages", "12.5 minutes"."""
        text = format_quantity(quantity)
        return f"{text} {self.unit_one if quantity == 1 else self.unit}"


_LABELS = {
    Statistic.INTERVIEWS: "Completed interviews",
    Statistic.SMS: "SMS messages",
    Statistic.RECORDING_MINUTES: "Recorded minutes",
}
_UNITS = {
    Statistic.INTERVIEWS: "interviews",
    Statistic.SMS: "messages",
    Statistic.RECORDING_MINUTES: "minutes",
}
_UNITS_ONE = {
    Statistic.INTERVIEWS: "interview",
    Statistic.SMS: "message",
    Statistic.RECORDING_MINUTES: "minute",
}
_RULES = {
    Statistic.INTERVIEWS: (Source.INTERVIEWS, Metering.COUNT),
    Statistic.SMS: (Source.SMS, Metering.COUNT),
    Statistic.RECORDING_MINUTES: (Source.RECORDINGS, Metering.SUM),
}


def parse_statistic(value: str) -> Statistic:
    try:
        return Statistic(value)
    except ValueError:
        known = ", ".join(s.value for s in Statistic)
        raise InvalidInput(f"'{value}' is not a statistic with a quota ({known})") from None


def format_quantity(quantity: int | Decimal) -> str:
    """Thousands separators, no exponent, no trailing zeros ("12,000", "2.5")."""
    if isinstance(quantity, Decimal):
        normal = quantity.normalize()
        if normal == normal.to_integral_value():
            return f"{normal.to_integral_value():,f}"
        return f"{normal:,f}"
    return f"{quantity:,}"


class QuotaState(IntEnum):
    """Ordered: a larger usage never gives a smaller state (for one quota)."""

    UNSET = 0
    OK = 1
    WARNING = 2
    EXCEEDED = 3


def quota_state(usage: Decimal | int, quota: int | None) -> QuotaState:
    """The state of ``usage`` against ``quota`` (see the module docstring)."""
    if quota is None:
        return QuotaState.UNSET
    if usage > quota:
        return QuotaState.EXCEEDED
    # Exact: usage / quota >= 80 % without a division.
    if quota > 0 and Decimal(usage) * 100 >= Decimal(quota) * WARNING_PERCENT:
        return QuotaState.WARNING
    return QuotaState.OK


def used_percent(usage: Decimal | int, quota: int | None) -> int | None:
    """Whole percent of the quota used, rounded down (79.9 % shows 79, never a rounded-up 80
    while the state is still OK); None without a quota or with a quota of 0."""
    if quota is None or quota <= 0:
        return None
    return int((Decimal(usage) * 100) // quota)


def beyond_quota(usage: Decimal | int, quota: int | None) -> Decimal:
    """The units used beyond the quota (0 at or below it, or without a quota)."""
    if quota is None or usage <= quota:
        return ZERO
    return Decimal(usage) - quota


def cost_beyond_quota(
    usage: Decimal | int,
    quota: int | None,
    unit_price: Decimal,
    currency: str,
    tiers: Sequence[Tier] = (),
) -> Decimal:
    """The variable cost of the units beyond ``quota`` at list price, rounded half-up once to
    the currency's minor unit: 0 at or below the quota (or without one)."""
    if quota is None or usage <= quota:
        return round_money(ZERO, currency)
    quantity = Decimal(usage)
    exact = list_price(quantity, unit_price, tiers) - list_price(Decimal(quota), unit_price, tiers)
    return round_money(exact, currency, HALF_UP)


def check_quota(value: int, what: str = "Monthly quota") -> int:
    """A quota as given by a user: a whole number from 0 to ``MAX_QUOTA``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what}: give a whole number of units")
    if value < 0:
        raise InvalidInput(f"{what}: give 0 or more ({value:,} is below 0)")
    if value > MAX_QUOTA:
        raise InvalidInput(f"{what}: give at most {MAX_QUOTA:,} ({value:,} is more)")
    return value


@dataclass(frozen=True, slots=True)
class AddOnPack:
    """An add-on volume pack: ``volume`` more units of a statistic for ``price`` (account
    currency), bought on top of the monthly quota."""

    name: str
    volume: int
    price: Decimal

    @property
    def price_per_unit(self) -> Decimal:
        return self.price / self.volume if self.volume else ZERO


@dataclass(frozen=True, slots=True)
class PackPrice:
    """One row of the rate card's add-on packs (``import packs FILE``): a pack of a statistic."""

    statistic: Statistic
    name: str
    volume: int
    price: Decimal

    @property
    def pack(self) -> AddOnPack:
        return AddOnPack(self.name, self.volume, self.price)


def check_pack(pack: AddOnPack, currency: str) -> AddOnPack:
    """A pack as given by a user: a name, a positive volume, a price in the currency's minor
    units (zero or more). Raises InvalidInput naming the field."""
    name = " ".join(pack.name.split())
    if not name:
        raise InvalidInput("Pack name: give the pack a name")
    if len(name) > MAX_PACK_NAME:
        raise InvalidInput(f"Pack name: at most {MAX_PACK_NAME} characters")
    if isinstance(pack.volume, bool) or not isinstance(pack.volume, int):
        raise InvalidInput(f"Volume of '{name}': give a whole number of units")
    if not 1 <= pack.volume <= MAX_PACK_VOLUME:
        raise InvalidInput(f"Volume of '{name}': give 1 to {MAX_PACK_VOLUME:,} units")
    if not isinstance(pack.price, Decimal) or not pack.price.is_finite() or pack.price < 0:
        raise InvalidInput(f"Price of '{name}': give an amount of 0 or more")
    if pack.price > MAX_PACK_PRICE:
        raise InvalidInput(f"Price of '{name}': at most {MAX_PACK_PRICE:,}")
    try:
        to_minor(pack.price, currency)
    except InvalidInput as exc:
        raise InvalidInput(f"Price of '{name}': {exc}") from None
    return AddOnPack(name, pack.volume, pack.price)
