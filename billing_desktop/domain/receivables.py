"""Payments received against invoices, their voids, credit notes and staged bank lines.

Records, never changed once written: a payment is undone by a :class:`PaymentVoid` (and a
reversing ledger row), an invoice is corrected by a :class:`CreditNote`. The money itself is
in the ledger (``services/payments.py``, ``services/credit_notes.py``); these records carry what
the ledger has no room for (method, bank reference, payer, reason, the invoice line).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class ReceiptMethod(StrEnum):
    """How a payment of an invoice reached us."""

    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    DIRECT_DEBIT = "direct_debit"
    CASH = "cash"
    CHEQUE = "cheque"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True, slots=True)
class Payment:
    number: str  # PMT-000001
    invoice: str
    amount: Decimal  # as received; more than was open becomes credit
    paid_on: date
    method: ReceiptMethod
    reference: str = ""
    payer: str = ""
    bank_line: str = ""  # the staged bank line it was confirmed from ("" when keyed in)


@dataclass(frozen=True, slots=True)
class PaymentVoid:
    payment: str
    voided_on: date
    reason: str


@dataclass(frozen=True, slots=True)
class CreditNote:
    number: str  # CN-000001
    invoice: str
    amount: Decimal
    issued_on: date
    reason: str
    product: str | None = None  # the invoice line it corrects (None: the invoice as a whole)


@dataclass(frozen=True, slots=True)
class BankLine:
    """One credit line of an imported bank statement (``import payments``), staged until the
    accountant confirms it in the Reconcile view. Its fields are the CSV's columns, in order.

    ``id``: the bank's transaction id when the file has one; else a hash of the line's values,
    so importing the same statement (or an overlapping one) again adds nothing."""

    date: _dt.date
    amount: Decimal
    reference: str = ""
    payer: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            digest = hashlib.sha256(
                f"{self.date.isoformat()}|{self.amount}|{self.reference}|{self.payer}".encode()
            ).hexdigest()
            object.__setattr__(self, "id", f"h-{digest[:20]}")


@dataclass(frozen=True, slots=True)
class BankLineDismissal:
    """A staged bank line the accountant set aside: not a payment of an invoice (a refund, a
    deposit). It leaves the Reconcile view; the line itself stays stored."""

    line: str
    dismissed_on: _dt.date
    reason: str


__all__ = ["BankLine", "BankLineDismissal", "CreditNote", "Payment", "PaymentVoid", "ReceiptMethod"]
