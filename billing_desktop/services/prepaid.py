"""Prepaid invoices (issue 19 §4): an account that pays by invoice buys credit by invoice.

Issuing one stores an invoice ``PRE-nnnnnn`` (its own gap-free numbers, ``ledger.next_reference``
over the ledger's references) for the amount, dated today and due after the account's payment
terms, with its ``invoice`` ledger row (minus the amount, owed), as close-month does for a usage
invoice: it is listed in Invoices with its status and printed by the same invoice PDF. The credit
comes only when it is paid: marking it paid here writes the ``payment`` row that settles it and
the ``purchase`` row in the ``credits`` pool that adds the credit (both referencing the number),
once. A payment recorded by other means settles the invoice; ``credit_paid_prepaid`` then adds
its credit.

Rights: issuing and marking paid need the right to edit Usage (admins and Edit Billing), as
buying credit does; seeing the list needs the right to view Usage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput, NotFound
from billing_desktop.domain.model import (
    CREDITS_POOL,
    Invoice,
    InvoiceStatus,
    LedgerEntry,
    LedgerKind,
    PaymentMethod,
)
from billing_desktop.domain.money import credit_amount, format_amount, format_money
from billing_desktop.domain.periods import Month, account_today
from billing_desktop.services.account import payment_terms
from billing_desktop.services.changes import changes
from billing_desktop.services.context import require_account
from billing_desktop.services.ledger import audit, next_reference
from billing_desktop.store.ports import UnitOfWork

PREFIX = "PRE-"
DESCRIPTION = "Prepaid credit"
CARD_ACCOUNTS = (
    "Prepaid invoices are for accounts that pay by invoice; this account pays by credit card: "
    "buy credit in Usage ▸ Manage credits."
)


def is_prepaid(number: str) -> bool:
    return number.startswith(PREFIX)


@dataclass(frozen=True, slots=True)
class PrepaidInvoice:
    number: str
    issued_on: date
    due_on: date | None
    amount: Decimal
    currency: str
    status: InvoiceStatus
    paid_on: date | None
    credited: bool  # its credit was added

    def summary(self) -> str:
        money = format_money(self.amount, self.currency)
        if self.status == InvoiceStatus.PAID:
            return f"Prepaid invoice {self.number} of {money} is paid; {money} of credit added."
        due = self.due_on.isoformat() if self.due_on else "—"
        return (
            f"Prepaid invoice {self.number} of {money} issued, due {due}; the credit is added "
            "when it is paid."
        )


def _view(uow: UnitOfWork, invoice: Invoice, today: date) -> PrepaidInvoice:
    rows = [e for e in uow.ledger.all() if e.reference == invoice.number]
    paid_rows = sorted(
        (e for e in rows if e.kind == LedgerKind.PAYMENT), key=lambda e: e.occurred_on
    )
    paid = sum((e.amount for e in paid_rows), Decimal(0))
    status = InvoiceStatus.ISSUED
    paid_on = None
    if paid_rows and paid >= invoice.amount:
        status, paid_on = InvoiceStatus.PAID, paid_rows[-1].occurred_on
    elif invoice.due_on is not None and today > invoice.due_on:
        status = InvoiceStatus.OVERDUE
    credited = any(e.kind == LedgerKind.PURCHASE and e.pool == CREDITS_POOL for e in rows)
    currency = require_account(uow).currency
    return PrepaidInvoice(
        invoice.number, invoice.issued_on, invoice.due_on, invoice.amount, currency, status,
        paid_on, credited,
    )  # fmt: skip


def prepaid_invoices(
    uow: UnitOfWork, actor: Actor, today: date | None = None
) -> list[PrepaidInvoice]:
    """The prepaid invoices, newest first, with their status."""
    actor.rights.require(Area.USAGE, Level.VIEW, "see prepaid invoices")
    day = today or account_today(require_account(uow))
    found = [i for i in uow.invoices.all() if is_prepaid(i.number)]
    return [_view(uow, i, day) for i in sorted(found, key=lambda i: i.number, reverse=True)]


def issue_invoice(
    uow: UnitOfWork, number: str, day: date, month: Month, amount: Decimal, description: str
) -> Invoice:
    """An invoice issued outside a month close (prepaid credit, add-on packs): issued ``day``
    for ``month``, due after the account's payment terms, with its INVOICE ledger row."""
    invoice = Invoice(
        number=number,
        issued_on=day,
        period=month.first_day,
        amount=amount,
        status=InvoiceStatus.ISSUED,
        due_on=day + timedelta(days=payment_terms(uow)),
    )
    uow.invoices.add_many([invoice])
    uow.ledger.add_many(
        [
            LedgerEntry(
                occurred_on=day, kind=LedgerKind.INVOICE, amount=-amount, reference=number,
                description=description,
            )
        ]
    )  # fmt: skip
    return invoice


@changes("credits")
def issue_prepaid_invoice(
    uow: UnitOfWork,
    actor: Actor,
    amount: str | Decimal,
    today: date | None = None,
    now: datetime | None = None,
) -> PrepaidInvoice:
    """Issue a prepaid invoice for ``amount`` of credit (added when it is paid)."""
    actor.rights.require(Area.USAGE, Level.EDIT, "issue prepaid invoices")
    account = require_account(uow)
    if account.payment_method != PaymentMethod.INVOICE:
        raise InvalidInput(CARD_ACCOUNTS)
    value = credit_amount(amount, account.currency, "Prepaid amount")
    when = now or datetime.now(UTC)
    day = today or account_today(account, when)
    number = next_reference(uow, PREFIX)
    invoice = issue_invoice(uow, number, day, Month.of(day), value, f"Prepaid invoice {number}")
    audit(uow, actor, "prepaid-invoice-issued", number, None,
          {"amount": format_amount(value, account.currency), "currency": account.currency,
           "due_on": invoice.due_on.isoformat() if invoice.due_on else None}, when,
          entity="invoice")  # fmt: skip
    return _view(uow, invoice, day)


def _prepaid(uow: UnitOfWork, number: str) -> Invoice:
    found = uow.invoices.get_many([number]).get(number)
    if found is None or not is_prepaid(number):
        raise NotFound(f"there is no prepaid invoice {number}")
    return found


def credit_paid_prepaid(uow: UnitOfWork, invoice: Invoice, day: date) -> bool:
    """Add the credit of a paid prepaid invoice, once (False when it was added already)."""
    if any(
        e.reference == invoice.number and e.kind == LedgerKind.PURCHASE for e in uow.ledger.all()
    ):
        return False
    uow.ledger.add_many(
        [
            LedgerEntry(
                occurred_on=day, kind=LedgerKind.PURCHASE, amount=invoice.amount,
                reference=invoice.number, description=f"{DESCRIPTION} ({invoice.number})",
                pool=CREDITS_POOL,
            )
        ]
    )  # fmt: skip
    return True


@changes("credits")
def mark_prepaid_paid(
    uow: UnitOfWork,
    actor: Actor,
    number: str,
    today: date | None = None,
    now: datetime | None = None,
) -> PrepaidInvoice:
    """Record that prepaid invoice ``number`` was paid (today): it is settled and its credit
    added. Refused when it is paid already."""
    actor.rights.require(Area.USAGE, Level.EDIT, "mark prepaid invoices paid")
    account = require_account(uow)
    when = now or datetime.now(UTC)
    day = today or account_today(account, when)
    invoice = _prepaid(uow, number)
    if _view(uow, invoice, day).status == InvoiceStatus.PAID:
        raise InvalidInput(f"prepaid invoice {number} is paid already")
    uow.ledger.add_many(
        [
            LedgerEntry(
                occurred_on=day, kind=LedgerKind.PAYMENT, amount=invoice.amount,
                reference=number, description=f"Payment of prepaid invoice {number}",
            )
        ]
    )  # fmt: skip
    credit_paid_prepaid(uow, invoice, day)
    audit(uow, actor, "prepaid-invoice-paid", number, {"status": "issued"},
          {"status": "paid", "paid_on": day.isoformat(),
           "credit": format_amount(invoice.amount, account.currency)}, when,
          entity="invoice")  # fmt: skip
    return _view(uow, invoice, day)


__all__ = [
    "PREFIX",
    "PrepaidInvoice",
    "credit_paid_prepaid",
    "is_prepaid",
    "issue_prepaid_invoice",
    "mark_prepaid_paid",
    "prepaid_invoices",
]
