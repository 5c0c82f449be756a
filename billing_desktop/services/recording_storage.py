"""Usage Data ▸ Recording storage (issue 19 §7): the storage of call recordings per day, the
peak-day billing window, and the charge the peak so far implies.

Recording storage is billed on the peak day of a window from the 28th of the previous month to
the 27th of the billed month (``Month.peak_day_window``); the Usage tab shows the line only once
the window is over. This section shows it coming: the daily storage snapshots of the last
``TREND_DAYS`` days with the current window marked, the highest day in it so far, and what that
peak would cost if it stayed the peak — rated as the engine rates it (free units per licensed
agent at the month's peak agent count, then the product's list price and tiers, rounded half up
to the currency), before credits and commits are applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.model import Metering, Product, Source
from billing_desktop.domain.money import format_money, round_money
from billing_desktop.domain.periods import account_today, peak_day_month
from billing_desktop.domain.rating import list_price
from billing_desktop.domain.sessions import peak_agents
from billing_desktop.services.context import require_account
from billing_desktop.store.ports import UnitOfWork

TREND_DAYS = 60
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class StorageDay:
    day: date
    quantity: Decimal
    in_window: bool  # the day is in the current peak-day window


@dataclass(frozen=True, slots=True)
class RecordingStorage:
    currency: str
    today: date
    month: str  # the billed month "YYYY-MM" whose window holds today
    window_first: date
    window_last: date
    days: tuple[StorageDay, ...]  # the trend, oldest first (days without a snapshot absent)
    product_code: str | None  # the rate card's peak-day storage product, or None
    product_name: str
    unit: str
    peak: Decimal  # the highest day of the window so far (0 without snapshots)
    peak_day: date | None
    free_units: Decimal
    billable: Decimal
    charge: Decimal  # what the peak so far costs at list price (before credits and commits)

    @property
    def window_over(self) -> bool:
        return self.today > self.window_last

    def as_json(self) -> dict[str, object]:
        return {
            "month": self.month,
            "window": {
                "first": self.window_first.isoformat(),
                "last": self.window_last.isoformat(),
            },
            "product": self.product_code,
            "unit": self.unit,
            "peak": str(self.peak),
            "peak_day": self.peak_day.isoformat() if self.peak_day else None,
            "free_units": str(self.free_units),
            "billable": str(self.billable),
            "charge": str(self.charge),
            "currency": self.currency,
            "days": [
                {"day": d.day.isoformat(), "quantity": str(d.quantity), "in_window": d.in_window}
                for d in self.days
            ],
        }

    def summary(self) -> str:
        window = f"{self.window_first.isoformat()} to {self.window_last.isoformat()}"
        if self.product_code is None:
            return (
                f"Billing window {window}: the rate card has no peak-day storage product, so "
                "recording storage is not billed."
            )
        if self.peak_day is None:
            return f"Billing window {window}: no storage recorded in it yet."
        return (
            f"Billing window {window} ({self.month}): peak so far {self.peak.normalize():,f} "
            f"{self.unit} on {self.peak_day.isoformat()}, {self.free_units.normalize():,f} "
            f"{self.unit} free; it implies {format_money(self.charge, self.currency)} for "
            f"{self.month} (list price, before credits and commits)."
        )


def _storage_product(products: list[Product]) -> Product | None:
    found = [p for p in products if (p.source, p.metering) == (Source.STORAGE, Metering.PEAK_DAY)]
    return min(found, key=lambda p: p.code) if found else None


def recording_storage(uow: UnitOfWork, actor: Actor, today: date | None = None) -> RecordingStorage:
    """The storage trend, the current peak-day window and the charge its peak implies."""
    actor.rights.require(Area.USAGE_DATA, Level.VIEW, "see recording storage")
    account = require_account(uow)
    day = today or account_today(account)
    month = peak_day_month(day)
    first, last = month.peak_day_window()
    start = min(first, day - timedelta(days=TREND_DAYS - 1))
    snapshots = sorted((s for s in uow.storage.all() if start <= s.day <= day), key=lambda s: s.day)
    days = tuple(StorageDay(s.day, s.quantity, first <= s.day <= last) for s in snapshots)
    in_window = [s for s in days if s.in_window]
    top = max(in_window, key=lambda s: (s.quantity, -s.day.toordinal()), default=None)
    peak = top.quantity if top else ZERO
    product = _storage_product(uow.products.all())
    free = billable = charge = ZERO
    if product is not None:
        agents = peak_agents(uow.agents.all(), month.days())
        free = min(peak, product.free_units_per_agent * agents)
        billable = peak - free
        charge = round_money(
            list_price(billable, product.unit_price, product.tiers),
            account.currency,
            ROUND_HALF_UP,
        )
    return RecordingStorage(
        currency=account.currency,
        today=day,
        month=str(month),
        window_first=first,
        window_last=last,
        days=days,
        product_code=product.code if product else None,
        product_name=product.name if product else "",
        unit=product.unit.value if product else "GB",
        peak=peak,
        peak_day=top.day if top else None,
        free_units=free,
        billable=billable,
        charge=charge,
    )


__all__ = ["RecordingStorage", "StorageDay", "recording_storage"]
