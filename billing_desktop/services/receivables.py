"""What is left to pay on each invoice, derived from the ledger (payments, credit notes).

The ledger's owed money is its pool ``""``: an invoice row of minus its amount, and the rows
that settle it, plus (customer's side). Each such row belongs to exactly one invoice:

* ``invoice`` rows: their reference is the invoice number;
* ``payment`` rows: their reference is the payment's number (``PMT-000001``, the ``payments``
  record names the invoice), or, for payments written before payment records existed (the
  demo generator's card payments), the invoice number itself;
* ``credit_note`` rows: their reference is the credit note's number (``CN-000001``, the
  ``credit_notes`` record names the invoice).

What a payment or a credit note brings beyond what is left on the invoice goes to the
``credits`` pool instead (the customer's credit, spent on usage like bought credit), so no
invoice is ever settled below zero and the sum of what is left on the invoices is exactly what
the ledger says is owed (minus the pool ``""`` total): ``ledger_problems`` checks it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from billing_desktop.domain.model import Invoice, InvoiceStatus, LedgerEntry, LedgerKind
from billing_desktop.domain.receivables import CreditNote, Payment
from billing_desktop.store.ports import UnitOfWork

ZERO = Decimal(0)
OWED_POOL = ""
PAYMENT_PREFIX = "PMT-"
CREDIT_NOTE_PREFIX = "CN-"
SETTLING_KINDS = frozenset({LedgerKind.PAYMENT, LedgerKind.CREDIT_NOTE})


def next_number(prefix: str, numbers: Iterable[str]) -> str:
    """Gap-free: one more than the highest ``<prefix>nnnnnn`` among ``numbers``. Called in a
    write unit of work, which holds the store's write lock from its start (``store.sql.uow``),
    so two writers never take the same number."""
    highest = 0
    for number in numbers:
        tail = number[len(prefix) :]
        if number.startswith(prefix) and tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:06d}"


def invoice_of_row(
    entry: LedgerEntry,
    invoices: Mapping[str, object],
    payments: Mapping[str, Payment],
    credit_notes: Mapping[str, CreditNote],
) -> str | None:
    """The invoice a ledger row of the owed pool belongs to (None: none)."""
    if entry.pool != OWED_POOL:
        return None
    if entry.kind == LedgerKind.INVOICE:
        return entry.reference
    if entry.kind == LedgerKind.PAYMENT:
        if entry.reference in payments:
            return payments[entry.reference].invoice
        return entry.reference if entry.reference in invoices else None
    if entry.kind == LedgerKind.CREDIT_NOTE:
        note = credit_notes.get(entry.reference)
        return note.invoice if note else None
    return None


def settling_rows(
    uow: UnitOfWork, ledger: Sequence[LedgerEntry] | None = None
) -> dict[str, list[LedgerEntry]]:
    """Per invoice number, the ledger rows (payments, voids, credit notes) that settle it."""
    ledger = uow.ledger.all() if ledger is None else ledger
    invoices = {i.number: i for i in uow.invoices.all()}
    payments = {p.number: p for p in uow.payments.all()}
    notes = {n.number: n for n in uow.credit_notes.all()}
    found: dict[str, list[LedgerEntry]] = defaultdict(list)
    for entry in ledger:
        if entry.kind in SETTLING_KINDS:
            number = invoice_of_row(entry, invoices, payments, notes)
            if number is not None:
                found[number].append(entry)
    return found


@dataclass(frozen=True, slots=True)
class Settlement:
    status: InvoiceStatus
    paid_on: date | None  # the day it was settled in full (None while something is left)
    left: Decimal  # what is left to pay (never below zero)
    paid: Decimal  # payments, net of voids
    credited: Decimal  # credit notes, the part that reduced what is due


def settle(invoice: Invoice, rows: Sequence[LedgerEntry], today: date) -> Settlement:
    """The derived status of ``invoice`` given the rows that settle it (``settling_rows``):
    *paid* when they cover it, *overdue* when something is left after its due date, *partly
    paid* when something is settled and something left, *issued* otherwise."""
    # The status as of ``today``: a document of a past date (a month-end bundle) never changes.
    rows = [e for e in rows if e.occurred_on <= today]
    paid = sum((e.amount for e in rows if e.kind == LedgerKind.PAYMENT), ZERO)
    credited = sum((e.amount for e in rows if e.kind == LedgerKind.CREDIT_NOTE), ZERO)
    left = invoice.amount - paid - credited
    if rows and left <= 0:
        settled_on = max(e.occurred_on for e in rows)
        return Settlement(InvoiceStatus.PAID, settled_on, ZERO, paid, credited)
    if invoice.due_on is not None and today > invoice.due_on:
        status = InvoiceStatus.OVERDUE
    elif left < invoice.amount:
        status = InvoiceStatus.PARTLY_PAID
    else:
        status = InvoiceStatus.ISSUED
    return Settlement(status, None, max(left, ZERO), paid, credited)


def left_on_invoices(uow: UnitOfWork) -> dict[str, Decimal]:
    """What is left to pay on each invoice: its amount minus the rows that settle it."""
    rows = settling_rows(uow)
    return {
        invoice.number: invoice.amount - sum((e.amount for e in rows.get(invoice.number, [])), ZERO)
        for invoice in uow.invoices.all()
    }


def receivable_problems(uow: UnitOfWork) -> list[str]:
    """Inconsistencies of payments and credit notes with the ledger (for ``check``)."""
    problems: list[str] = []
    ledger = uow.ledger.all()
    invoices = {i.number: i for i in uow.invoices.all()}
    payments = {p.number: p for p in uow.payments.all()}
    notes = {n.number: n for n in uow.credit_notes.all()}
    voids = {v.payment for v in uow.payment_voids.all()}
    owed_total = ZERO
    for entry in ledger:
        if entry.pool != OWED_POOL:
            continue
        owed_total += entry.amount
        if (
            entry.kind in SETTLING_KINDS
            and invoice_of_row(entry, invoices, payments, notes) is None
        ):
            problems.append(
                f"ledger row {entry.id} ({entry.kind.value} {entry.reference}) settles no "
                "stored invoice"
            )
    left = left_on_invoices(uow)
    for number, amount in sorted(left.items()):
        if amount < 0:
            problems.append(f"invoice {number} is settled beyond its amount by {-amount}")
    if sum(left.values(), ZERO) != -owed_total:
        problems.append(
            f"the invoices have {sum(left.values(), ZERO)} left to pay but the ledger says "
            f"{-owed_total} is owed"
        )
    by_reference: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in ledger:
        if entry.kind in SETTLING_KINDS:
            by_reference[entry.reference] += entry.amount
    for number, payment in sorted(payments.items()):
        if payment.invoice not in invoices:
            problems.append(f"payment {number} names invoice {payment.invoice}, not stored")
        expected = ZERO if number in voids else payment.amount
        if by_reference[number] != expected:
            problems.append(
                f"payment {number} is for {expected} but its ledger rows total "
                f"{by_reference[number]}"
            )
    for number, note in sorted(notes.items()):
        if note.invoice not in invoices:
            problems.append(f"credit note {number} names invoice {note.invoice}, not stored")
        if by_reference[number] != note.amount:
            problems.append(
                f"credit note {number} is for {note.amount} but its ledger rows total "
                f"{by_reference[number]}"
            )
    for missing in sorted(voids - set(payments)):
        problems.append(f"a void names payment {missing}, which is not stored")
    return problems


__all__ = [
    "CREDIT_NOTE_PREFIX",
    "OWED_POOL",
    "PAYMENT_PREFIX",
    "Settlement",
    "invoice_of_row",
    "left_on_invoices",
    "next_number",
    "receivable_problems",
    "settle",
    "settling_rows",
]
