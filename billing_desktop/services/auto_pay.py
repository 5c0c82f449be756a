"""Auto-pay of invoices (issue 19 §3): a payment setting of My account ("pay invoices
automatically with the default payment method", ``account_profile.auto_pay``).

When it is on, every open invoice whose due date is reached is recorded as paid by the default
payment method on its due date: the same ``payments`` record and ledger rows as a payment keyed
in (``payments.write_payment``), method *card* (or *direct debit* for a bank account), payer the
method's label ("Visa •••• 4242"), reference ``AUTOPAY-<invoice>``. It runs where
auto-recharge is checked: when the app starts or the Usage tab refreshes (``usage_page``), after
a month is closed, and by ``billing-desktop auto-pay``.

Rules:

* It pays what is left on the invoice (a partly paid invoice: the rest), once: an invoice that
  has an ``AUTOPAY-`` payment — even a voided one, which the accountant undid on purpose — is
  never paid automatically again, so running it twice, or across restarts, pays nothing more.
* It applies to every open invoice whose due date is reached when it runs, including invoices
  issued before it was switched on (prepaid invoices too: their credit is added once paid).
* Without a default method, or when the default card has expired (as of the day it runs),
  nothing is paid and the reason is reported (Invoices tab, ``auto-pay`` output); the next run
  pays once a valid default method is on file.
* Each run that pays writes one audit row ``auto-pay`` besides each payment's own row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.model import Invoice, PlanTier
from billing_desktop.domain.money import format_amount, format_money
from billing_desktop.domain.periods import account_today
from billing_desktop.domain.receivables import ReceiptMethod
from billing_desktop.services.account import auto_pay_enabled
from billing_desktop.services.changes import changes
from billing_desktop.services.context import require_account
from billing_desktop.services.ledger import audit
from billing_desktop.services.payment_methods import CARD, NO_DEFAULT_METHOD, default_method
from billing_desktop.services.payments import write_payment
from billing_desktop.services.prepaid import credit_paid_prepaid, is_prepaid
from billing_desktop.services.receivables import ZERO, left_on_invoices
from billing_desktop.store.ports import UnitOfWork

PREFIX = "AUTOPAY-"
NO_DEFAULT = NO_DEFAULT_METHOD


@dataclass(frozen=True, slots=True)
class AutoPaid:
    invoice: str
    payment: str  # PMT-000001
    amount: Decimal
    paid_on: date
    method: str  # the method's label


@dataclass(frozen=True, slots=True)
class AutoPayDue:
    """An open invoice whose due date is reached and which auto-pay has not paid."""

    invoice: str
    due_on: date
    left: Decimal


@dataclass(frozen=True, slots=True)
class AutoPayReport:
    enabled: bool
    method: str | None  # the default method's label, when it can pay
    problem: str | None  # why nothing can be paid (no default method, expired card), or None
    paid: tuple[AutoPaid, ...]
    unpaid: tuple[AutoPayDue, ...]  # due invoices left unpaid (because of ``problem``)
    currency: str

    def lines(self) -> list[str]:
        """What the run did, one line each (the CLI's output, the Invoices tab's note)."""
        if not self.enabled:
            return ["Auto-pay is off (My account ▸ Payment settings)."]
        found = [
            f"Auto-pay paid {p.invoice}: {format_money(p.amount, self.currency)} by {p.method} "
            f"on {p.paid_on.isoformat()} ({p.payment})."
            for p in self.paid
        ]
        found += [
            f"Auto-pay could not pay {u.invoice} ({format_money(u.left, self.currency)}, due "
            f"{u.due_on.isoformat()}): {self.problem}."
            if self.problem
            else f"{u.invoice} ({format_money(u.left, self.currency)}, due "
            f"{u.due_on.isoformat()}) is paid by {self.method} at the next auto-pay run (the "
            "app's start or refresh, or 'billing-desktop auto-pay')."
            for u in self.unpaid
        ]
        if not found:
            by = f" by {self.method}" if self.method else ""
            found.append(f"Auto-pay is on{by}: no invoice is due.")
        return found

    def summary(self) -> str:
        return "\n".join(self.lines())

    def as_json(self) -> dict[str, object]:
        money = format_amount
        return {
            "enabled": self.enabled,
            "method": self.method,
            "problem": self.problem,
            "paid": [
                {"invoice": p.invoice, "payment": p.payment,
                 "amount": money(p.amount, self.currency),
                 "paid_on": p.paid_on.isoformat(), "method": p.method}
                for p in self.paid
            ],
            "unpaid": [
                {"invoice": u.invoice, "due_on": u.due_on.isoformat(),
                 "left": money(u.left, self.currency)}
                for u in self.unpaid
            ],
            "currency": self.currency,
        }  # fmt: skip


def reference_of(invoice: str) -> str:
    return f"{PREFIX}{invoice}"


def _due(uow: UnitOfWork, day: date) -> list[tuple[Invoice, Decimal]]:
    """Open invoices whose due date is reached and that auto-pay never paid, by number."""
    done = {p.reference for p in uow.payments.all() if p.reference.startswith(PREFIX)}
    left = left_on_invoices(uow)
    found = [
        (invoice, left.get(invoice.number, ZERO))
        for invoice in uow.invoices.all()
        if invoice.due_on is not None
        and invoice.due_on <= day
        and left.get(invoice.number, ZERO) > 0
        and reference_of(invoice.number) not in done
    ]
    return sorted(found, key=lambda pair: (pair[0].due_on or day, pair[0].number))


def _report(uow: UnitOfWork, day: date, paid: tuple[AutoPaid, ...] = ()) -> AutoPayReport:
    account = require_account(uow)
    currency = account.currency
    if account.plan == PlanTier.ENTERPRISE or not auto_pay_enabled(uow):
        return AutoPayReport(False, None, None, paid, (), currency)
    method, problem = default_method(uow, day)
    unpaid = tuple(AutoPayDue(i.number, i.due_on or day, left) for i, left in _due(uow, day))
    return AutoPayReport(True, method.label if method else None, problem, paid, unpaid, currency)


def auto_pay_status(uow: UnitOfWork, actor: Actor, today: date | None = None) -> AutoPayReport:
    """Whether auto-pay is on, by which method, and the due invoices it has not paid (with the
    reason) — what the Invoices tab shows. Writes nothing."""
    actor.rights.require(Area.INVOICES, Level.VIEW, "see auto-pay")
    day = today or account_today(require_account(uow))
    return _report(uow, day)


@changes("credits")
def apply_auto_pay(
    uow: UnitOfWork,
    actor: Actor,
    today: date | None = None,
    *,
    now: datetime | None = None,
) -> AutoPayReport:
    """Pay every open invoice whose due date is reached by the default method, on its due date,
    when auto-pay is on; in ``uow`` (commit it). Never pays an invoice twice."""
    actor.rights.require(Area.USAGE, Level.EDIT, "run auto-pay")
    account = require_account(uow)
    when = now or datetime.now(UTC)
    day = today or account_today(account, when)
    before = _report(uow, day)
    if not before.enabled or before.problem is not None or not before.unpaid:
        return before
    method, _problem = default_method(uow, day)
    assert method is not None
    receipt = ReceiptMethod.CARD if method.kind == CARD else ReceiptMethod.DIRECT_DEBIT
    paid: list[AutoPaid] = []
    for invoice, left in _due(uow, day):
        paid_on = max(invoice.due_on or day, invoice.issued_on)
        payment = write_payment(
            uow, actor, invoice, left, paid_on, receipt, reference_of(invoice.number),
            method.label, now=when,
        )  # fmt: skip
        if is_prepaid(invoice.number):
            credit_paid_prepaid(uow, invoice, paid_on)  # its credit comes once it is paid
        paid.append(AutoPaid(invoice.number, payment.number, left, paid_on, method.label))
    audit(
        uow, actor, "auto-pay", "invoices", None,
        {"method": method.label,
         "paid": [{"invoice": p.invoice, "payment": p.payment,
                   "amount": format_amount(p.amount, account.currency)} for p in paid]},
        when, entity="payment",
    )  # fmt: skip
    return _report(uow, day, tuple(paid))


__all__ = [
    "PREFIX",
    "AutoPaid",
    "AutoPayDue",
    "AutoPayReport",
    "apply_auto_pay",
    "auto_pay_status",
    "reference_of",
]
