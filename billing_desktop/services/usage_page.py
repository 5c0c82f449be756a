"""What the Usage tab shows for one month (PRODUCT §5), in one read.

Every figure comes from ``usage_summary`` (so the tab and ``usage --json`` never disagree); this
module adds what only the tab needs: the months to choose from (closed ones with their invoice
number), the month's ledger rows with a running balance and who wrote each, and the
auto-recharge setting. Refreshing the tab is also one of the moments auto-recharge is checked
(``usage_page(..., auto_recharge=True)``), which is why this read may write and commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import StoreError
from billing_desktop.domain.model import Account, LedgerEntry, LedgerKind, Metering
from billing_desktop.domain.money import format_amount, quantum
from billing_desktop.domain.periods import Month, account_today
from billing_desktop.services.auto_pay import AutoPaid, apply_auto_pay
from billing_desktop.services.billing import CommitInfo, UsageSummary, usage_summary
from billing_desktop.services.context import require_account
from billing_desktop.services.credits import (
    AUTO_RECHARGE_PREFIX,
    AutoRecharge,
    CreditChange,
    apply_auto_recharge,
    auto_recharge_refusal,
    auto_recharge_settings,
)
from billing_desktop.services.visibility import visible_entries, visible_totals
from billing_desktop.store.ports import UnitOfWork

RECENT_MONTHS = 12
ZERO = Decimal(0)

KIND_LABELS = {
    LedgerKind.COMMIT_RECHARGE: "Commit recharge",
    LedgerKind.COMMIT_EXPIRY: "Commit expiry",
    LedgerKind.PURCHASE: "Credit purchase",
    LedgerKind.ONE_TIME_PAYMENT: "One-time payment",
    LedgerKind.USAGE_DEBIT: "Usage",
    LedgerKind.INVOICE: "Invoice",
    LedgerKind.PAYMENT: "Payment",
    LedgerKind.CREDIT_NOTE: "Credit note",
}
AUTO_RECHARGE_LABEL = "Auto-recharge"
# Rows a month close writes (their reference is the month, or the invoice number).
CLOSE_KINDS = frozenset(
    {
        LedgerKind.COMMIT_RECHARGE,
        LedgerKind.COMMIT_EXPIRY,
        LedgerKind.USAGE_DEBIT,
        LedgerKind.INVOICE,
    }
)


@dataclass(frozen=True, slots=True)
class MonthChoice:
    """One entry of the month selector."""

    month: Month
    current: bool = False
    closed: bool = False
    invoice_number: str | None = None

    @property
    def label(self) -> str:
        """The month and its state beside it: current, closed (with the invoice) or open."""
        name = f"{month_name(self.month)}"
        if self.current:
            return f"{name} (current)"
        if self.closed:
            return f"{name} — closed, {self.invoice_number or 'no invoice'}"
        return f"{name} — open, not closed yet"


def month_name(month: Month) -> str:
    return f"{month.first_day:%B %Y}"


@dataclass(frozen=True, slots=True)
class Transaction:
    """One ledger row of the month as the Transactions view lists it."""

    occurred_on: date
    kind: LedgerKind
    kind_label: str
    product: str  # the product's name, or "" for account-wide rows
    reference: str
    description: str
    amount: Decimal  # + in the customer's favour
    balance_after: Decimal  # the ledger's running total after this row
    who: str  # the user (or process) that wrote it, "" when unknown
    pool: str

    def as_row(self, currency: str) -> list[object]:
        """The export's cells, typed: the day as a date, amounts as Decimals with the
        currency's minor-unit digits (written to CSV as ``as_csv`` writes them)."""
        return [
            self.occurred_on,
            self.kind_label,
            self.product,
            self.reference,
            self.description,
            self.amount.quantize(quantum(currency)),
            self.balance_after.quantize(quantum(currency)),
            currency,
            self.who,
        ]

    def as_csv(self, currency: str) -> list[str]:
        return [
            self.occurred_on.isoformat(),
            self.kind_label,
            self.product,
            self.reference,
            self.description,
            format_amount(self.amount, currency),
            format_amount(self.balance_after, currency),
            currency,
            self.who,
        ]


TRANSACTION_CSV_HEADER = (
    "date",
    "kind",
    "product",
    "reference",
    "description",
    "amount",
    "balance_after",
    "currency",
    "who",
)


@dataclass(frozen=True, slots=True)
class UsagePage:
    """Everything the Usage tab shows for ``summary.month``."""

    summary: UsageSummary
    account: Account
    today: date
    months: tuple[MonthChoice, ...]
    transactions: tuple[Transaction, ...]
    auto_recharge: AutoRecharge
    auto_recharge_refusal: str | None
    can_edit: bool
    pending_storage: tuple[str, ...]  # peak-day products not shown before the 28th
    fired: CreditChange | None = None  # an auto-recharge this refresh added
    auto_paid: tuple[AutoPaid, ...] = ()  # invoices auto-pay paid in this refresh

    @property
    def month(self) -> Month:
        return self.summary.month

    @property
    def current_month(self) -> Month:
        return Month.of(self.today)

    @property
    def is_current(self) -> bool:
        return self.summary.month == self.current_month

    @property
    def product_commits(self) -> int:
        return sum(1 for p in self.summary.products if isinstance(p.commit, CommitInfo))


def month_choices(
    uow: UnitOfWork, today: date, extra: Month | None = None, count: int = RECENT_MONTHS
) -> tuple[MonthChoice, ...]:
    """The last ``count`` months (current first), every closed month, and ``extra``; newest
    first."""
    current = Month.of(today)
    closed = {Month.of(c.month): c.invoice_number for c in uow.closing.all()}
    months = {current.plus(-n) for n in range(count)} | set(closed)
    if extra is not None:
        months.add(extra)
    return tuple(
        MonthChoice(month, month == current, month in closed, closed.get(month))
        for month in sorted(months, reverse=True)
    )


def _who(entries: Sequence[LedgerEntry], uow: UnitOfWork) -> list[str]:
    """Who wrote each row: the audited user of a credit action, the closer of a month (by
    name when they are a user of the workspace)."""
    references = sorted({e.reference for e in entries if e.reference})
    audited: dict[str, str] = {}
    if references:
        for audit in uow.audit.for_entities("ledger", references):
            audited[audit.entity_id] = audit.actor
    names = {user.id: user.name for user in uow.users.all()}
    closed = uow.closing.all()
    by_month = {str(Month.of(c.month)): c.closed_by for c in closed}
    by_invoice = {c.invoice_number: c.closed_by for c in closed if c.invoice_number}
    found = []
    for entry in entries:
        who = audited.get(entry.reference, "")
        if not who and entry.kind in CLOSE_KINDS:
            who = by_invoice.get(entry.reference) or by_month.get(entry.reference, "")
        found.append(names.get(who, who))  # a user's name; a process ("import") as it is
    return found


def transactions(uow: UnitOfWork, actor: Actor, month: Month) -> list[Transaction]:
    """The ledger rows dated in ``month``, oldest first, each with the running balance after it
    (the sum of every row up to it: credit left minus amounts owed).

    Without the right to see Plans, the rows and balances of app pools are left out
    (``services.visibility``)."""
    actor.rights.require(Area.USAGE, Level.VIEW, "see transactions")
    entries = visible_entries(actor, uow.ledger.between(month.first_day, month.last_day))
    if not entries:
        return []
    before = visible_totals(actor, uow.ledger.pool_totals(before=month.first_day))
    running = sum(before.values(), ZERO)
    names = {p.code: p.name for p in uow.products.all()}
    rows = []
    for entry, who in zip(entries, _who(entries, uow), strict=True):
        running += entry.amount
        label = KIND_LABELS.get(entry.kind, entry.kind.value)
        if entry.kind == LedgerKind.PURCHASE and entry.reference.startswith(AUTO_RECHARGE_PREFIX):
            label = AUTO_RECHARGE_LABEL
        rows.append(
            Transaction(
                occurred_on=entry.occurred_on,
                kind=entry.kind,
                kind_label=label,
                product=names.get(entry.product, entry.product) if entry.product else "",
                reference=entry.reference,
                description=entry.description,
                amount=entry.amount,
                balance_after=running,
                who=who,
                pool=entry.pool,
            )
        )
    return rows


def usage_page(
    uow: UnitOfWork,
    actor: Actor,
    month: Month | None = None,
    today: date | None = None,
    *,
    auto_recharge: bool = True,
) -> UsagePage:
    """The Usage tab for ``month`` (default: the current one).

    With ``auto_recharge`` and an actor who may edit Usage, auto-recharge is checked first and,
    when it fires (or re-arms), committed in ``uow``, so the figures read include it.
    """
    actor.rights.require(Area.USAGE, Level.VIEW, "see usage")
    account = require_account(uow)
    day = today or account_today(account)
    can_edit = actor.rights.can_edit(Area.USAGE)
    fired = None
    auto_paid: tuple[AutoPaid, ...] = ()
    if auto_recharge and can_edit:
        try:
            fired = apply_auto_recharge(uow, actor, day)
            auto_paid = apply_auto_pay(uow, actor, day).paid  # issue 19 §3: at start/refresh
            uow.commit()
        except StoreError:
            # The store is read-only, or another program wrote since this read began (a
            # read cannot then become a writer): the page is shown without the recharge,
            # which the next refresh or import checks again.
            uow.rollback()
            fired, auto_paid = None, ()
    summary = usage_summary(uow, actor, month, day)
    shown = summary.month
    pending: tuple[str, ...] = ()
    if shown == Month.of(day) and day <= shown.peak_day_window()[1]:
        pending = tuple(p.name for p in uow.products.all() if p.metering == Metering.PEAK_DAY)
    return UsagePage(
        summary=summary,
        account=account,
        today=day,
        months=month_choices(uow, day, shown),
        transactions=tuple(transactions(uow, actor, shown)),
        auto_recharge=auto_recharge_settings(uow),
        auto_recharge_refusal=auto_recharge_refusal(account, uow, day),
        can_edit=can_edit,
        pending_storage=pending,
        fired=fired,
        auto_paid=auto_paid,
    )


__all__ = [
    "TRANSACTION_CSV_HEADER",
    "MonthChoice",
    "Transaction",
    "UsagePage",
    "month_choices",
    "transactions",
    "usage_page",
]
