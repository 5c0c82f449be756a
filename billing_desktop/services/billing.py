"""Billing use cases: the month's usage summary and month close (PRODUCT §4.3–§4.5, §11.1).

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

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput, StoreError
from billing_desktop.domain.metering import MEASURES
from billing_desktop.domain.model import (
    CREDITS_POOL,
    Account,
    AgentSeat,
    AuditEntry,
    Commit,
    CommitAvailability,
    CommitScope,
    Frequency,
    Invoice,
    InvoiceStatus,
    LedgerEntry,
    LedgerKind,
    Metering,
    Product,
    Source,
    StorageSnapshot,
)
from billing_desktop.domain.money import format_amount, format_money
from billing_desktop.domain.periods import CommitPeriod, Month, commit_period_for
from billing_desktop.domain.rating import MonthRating, ProductUsage, RatedLine, rate_month
from billing_desktop.domain.sessions import agents_in_month, peak_agents
from billing_desktop.services.visibility import account_totals
from billing_desktop.store.ports import ClosedMonth, MonthLine, UnitOfWork

INVOICE_PREFIX = "INV-"
PAYMENT_TERMS = timedelta(days=30)
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


@dataclass(frozen=True, slots=True)
class CloseReport:
    month: Month
    already_closed: bool
    invoice: Invoice | None
    lines: int
    currency: str

    def summary(self) -> str:
        if self.already_closed:
            return f"{self.month} was already closed; nothing new was issued."
        if self.invoice is None:
            return f"Closed {self.month}: nothing to invoice ({self.lines} products rated)."
        amount = format_amount(self.invoice.amount, self.currency)
        return (
            f"Closed {self.month}: invoice {self.invoice.number} for {amount} "
            f"{self.currency}, issued {self.invoice.issued_on}, due {self.invoice.due_on}."
        )

    def as_json(self) -> dict[str, object]:
        return {
            "month": str(self.month),
            "already_closed": self.already_closed,
            "invoice": None
            if self.invoice is None
            else {
                "number": self.invoice.number,
                "amount": format_amount(self.invoice.amount, self.currency),
                "issued_on": self.invoice.issued_on.isoformat(),
                "due_on": None if self.invoice.due_on is None else self.invoice.due_on.isoformat(),
            },
            "lines": self.lines,
        }


class BillingEngine:
    """Rates months of one workspace. Reads everything small once; quantities come from the
    hourly rollups, so nothing here scans raw records."""

    def __init__(self, uow: UnitOfWork, today: date | None = None) -> None:
        account = uow.account.get()
        if account is None:
            raise StoreError("the store has no account yet: import the account first")
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
        # Never closed: start at the first month with metered usage. Recurring charges (seats,
        # numbers) of months before any usage record are not made up after the fact.
        candidates = [upto]
        span = self.uow.rollups.span()
        if span is not None:
            candidates.append(Month.of(span[0]))
        if self.storage:
            candidates.append(Month.of(self.storage[0].day).plus(1))  # peak-day window
        return max(min(candidates), upto.plus(-MAX_FOLD_MONTHS))

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

    def rate_one(self, month: Month, used: dict[str, Decimal]) -> MonthRating:
        totals = self.uow.rollups.totals(month.first_day, month.last_day)
        pools, owners = self.pools_at(month, used)
        periods = self.commit_periods(month)
        account_pool = (
            commit_pool(*periods[None])
            if None in periods and self.account.commit_scope == CommitScope.ACCOUNT
            else None
        )
        usages = []
        for product in self.products:
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

    def rate(self, month: Month) -> MonthRating:
        """Rate an open ``month``, folding every unclosed month before it in order."""
        used: dict[str, Decimal] = defaultdict(Decimal)
        # A month older than the closed history (a gap nobody closed) is rated on its own.
        current = min(self.first_open_month(month), month)
        while True:
            rating = self.rate_one(current, used)
            if current == month:
                return rating
            for line in rating.lines:
                for pool, amount in line.drawn:
                    used[pool] += amount
            current = current.plus(1)

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


def usage_summary(
    uow: UnitOfWork, actor: Actor, month: Month | None = None, today: date | None = None
) -> UsageSummary:
    """The Usage tab and ``usage --json`` for ``month`` (default: the current month)."""
    actor.rights.require(Area.USAGE, Level.VIEW, "see usage")
    engine = BillingEngine(uow, today)
    month = month or engine.current_month
    cc_codes = {p.code for p in engine.products if p.contact_center_services}
    by_code = {p.code: p for p in engine.products}
    closed = engine.closed.get(month)
    if closed is not None:
        lines = uow.closing.lines(closed.month)
        invoiced = sum((line.charged for line in lines), ZERO)
        # The account's credit: app balances (pools ``app:<id>``) never pay the account's
        # usage, and an open month's rating leaves them out too.
        pools = account_totals(uow.ledger.pool_totals(before=month.plus(1).first_day))
        credit_left = sum((v for k, v in pools.items() if k), ZERO)
        cc_charged = sum((ln.charged for ln in lines if ln.product in cc_codes), ZERO)
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
            credit_left - invoiced,
            credit_left - cc_charged,
            engine.account_commit(month),
            peak_agents(engine.seats, month.days()),
            products,
        )
    rating = engine.rate(month)
    products = tuple(
        _summary(line.product, _month_line(line), engine.commit_column(line.product, month))
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


def _month_line(line: RatedLine) -> MonthLine:
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


def next_invoice_number(numbers: Sequence[str]) -> str:
    """Gap-free per account: one more than the highest ``INV-nnnnnn`` issued so far."""
    highest = 0
    for number in numbers:
        if number.startswith(INVOICE_PREFIX) and number[len(INVOICE_PREFIX) :].isdigit():
            highest = max(highest, int(number[len(INVOICE_PREFIX) :]))
    return f"{INVOICE_PREFIX}{highest + 1:06d}"


def close_month(
    uow: UnitOfWork,
    actor: Actor,
    month: Month,
    today: date | None = None,
    now: datetime | None = None,
) -> CloseReport:
    """Close ``month``: materialise commit recharges, usage debits and expiries in the ledger,
    issue the invoice for what credit did not cover, store the month's rating, audit it — all
    in the caller's unit of work (commit it). Closing a closed month changes nothing."""
    actor.rights.require(Area.USAGE, Level.EDIT, "close a month")
    engine = BillingEngine(uow, today)
    currency = engine.account.currency
    if month in engine.closed:
        return CloseReport(month, True, None, 0, currency)
    if month >= engine.current_month:
        raise InvalidInput(
            f"{month} is not over yet in {engine.account.timezone}; a month is closed once it "
            "has ended"
        )
    if engine.closed and month < max(engine.closed):
        raise InvalidInput(
            f"{month} is before the last closed month {max(engine.closed)}; months are closed "
            "in order and history cannot be reopened"
        )
    first_open = engine.first_open_month(month)
    if first_open < month:
        raise InvalidInput(f"close {first_open} first: months are closed in order")
    rating = engine.rate(month)
    when = now or datetime.now(UTC)
    last = month.last_day
    rows: list[LedgerEntry] = []
    recharged = {e.pool for e in engine.ledger if e.kind == LedgerKind.COMMIT_RECHARGE}
    for product, (commit, period) in engine.commit_periods(month).items():
        key = commit_pool(commit, period)
        if key not in recharged:
            rows.append(
                LedgerEntry(
                    occurred_on=period.recharged_on,
                    kind=LedgerKind.COMMIT_RECHARGE,
                    amount=commit.amount,
                    product=product,
                    reference=str(month),
                    description=f"{commit.frequency.value} commit recharged",
                    pool=key,
                )
            )
    for line in rating.lines:
        for pool, amount in line.drawn:
            rows.append(
                LedgerEntry(
                    occurred_on=last,
                    kind=LedgerKind.USAGE_DEBIT,
                    amount=-amount,
                    product=line.product.code,
                    reference=str(month),
                    description=f"{line.product.name} usage",
                    pool=pool,
                )
            )
    for product, (commit, period) in engine.commit_periods(month).items():
        key = commit_pool(commit, period)
        left = rating.pools_after.get(key, ZERO)
        if period.last_month == month and left > 0:
            rows.append(
                LedgerEntry(
                    occurred_on=last,
                    kind=LedgerKind.COMMIT_EXPIRY,
                    amount=-left,
                    product=product,
                    reference=str(month),
                    description="unused commit credit expired",
                    pool=key,
                )
            )
    invoice: Invoice | None = None
    if rating.charged > 0:
        issued = month.plus(1).first_day
        invoice = Invoice(
            number=next_invoice_number([i.number for i in uow.invoices.all()]),
            issued_on=issued,
            period=month.first_day,
            amount=rating.charged,
            status=InvoiceStatus.ISSUED,
            due_on=issued + PAYMENT_TERMS,
        )
        uow.invoices.add_many([invoice])
        rows.append(
            LedgerEntry(
                occurred_on=issued,
                kind=LedgerKind.INVOICE,
                amount=-rating.charged,
                reference=invoice.number,
                description=f"usage of {month} beyond free units and credit",
            )
        )
    uow.ledger.add_many(rows)
    # Plan downgrades waiting for a period that ends in this month take effect now (§7).
    # Imported here: services.plans uses services.credits, which imports this module.
    from billing_desktop.services.plans import apply_due_downgrades

    apply_due_downgrades(uow, actor, month, when)
    uow.closing.add(
        ClosedMonth(month.first_day, when, actor.audit_name, invoice.number if invoice else None),
        [_month_line(line) for line in rating.lines],
    )
    uow.audit.add(
        AuditEntry(
            at=when,
            actor=actor.audit_name,
            origin=actor.origin,
            action="close-month",
            entity="month",
            entity_id=str(month),
            after={
                "invoice": invoice.number if invoice else None,
                "charged": format_amount(rating.charged, currency),
                "credit_applied": format_amount(rating.credit_applied, currency),
                "ledger_rows": len(rows),
                "lines": len(rating.lines),
            },
        )
    )
    return CloseReport(month, False, invoice, len(rating.lines), currency)


__all__ = [
    "CREDITS_POOL",
    "BillingEngine",
    "CloseReport",
    "CommitInfo",
    "ProductSummary",
    "UsageSummary",
    "close_month",
    "next_invoice_number",
    "usage_summary",
]


def usage_table(summary: UsageSummary) -> str:
    """The readable form of ``usage``: one line per product, amounts right-aligned."""

    def money(amount: Decimal) -> str:
        return format_money(amount, summary.currency)

    header = ("Product", "Quantity", "Free used/total", "Amount", "Credit", "Balance", "Commit")
    rows = [
        (
            p.name + (" [CC]" if p.contact_center_services else ""),
            plain_decimal(p.quantity),
            f"{plain_decimal(p.free_units_used)}/{plain_decimal(p.free_units_total)}",
            money(p.amount),
            money(p.credit_applied),
            money(p.balance),
            p.commit
            if isinstance(p.commit, str)
            else f"{money(p.commit.amount)} {p.commit.frequency.value}",
        )
        for p in summary.products
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0])] + [c.rjust(w) for c, w in zip(rest, widths[1:], strict=True)]
        )

    state = f"closed, invoice {summary.invoice_number or 'none'}" if summary.closed else "open"
    out = [
        f"Usage for {summary.month} ({state}; {summary.currency}, {summary.timezone}; "
        f"{summary.agents} agents at peak)",
        "",
        line(header),
        *(line(r) for r in rows),
        "",
        f"Current balance: {money(summary.balance)}"
        + (
            " (negative: to be invoiced on " + summary.invoice_date.isoformat() + ")"
            if summary.balance < 0 and not summary.closed
            else ""
        ),
        f"Contact center services: {money(summary.contact_center_services_balance)}",
    ]
    if not rows:
        out[2:4] = ["No product has usage in this month."]
    return "\n".join(out)
