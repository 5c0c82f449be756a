"""What the invoice documents share: their kinds, issuer and customer blocks, lines, and
the credit notes (which are listed in the history and rendered as documents)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Self

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import NotFound, PermissionDenied, StoreError
from billing_desktop.domain.model import (
    CREDITS_POOL,
    Account,
    InvoiceStatus,
    LedgerKind,
    PaymentMethod,
    PlanTier,
)
from billing_desktop.domain.money import format_money
from billing_desktop.domain.periods import Month
from billing_desktop.services.account import customer_block
from billing_desktop.services.context import require_account
from billing_desktop.services.overview import ENTERPRISE_INVOICES
from billing_desktop.store.ports import UnitOfWork

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
    line = DocumentLine.amount_only(f"Correction of {note.invoice}, {target}", note.amount)
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


def _invoices_account(uow: UnitOfWork, actor: Actor, action: str) -> Account:
    """The account, when ``actor`` may see its invoices and the product handles them."""
    actor.rights.require(Area.INVOICES, Level.VIEW, action)
    account = require_account(uow)
    if account.plan == PlanTier.ENTERPRISE:
        raise PermissionDenied(ENTERPRISE_INVOICES)
    return account


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

    @classmethod
    def amount_only(cls, description: str, amount: Decimal, *, summary: bool = False) -> Self:
        """A line of an amount alone: no product, quantity, price or credit (a receipt, a
        prepaid invoice, a credit note, a month billed as one summary line)."""
        return cls(description, "", None, None, None, False, amount, ZERO, amount, summary)


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
