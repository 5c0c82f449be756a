"""Credit notes (issue 18 §3): the correction of an invoice of a closed month.

A closed month never changes; a mistake on its invoice is corrected by a credit note
``CN-000001`` (numbered without gaps, like invoices) for an amount against the invoice or one
of its lines, with a reason. It is at most what is left on the invoice (or the line): its
amount minus the credit notes already written against it. In the ledger it settles what is
still due on the invoice (pool ``""``, kind ``credit_note``); what it brings beyond that (the
invoice is paid, or partly) becomes the customer's credit (pool ``credits``). It is dated the
day it is written, so it shows in the statement of that month, and in the invoice history with
its own PDF.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from billing_desktop.domain.access import Actor
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import CREDITS_POOL, LedgerEntry, LedgerKind
from billing_desktop.domain.money import credit_amount, format_amount, format_money
from billing_desktop.domain.periods import account_today
from billing_desktop.domain.receivables import CreditNote
from billing_desktop.services.changes import changes
from billing_desktop.services.context import require_account
from billing_desktop.services.ledger import audit
from billing_desktop.services.payments import (
    MAX_REASON,
    clean_text,
    find_invoice,
    require_receivables,
)
from billing_desktop.services.receivables import (
    CREDIT_NOTE_PREFIX,
    OWED_POOL,
    ZERO,
    left_on_invoices,
    next_number,
)
from billing_desktop.store.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class CreditNoteResult:
    number: str
    invoice: str
    line: str | None
    amount: Decimal
    issued_on: date
    reason: str
    settled: Decimal  # what it took off what was due on the invoice
    to_credit: Decimal  # what became credit (the invoice was paid)
    left: Decimal  # left to pay on the invoice afterwards
    currency: str


@dataclass(frozen=True, slots=True)
class Creditable:
    """What a credit note against an invoice may still be for, in total and per line."""

    invoice: str
    total: Decimal
    lines: tuple[tuple[str, str, Decimal], ...]  # (product code, name, left on that line)
    left_to_pay: Decimal
    currency: str


def _credited(uow: UnitOfWork, invoice: str) -> tuple[Decimal, dict[str | None, Decimal]]:
    total = ZERO
    per_line: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    for note in uow.credit_notes.all():
        if note.invoice == invoice:
            total += note.amount
            per_line[note.product] += note.amount
    return total, per_line


def creditable(uow: UnitOfWork, actor: Actor, invoice: str) -> Creditable:
    """What is left to credit on ``invoice`` (for the Credit note dialog)."""
    currency = require_receivables(uow, actor, "see credit notes", edit=False)
    found = find_invoice(uow, invoice)
    total, per_line = _credited(uow, found.number)
    products = {p.code: p.name for p in uow.products.all()}
    lines = tuple(
        (
            line.product,
            products.get(line.product, line.product),
            line.charged - per_line[line.product],
        )
        for line in uow.closing.lines(found.period)
        if line.charged > 0
    )
    left = max(left_on_invoices(uow).get(found.number, ZERO), ZERO)
    return Creditable(found.number, found.amount - total, lines, left, currency)


@changes("credits")
def issue_credit_note(
    uow: UnitOfWork,
    actor: Actor,
    invoice: str,
    amount: str | Decimal,
    reason: str,
    line: str | None = None,
    *,
    now: datetime | None = None,
) -> CreditNoteResult:
    """Write credit note ``CN-nnnnnn`` of ``amount`` against ``invoice`` (or its ``line``, a
    product code of the invoice's lines) with ``reason``."""
    currency = require_receivables(uow, actor, "write credit notes", edit=True)
    found = find_invoice(uow, invoice)
    value = credit_amount(amount, currency, "Amount")
    why = clean_text(reason, "Reason", MAX_REASON, required=True)
    credited, per_line = _credited(uow, found.number)
    left_on_invoice = found.amount - credited
    product: str | None = None
    if line is not None and line.strip():
        lines = {entry.product: entry for entry in uow.closing.lines(found.period)}
        product = line.strip()
        if product not in lines:
            known = ", ".join(sorted(lines)) or "none: it has a summary line only"
            raise InvalidInput(f"Line: {found.number} has no line {product!r} (its lines: {known})")
        left_on_line = lines[product].charged - per_line[product]
        if value > left_on_line:
            raise InvalidInput(
                f"Amount: {format_money(value, currency)} is more than is left on line {product} "
                f"of {found.number} ({format_money(left_on_line, currency)})"
            )
    if value > left_on_invoice:
        raise InvalidInput(
            f"Amount: {format_money(value, currency)} is more than is left on {found.number} "
            f"({format_money(left_on_invoice, currency)})"
        )
    account = require_account(uow)
    today = account_today(account, now or datetime.now(UTC))
    number = next_number(CREDIT_NOTE_PREFIX, (n.number for n in uow.credit_notes.all()))
    due = max(left_on_invoices(uow).get(found.number, ZERO), ZERO)
    settled = min(value, due)
    extra = value - settled
    description = f"Credit note on {found.number}" + (f", line {product}" if product else "")
    rows = []
    if settled > 0:
        rows.append(
            LedgerEntry(
                today,
                LedgerKind.CREDIT_NOTE,
                settled,
                reference=number,
                description=f"{description}: {why}",
                pool=OWED_POOL,
            )
        )
    if extra > 0:
        rows.append(
            LedgerEntry(
                today,
                LedgerKind.CREDIT_NOTE,
                extra,
                reference=number,
                description=f"{description} (paid, kept as credit): {why}",
                pool=CREDITS_POOL,
            )
        )
    uow.credit_notes.add_many([CreditNote(number, found.number, value, today, why, product)])
    uow.ledger.add_many(rows)
    audit(
        uow,
        actor,
        "issue-credit-note",
        number,
        None,
        {
            "invoice": found.number,
            "line": product,
            "amount": format_amount(value, currency),
            "settled": format_amount(settled, currency),
            "to_credit": format_amount(extra, currency),
            "reason": why,
        },
        now,
        entity="credit_note",
    )
    return CreditNoteResult(
        number=number,
        invoice=found.number,
        line=product,
        amount=value,
        issued_on=today,
        reason=why,
        settled=settled,
        to_credit=extra,
        left=due - settled,
        currency=currency,
    )


__all__ = [
    "CreditNoteResult",
    "Creditable",
    "creditable",
    "issue_credit_note",
]
