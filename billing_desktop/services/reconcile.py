"""Reconcile a bank statement with the invoices (issue 18 §2).

``import payments FILE`` stages the statement's lines (``bank_lines``: all-or-nothing and
idempotent like every import). Nothing is paid by the import: the Reconcile view (and
``payments reconcile``) matches each line that no payment was recorded from yet

* **matched**: its reference names a stored invoice ("INV-000005", "inv 5", "Invoice INV5");
* **suggested**: no invoice number, but exactly one invoice has exactly its amount left to pay
  (several: the oldest, with a note that others have the same amount);
* **unmatched**: neither;

and the accountant confirms: confirming records a payment (method bank transfer, the line's
date, reference and payer) of the chosen invoice, which remembers the line it came from, so a
line is never paid twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from billing_desktop.domain.access import Actor
from billing_desktop.domain.errors import InvalidInput, NotFound
from billing_desktop.domain.periods import account_today
from billing_desktop.domain.receivables import BankLine, BankLineDismissal, ReceiptMethod
from billing_desktop.services.changes import changes
from billing_desktop.services.context import require_account
from billing_desktop.services.ledger import audit
from billing_desktop.services.payments import (
    MAX_REASON,
    clean_text,
    find_invoice,
    require_receivables,
    write_payment,
)
from billing_desktop.services.receivables import ZERO, left_on_invoices
from billing_desktop.store.ports import UnitOfWork

INVOICE_IN_TEXT = re.compile(r"\bINV(?:OICE)?[\s\-#:]*(?:INV[\s\-]*)?0*(\d{1,9})\b", re.IGNORECASE)


class MatchState(StrEnum):
    MATCHED = "matched"
    SUGGESTED = "suggested"
    UNMATCHED = "unmatched"


@dataclass(frozen=True, slots=True)
class ReconcileLine:
    id: str
    booked_on: date
    amount: Decimal
    reference: str
    payer: str
    state: MatchState
    invoice: str  # the matched or suggested invoice ("" when unmatched)
    left: Decimal  # what is left on that invoice now
    note: str


@dataclass(frozen=True, slots=True)
class Reconciliation:
    lines: tuple[ReconcileLine, ...]  # lines not confirmed yet, oldest first
    confirmed: int  # lines confirmed earlier
    open_invoices: tuple[tuple[str, Decimal], ...]  # (number, left) to choose from
    currency: str
    dismissed: int = 0  # lines set aside as not payments of invoices


def invoice_numbers_in(text: str) -> list[str]:
    """Invoice numbers written in a bank reference, as stored ("INV-000005")."""
    return [f"INV-{int(digits):06d}" for digits in INVOICE_IN_TEXT.findall(text)]


def match_line(
    line: BankLine, left: dict[str, Decimal], issued: dict[str, date]
) -> tuple[MatchState, str, str]:
    """(state, invoice, note) of one bank line against what is left on each invoice."""
    for number in invoice_numbers_in(line.reference):
        if number in left:
            owed = left[number]
            if owed <= 0:
                note = "already paid: confirming keeps the amount as credit"
            elif line.amount < owed:
                note = "pays part of it"
            elif line.amount > owed:
                note = "pays more than is left: the rest becomes credit"
            else:
                note = "pays what is left"
            return MatchState.MATCHED, number, note
    same = sorted((n for n, owed in left.items() if owed == line.amount), key=lambda n: issued[n])
    if same:
        note = "same amount as what is left on it"
        if len(same) > 1:
            note += f" ({len(same) - 1} other invoice(s) too: check)"
        return MatchState.SUGGESTED, same[0], note
    named = invoice_numbers_in(line.reference)
    note = f"{named[0]} is not stored" if named else "no invoice number, no invoice of this amount"
    return MatchState.UNMATCHED, "", note


def reconciliation(uow: UnitOfWork, actor: Actor) -> Reconciliation:
    """The staged bank lines no payment was recorded from, each matched to an invoice."""
    currency = require_receivables(uow, actor, "reconcile payments", edit=False)
    used = {p.bank_line for p in uow.payments.all() if p.bank_line}
    dismissed = {d.line for d in uow.bank_line_dismissals.all()}
    left = left_on_invoices(uow)
    issued = {i.number: i.issued_on for i in uow.invoices.all()}
    lines = []
    for line in sorted(uow.bank_lines.all(), key=lambda b: (b.date, b.id)):
        if line.id in used or line.id in dismissed:
            continue
        state, invoice, note = match_line(line, left, issued)
        lines.append(
            ReconcileLine(
                id=line.id,
                booked_on=line.date,
                amount=line.amount,
                reference=line.reference,
                payer=line.payer,
                state=state,
                invoice=invoice,
                left=max(left.get(invoice, ZERO), ZERO),
                note=note,
            )
        )
    named: dict[str, int] = {}
    for found in lines:
        if found.invoice:
            named[found.invoice] = named.get(found.invoice, 0) + 1
    lines = [
        replace(found, note=f"{found.note}; {named[found.invoice] - 1} other line(s) too")
        if found.invoice and named[found.invoice] > 1
        else found
        for found in lines
    ]
    open_invoices = tuple(
        (number, owed)
        for number, owed in sorted(left.items(), key=lambda kv: issued[kv[0]])
        if owed > 0
    )
    return Reconciliation(tuple(lines), len(used), open_invoices, currency, len(dismissed))


@dataclass(frozen=True, slots=True)
class Confirmed:
    payments: tuple[str, ...]  # the payment numbers recorded, in the order of the lines
    currency: str


@changes("credits")
def confirm_lines(
    uow: UnitOfWork,
    actor: Actor,
    choices: Sequence[tuple[str, str]],
    *,
    now: datetime | None = None,
) -> Confirmed:
    """Record a payment for each (bank line id, invoice number) of ``choices``: all or none."""
    currency = require_receivables(uow, actor, "record payments", edit=True)
    if not choices:
        raise InvalidInput("choose at least one bank line to confirm")
    used = {p.bank_line for p in uow.payments.all() if p.bank_line}
    ids = [line_id for line_id, _invoice in choices]
    if len(set(ids)) != len(ids):
        raise InvalidInput("a bank line is chosen twice")
    stored = uow.bank_lines.get_many(ids)
    numbers = []
    for line_id, invoice in choices:
        line = stored.get(line_id)
        if line is None:
            raise NotFound(f"there is no imported bank line {line_id}")
        if line_id in used:
            raise InvalidInput(f"bank line {line_id} is confirmed already")
        found = find_invoice(uow, invoice)
        payment = write_payment(
            uow,
            actor,
            found,
            line.amount,
            line.date,
            ReceiptMethod.BANK_TRANSFER,
            line.reference[:200],
            line.payer,
            bank_line=line.id,
            now=now,
        )
        numbers.append(payment.number)
    return Confirmed(tuple(numbers), currency)


@dataclass(frozen=True, slots=True)
class Dismissed:
    lines: tuple[str, ...]


@changes("credits")
def dismiss_lines(
    uow: UnitOfWork,
    actor: Actor,
    line_ids: Sequence[str],
    reason: str = "not a payment of an invoice",
    *,
    now: datetime | None = None,
) -> Dismissed:
    """Set staged bank lines aside (a refund, a deposit): they leave the Reconcile view. A line
    a payment was recorded from, or one set aside already, is refused; all or none."""
    require_receivables(uow, actor, "reconcile payments", edit=True)
    if not line_ids:
        raise InvalidInput("choose at least one bank line to set aside")
    why = clean_text(reason, "Reason", MAX_REASON, required=True)
    ids = list(dict.fromkeys(line_ids))
    stored = uow.bank_lines.get_many(ids)
    used = {p.bank_line for p in uow.payments.all() if p.bank_line}
    done = uow.bank_line_dismissals.get_many(ids)
    for line_id in ids:
        if line_id not in stored:
            raise NotFound(f"there is no imported bank line {line_id}")
        if line_id in used:
            raise InvalidInput(f"bank line {line_id} is confirmed already")
        if line_id in done:
            raise InvalidInput(f"bank line {line_id} is set aside already")
    today = account_today(require_account(uow), now or datetime.now(UTC))
    uow.bank_line_dismissals.add_many([BankLineDismissal(i, today, why) for i in ids])
    for line_id in ids:
        audit(uow, actor, "dismiss-bank-line", line_id, None, {"reason": why}, now,
              entity="bank_line")  # fmt: skip
    return Dismissed(tuple(ids))


__all__ = [
    "Confirmed",
    "Dismissed",
    "MatchState",
    "ReconcileLine",
    "Reconciliation",
    "confirm_lines",
    "dismiss_lines",
    "invoice_numbers_in",
    "match_line",
    "reconciliation",
]
