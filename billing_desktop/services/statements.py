"""Invoices and statements (PRODUCT §8): the history, an invoice's lines, a month's statement.

Everything here is plain data for the Invoices tab, the PDF reports and ``statement``; nothing
is formatted for display and nothing is rated twice:

* an invoice's **status** is derived, never taken on trust: *paid* when payment rows of the
  ledger referencing its number cover its amount, *overdue* when unpaid and past its due date
  as of today (in the account's time zone), *issued* otherwise;
* an invoice's **lines** are the stored lines of the month it bills (what ``close-month``
  wrote); a month closed by an earlier system has none, and its invoice gets one line
  "Usage for <month>" marked as a summary line;
* a **statement** is the ledger of one month: the balance before it, every row of it, the
  balance after it (closing = opening + the rows; + is in the customer's favour), plus the
  month's usage per product exactly as ``usage`` reports it. A month that is not closed yet
  gets a *provisional* statement: its usage is rated so far and reaches the ledger only when
  the month is closed.

Enterprise accounts have no invoices in the product: the history and invoice documents are
refused (their contract is billed outside it). Their statements (the ledger) stay available.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput, NotFound, PermissionDenied, StoreError
from billing_desktop.domain.model import (
    CREDITS_POOL,
    Account,
    Invoice,
    InvoiceStatus,
    LedgerEntry,
    LedgerKind,
    PaymentMethod,
    PlanTier,
    Product,
)
from billing_desktop.domain.money import format_money
from billing_desktop.domain.periods import Month, account_today
from billing_desktop.services.account import customer_block
from billing_desktop.services.billing import ProductSummary, usage_summary
from billing_desktop.services.context import require_account
from billing_desktop.services.overview import ENTERPRISE_INVOICES
from billing_desktop.services.prepaid import DESCRIPTION as PREPAID_DESCRIPTION
from billing_desktop.services.prepaid import is_prepaid
from billing_desktop.services.receivables import (
    CREDIT_NOTE_PREFIX,
    Settlement,
    settle,
    settling_rows,
)
from billing_desktop.services.visibility import is_app_pool, visible_entries, visible_totals
from billing_desktop.store.ports import MonthLine, UnitOfWork

ZERO = Decimal(0)
ISSUER_SETTING = "invoice_issuer"
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ORDER_KINDS = (LedgerKind.PURCHASE, LedgerKind.ONE_TIME_PAYMENT)


def month_name(month: Month) -> str:
    """ "October 2026" (fixed English names: documents do not change with the OS locale)."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    RECEIPT = "receipt"  # a credit purchase or one-time payment (an order, paid when placed)
    CREDIT_NOTE = "credit_note"  # a correction of an invoice (services/credit_notes.py)


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who issues the documents: the ``invoice_issuer`` workspace setting
    (``{"name": "...", "lines": ["street", "city", "VAT ..."]}``), or a neutral default."""

    name: str
    lines: tuple[str, ...] = ()


DEFAULT_ISSUER = Issuer("Billing Desktop", ("Contact-centre and conversational-AI platform",))


@dataclass(frozen=True, slots=True)
class AccountHeader:
    name: str
    currency: str
    timezone: str
    plan: PlanTier
    payment_method: PaymentMethod
    # The customer block under the name: postal address lines, then the VAT id (My account).
    lines: tuple[str, ...] = ()


# --- the history ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One invoice or order of the history (Invoices tab)."""

    kind: DocumentKind
    number: str
    issued_on: date
    period: str  # the billed month "2026-10"; "" for an order
    amount: Decimal
    status: InvoiceStatus
    due_on: date | None
    paid_on: date | None
    description: str
    left: Decimal = ZERO  # what is left to pay on an invoice (services/receivables.py)


@dataclass(frozen=True, slots=True)
class History:
    """The rows matching the filters, newest first, and every year that has a document."""

    rows: tuple[HistoryRow, ...]
    years: tuple[int, ...]
    currency: str


def _invoices_account(uow: UnitOfWork, actor: Actor, action: str) -> Account:
    """The account, when ``actor`` may see its invoices and the product handles them."""
    actor.rights.require(Area.INVOICES, Level.VIEW, action)
    account = require_account(uow)
    if account.plan == PlanTier.ENTERPRISE:
        raise PermissionDenied(ENTERPRISE_INVOICES)
    return account


def _payments_by_reference(
    uow: UnitOfWork, ledger: Sequence[LedgerEntry]
) -> dict[str, list[LedgerEntry]]:
    """Per invoice, the ledger rows that settle it (services/receivables.py)."""
    return settling_rows(uow, ledger)


def order_number(entry: LedgerEntry) -> str:
    return entry.reference or f"LEDGER-{entry.id or 0:06d}"


def _order_title(kind: LedgerKind) -> str:
    return "Credit purchase" if kind == LedgerKind.PURCHASE else "One-time payment"


def invoice_history(
    uow: UnitOfWork,
    actor: Actor,
    *,
    year: int | None = None,
    status: InvoiceStatus | None = None,
    today: date | None = None,
) -> History:
    """Invoices and orders (credit purchases, one-time payments), newest first, filtered by
    the year they were issued in and their (derived) status. Refused for Enterprise accounts.

    Funds added to apps are orders too, listed only to those who may see Plans."""
    account = _invoices_account(uow, actor, "see invoices")
    today = today or account_today(account)
    ledger = visible_entries(actor, uow.ledger.all())
    payments = _payments_by_reference(uow, ledger)
    rows: list[HistoryRow] = []
    for invoice in uow.invoices.all():
        settled = settle(invoice, payments.get(invoice.number, []), today)
        rows.append(
            HistoryRow(
                kind=DocumentKind.INVOICE,
                number=invoice.number,
                issued_on=invoice.issued_on,
                period="" if is_prepaid(invoice.number) else str(Month.of(invoice.period)),
                amount=invoice.amount,
                status=settled.status,
                due_on=invoice.due_on,
                paid_on=settled.paid_on,
                description=PREPAID_DESCRIPTION
                if is_prepaid(invoice.number)
                else f"Usage of {month_name(Month.of(invoice.period))}",
                left=settled.left,
            )
        )
    rows.extend(credit_note_rows(uow))  # branch payments: credit notes in the history
    for entry in ledger:
        # A prepaid invoice's credit row is listed as the invoice itself (services.prepaid).
        if entry.kind in ORDER_KINDS and not is_prepaid(entry.reference):
            rows.append(
                HistoryRow(
                    kind=DocumentKind.RECEIPT,
                    number=order_number(entry),
                    issued_on=entry.occurred_on,
                    period="",
                    amount=entry.amount,
                    status=InvoiceStatus.PAID,
                    due_on=None,
                    paid_on=entry.occurred_on,
                    description=entry.description or _order_title(entry.kind),
                )
            )
    years = tuple(sorted({r.issued_on.year for r in rows}, reverse=True))
    shown = [
        r
        for r in rows
        if (year is None or r.issued_on.year == year) and (status is None or r.status == status)
    ]
    shown.sort(key=lambda r: (r.issued_on, r.number), reverse=True)
    return History(tuple(shown), years, account.currency)


# --- invoice documents ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """One line of an invoice: a product's usage of the month, or one summary line."""

    description: str
    unit: str
    quantity: Decimal | None
    free_units: Decimal | None  # free units applied
    unit_price: Decimal | None
    tiered: bool  # graduated prices: amount is not simply billable x unit price
    amount: Decimal  # before credit
    credit_applied: Decimal
    total: Decimal  # amount - credit applied: what this line adds to the invoice
    summary: bool = False


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    kind: DocumentKind
    number: str
    issuer: Issuer
    account: AccountHeader
    issued_on: date
    due_on: date | None
    period: Month | None
    status: InvoiceStatus
    paid_on: date | None
    lines: tuple[DocumentLine, ...]
    notes: tuple[str, ...] = ()
    corrects: str = ""  # a credit note: the invoice it corrects
    left: Decimal | None = None  # an invoice: what is left to pay (payments, credit notes)

    @property
    def currency(self) -> str:
        return self.account.currency

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def credit_applied(self) -> Decimal:
        return sum((line.credit_applied for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO)


def issuer(uow: UnitOfWork) -> Issuer:
    value = uow.settings.get(ISSUER_SETTING)
    if not isinstance(value, dict):
        return DEFAULT_ISSUER
    name = value.get("name")
    lines = value.get("lines", [])
    if not isinstance(name, str) or not name.strip():
        return DEFAULT_ISSUER
    kept = (
        tuple(str(line) for line in lines if str(line).strip()) if isinstance(lines, list) else ()
    )
    return Issuer(name.strip(), kept)


def _header(account: Account, uow: UnitOfWork) -> AccountHeader:
    return AccountHeader(
        account.name,
        account.currency,
        account.timezone,
        account.plan,
        account.payment_method,
        customer_block(uow),
    )


def invoice_document(
    uow: UnitOfWork, actor: Actor, number: str, today: date | None = None
) -> InvoiceDocument:
    """What the PDF of invoice (or order) ``number`` shows. The lines add up exactly to the
    invoiced amount; a store where they do not is reported, never printed."""
    account = _invoices_account(uow, actor, "see invoices")
    today = today or account_today(account)
    found = uow.invoices.get_many([number]).get(number)
    ledger = visible_entries(actor, uow.ledger.all())
    if found is None and number.startswith(CREDIT_NOTE_PREFIX):
        return credit_note_document(uow, actor, number, today)
    if found is None:
        for entry in ledger:
            if entry.kind in ORDER_KINDS and order_number(entry) == number:
                return _receipt(uow, account, entry)
        raise NotFound(f"there is no invoice or order {number}")
    invoice = found
    month = Month.of(invoice.period)
    settled = settle(invoice, _payments_by_reference(uow, ledger).get(number, []), today)
    if is_prepaid(number):  # one line: the credit it buys (services.prepaid)
        return _prepaid_document(uow, account, invoice, settled)
    closed = uow.closing.get(month.first_day)
    stored = uow.closing.lines(month.first_day) if closed is not None else []
    products = {p.code: p for p in uow.products.all()}
    notes: list[str] = []
    if stored:
        lines = tuple(_line(products.get(line.product), line.product, line) for line in stored)
    else:
        lines = (
            DocumentLine(
                description=f"Usage for {month_name(month)}",
                unit="",
                quantity=None,
                free_units=None,
                unit_price=None,
                tiered=False,
                amount=invoice.amount,
                credit_applied=ZERO,
                total=invoice.amount,
                summary=True,
            ),
        )
        notes.append(
            f"Summary line: {month_name(month)} was billed before per-product lines were kept "
            "(closed by the previous billing system), so this invoice shows the month's usage "
            "as one line."
        )
    total = sum((line.total for line in lines), ZERO)
    if total != invoice.amount:
        raise StoreError(
            f"invoice {number}: its lines add up to {total}, not the invoiced {invoice.amount}; "
            "the store is inconsistent and the invoice is not printed"
        )
    if any(line.tiered for line in lines):
        notes.append("† Graduated prices: the amount follows the rate card's price tiers.")
    return InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number=number,
        issuer=issuer(uow),
        account=_header(account, uow),
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        period=month,
        status=settled.status,
        paid_on=settled.paid_on,
        lines=lines,
        left=settled.left,
        notes=tuple(notes),
    )


def _prepaid_document(
    uow: UnitOfWork, account: Account, invoice: Invoice, settled: Settlement
) -> InvoiceDocument:
    line = DocumentLine(
        description=f"{PREPAID_DESCRIPTION}: credit added when this invoice is paid",
        unit="",
        quantity=None,
        free_units=None,
        unit_price=None,
        tiered=False,
        amount=invoice.amount,
        credit_applied=ZERO,
        total=invoice.amount,
    )
    return InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number=invoice.number,
        issuer=issuer(uow),
        account=_header(account, uow),
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        period=None,
        status=settled.status,
        paid_on=settled.paid_on,
        lines=(line,),
        notes=("Prepaid invoice: the credit never expires and pays usage like purchased credit.",),
    )


def _line(product: Product | None, code: str, line: MonthLine) -> DocumentLine:
    return DocumentLine(
        description=product.name if product else code,
        unit=product.unit.value if product else "",
        quantity=line.quantity,
        free_units=line.free_units_used,
        unit_price=line.unit_price,
        tiered=bool(product and product.tiers),
        amount=line.amount,
        credit_applied=line.credit_applied,
        total=line.charged,
    )


def _receipt(uow: UnitOfWork, account: Account, entry: LedgerEntry) -> InvoiceDocument:
    title = _order_title(entry.kind)
    line = DocumentLine(
        description=entry.description or title,
        unit="",
        quantity=None,
        free_units=None,
        unit_price=None,
        tiered=False,
        amount=entry.amount,
        credit_applied=ZERO,
        total=entry.amount,
    )
    return InvoiceDocument(
        kind=DocumentKind.RECEIPT,
        number=order_number(entry),
        issuer=issuer(uow),
        account=_header(account, uow),
        issued_on=entry.occurred_on,
        due_on=None,
        period=None,
        status=InvoiceStatus.PAID,
        paid_on=entry.occurred_on,
        lines=(line,),
        notes=(
            (
                f"Funds for an app: paid on {entry.occurred_on.isoformat()} and added to that "
                "app's balance (not to the account's credit)."
            )
            if is_app_pool(entry.pool)
            else (
                f"{title}: paid on {entry.occurred_on.isoformat()} and added to your credit "
                "(purchased credit never expires)."
            ),
        ),
    )


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


# --- credit notes (branch payments; written by services/credit_notes.py) ---------------------


def credit_note_rows(uow: UnitOfWork) -> list[HistoryRow]:
    """The credit notes as rows of the invoice history (their amount negative)."""
    invoices = {i.number: i for i in uow.invoices.all()}
    rows = []
    for note in uow.credit_notes.all():
        invoice = invoices.get(note.invoice)
        rows.append(
            HistoryRow(
                kind=DocumentKind.CREDIT_NOTE,
                number=note.number,
                issued_on=note.issued_on,
                period=str(Month.of(invoice.period)) if invoice else "",
                amount=-note.amount,
                status=InvoiceStatus.ISSUED,
                due_on=None,
                paid_on=None,
                description=f"Correction of {note.invoice}"
                + (f", line {note.product}" if note.product else "")
                + f": {note.reason}",
            )
        )
    return rows


def credit_note_document(
    uow: UnitOfWork, actor: Actor, number: str, today: date | None = None
) -> InvoiceDocument:
    """What the PDF of credit note ``number`` shows (the invoice layout, titled Credit note)."""
    account = _invoices_account(uow, actor, "see credit notes")
    note = uow.credit_notes.get_many([number]).get(number)
    if note is None:
        raise NotFound(f"there is no credit note {number}")
    invoice = uow.invoices.get_many([note.invoice]).get(note.invoice)
    if invoice is None:
        raise StoreError(f"credit note {number} names invoice {note.invoice}, which is not stored")
    products = {p.code: p for p in uow.products.all()}
    target = (
        f"line {products[note.product].name if note.product in products else note.product}"
        if note.product
        else "the invoice"
    )
    line = DocumentLine(
        description=f"Correction of {note.invoice}, {target}",
        unit="",
        quantity=None,
        free_units=None,
        unit_price=None,
        tiered=False,
        amount=note.amount,
        credit_applied=ZERO,
        total=note.amount,
    )
    kept = sum(
        (
            e.amount
            for e in uow.ledger.all()
            if e.kind == LedgerKind.CREDIT_NOTE and e.reference == number and e.pool == CREDITS_POOL
        ),
        ZERO,
    )
    notes = [f"Reason: {note.reason}"]
    settled = note.amount - kept
    if settled > 0:
        notes.append(
            f"Reduces what is due on {note.invoice} by {format_money(settled, account.currency)}."
        )
    if kept > 0:
        notes.append(
            f"{format_money(kept, account.currency)} of it is added to your credit, as "
            f"{note.invoice} was paid."
        )
    return InvoiceDocument(
        kind=DocumentKind.CREDIT_NOTE,
        number=note.number,
        issuer=issuer(uow),
        account=_header(account, uow),
        issued_on=note.issued_on,
        due_on=None,
        period=Month.of(invoice.period),
        status=InvoiceStatus.ISSUED,
        paid_on=None,
        lines=(line,),
        notes=tuple(notes),
        corrects=note.invoice,
    )


__all__ = [
    "DEFAULT_ISSUER",
    "ISSUER_SETTING",
    "AccountHeader",
    "DocumentKind",
    "DocumentLine",
    "History",
    "HistoryRow",
    "InvoiceDocument",
    "Issuer",
    "Movement",
    "MovementGroup",
    "StatementData",
    "StatementInvoice",
    "StatementMonth",
    "UsageCharge",
    "credit_note_document",
    "credit_note_rows",
    "invoice_document",
    "invoice_history",
    "month_name",
    "settle",
    "statement",
    "statement_months",
]
