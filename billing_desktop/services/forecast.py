"""Month-end forecast (issue 20 §2): where the current month will end, from its run-rate.

Method (stated on screen and in ``forecast --json``):

* **Observed days**: the month's local days before today (today is not over yet). On the 1st
  nothing is observed and the forecast is the quantity so far.
* **Run-rate**: for a product metered from records (the hourly rollups) or a storage sum,
  projected quantity = quantity over the observed days + mean daily quantity x days left
  (today included). Recurring charges (agents, numbers) and peak-day storage are known for the
  month: their projection is the engine's quantity.
* **Band**: the day-to-day spread: projected ± 1.28 x the sample standard deviation of the
  observed daily quantities x √(days left) — about an 80 % interval if days are independent;
  the low end is never below what is observed.
* **Charge and balance**: the projected quantities (low, expected, high) are rated by the billing
  engine itself (``BillingEngine.rate_one`` with the quantities given), so free units, tiers,
  rounding and credit pools apply exactly as at month end.
* **Run-out dates**: day by day through the month (actual cumulative quantities for observed
  days, the run-rate after), the first day free units are used up, each commit's credit is
  drawn to zero, and each Usage Data quota is exceeded. Recurring charges count in full from
  the 1st, as they are rated.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.metering import MEASURES
from billing_desktop.domain.model import CREDITS_POOL, Metering, Product, Source
from billing_desktop.domain.money import format_amount
from billing_desktop.domain.periods import Month
from billing_desktop.domain.quotas import Statistic
from billing_desktop.services.billing import BillingEngine, plain_decimal
from billing_desktop.services.explain import pool_label
from billing_desktop.services.quotas import MEASURES as QUOTA_MEASURES
from billing_desktop.services.quotas import stored_quotas
from billing_desktop.store.ports import UnitOfWork

ZERO = Decimal(0)
BAND_Z = Decimal("1.28")  # about 80 % of a normal distribution
QUANTITY_PLACES = Decimal("0.01")
METHOD = (
    "Run-rate: quantity over the month's complete days + their mean daily quantity × the days "
    "left (today included); band ± 1.28 × the day-to-day standard deviation × √days left "
    "(about 80 %). Recurring charges and peak-day storage are known for the month. Charges "
    "and balances are the billing engine's rating of the projected quantities."
)


@dataclass(frozen=True, slots=True)
class ProductForecast:
    code: str
    name: str
    unit: str
    method: str  # "run-rate" or "known" (recurring, peak day)
    quantity_so_far: Decimal  # over the observed days (run-rate) or the engine's (known)
    daily_mean: Decimal
    daily_spread: Decimal  # sample standard deviation of the observed days
    projected: Decimal
    low: Decimal
    high: Decimal
    charge: Decimal  # projected month-end charge (what will be invoiced for it)
    charge_low: Decimal
    charge_high: Decimal
    balance: Decimal
    free_units_total: Decimal
    free_units_run_out: date | None  # the day the free units are used up, if this month


@dataclass(frozen=True, slots=True)
class CreditRunOut:
    pool: str
    label: str
    available: Decimal  # at the month's start
    left_at_month_end: Decimal  # projected
    runs_out_on: date | None  # None: lasts the month


@dataclass(frozen=True, slots=True)
class QuotaForecast:
    statistic: str
    label: str
    quota: int
    used: Decimal  # so far (observed days)
    projected: Decimal
    exceeded_on: date | None  # the day usage goes beyond the quota, if this month


@dataclass(frozen=True, slots=True)
class MonthForecast:
    month: Month
    currency: str
    today: date
    observed_days: int
    days_left: int
    method: str
    products: tuple[ProductForecast, ...]
    charge: Decimal  # projected invoice for the month
    charge_low: Decimal
    charge_high: Decimal
    balance: Decimal  # projected balance at month end
    credits: tuple[CreditRunOut, ...]
    quotas: tuple[QuotaForecast, ...]

    def as_json(self) -> dict[str, object]:
        """``forecast --json`` (the shape is in the README)."""

        def money(amount: Decimal) -> str:
            return format_amount(amount, self.currency)

        def day(value: date | None) -> str | None:
            return None if value is None else value.isoformat()

        plain = plain_decimal
        return {
            "month": str(self.month),
            "currency": self.currency,
            "today": self.today.isoformat(),
            "observed_days": self.observed_days,
            "days_left": self.days_left,
            "method": self.method,
            "charge": {
                "expected": money(self.charge),
                "low": money(self.charge_low),
                "high": money(self.charge_high),
            },
            "balance": money(self.balance),
            "products": [
                {
                    "code": p.code,
                    "name": p.name,
                    "unit": p.unit,
                    "method": p.method,
                    "quantity_so_far": plain(p.quantity_so_far),
                    "daily_mean": plain(p.daily_mean),
                    "daily_spread": plain(p.daily_spread),
                    "projected": plain(p.projected),
                    "low": plain(p.low),
                    "high": plain(p.high),
                    "charge": money(p.charge),
                    "charge_low": money(p.charge_low),
                    "charge_high": money(p.charge_high),
                    "balance": money(p.balance),
                    "free_units_total": plain(p.free_units_total),
                    "free_units_run_out": day(p.free_units_run_out),
                }
                for p in self.products
            ],
            "credits": [
                {
                    "pool": c.pool,
                    "label": c.label,
                    "available": money(c.available),
                    "left_at_month_end": money(c.left_at_month_end),
                    "runs_out_on": day(c.runs_out_on),
                }
                for c in self.credits
            ],
            "quotas": [
                {
                    "statistic": q.statistic,
                    "label": q.label,
                    "quota": q.quota,
                    "used": plain(q.used),
                    "projected": plain(q.projected),
                    "exceeded_on": day(q.exceeded_on),
                }
                for q in self.quotas
            ],
        }


def _run_rate(rule: tuple[Source, Metering]) -> bool:
    return rule in MEASURES or rule == (Source.STORAGE, Metering.SUM)


def _round(value: Decimal) -> Decimal:
    return value.quantize(QUANTITY_PLACES)


def _spread(values: list[Decimal]) -> Decimal:
    if len(values) < 2:
        return ZERO
    mean = sum(values, ZERO) / len(values)
    variance = sum(((v - mean) ** 2 for v in values), ZERO) / (len(values) - 1)
    return variance.sqrt()


def month_forecast(uow: UnitOfWork, actor: Actor, today: date | None = None) -> MonthForecast:
    """Where the current month (of ``today``, default the account's today) will end."""
    actor.rights.require(Area.USAGE, Level.VIEW, "see usage")
    today = BillingEngine(uow, today).today
    month = Month.of(today)
    # Rated as on the month's last day (peak-day storage is shown then), from what is known
    # today: only records of the days before today are read.
    engine = BillingEngine(uow, month.last_day)
    days = month.days()
    observed = [d for d in days if d < today]
    left = len(days) - len(observed)
    # Daily quantities of the observed days, per rollup measure (and storage sums).
    per_day: dict[str, dict[date, Decimal]] = defaultdict(dict)
    if observed:
        measures = sorted(
            {
                MEASURES[(p.source, p.metering)]
                for p in engine.products
                if (p.source, p.metering) in MEASURES
            }
            | set(QUOTA_MEASURES.values())
        )
        for row in uow.rollups.rows(month.first_day, observed[-1], measures):
            bucket = per_day[row.measure]
            bucket[row.day] = bucket.get(row.day, ZERO) + row.quantity
    storage_days = {s.day: s.quantity for s in engine.storage if month.first_day <= s.day < today}

    def daily(product: Product) -> list[Decimal]:
        rule = (product.source, product.metering)
        source = storage_days if rule == (Source.STORAGE, Metering.SUM) else per_day[MEASURES[rule]]
        return [source.get(d, ZERO) for d in observed]

    used = engine.used_before(month)
    totals: dict[str, Decimal] = {}  # recurring charges do not read the rollups
    expected: dict[str, Decimal] = {}
    low: dict[str, Decimal] = {}
    high: dict[str, Decimal] = {}
    stats: dict[str, tuple[str, Decimal, Decimal, Decimal, list[Decimal]]] = {}
    for product in engine.products:
        rule = (product.source, product.metering)
        if _run_rate(rule):
            series = daily(product)
            so_far = sum(series, ZERO)
            mean = so_far / len(series) if series else ZERO
            spread = _spread(series)
            projected = so_far + mean * left
            margin = BAND_Z * spread * Decimal(left).sqrt()
            expected[product.code] = _round(projected)
            low[product.code] = _round(max(so_far, projected - margin))
            high[product.code] = _round(projected + margin)
            stats[product.code] = ("run-rate", so_far, mean, spread, series)
        else:
            if rule == (Source.STORAGE, Metering.PEAK_DAY):
                first, last = month.peak_day_window()
                quantity = max(
                    (
                        s.quantity
                        for s in engine.storage
                        if first <= s.day <= last and s.day < today
                    ),
                    default=ZERO,
                )
            else:
                quantity = engine.quantity(product, month, totals)
            expected[product.code] = low[product.code] = high[product.code] = quantity
            stats[product.code] = ("known", quantity, ZERO, ZERO, [])
    rated = engine.rate_one(month, used, expected)
    rated_low = engine.rate_one(month, used, low)
    rated_high = engine.rate_one(month, used, high)
    lines = {ln.product.code: ln for ln in rated.lines}
    lines_low = {ln.product.code: ln for ln in rated_low.lines}
    lines_high = {ln.product.code: ln for ln in rated_high.lines}

    # Day by day: cumulative quantities at the end of each day of the month.
    def quantities_on(index: int) -> dict[str, Decimal]:
        found: dict[str, Decimal] = {}
        for product in engine.products:
            kind, so_far, mean, _, series = stats[product.code]
            if kind == "known":
                found[product.code] = so_far
            elif index < len(observed):
                found[product.code] = sum(series[: index + 1], ZERO)
            else:
                found[product.code] = so_far + mean * (index + 1 - len(observed))
        return found

    free_out: dict[str, date] = {}
    pool_out: dict[str, date] = {}
    start_pools = {k: v for k, v in rated.pools_before.items() if v > 0}
    for index, day in enumerate(days):
        rating = engine.rate_one(month, used, quantities_on(index))
        for rated_line in rating.lines:
            code = rated_line.product.code
            total = rated_line.free_units_total
            if code not in free_out and total > 0 and rated_line.quantity >= total:
                free_out[code] = day
        for pool in start_pools:
            if pool not in pool_out and rating.pools_after.get(pool, ZERO) <= 0:
                pool_out[pool] = day

    products = []
    for product in sorted(engine.products, key=lambda p: (p.name.casefold(), p.code)):
        kind, so_far, mean, spread, _series = stats[product.code]
        line = lines.get(product.code)
        if line is None and expected[product.code] <= 0:
            continue
        products.append(
            ProductForecast(
                code=product.code,
                name=product.name,
                unit=product.unit.value,
                method=kind,
                quantity_so_far=_round(so_far),
                daily_mean=_round(mean),
                daily_spread=_round(spread),
                projected=expected[product.code],
                low=low[product.code],
                high=high[product.code],
                charge=line.charged if line else ZERO,
                charge_low=lines_low[product.code].charged if product.code in lines_low else ZERO,
                charge_high=lines_high[product.code].charged
                if product.code in lines_high
                else ZERO,
                balance=line.balance if line else ZERO,
                free_units_total=line.free_units_total if line else ZERO,
                free_units_run_out=free_out.get(product.code),
            )
        )
    by_code = {p.code: p for p in engine.products}
    credits = tuple(
        CreditRunOut(
            pool,
            pool_label(pool, by_code),
            available,
            rated.pools_after.get(pool, ZERO),
            pool_out.get(pool),
        )
        for pool, available in sorted(
            start_pools.items(), key=lambda i: (i[0] == CREDITS_POOL, i[0])
        )
    )
    quotas = []
    quota_set = stored_quotas(uow)
    for statistic in Statistic:
        if statistic not in quota_set:
            continue
        measure = QUOTA_MEASURES[statistic]
        series = [per_day[measure].get(d, ZERO) for d in observed]
        so_far = sum(series, ZERO)
        mean = so_far / len(series) if series else ZERO
        quota = Decimal(quota_set[statistic])
        exceeded: date | None = None
        running = ZERO
        for index, day in enumerate(days):
            running = running + series[index] if index < len(observed) else running + mean
            if running > quota:
                exceeded = day
                break
        quotas.append(
            QuotaForecast(
                statistic.value,
                statistic.label,
                quota_set[statistic],
                _round(so_far),
                _round(so_far + mean * left),
                exceeded,
            )
        )
    return MonthForecast(
        month=month,
        currency=engine.account.currency,
        today=today,
        observed_days=len(observed),
        days_left=left,
        method=METHOD,
        products=tuple(products),
        charge=rated.charged,
        charge_low=rated_low.charged,
        charge_high=rated_high.charged,
        balance=rated.balance(),
        credits=credits,
        quotas=tuple(quotas),
    )


__all__ = ["METHOD", "MonthForecast", "month_forecast"]
