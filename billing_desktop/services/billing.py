"""Billing use cases: rating months and the month's usage summary (PRODUCT §4.3–§4.5, §11.1).

Month close is in ``services.month_close``.

Closed months are history: their rating is stored (``month_lines``) with the ledger rows and the
invoice the close wrote, and never recomputed. An open month is rated from the hourly rollups,
after folding every earlier unclosed month in order — a commit's credit used in October is gone
in November of the same quarter even before October is closed.

Credit pools (ledger ``pool``): ``credits`` holds purchased credits and one-time payments (they
never expire); ``commit:<product or ''>:<recharge date>`` holds one period of a commit (unused
credit expires when the period ends). A product draws from its own commit (product scope) or
the account commit (account scope), then from purchased credits.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import NO_ACCOUNT, InvalidInput, StoreError
from billing_desktop.domain.metering import MEASURES
from billing_desktop.domain.model import (
    CREDITS_POOL,
    Account,
    AgentSeat,
    Commit,
    CommitAvailability,
    CommitScope,
    Frequency,
    LedgerEntry,
    LedgerKind,
    Metering,
    Product,
    Source,
    StorageSnapshot,
)
from billing_desktop.domain.money import format_amount
from billing_desktop.domain.periods import CommitPeriod, Month, commit_period_for, peak_day_month
from billing_desktop.domain.rating import (
    MonthRating,
    ProductUsage,
    RatedLine,
    month_balance,
    rate_month,
)
from billing_desktop.domain.sessions import agents_in_month, peak_agents
from billing_desktop.store.ports import ClosedMonth, MonthLine, UnitOfWork

MAX_FOLD_MONTHS = 120
ZERO = Decimal(0)


def commit_pool(commit: Commit, period: CommitPeriod) -> str:
    return f"commit:{commit.product or ''}:{period.recharged_on.isoformat()}"


@dataclass(frozen=True, slots=True)
class CommitInfo:
    amount: Decimal
    frequency: Frequency
    last_recharge: date
    next_recharge: date


@dataclass(frozen=True, slots=True)
class ProductSummary:
    code: str
    name: str
    unit: str
    unit_price: Decimal
    contact_center_services: bool
    quantity: Decimal
    free_units_total: Decimal
    free_units_used: Decimal
    amount: Decimal
    credit_applied: Decimal
    charged: Decimal
    balance: Decimal
    commit: CommitInfo | str  # "N/A": no commit for this product; "-": available, not bought


@dataclass(frozen=True, slots=True)
class UsageSummary:
    month: Month
    currency: str
    timezone: str
    closed: bool
    invoice_number: str | None
    balance: Decimal
    contact_center_services_balance: Decimal
    account_commit: CommitInfo | None
    agents: int
    products: tuple[ProductSummary, ...]

    @property
    def invoice_date(self) -> date:
        """When what the month's negative balances add up to is invoiced."""
        return self.month.plus(1).first_day

    def as_json(self) -> dict[str, object]:
        """The shape PRODUCT §11.1 promises (extra keys allowed)."""
        money = self._money
        return {
            "month": str(self.month),
            "currency": self.currency,
            "balance": money(self.balance),
            "contact_center_services_balance": money(self.contact_center_services_balance),
            "closed": self.closed,
            "invoice": self.invoice_number,
            "agents": self.agents,
            "account_commit": _commit_json(self.account_commit, money),
            "products": [
                {
                    "code": p.code,
                    "name": p.name,
                    "unit": p.unit,
                    "unit_price": plain_decimal(p.unit_price),
                    "quantity": plain_decimal(p.quantity),
                    "free_units_total": plain_decimal(p.free_units_total),
                    "free_units_used": plain_decimal(p.free_units_used),
                    "amount": money(p.amount),
                    "credit_applied": money(p.credit_applied),
                    "charged": money(p.charged),
                    "balance": money(p.balance),
                    "commit": _commit_json(p.commit, money),
                    "contact_center_services": p.contact_center_services,
                }
                for p in self.products
            ],
        }

    def _money(self, amount: Decimal) -> str:
        return format_amount(amount, self.currency)


def _commit_json(commit: CommitInfo | str | None, money: object) -> object:
    if commit is None or isinstance(commit, str):
        return commit
    assert callable(money)
    return {
        "amount": money(commit.amount),
        "frequency": commit.frequency.value,
        "last_recharge": commit.last_recharge.isoformat(),
        "next_recharge": commit.next_recharge.isoformat(),
    }


def plain_decimal(value: Decimal) -> str:
    """A quantity as a plain decimal string: 12000, 2.5 (never 1.2E+4)."""
    return format(value.normalize(), "f")


class BillingEngine:
    """Rates months of one workspace. Reads everything small once; quantities come from the
    hourly rollups, so nothing here scans raw records."""

    def __init__(self, uow: UnitOfWork, today: date | None = None) -> None:
        account = uow.account.get()
        if account is None:
            raise StoreError(NO_ACCOUNT)
        self.uow = uow
        self.account: Account = account
        self.zone = ZoneInfo(account.timezone)
        self.today = today or datetime.now(UTC).astimezone(self.zone).date()
        self.products: list[Product] = uow.products.all()
        self.commits: list[Commit] = sorted(
            uow.commits.all(), key=lambda c: (c.product or "", c.started_on)
        )
        self.seats: list[AgentSeat] = uow.agents.all()
        self.storage: list[StorageSnapshot] = uow.storage.all()
        self.ledger: list[LedgerEntry] = uow.ledger.all()
        self.closed: dict[Month, ClosedMonth] = {Month.of(c.month): c for c in uow.closing.all()}

    # -- which months ---------------------------------------------------------------------
    @property
    def current_month(self) -> Month:
        return Month.of(self.today)

    def first_open_month(self, upto: Month) -> Month:
        """Where rating has to start to know the credit left at ``upto``'s start."""
        if self.closed:
            return max(self.closed).plus(1)
        first = self.first_billed_month()
        return max(min(first or upto, upto), upto.plus(-MAX_FOLD_MONTHS))

    def first_billed_month(self) -> Month | None:
        """The first month of the workspace's billing history: the earliest of the first
        in-scope commit's start month and the first month in which a product of the rate card
        has a quantity (None when neither exists yet).

        Every kind of usage counts, not only the event records of the rollups: a storage
        snapshot (its calendar month for ``sum``, the month whose 28th-27th window holds it for
        ``peak_day``) and a licensed seat (with a ``per_agent`` product); records no product
        meters do not. Phone numbers carry no dates, so a ``per_number`` rental is charged in
        every month of the history but does not start one.
        """
        candidates: list[Month] = []
        rules = {(p.source, p.metering) for p in self.products}
        measures = sorted({MEASURES[rule] for rule in rules if rule in MEASURES})
        span = self.uow.rollups.span(measures) if measures else None
        if span is not None:
            candidates.append(Month.of(span[0]))
        if self.storage:
            first_day = min(s.day for s in self.storage)
            if (Source.STORAGE, Metering.SUM) in rules:
                candidates.append(Month.of(first_day))
            if (Source.STORAGE, Metering.PEAK_DAY) in rules:
                candidates.append(peak_day_month(first_day))
        if self.seats and (Source.AGENTS, Metering.PER_AGENT) in rules:
            candidates.append(Month.of(min(seat.started_on for seat in self.seats)))
        commits = self._commits_in_scope()
        if commits:
            candidates.append(Month.of(min(commit.started_on for commit in commits)))
        return min(candidates, default=None)

    # -- credit pools ---------------------------------------------------------------------
    def _commits_in_scope(self) -> list[Commit]:
        scope = self.account.commit_scope
        if scope == CommitScope.PRODUCT:
            return [c for c in self.commits if c.product is not None]
        if scope == CommitScope.ACCOUNT:
            return [c for c in self.commits if c.product is None]
        return []

    def commit_periods(self, month: Month) -> dict[str | None, tuple[Commit, CommitPeriod]]:
        """The commit (latest started) and period paying for ``month``, per product (None =
        account level)."""
        found: dict[str | None, tuple[Commit, CommitPeriod]] = {}
        for commit in self._commits_in_scope():
            period = commit_period_for(commit.started_on, commit.frequency, month)
            if period is not None:
                found[commit.product] = (commit, period)  # sorted: the latest start wins
        return found

    def pools_at(
        self, month: Month, used: dict[str, Decimal]
    ) -> tuple[dict[str, Decimal], dict[str, str]]:
        """Credit available at ``month``'s start (purchases during the month count), given
        ``used``: credit drawn by earlier unclosed months, pool by pool."""
        last = month.last_day
        credits = sum(
            (e.amount for e in self.ledger if e.pool == CREDITS_POOL and e.occurred_on <= last),
            ZERO,
        )
        pools = {CREDITS_POOL: credits - used.get(CREDITS_POOL, ZERO)}
        owners: dict[str, str] = {}
        for product, (commit, period) in self.commit_periods(month).items():
            key = commit_pool(commit, period)
            debits = sum(
                (
                    e.amount
                    for e in self.ledger
                    if e.pool == key and e.kind == LedgerKind.USAGE_DEBIT
                ),
                ZERO,
            )
            pools[key] = commit.amount + debits - used.get(key, ZERO)
            if product is not None:
                owners[key] = product
        return pools, owners

    def closed_pools(self, month: Month) -> tuple[dict[str, Decimal], dict[str, str]]:
        """The credit a closed ``month`` left in the pools it drew from, as it stood before the
        close expired any of it (so a closed month shows what it showed open), and the product
        owning each product commit's pool."""
        pools, owners = self.pools_at(month, {})  # which pools: their credit is summed below
        last = month.last_day
        reference = str(month)
        left: dict[str, Decimal] = {}
        for key in pools:
            left[key] = sum(
                (
                    e.amount
                    for e in self.ledger
                    if e.pool == key
                    and e.occurred_on <= last
                    and not (e.kind == LedgerKind.COMMIT_EXPIRY and e.reference == reference)
                ),
                ZERO,
            )
        return left, owners

    # -- quantities -----------------------------------------------------------------------
    def quantity(self, product: Product, month: Month, totals: dict[str, Decimal]) -> Decimal:
        rule = (product.source, product.metering)
        if rule in MEASURES:
            return totals.get(MEASURES[rule], ZERO)
        if rule == (Source.STORAGE, Metering.PEAK_DAY):
            first, last = month.peak_day_window()
            return max((s.quantity for s in self.storage if first <= s.day <= last), default=ZERO)
        if rule == (Source.STORAGE, Metering.SUM):
            return sum(
                (s.quantity for s in self.storage if month.first_day <= s.day <= month.last_day),
                ZERO,
            )
        if rule == (Source.AGENTS, Metering.PER_AGENT):
            return Decimal(agents_in_month(self.seats, month.first_day, month.last_day))
        if rule == (Source.NUMBERS, Metering.PER_NUMBER):
            return Decimal(self.uow.numbers.count())
        raise InvalidInput(
            f"product {product.code}: {product.source.value} cannot be metered by "
            f"'{product.metering.value}'"
        )

    def shown(self, product: Product, month: Month) -> bool:
        """Peak-day storage of the current month is only known (and shown) from the 28th."""
        if product.metering != Metering.PEAK_DAY or month != self.current_month:
            return True
        return self.today >= month.peak_day_window()[1] + timedelta(days=1)

    def rate_one(
        self,
        month: Month,
        used: Mapping[str, Decimal],
        quantities: Mapping[str, Decimal] | None = None,
    ) -> MonthRating:
        """Rate ``month`` given the credit ``used`` by earlier unclosed months. ``quantities``
        (product code -> quantity) stand in for the metered ones, for a forecast or a what-if:
        the same rating, other figures."""
        given = quantities or {}
        totals: dict[str, Decimal] | None = None
        pools, owners = self.pools_at(month, dict(used))
        periods = self.commit_periods(month)
        account_pool = (
            commit_pool(*periods[None])
            if None in periods and self.account.commit_scope == CommitScope.ACCOUNT
            else None
        )
        usages = []
        for product in self.products:
            if product.code in given:
                quantity = given[product.code]
            else:
                if totals is None:
                    totals = self.uow.rollups.totals(month.first_day, month.last_day)
                quantity = self.quantity(product, month, totals)
            if quantity <= 0 or not self.shown(product, month):
                continue
            order: list[str] = []
            if product.code in periods:
                order.append(commit_pool(*periods[product.code]))
            if account_pool is not None:
                order.append(account_pool)
            order.append(CREDITS_POOL)
            usages.append(ProductUsage(product, quantity, tuple(order)))
        agents = peak_agents(self.seats, month.days())
        return rate_month(self.account.currency, usages, agents, pools, owners)

    def used_before(self, month: Month) -> dict[str, Decimal]:
        """Credit drawn, pool by pool, by the unclosed months before ``month``."""
        used: dict[str, Decimal] = defaultdict(Decimal)
        # A month older than the closed history (a gap nobody closed) is rated on its own.
        current = min(self.first_open_month(month), month)
        while current < month:
            for line in self.rate_one(current, used).lines:
                for pool, amount in line.drawn:
                    used[pool] += amount
            current = current.plus(1)
        return used

    def rate(self, month: Month, quantities: Mapping[str, Decimal] | None = None) -> MonthRating:
        """Rate an open ``month``, folding every unclosed month before it in order
        (``quantities``: see :meth:`rate_one`)."""
        return self.rate_one(month, self.used_before(month), quantities)

    def month_lines(self, month: Month) -> list[MonthLine]:
        """The stored rating of a closed ``month``, or the rating of an open one: what
        ``usage --json``, the explanation of a charge and the invoiced unit costs all read."""
        closed = self.closed.get(month)
        if closed is not None:
            return self.uow.closing.lines(closed.month)
        return [month_line(line) for line in self.rate(month).lines]

    # -- presentation -----------------------------------------------------------------------
    def commit_column(self, product: Product, month: Month) -> CommitInfo | str:
        if product.commit == CommitAvailability.NOT_AVAILABLE:
            return "N/A"
        found = self.commit_periods(month).get(product.code)
        if found is None:
            return "-"
        return _info(*found)

    def account_commit(self, month: Month) -> CommitInfo | None:
        found = self.commit_periods(month).get(None)
        return None if found is None else _info(*found)


def _info(commit: Commit, period: CommitPeriod) -> CommitInfo:
    return CommitInfo(commit.amount, commit.frequency, period.recharged_on, period.next_on)


# Month summaries already worked out, by the store's change token (PERFORMANCE.md B2): the
# Usage tab asks again on every visit, every poll and every month picked back. A few entries.
_SUMMARIES: OrderedDict[Hashable, UsageSummary] = OrderedDict()
_SUMMARIES_KEPT = 16
# "0" turns the keeping off (bench/remote_usage_summary.py compares the work, not the cache).
SUMMARY_CACHE_ENV = "BILLING_DESKTOP_SUMMARY_CACHE"
_SUMMARIES_LOCK = threading.Lock()
# Today (in any time zone) is the same all through a UTC quarter hour: every zone's offset is
# a whole number of quarter hours.
_QUARTER_HOUR = 900


def usage_summary(
    uow: UnitOfWork, actor: Actor, month: Month | None = None, today: date | None = None
) -> UsageSummary:
    """The Usage tab and ``usage --json`` for ``month`` (default: the current month).

    The summary depends on the store's content and on today only, so it is kept, keyed by the
    store's change token (``change_token()``: it moves with every commit to the store, from
    this process or another) and the quarter hour, while the store offers one.
    """
    actor.rights.require(Area.USAGE, Level.VIEW, "see usage")
    change_token = getattr(uow, "change_token", None)
    keep = os.environ.get(SUMMARY_CACHE_ENV, "").strip() != "0"
    token = change_token() if keep and callable(change_token) else None
    if token is None:
        return _usage_summary(uow, month, today)
    key = (token, month, today, int(datetime.now(UTC).timestamp()) // _QUARTER_HOUR)
    with _SUMMARIES_LOCK:
        found = _SUMMARIES.get(key)
        if found is not None:
            _SUMMARIES.move_to_end(key)
            return found
    summary = _usage_summary(uow, month, today)
    with _SUMMARIES_LOCK:
        _SUMMARIES[key] = summary
        while len(_SUMMARIES) > _SUMMARIES_KEPT:
            _SUMMARIES.popitem(last=False)
    return summary


def _usage_summary(uow: UnitOfWork, month: Month | None, today: date | None) -> UsageSummary:
    engine = BillingEngine(uow, today)
    month = month or engine.current_month
    cc_codes = {p.code for p in engine.products if p.contact_center_services}
    by_code = {p.code: p for p in engine.products}
    closed = engine.closed.get(month)
    if closed is not None:
        lines = engine.month_lines(month)
        pools_left, owners = engine.closed_pools(month)
        charges = {line.product: line.charged for line in lines}
        products = tuple(
            _summary(
                by_code[line.product], line, engine.commit_column(by_code[line.product], month)
            )
            for line in lines
            if line.product in by_code
        )
        return UsageSummary(
            month,
            engine.account.currency,
            engine.account.timezone,
            True,
            closed.invoice_number,
            month_balance(pools_left, owners, charges),
            month_balance(pools_left, owners, charges, cc_codes),
            engine.account_commit(month),
            peak_agents(engine.seats, month.days()),
            products,
        )
    rating = engine.rate(month)
    products = tuple(
        _summary(line.product, month_line(line), engine.commit_column(line.product, month))
        for line in rating.lines
    )
    return UsageSummary(
        month=month,
        currency=engine.account.currency,
        timezone=engine.account.timezone,
        closed=False,
        invoice_number=None,
        balance=rating.balance(),
        contact_center_services_balance=rating.balance(cc_codes),
        account_commit=engine.account_commit(month),
        agents=rating.agents,
        products=products,
    )


def month_line(line: RatedLine) -> MonthLine:
    return MonthLine(
        product=line.product.code,
        quantity=line.quantity,
        free_units_total=line.free_units_total,
        free_units_used=line.free_units_used,
        unit_price=line.product.unit_price,
        amount=line.amount,
        credit_applied=line.credit_applied,
        charged=line.charged,
        balance=line.balance,
    )


def _summary(product: Product, line: MonthLine, commit: CommitInfo | str) -> ProductSummary:
    return ProductSummary(
        code=product.code,
        name=product.name,
        unit=product.unit.value,
        unit_price=line.unit_price,
        contact_center_services=product.contact_center_services,
        quantity=line.quantity,
        free_units_total=line.free_units_total,
        free_units_used=line.free_units_used,
        amount=line.amount,
        credit_applied=line.credit_applied,
        charged=line.charged,
        balance=line.balance,
        commit=commit,
    )


__all__ = [
    "CREDITS_POOL",
    "BillingEngine",
    "CommitInfo",
    "ProductSummary",
    "UsageSummary",
    "usage_summary",
]
