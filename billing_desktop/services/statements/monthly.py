"""A month's statement: opening balance, movements, usage charges, invoices, closing balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import (
    Account,
    Invoice,
    InvoiceStatus,
    LedgerKind,
)
from billing_desktop.domain.periods import Month, account_today
from billing_desktop.services.billing import ProductSummary, usage_summary
from billing_desktop.services.context import require_account
from billing_desktop.services.prepaid import is_prepaid
from billing_desktop.services.receivables import (
    settle,
)
from billing_desktop.services.statements.common import (
    ZERO,
    AccountHeader,
    Issuer,
    _header,
    issuer,
    month_name,
)
from billing_desktop.services.statements.history import _payments_by_reference
from billing_desktop.services.visibility import visible_entries, visible_totals
from billing_desktop.store.ports import UnitOfWork

# --- statements ----------------------------------------------------------------------------


class MovementGroup(StrEnum):
    """How a statement's summary groups the month's ledger rows (each kind in one group)."""

    CREDITS_AND_PAYMENTS = "credits_and_payments"
    COMMIT_EXPIRED = "commit_expired"
    USAGE_FROM_CREDIT = "usage_from_credit"
    INVOICES_ISSUED = "invoices_issued"

    @property
    def label(self) -> str:
        return GROUP_TITLES[self]


GROUP_TITLES = {
    MovementGroup.CREDITS_AND_PAYMENTS: "Credits and payments",
    MovementGroup.COMMIT_EXPIRED: "Unused commit credit expired",
    MovementGroup.USAGE_FROM_CREDIT: "Usage paid from credit",
    MovementGroup.INVOICES_ISSUED: "Invoices issued",
}
GROUP_OF_KIND = {
    LedgerKind.COMMIT_RECHARGE: MovementGroup.CREDITS_AND_PAYMENTS,
    LedgerKind.PURCHASE: MovementGroup.CREDITS_AND_PAYMENTS,
    LedgerKind.ONE_TIME_PAYMENT: MovementGroup.CREDITS_AND_PAYMENTS,
    LedgerKind.PAYMENT: MovementGroup.CREDITS_AND_PAYMENTS,
    LedgerKind.CREDIT_NOTE: MovementGroup.CREDITS_AND_PAYMENTS,
    LedgerKind.COMMIT_EXPIRY: MovementGroup.COMMIT_EXPIRED,
    LedgerKind.USAGE_DEBIT: MovementGroup.USAGE_FROM_CREDIT,
    LedgerKind.INVOICE: MovementGroup.INVOICES_ISSUED,
}
KIND_TITLES = {
    LedgerKind.COMMIT_RECHARGE: "Commit recharge",
    LedgerKind.COMMIT_EXPIRY: "Commit expiry",
    LedgerKind.PURCHASE: "Credit purchase",
    LedgerKind.ONE_TIME_PAYMENT: "One-time payment",
    LedgerKind.USAGE_DEBIT: "Usage from credit",
    LedgerKind.INVOICE: "Invoice",
    LedgerKind.PAYMENT: "Payment",
    LedgerKind.CREDIT_NOTE: "Credit note",
}


@dataclass(frozen=True, slots=True)
class Movement:
    """One ledger row of the month, with the account balance after it."""

    occurred_on: date
    kind: LedgerKind
    reference: str
    description: str
    product: str  # the product's name, "" when the row is not a product's
    amount: Decimal
    balance: Decimal

    @property
    def kind_title(self) -> str:
        return KIND_TITLES.get(self.kind, str(self.kind))


@dataclass(frozen=True, slots=True)
class UsageCharge:
    """One product's usage of the month, as ``usage --json`` reports it."""

    code: str
    name: str
    unit: str
    quantity: Decimal | None
    free_units_total: Decimal | None
    free_units_used: Decimal | None
    unit_price: Decimal | None
    amount: Decimal
    credit_applied: Decimal
    charged: Decimal
    summary: bool = False


@dataclass(frozen=True, slots=True)
class StatementInvoice:
    number: str
    issued_on: date
    period: Month
    due_on: date | None
    amount: Decimal
    status: InvoiceStatus


@dataclass(frozen=True, slots=True)
class StatementData:
    issuer: Issuer
    account: AccountHeader
    month: Month
    closed: bool
    provisional: bool  # open: usage rated so far, not in the ledger until the month is closed
    generated_on: date
    opening_balance: Decimal
    movements: tuple[Movement, ...]
    closing_credit: Decimal  # of the closing balance: credit left in every pool
    closing_owed: Decimal  # of the closing balance: invoices minus payments (<= 0 when owed)
    usage: tuple[UsageCharge, ...]
    usage_invoice: StatementInvoice | None  # the invoice of this month's charges (next month)
    invoices: tuple[StatementInvoice, ...]  # invoices issued during the month
    notes: tuple[str, ...] = ()

    @property
    def currency(self) -> str:
        return self.account.currency

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + sum((m.amount for m in self.movements), ZERO)

    def group_total(self, group: MovementGroup) -> Decimal:
        return sum((m.amount for m in self.movements if GROUP_OF_KIND[m.kind] == group), ZERO)

    @property
    def usage_amount(self) -> Decimal:
        return sum((u.amount for u in self.usage), ZERO)

    @property
    def usage_credit_applied(self) -> Decimal:
        return sum((u.credit_applied for u in self.usage), ZERO)

    @property
    def usage_charged(self) -> Decimal:
        return sum((u.charged for u in self.usage), ZERO)


@dataclass(frozen=True, slots=True)
class StatementMonth:
    month: Month
    closed: bool
    provisional: bool  # open: its statement is provisional (else, not closed: before history)


def _require_statements(uow: UnitOfWork, actor: Actor) -> Account:
    actor.rights.require(Area.INVOICES, Level.VIEW, "print statements")
    return require_account(uow)


def statement_months(
    uow: UnitOfWork, actor: Actor, today: date | None = None
) -> tuple[StatementMonth, ...]:
    """Months a statement can be printed for, newest first: closed months, months with
    ledger rows, and the open months up to the current one."""
    account = _require_statements(uow, actor)
    current = Month.of(today or account_today(account))
    closed = {Month.of(c.month) for c in uow.closing.all()}
    months = {m for m in closed if m <= current}
    months |= {Month.of(e.occurred_on) for e in visible_entries(actor, uow.ledger.all())}
    if closed:
        first_open = max(closed).plus(1)
    else:
        span = uow.rollups.span()
        first_open = Month.of(span[0]) if span is not None else current
    month = first_open
    while month <= current:
        months.add(month)
        month = month.plus(1)
    return tuple(
        StatementMonth(m, m in closed, m not in closed and m >= first_open)
        for m in sorted((m for m in months if m <= current), reverse=True)
    )


def statement(
    uow: UnitOfWork, actor: Actor, month: Month, today: date | None = None
) -> StatementData:
    """The statement of ``month``: opening balance, the month's ledger rows, closing balance,
    usage per product and invoices. Refuses a month that has not started, and a month with
    nothing in it (not closed, no ledger row and no usage)."""
    account = _require_statements(uow, actor)
    today = today or account_today(account)
    current = Month.of(today)
    if month > current:
        raise InvalidInput(
            f"{month} has not started yet in {account.timezone}: statements cover months up to "
            f"{current}"
        )
    first, last = month.first_day, month.last_day
    closed_months = {Month.of(c.month): c for c in uow.closing.all()}
    closed = closed_months.get(month)
    products = {p.code: p for p in uow.products.all()}
    # Without the right to see Plans, app pools are left out of the rows and of every
    # balance (services.visibility): opening + rows = closing still holds.
    opening = sum(visible_totals(actor, uow.ledger.pool_totals(before=first)).values(), ZERO)
    after = visible_totals(actor, uow.ledger.pool_totals(before=month.plus(1).first_day))
    rows = visible_entries(actor, uow.ledger.between(first, last))
    movements: list[Movement] = []
    balance = opening
    for entry in rows:
        balance += entry.amount
        product = products.get(entry.product) if entry.product else None
        movements.append(
            Movement(
                occurred_on=entry.occurred_on,
                kind=entry.kind,
                reference=entry.reference,
                description=entry.description or KIND_TITLES.get(entry.kind, ""),
                product=product.name if product else (entry.product or ""),
                amount=entry.amount,
                balance=balance,
            )
        )
    ledger = uow.ledger.all()
    payments = _payments_by_reference(uow, ledger)
    invoices = uow.invoices.all()

    def stated(invoice: Invoice) -> StatementInvoice:
        settled = settle(invoice, payments.get(invoice.number, []), today)
        return StatementInvoice(
            invoice.number,
            invoice.issued_on,
            Month.of(invoice.period),
            invoice.due_on,
            invoice.amount,
            settled.status,
        )

    issued = tuple(
        stated(i)
        for i in sorted(invoices, key=lambda i: (i.issued_on, i.number))
        if first <= i.issued_on <= last
    )
    own = [i for i in invoices if Month.of(i.period) == month and not is_prepaid(i.number)]
    usage_invoice = stated(own[0]) if own else None

    notes: list[str] = []
    usage: tuple[UsageCharge, ...]
    before_history = closed is None and any(m > month for m in closed_months)
    if closed is not None:
        summary = usage_summary(uow, actor, month, today)
        usage = tuple(_charge(p) for p in summary.products)
        if not usage and usage_invoice is not None:
            usage = (
                UsageCharge(
                    code="",
                    name=f"Usage for {month_name(month)} (summary line)",
                    unit="",
                    quantity=None,
                    free_units_total=None,
                    free_units_used=None,
                    unit_price=None,
                    amount=usage_invoice.amount,
                    credit_applied=ZERO,
                    charged=usage_invoice.amount,
                    summary=True,
                ),
            )
            notes.append(
                f"{month_name(month)} was closed by the previous billing system, which kept no "
                "per-product lines: its usage is shown as one summary line, as invoiced."
            )
    elif before_history:
        # Before the months this store has closed: never billed here, so no usage to show.
        usage = ()
        notes.append(
            f"{month_name(month)} was not billed in this store (it comes before the first "
            "month closed here): the statement lists its ledger rows only."
        )
    else:
        summary = usage_summary(uow, actor, month, today)
        usage = tuple(_charge(p) for p in summary.products)
    if closed is None and not movements and not usage:
        raise InvalidInput(
            f"nothing to state for {month}: it is not closed, and has no ledger rows and no usage"
        )
    provisional = closed is None and not before_history
    if provisional:
        notes.insert(
            0,
            f"Provisional: {month_name(month)} is not closed yet. Its usage is rated as of "
            f"{today.isoformat()}; credit applied and charges reach the ledger, and the "
            "balances, when the month is closed.",
        )
    return StatementData(
        issuer=issuer(uow),
        account=_header(account, uow),
        month=month,
        closed=closed is not None,
        provisional=provisional,
        generated_on=today,
        opening_balance=opening,
        movements=tuple(movements),
        closing_credit=sum((v for k, v in after.items() if k), ZERO),
        closing_owed=after.get("", ZERO),
        usage=usage,
        usage_invoice=usage_invoice,
        invoices=issued,
        notes=tuple(notes),
    )


def _charge(product: ProductSummary) -> UsageCharge:
    return UsageCharge(
        code=product.code,
        name=product.name,
        unit=product.unit,
        quantity=product.quantity,
        free_units_total=product.free_units_total,
        free_units_used=product.free_units_used,
        unit_price=product.unit_price,
        amount=product.amount,
        credit_applied=product.credit_applied,
        charged=product.charged,
    )


# --- credit notes (written by services/credit_notes.py) ---------------------
