"""Usage Data tab ▸ Quotas (PRODUCT §8.1): monthly quotas of the statistics, this month's usage
against them, the cost beyond them, and the add-on volume packs.

Storage: two workspace settings (JSON; money as integer minor units, as everywhere):

* ``usage_quotas`` = ``{"interviews": 1000, "sms": 20000, "recording_minutes": 5000}`` — a
  whole number of units per month; a statistic missing from it has no quota;
* ``usage_packs`` = ``{"interviews": [{"name", "volume", "price_minor"}], ...}`` — the add-on
  packs offered per statistic, in the order listed, priced in the account's currency.

Usage this month comes from the hourly rollups (the measures ``interviews``, ``sms`` and
``recording_minutes``, kept in step with the raw records), summed over the month's local days.

The cost beyond a quota is priced by the rate card's product for the statistic (interviews
metered by ``count``, SMS by ``count``, recordings by ``sum``) at list price: see
``domain.quotas.cost_beyond_quota``. Without such a product it is reported as "no price on the
rate card", never guessed.

Rights: reading needs the right to view Usage Data; changing quotas or packs needs the right to
edit Usage (the account's usage billing) as well — admins and the *Edit Billing* access group
(``rights_for``), not supervisors or shared-account users, who only view Usage. Every change is
audited in the caller's unit of work: the caller commits once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import partial

from billing_desktop.domain import metering
from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import Product, Tier
from billing_desktop.domain.money import format_amount, format_money, from_minor, to_minor
from billing_desktop.domain.periods import Month, account_today
from billing_desktop.domain.quotas import (
    AddOnPack,
    PackPrice,
    QuotaState,
    Statistic,
    beyond_quota,
    check_pack,
    check_quota,
    cost_beyond_quota,
    format_quantity,
    parse_statistic,
    quota_state,
    used_percent,
)
from billing_desktop.services.changes import changes
from billing_desktop.services.ledger import audit
from billing_desktop.services.statistics import account_of
from billing_desktop.store.ports import UnitOfWork

QUOTAS_KEY = "usage_quotas"
PACKS_KEY = "usage_packs"
PURCHASES_KEY = "usage_pack_purchases"  # the packs bought (services/pack_purchases.py)
ENTITY = "settings"
_audit = partial(audit, entity=ENTITY)  # the audit row of a change to one of these

MEASURES: Mapping[Statistic, str] = {
    Statistic.INTERVIEWS: metering.INTERVIEWS,
    Statistic.SMS: metering.SMS,
    Statistic.RECORDING_MINUTES: metering.RECORDING_MINUTES,
}

NO_PRICE = "no price on the rate card"
EDIT_REFUSAL = (
    "Only users who may edit the account's usage billing (admins and the Edit Billing access "
    "group) can set quotas; you can see them."
)


@dataclass(frozen=True, slots=True)
class RatePrice:
    """The rate card's list price of a statistic: which product, at what unit price."""

    product_code: str
    product_name: str
    unit_price: Decimal
    tiers: tuple[Tier, ...] = ()


@dataclass(frozen=True, slots=True)
class QuotaLine:
    """One statistic this month: usage, quota, state, what is beyond the quota and its cost."""

    statistic: Statistic
    usage: Decimal
    quota: int | None
    state: QuotaState
    percent: int | None  # whole percent used, rounded down; None without a quota (or quota 0)
    beyond: Decimal  # units beyond the quota
    price: RatePrice | None  # None: no price on the rate card
    cost_beyond: Decimal | None  # None when there is no price
    packs: tuple[AddOnPack, ...]
    message: str  # the banner text for WARNING / EXCEEDED, else ""
    packs_bought: int = 0  # add-on packs bought for this month (services/pack_purchases)
    extra: int = 0  # the units they add on top of ``quota``

    @property
    def label(self) -> str:
        return self.statistic.label

    @property
    def effective_quota(self) -> int | None:
        """The month's quota with the packs bought for it (None without a quota)."""
        return None if self.quota is None else self.quota + self.extra


@dataclass(frozen=True, slots=True)
class QuotaOverview:
    """The Quotas section: this month's line per statistic, and whether the actor may edit."""

    month: date  # first day of the current month
    currency: str
    lines: tuple[QuotaLine, ...]
    edit_refusal: str | None  # why the actor may not set quotas, or None when they may

    @property
    def can_edit(self) -> bool:
        return self.edit_refusal is None

    def line(self, statistic: Statistic | str) -> QuotaLine:
        wanted = parse_statistic(str(statistic))
        return next(line for line in self.lines if line.statistic == wanted)

    @property
    def warnings(self) -> tuple[QuotaLine, ...]:
        """The lines to warn about (80 % reached or exceeded), the most urgent first."""
        flagged = [line for line in self.lines if line.state >= QuotaState.WARNING]
        return tuple(sorted(flagged, key=lambda line: -line.state))


@dataclass(frozen=True, slots=True)
class QuotaChange:
    statistic: Statistic
    before: int | None
    after: int | None

    def summary(self) -> str:
        label = self.statistic.label
        if self.after is None:
            return f"{label}: the monthly quota was removed."
        return f"{label}: the monthly quota is now {self.statistic.units(self.after)}."


# -- rights --------------------------------------------------------------------------------------


def quota_refusal(actor: Actor) -> str | None:
    """Why ``actor`` may not change quotas or packs, or None when they may."""
    rights = actor.rights
    if rights.can_view(Area.USAGE_DATA) and rights.can_edit(Area.USAGE):
        return None
    return EDIT_REFUSAL


def _require_edit(actor: Actor, action: str) -> None:
    actor.rights.require(Area.USAGE_DATA, Level.VIEW, action)
    actor.rights.require(Area.USAGE, Level.EDIT, action)


# -- stored settings -----------------------------------------------------------------------------


def stored_quotas(uow: UnitOfWork) -> dict[Statistic, int]:
    """The quotas set, per statistic (a statistic without a quota is absent)."""
    stored = uow.settings.get(QUOTAS_KEY)
    quotas: dict[Statistic, int] = {}
    if not isinstance(stored, dict):
        return quotas
    for statistic in Statistic:
        value = stored.get(statistic.value)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            quotas[statistic] = value
    return quotas


def stored_packs(uow: UnitOfWork, currency: str) -> dict[Statistic, tuple[AddOnPack, ...]]:
    """The add-on packs per statistic, in the order stored (entries that do not read as a pack
    are skipped)."""
    stored = uow.settings.get(PACKS_KEY)
    packs: dict[Statistic, tuple[AddOnPack, ...]] = {s: () for s in Statistic}
    if not isinstance(stored, dict):
        return packs
    for statistic in Statistic:
        entries = stored.get(statistic.value)
        if not isinstance(entries, list):
            continue
        found: list[AddOnPack] = []
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            name, volume, price = entry.get("name"), entry.get("volume"), entry.get("price_minor")
            if not isinstance(name, str) or not _whole(volume) or not _whole(price):
                continue
            assert isinstance(volume, int) and isinstance(price, int)
            found.append(AddOnPack(name, volume, from_minor(price, currency)))
        packs[statistic] = tuple(found)
    return packs


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _packs_json(packs: Sequence[AddOnPack], currency: str) -> list[dict[str, object]]:
    return [
        {"name": p.name, "volume": p.volume, "price_minor": to_minor(p.price, currency)}
        for p in packs
    ]


def store_defaults(
    uow: UnitOfWork,
    quotas: Mapping[Statistic, int],
    packs: Mapping[Statistic, Sequence[AddOnPack]],
    currency: str,
) -> None:
    """Write quotas and packs as a new workspace's defaults (the demo; its own audit row covers
    them). Values are checked as a user's would be."""
    uow.settings.put(
        QUOTAS_KEY, {s.value: check_quota(quotas[s]) for s in Statistic if s in quotas}
    )
    uow.settings.put(
        PACKS_KEY,
        {
            s.value: _packs_json([check_pack(p, currency) for p in packs.get(s, ())], currency)
            for s in Statistic
        },
    )


class PackCollection:
    """The add-on packs seen as a collection of ``PackPrice`` keyed by (statistic, name
    folded), so the import engine reads and adds them like any kind (``import packs``)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def _currency(self) -> str:
        return account_of(self._uow).currency

    def all(self) -> list[PackPrice]:
        packs = stored_packs(self._uow, self._currency())
        return [PackPrice(s, p.name, p.volume, p.price) for s in Statistic for p in packs[s]]

    def get_many(self, keys: Sequence[object]) -> dict[object, PackPrice]:
        wanted = set(keys)
        found = {(row.statistic.value, row.name.casefold()): row for row in self.all()}
        return {key: row for key, row in found.items() if key in wanted}

    def add_many(self, items: Sequence[PackPrice]) -> None:
        currency = self._currency()
        every = stored_packs(self._uow, currency)
        for item in items:
            every[item.statistic] = (*every[item.statistic], item.pack)
        self._uow.settings.put(
            PACKS_KEY, {s.value: _packs_json(every[s], currency) for s in Statistic}
        )


def bought_for(uow: UnitOfWork, month: Month) -> dict[Statistic, tuple[int, int]]:
    """Per statistic, the add-on packs bought for ``month`` and the units they add (from the
    purchases ``services.pack_purchases.buy_pack`` keeps; entries that do not read are
    skipped)."""
    stored = uow.settings.get(PURCHASES_KEY)
    totals: dict[Statistic, tuple[int, int]] = {}
    if not isinstance(stored, list):
        return totals
    wanted = str(month)
    for raw in stored:
        if not isinstance(raw, dict) or raw.get("month") != wanted:
            continue
        try:
            statistic = Statistic(str(raw["statistic"]))
            count, volume = int(raw["count"]), int(raw["volume"])
        except (KeyError, TypeError, ValueError):
            continue
        before = totals.get(statistic, (0, 0))
        totals[statistic] = (before[0] + count, before[1] + count * volume)
    return totals


# -- pricing -------------------------------------------------------------------------------------


def rate_price(products: Sequence[Product], statistic: Statistic) -> RatePrice | None:
    """The rate card's product pricing ``statistic`` (the first by code), or None."""
    source, rule = statistic.rule
    for product in sorted(products, key=lambda p: p.code):
        if product.source == source and product.metering == rule:
            return RatePrice(product.code, product.name, product.unit_price, product.tiers)
    return None


def _price_text(price: RatePrice, statistic: Statistic, currency: str) -> str:
    each = format_money(price.unit_price, currency, keep_precision=True)
    tiered = ", less in its higher tiers" if price.tiers else ""
    return f"{each} per {statistic.unit_one}{tiered}, “{price.product_name}” on the rate card"


def banner_text(line: QuotaLine, currency: str) -> str:
    """What the Quotas section warns about ``line`` (empty below 80 % or without a quota)."""
    statistic, quota = line.statistic, line.effective_quota
    if quota is None or line.state < QuotaState.WARNING:
        return ""
    used = format_quantity(line.usage)
    share = f" ({line.percent} %)" if line.percent is not None else ""
    if line.state == QuotaState.WARNING:
        reached = "The quota is reached" if line.usage >= quota else "The quota is nearly reached"
        after = (
            f"usage beyond it costs {_price_text(line.price, statistic, currency)}"
            if line.price is not None
            else f"usage beyond it has {NO_PRICE}"
        )
        return (
            f"{statistic.label}: {used} of {statistic.units(quota)} used this month{share}. "
            f"{reached}: {after}. Add-on packs are listed below."
        )
    beyond = statistic.units(line.beyond)
    one = line.beyond == 1
    if line.price is None or line.cost_beyond is None:
        cost = f"The {beyond} beyond it {'has' if one else 'have'} {NO_PRICE}."
    else:
        amount = format_money(line.cost_beyond, currency)
        cost = (
            f"The {beyond} beyond it {'costs' if one else 'cost'} {amount} at list price: "
            f"{_price_text(line.price, statistic, currency)}. An add-on pack may cost less."
        )
    return (
        f"Quota exceeded — {statistic.label}: {used} of {statistic.units(quota)} used this "
        f"month{share}. {cost}"
    )


# -- reading -------------------------------------------------------------------------------------


def month_usage(uow: UnitOfWork, month: Month) -> dict[Statistic, Decimal]:
    """Each statistic's usage in ``month`` (local days), from the hourly rollups."""
    totals = uow.rollups.totals(month.first_day, month.last_day)
    return {s: totals.get(MEASURES[s], Decimal(0)) for s in Statistic}


def quota_overview(uow: UnitOfWork, actor: Actor, today: date | None = None) -> QuotaOverview:
    """This month's usage against each statistic's quota, the cost beyond it, and the packs."""
    actor.rights.require(Area.USAGE_DATA, Level.VIEW, "see usage quotas")
    account = account_of(uow)
    currency = account.currency
    month = Month.of(today or account_today(account))
    usage = month_usage(uow, month)
    quotas = stored_quotas(uow)
    packs = stored_packs(uow, currency)
    products = uow.products.all()
    bought = bought_for(uow, month)
    lines: list[QuotaLine] = []
    for statistic in Statistic:
        used, base = usage[statistic], quotas.get(statistic)
        count, extra = bought.get(statistic, (0, 0))
        quota = None if base is None else base + extra  # the packs raise this month's quota
        price = rate_price(products, statistic)
        cost = (
            None
            if price is None
            else cost_beyond_quota(used, quota, price.unit_price, currency, price.tiers)
        )
        line = QuotaLine(
            statistic=statistic,
            usage=used,
            quota=base,
            state=quota_state(used, quota),
            percent=used_percent(used, quota),
            beyond=beyond_quota(used, quota),
            price=price,
            cost_beyond=cost,
            packs=packs[statistic],
            message="",
            packs_bought=count,
            extra=extra,
        )
        lines.append(_with_message(line, currency))
    return QuotaOverview(month.first_day, currency, tuple(lines), quota_refusal(actor))


def _with_message(line: QuotaLine, currency: str) -> QuotaLine:
    return replace(line, message=banner_text(line, currency))


# -- changing ------------------------------------------------------------------------------------


@changes("quotas")
def set_quota(
    uow: UnitOfWork,
    actor: Actor,
    statistic: str,
    quota: int | None,
    *,
    now: datetime | None = None,
) -> QuotaChange:
    """Set (or, with None, remove) the monthly quota of ``statistic``; audited in ``uow``
    (commit it). PermissionDenied for users who may not edit usage billing."""
    _require_edit(actor, "set usage quotas")
    which = parse_statistic(statistic)
    account_of(uow)
    after = None if quota is None else check_quota(quota, f"Monthly quota of {which.label}")
    quotas = stored_quotas(uow)
    before = quotas.get(which)
    if after is None:
        quotas.pop(which, None)
    else:
        quotas[which] = after
    uow.settings.put(QUOTAS_KEY, {s.value: quotas[s] for s in Statistic if s in quotas})
    _audit(
        uow,
        actor,
        "usage-quota.set",
        f"{QUOTAS_KEY}.{which.value}",
        {"quota": before},
        {"quota": after},
        now,
    )
    return QuotaChange(which, before, after)


@changes("quotas")
def set_packs(
    uow: UnitOfWork,
    actor: Actor,
    statistic: str,
    packs: Sequence[AddOnPack],
    *,
    now: datetime | None = None,
) -> tuple[AddOnPack, ...]:
    """Replace the add-on packs offered for ``statistic`` (in this order); audited in ``uow``."""
    _require_edit(actor, "change add-on packs")
    which = parse_statistic(statistic)
    currency = account_of(uow).currency
    checked = tuple(check_pack(p, currency) for p in packs)
    seen: set[str] = set()
    for pack in checked:
        if pack.name.casefold() in seen:
            raise InvalidInput(f"Pack name: '{pack.name}' is listed twice")
        seen.add(pack.name.casefold())
    every = stored_packs(uow, currency)
    before = every[which]
    every[which] = checked
    uow.settings.put(PACKS_KEY, {s.value: _packs_json(every[s], currency) for s in Statistic})

    def shown(items: Sequence[AddOnPack]) -> dict[str, object]:
        return {
            "packs": [
                {"name": p.name, "volume": p.volume, "price": format_amount(p.price, currency)}
                for p in items
            ],
            "currency": currency,
        }

    _audit(uow, actor, "usage-packs.set", f"{PACKS_KEY}.{which.value}", shown(before),
           shown(checked), now)  # fmt: skip
    return checked
