"""Buying add-on volume packs (issue 19 §5, seed 004): from Usage Data ▸ Quotas, a pack of a
statistic raises this month's quota by its volume.

The packs offered and their prices are the rate card's (``import packs FILE``, see
``services.imports``; or ``quotas.set_packs``). A purchase is kept in the workspace setting
``usage_pack_purchases`` (number ``PACK-000001`` — its own gap-free numbers —, month, statistic,
pack, volume, count, price in minor units, day, who) and is paid as the account pays:

* **credit card** accounts (they pay usage from the credit they buy by card): a ledger row
  ``usage_debit`` of minus the price in the ``credits`` pool, referenced by the purchase's
  number, dated the day it is bought — so it is on the month's statement and in Usage ▸
  Transactions. Refused when the credit left is less than the price (buy credit first);
* **invoice** accounts: an invoice ``PACK-000001`` for the price, dated today and due after
  the payment terms, with its ``invoice`` ledger row — listed in Invoices with its status,
  paid like any invoice (a payment, auto-pay), as prepaid invoices are.

A pack needs a monthly quota for its statistic (it raises the quota). A zero-priced pack
writes no money row. Rights: the right to edit Usage (admins and the Edit Billing access group),
like setting quotas. Each purchase is one audit row (entity ``ledger``, its number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput, NotFound
from billing_desktop.domain.model import (
    CREDITS_POOL,
    LedgerEntry,
    LedgerKind,
    PaymentMethod,
)
from billing_desktop.domain.money import format_amount, format_money, from_minor, to_minor
from billing_desktop.domain.periods import Month, account_today
from billing_desktop.domain.quotas import Statistic, parse_statistic
from billing_desktop.services.changes import changes
from billing_desktop.services.context import require_account
from billing_desktop.services.ledger import audit
from billing_desktop.services.prepaid import issue_invoice
from billing_desktop.services.quotas import PURCHASES_KEY, stored_packs, stored_quotas
from billing_desktop.services.receivables import next_number
from billing_desktop.store.ports import UnitOfWork

PREFIX = "PACK-"
MAX_COUNT = 100
BY_CREDIT = "credit"
BY_INVOICE = "invoice"


def is_pack_invoice(number: str) -> bool:
    return number.startswith(PREFIX)


@dataclass(frozen=True, slots=True)
class PackPurchase:
    number: str
    month: Month
    statistic: Statistic
    pack: str
    volume: int  # units of one pack
    count: int
    price: Decimal  # the total, account currency
    bought_on: date
    paid_by: str  # BY_CREDIT or BY_INVOICE
    by: str  # who bought it (audit name)

    @property
    def extra(self) -> int:
        return self.volume * self.count

    def summary(self, currency: str) -> str:
        packs = f"{self.count} × {self.pack}" if self.count != 1 else self.pack
        money = format_money(self.price, currency)
        paid = (
            f"charged {money} to the account's credit"
            if self.paid_by == BY_CREDIT
            else f"invoice {self.number} of {money} issued"
        )
        if self.price == 0:
            paid = "no charge"
        return (
            f"Bought {packs} ({self.number}): {self.statistic.label} quota of {self.month} "
            f"raised by {self.statistic.units(self.extra)}; {paid}."
        )

    def as_json(self, currency: str) -> dict[str, object]:
        return {
            "number": self.number,
            "month": str(self.month),
            "statistic": self.statistic.value,
            "pack": self.pack,
            "volume": self.volume,
            "count": self.count,
            "extra": self.extra,
            "price": format_amount(self.price, currency),
            "currency": currency,
            "bought_on": self.bought_on.isoformat(),
            "paid_by": self.paid_by,
            "by": self.by,
        }


def purchases(uow: UnitOfWork, currency: str) -> list[PackPurchase]:
    """Every purchase, oldest first (entries that do not read as one are skipped)."""
    stored = uow.settings.get(PURCHASES_KEY)
    found: list[PackPurchase] = []
    if not isinstance(stored, list):
        return found
    for raw in stored:
        try:
            found.append(
                PackPurchase(
                    number=str(raw["number"]),
                    month=Month.parse(str(raw["month"])),
                    statistic=Statistic(str(raw["statistic"])),
                    pack=str(raw["pack"]),
                    volume=int(raw["volume"]),
                    count=int(raw["count"]),
                    price=from_minor(int(raw["price_minor"]), currency),
                    bought_on=date.fromisoformat(str(raw["bought_on"])),
                    paid_by=str(raw["paid_by"]),
                    by=str(raw.get("by", "")),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return found


@dataclass(frozen=True, slots=True)
class PackPurchases:
    purchases: tuple[PackPurchase, ...]  # newest first
    currency: str


def pack_purchases(uow: UnitOfWork, actor: Actor) -> PackPurchases:
    """The packs bought, newest first."""
    actor.rights.require(Area.USAGE_DATA, Level.VIEW, "see add-on packs")
    currency = require_account(uow).currency
    found = purchases(uow, currency)
    return PackPurchases(tuple(reversed(found)), currency)


@changes("credits")
def buy_pack(
    uow: UnitOfWork,
    actor: Actor,
    statistic: str,
    pack: str,
    count: int = 1,
    today: date | None = None,
    now: datetime | None = None,
) -> PackPurchase:
    """Buy ``count`` of the add-on pack named ``pack`` of ``statistic`` for this month: its
    quota is raised by their volume, and their price charged to the credit (card accounts) or
    invoiced (invoice accounts); in ``uow`` (commit it)."""
    actor.rights.require(Area.USAGE_DATA, Level.VIEW, "buy add-on packs")
    actor.rights.require(Area.USAGE, Level.EDIT, "buy add-on packs")
    which = parse_statistic(statistic)
    account = require_account(uow)
    currency = account.currency
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise InvalidInput(f"Count: give 1 to {MAX_COUNT} packs, not '{count}'")
    offered = stored_packs(uow, currency)[which]
    wanted = " ".join(pack.split()).casefold()
    chosen = next((p for p in offered if p.name.casefold() == wanted), None)
    if chosen is None:
        names = ", ".join(f"'{p.name}'" for p in offered) or "none (import packs first)"
        raise NotFound(f"there is no {which.label} pack '{pack.strip()}' (offered: {names})")
    if which not in stored_quotas(uow):
        raise InvalidInput(
            f"{which.label} has no monthly quota: a pack raises the quota, so set one first"
        )
    when = now or datetime.now(UTC)
    day = today or account_today(account, when)
    total = chosen.price * count
    existing = purchases(uow, currency)
    number = next_number(PREFIX, (p.number for p in existing))
    by_invoice = account.payment_method == PaymentMethod.INVOICE
    packs = f"{count} × {chosen.name}" if count != 1 else chosen.name
    month = Month.of(day)
    description = f"Add-on pack {packs}: +{which.units(chosen.volume * count)} in {month}"
    if total > 0 and not by_invoice:
        left = uow.ledger.pool_totals(before=date.max).get(CREDITS_POOL, Decimal(0))
        if left < total:
            raise InvalidInput(
                f"{packs} costs {format_money(total, currency)} and the account has "
                f"{format_money(max(left, Decimal(0)), currency)} of credit: buy credit in "
                "Usage ▸ Manage credits first"
            )
        uow.ledger.add_many(
            [
                LedgerEntry(
                    occurred_on=day, kind=LedgerKind.USAGE_DEBIT, amount=-total,
                    reference=number, description=description, pool=CREDITS_POOL,
                )
            ]
        )  # fmt: skip
    elif total > 0:
        issue_invoice(uow, number, day, month, total, description)
    purchase = PackPurchase(
        number, month, which, chosen.name, chosen.volume, count, total, day,
        BY_INVOICE if by_invoice else BY_CREDIT, actor.audit_name,
    )  # fmt: skip
    stored = uow.settings.get(PURCHASES_KEY)
    rows = list(stored) if isinstance(stored, list) else []
    rows.append({**purchase.as_json(currency), "price_minor": to_minor(total, currency)})
    uow.settings.put(PURCHASES_KEY, rows)
    audit(uow, actor, "usage-pack.buy", number, None, purchase.as_json(currency), when,
          entity="ledger")  # fmt: skip
    return purchase


__all__ = [
    "PREFIX",
    "PackPurchase",
    "PackPurchases",
    "buy_pack",
    "is_pack_invoice",
    "pack_purchases",
]
