"""Payments received against invoices (issue 18 §2): record, void, list.

A payment is a ``payments`` record (``PMT-000001``: invoice, amount, date, method, bank
reference, payer) and ledger rows referencing its number: what it settles of the invoice in
the owed pool, and what it brings beyond what was left on the invoice in the ``credits`` pool
(an over-payment becomes the customer's credit). A payment is never deleted: voiding it writes
a ``payment_voids`` record with its reason and rows reversing exactly what it wrote, so the
invoice is open again and the credit it left is taken back (refused when that credit has been
spent since). The invoice's status is never stored: ``receivables.settle`` derives it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from billing_desktop.domain.model import CREDITS_POOL, Invoice, LedgerEntry, LedgerKind, PlanTier
from billing_desktop.domain.money import credit_amount, format_amount
from billing_desktop.domain.periods import account_today
from billing_desktop.domain.receivables import Payment, PaymentVoid, ReceiptMethod
from billing_desktop.services.changes import changes
from billing_desktop.services.context import require_account
from billing_desktop.services.ledger import audit
from billing_desktop.services.overview import ENTERPRISE_INVOICES
from billing_desktop.services.prepaid import credit_paid_prepaid, is_prepaid
from billing_desktop.services.receivables import (
    OWED_POOL,
    PAYMENT_PREFIX,
    ZERO,
    left_on_invoices,
    next_number,
)
from billing_desktop.store.ports import UnitOfWork

MAX_TEXT = 200
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """One payment as ``payments list`` and the Invoices tab show it."""

    number: str
    invoice: str
    amount: Decimal
    paid_on: date
    method: ReceiptMethod
    reference: str
    payer: str
    applied: Decimal  # what it settled of the invoice
    to_credit: Decimal  # what it brought beyond that, kept as credit
    voided_on: date | None
    void_reason: str


@dataclass(frozen=True, slots=True)
class PaymentResult:
    payment: PaymentRow
    left: Decimal  # what is left on the invoice afterwards
    currency: str


def require_receivables(uow: UnitOfWork, actor: Actor, action: str, *, edit: bool) -> str:
    """The account's currency, when ``actor`` may ``action``: seeing payments needs the
    Invoices tab; recording them needs to edit billing (Usage edit: admins and Edit Billing,
    as for buying credit and closing months). Enterprise accounts have no invoices here."""
    actor.rights.require(Area.INVOICES, Level.VIEW, action)
    if edit:
        actor.rights.require(Area.USAGE, Level.EDIT, action)
    account = require_account(uow)
    if account.plan == PlanTier.ENTERPRISE:
        raise PermissionDenied(ENTERPRISE_INVOICES)
    return account.currency


def find_invoice(uow: UnitOfWork, number: str) -> Invoice:
    wanted = number.strip().upper()
    found = uow.invoices.get_many([wanted]).get(wanted)
    if found is None:
        raise NotFound(f"there is no invoice {number.strip() or '(none given)'}")
    return found


def clean_text(value: str, what: str, limit: int = MAX_TEXT, *, required: bool = False) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise InvalidInput(f"{what}: required")
    if len(text) > limit:
        raise InvalidInput(f"{what}: at most {limit} characters ({len(text)} given)")
    return text


def _rows_of(uow: UnitOfWork, number: str) -> dict[str, Decimal]:
    """What the ledger rows of payment ``number`` total per pool."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in uow.ledger.all():
        if entry.kind == LedgerKind.PAYMENT and entry.reference == number:
            totals[entry.pool] += entry.amount
    return totals


def write_payment(
    uow: UnitOfWork,
    actor: Actor,
    invoice: Invoice,
    amount: Decimal,
    paid_on: date,
    method: ReceiptMethod,
    reference: str,
    payer: str,
    *,
    bank_line: str = "",
    now: datetime | None = None,
) -> Payment:
    """Store a payment of ``invoice`` and its ledger rows (no rights checked: callers do)."""
    left = max(left_on_invoices(uow).get(invoice.number, ZERO), ZERO)
    number = next_number(PAYMENT_PREFIX, (p.number for p in uow.payments.all()))
    payment = Payment(number, invoice.number, amount, paid_on, method, reference, payer, bank_line)
    applied = min(amount, left)
    extra = amount - applied
    what = f"{method.label}" + (f", ref {reference}" if reference else "")
    rows: list[LedgerEntry] = []
    if applied > 0:
        rows.append(
            LedgerEntry(
                paid_on,
                LedgerKind.PAYMENT,
                applied,
                reference=number,
                description=f"Payment of {invoice.number} ({what})",
                pool=OWED_POOL,
            )
        )
    if extra > 0:
        rows.append(
            LedgerEntry(
                paid_on,
                LedgerKind.PAYMENT,
                extra,
                reference=number,
                description=f"Over-payment of {invoice.number} kept as credit",
                pool=CREDITS_POOL,
            )
        )
    uow.payments.add_many([payment])
    uow.ledger.add_many(rows)
    currency = require_account(uow).currency
    audit(
        uow,
        actor,
        "record-payment",
        number,
        None,
        {
            "invoice": invoice.number,
            "amount": format_amount(amount, currency),
            "applied": format_amount(applied, currency),
            "to_credit": format_amount(extra, currency),
            "paid_on": paid_on.isoformat(),
            "method": method.value,
            "reference": reference,
            "payer": payer,
            **({"bank_line": bank_line} if bank_line else {}),
        },
        now,
        entity="payment",
    )
    return payment


def parse_method(value: str | ReceiptMethod) -> ReceiptMethod:
    if isinstance(value, ReceiptMethod):
        return value
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return ReceiptMethod(key)
    except ValueError:
        choices = ", ".join(m.value for m in ReceiptMethod)
        raise InvalidInput(f"Method: '{value}' is not one of {choices}") from None


@changes("credits")
def record_payment(
    uow: UnitOfWork,
    actor: Actor,
    invoice: str,
    amount: str | Decimal,
    paid_on: date | None = None,
    method: str | ReceiptMethod = ReceiptMethod.BANK_TRANSFER,
    reference: str = "",
    payer: str = "",
    *,
    now: datetime | None = None,
) -> PaymentResult:
    """Record a payment of ``amount`` received for ``invoice`` on ``paid_on`` (default today).
    Less than is left leaves the invoice partly paid; more pays it and the rest becomes credit."""
    currency = require_receivables(uow, actor, "record payments", edit=True)
    found = find_invoice(uow, invoice)
    value = credit_amount(amount, currency, "Amount")
    chosen = parse_method(method)
    today = account_today(require_account(uow), now or datetime.now(UTC))
    day = paid_on or today
    if day > today:
        raise InvalidInput(f"Date: {day.isoformat()} is in the future (today is {today})")
    if day < found.issued_on:
        raise InvalidInput(
            f"Date: {day.isoformat()} is before {found.number} was issued "
            f"({found.issued_on.isoformat()})"
        )
    payment = write_payment(
        uow,
        actor,
        found,
        value,
        day,
        chosen,
        clean_text(reference, "Reference"),
        clean_text(payer, "Payer"),
        now=now,
    )
    left = left_on_invoices(uow)[found.number]
    if is_prepaid(found.number) and left <= 0:
        credit_paid_prepaid(uow, found, day)  # a prepaid invoice's credit comes once it is paid
    return PaymentResult(_row(uow, payment, None), max(left, ZERO), currency)


@changes("credits")
def void_payment(
    uow: UnitOfWork,
    actor: Actor,
    number: str,
    reason: str,
    *,
    now: datetime | None = None,
) -> PaymentResult:
    """Void payment ``number``: rows reversing what it wrote, dated today, with ``reason``.
    Refused when it is voided already, or when the credit it left has been spent since."""
    currency = require_receivables(uow, actor, "void payments", edit=True)
    wanted = number.strip().upper()
    payment = uow.payments.get_many([wanted]).get(wanted)
    if payment is None:
        raise NotFound(f"there is no payment {number.strip() or '(none given)'}")
    why = clean_text(reason, "Reason", MAX_REASON, required=True)
    if uow.payment_voids.get_many([payment.number]):
        raise InvalidInput(f"payment {payment.number} is already void")
    account = require_account(uow)
    today = account_today(account, now or datetime.now(UTC))
    written = _rows_of(uow, payment.number)
    credit_left = uow.ledger.pool_totals(before=date.max).get(CREDITS_POOL, ZERO)
    to_take = written.get(CREDITS_POOL, ZERO)
    if to_take > credit_left:
        raise InvalidInput(
            f"payment {payment.number} left {format_amount(to_take, currency)} of credit but only "
            f"{format_amount(credit_left, currency)} is left now: it cannot be voided (record a "
            "credit purchase or a correction instead)"
        )
    rows = [
        LedgerEntry(
            today,
            LedgerKind.PAYMENT,
            -total,
            reference=payment.number,
            description=f"Void of {payment.number} ({payment.invoice}): {why}",
            pool=pool,
        )
        for pool, total in sorted(written.items())
        if total != 0
    ]
    void = PaymentVoid(payment.number, today, why)
    uow.payment_voids.add_many([void])
    uow.ledger.add_many(rows)
    audit(
        uow,
        actor,
        "void-payment",
        payment.number,
        {"invoice": payment.invoice, "amount": format_amount(payment.amount, currency)},
        {"voided_on": today.isoformat(), "reason": why},
        now,
        entity="payment",
    )
    return PaymentResult(
        _row(uow, payment, void), max(left_on_invoices(uow)[payment.invoice], ZERO), currency
    )


def _row(uow: UnitOfWork, payment: Payment, void: PaymentVoid | None) -> PaymentRow:
    applied = ZERO
    extra = ZERO
    for entry in uow.ledger.all():
        if entry.kind == LedgerKind.PAYMENT and entry.reference == payment.number:
            if entry.amount <= 0:
                continue  # the void's reversal
            if entry.pool == OWED_POOL:
                applied += entry.amount
            else:
                extra += entry.amount
    return PaymentRow(
        number=payment.number,
        invoice=payment.invoice,
        amount=payment.amount,
        paid_on=payment.paid_on,
        method=payment.method,
        reference=payment.reference,
        payer=payment.payer,
        applied=applied,
        to_credit=extra,
        voided_on=void.voided_on if void else None,
        void_reason=void.reason if void else "",
    )


@dataclass(frozen=True, slots=True)
class PaymentList:
    rows: tuple[PaymentRow, ...]
    currency: str


def list_payments(uow: UnitOfWork, actor: Actor, invoice: str | None = None) -> PaymentList:
    """Payments, newest first (of one invoice when ``invoice`` is given), voided ones too."""
    currency = require_receivables(uow, actor, "see payments", edit=False)
    if invoice is not None:
        invoice = find_invoice(uow, invoice).number
    voids = {v.payment: v for v in uow.payment_voids.all()}
    applied: dict[str, Decimal] = defaultdict(lambda: ZERO)
    extra: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in uow.ledger.all():
        if entry.kind == LedgerKind.PAYMENT and entry.amount > 0:
            if entry.pool == OWED_POOL:
                applied[entry.reference] += entry.amount
            else:
                extra[entry.reference] += entry.amount
    rows = [
        PaymentRow(
            number=p.number,
            invoice=p.invoice,
            amount=p.amount,
            paid_on=p.paid_on,
            method=p.method,
            reference=p.reference,
            payer=p.payer,
            applied=applied[p.number],
            to_credit=extra[p.number],
            voided_on=voids[p.number].voided_on if p.number in voids else None,
            void_reason=voids[p.number].reason if p.number in voids else "",
        )
        for p in uow.payments.all()
        if invoice is None or p.invoice == invoice
    ]
    rows.sort(key=lambda r: (r.paid_on, r.number), reverse=True)
    return PaymentList(tuple(rows), currency)


__all__ = [
    "PaymentList",
    "PaymentResult",
    "PaymentRow",
    "list_payments",
    "parse_method",
    "record_payment",
    "void_payment",
]
