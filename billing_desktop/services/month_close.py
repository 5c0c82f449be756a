"""Month close (PRODUCT §4.5): recharges, usage debits and expiries in the ledger, the month's
invoice, its stored rating, the plan downgrades that fall due, and the audit row.

Its own module above ``billing`` (rating), ``credits`` and ``plans``: the close uses all three,
and none of them needs it, so there is no import circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import AuditEntry, Invoice, InvoiceStatus, LedgerEntry, LedgerKind
from billing_desktop.domain.money import format_amount
from billing_desktop.domain.periods import Month
from billing_desktop.services.account import payment_terms
from billing_desktop.services.billing import ZERO, BillingEngine, commit_pool, month_line
from billing_desktop.services.changes import changes
from billing_desktop.services.plans import apply_due_downgrades
from billing_desktop.store.ports import ClosedMonth, UnitOfWork

INVOICE_PREFIX = "INV-"


@dataclass(frozen=True, slots=True)
class CloseReport:
    month: Month
    already_closed: bool
    invoice: Invoice | None
    lines: int
    currency: str

    def summary(self) -> str:
        if self.already_closed:
            return f"{self.month} was already closed; nothing new was issued."
        if self.invoice is None:
            return f"Closed {self.month}: nothing to invoice ({self.lines} products rated)."
        amount = format_amount(self.invoice.amount, self.currency)
        return (
            f"Closed {self.month}: invoice {self.invoice.number} for {amount} "
            f"{self.currency}, issued {self.invoice.issued_on}, due {self.invoice.due_on}."
        )

    def as_json(self) -> dict[str, object]:
        return {
            "month": str(self.month),
            "already_closed": self.already_closed,
            "invoice": None
            if self.invoice is None
            else {
                "number": self.invoice.number,
                "amount": format_amount(self.invoice.amount, self.currency),
                "issued_on": self.invoice.issued_on.isoformat(),
                "due_on": None if self.invoice.due_on is None else self.invoice.due_on.isoformat(),
            },
            "lines": self.lines,
        }


def next_invoice_number(numbers: Sequence[str]) -> str:
    """Gap-free per account: one more than the highest ``INV-nnnnnn`` issued so far."""
    highest = 0
    for number in numbers:
        if number.startswith(INVOICE_PREFIX) and number[len(INVOICE_PREFIX) :].isdigit():
            highest = max(highest, int(number[len(INVOICE_PREFIX) :]))
    return f"{INVOICE_PREFIX}{highest + 1:06d}"


@changes("closing")
def close_month(
    uow: UnitOfWork,
    actor: Actor,
    month: Month,
    today: date | None = None,
    now: datetime | None = None,
) -> CloseReport:
    """Close ``month``: materialise commit recharges, usage debits and expiries in the ledger,
    issue the invoice for what credit did not cover, store the month's rating, audit it — all
    in the caller's unit of work (commit it). Closing a closed month changes nothing."""
    actor.rights.require(Area.USAGE, Level.EDIT, "close a month")
    engine = BillingEngine(uow, today)
    currency = engine.account.currency
    if month in engine.closed:
        return CloseReport(month, True, None, 0, currency)
    if month >= engine.current_month:
        raise InvalidInput(
            f"{month} is not over yet in {engine.account.timezone}; a month is closed once it "
            "has ended"
        )
    if engine.closed and month < max(engine.closed):
        raise InvalidInput(
            f"{month} is before the last closed month {max(engine.closed)}; months are closed "
            "in order and history cannot be reopened"
        )
    first_open = engine.first_open_month(month)
    if first_open < month:
        raise InvalidInput(f"close {first_open} first: months are closed in order")
    rating = engine.rate(month)
    when = now or datetime.now(UTC)
    last = month.last_day
    rows: list[LedgerEntry] = []
    recharged = {e.pool for e in engine.ledger if e.kind == LedgerKind.COMMIT_RECHARGE}
    for product, (commit, period) in engine.commit_periods(month).items():
        key = commit_pool(commit, period)
        if key not in recharged:
            rows.append(
                LedgerEntry(
                    occurred_on=period.recharged_on,
                    kind=LedgerKind.COMMIT_RECHARGE,
                    amount=commit.amount,
                    product=product,
                    reference=str(month),
                    description=f"{commit.frequency.value} commit recharged",
                    pool=key,
                )
            )
    for line in rating.lines:
        for pool, amount in line.drawn:
            rows.append(
                LedgerEntry(
                    occurred_on=last,
                    kind=LedgerKind.USAGE_DEBIT,
                    amount=-amount,
                    product=line.product.code,
                    reference=str(month),
                    description=f"{line.product.name} usage",
                    pool=pool,
                )
            )
    for product, (commit, period) in engine.commit_periods(month).items():
        key = commit_pool(commit, period)
        left = rating.pools_after.get(key, ZERO)
        if period.last_month == month and left > 0:
            rows.append(
                LedgerEntry(
                    occurred_on=last,
                    kind=LedgerKind.COMMIT_EXPIRY,
                    amount=-left,
                    product=product,
                    reference=str(month),
                    description="unused commit credit expired",
                    pool=key,
                )
            )
    invoice: Invoice | None = None
    if rating.charged > 0:
        issued = month.plus(1).first_day
        invoice = Invoice(
            number=next_invoice_number([i.number for i in uow.invoices.all()]),
            issued_on=issued,
            period=month.first_day,
            amount=rating.charged,
            status=InvoiceStatus.ISSUED,
            due_on=issued + timedelta(days=payment_terms(uow)),  # My account ▸ payment terms
        )
        uow.invoices.add_many([invoice])
        rows.append(
            LedgerEntry(
                occurred_on=issued,
                kind=LedgerKind.INVOICE,
                amount=-rating.charged,
                reference=invoice.number,
                description=f"usage of {month} beyond free units and credit",
            )
        )
    uow.ledger.add_many(rows)
    # Plan downgrades waiting for a period that ends in this month take effect now (§7).
    apply_due_downgrades(uow, actor, month, when)
    uow.closing.add(
        ClosedMonth(month.first_day, when, actor.audit_name, invoice.number if invoice else None),
        [month_line(line) for line in rating.lines],
    )
    uow.audit.add(
        AuditEntry(
            at=when,
            actor=actor.audit_name,
            origin=actor.origin,
            action="close-month",
            entity="month",
            entity_id=str(month),
            after={
                "invoice": invoice.number if invoice else None,
                "charged": format_amount(rating.charged, currency),
                "credit_applied": format_amount(rating.credit_applied, currency),
                "ledger_rows": len(rows),
                "lines": len(rating.lines),
            },
        )
    )
    return CloseReport(month, False, invoice, len(rating.lines), currency)


__all__ = ["CloseReport", "close_month", "next_invoice_number"]
