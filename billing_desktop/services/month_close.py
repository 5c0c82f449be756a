"""Month close (PRODUCT §4.5): recharges, usage debits and expiries in the ledger, the month's
invoice, its stored rating, the plan downgrades that fall due, and the audit row.

Its own module above ``billing`` (rating), ``credits`` and ``plans``: the close uses all three,
and none of them needs it, so there is no import circle.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import AuditEntry, Invoice, InvoiceStatus, LedgerEntry, LedgerKind
from billing_desktop.domain.money import format_amount
from billing_desktop.domain.periods import Month
from billing_desktop.services.account import payment_terms
from billing_desktop.services.billing import ZERO, BillingEngine, commit_pool, month_line
from billing_desktop.services.changes import changes
from billing_desktop.services.plans import apply_due_downgrades, due_downgrades
from billing_desktop.services.visibility import sees_plans
from billing_desktop.store.ports import ClosedMonth, MonthLine, UnitOfWork

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


@dataclass(frozen=True, slots=True)
class PlanChange:
    """A pending plan downgrade that the close applies."""

    app_id: str
    app_name: str
    from_plan: str
    to_plan: str
    period_ended: date | None


@dataclass(frozen=True, slots=True)
class ClosePlan:
    """Everything closing ``month`` writes, worked out before anything is written: the close
    applies exactly this (:func:`close_month`), and the preview shows it (:func:`preview_close`),
    so the two cannot differ."""

    month: Month
    currency: str
    ledger_rows: tuple[LedgerEntry, ...]
    invoice: Invoice | None
    lines: tuple[MonthLine, ...]
    downgrades: tuple[PlanChange, ...]
    downgrades_hidden: bool  # the actor may not see plans: downgrades are not listed
    amount: Decimal
    credit_applied: Decimal
    charged: Decimal
    already_closed: bool = False  # closing it again writes nothing (the close is idempotent)

    def as_json(self) -> dict[str, object]:
        money = partial(format_amount, currency=self.currency)
        return {
            "month": str(self.month),
            "already_closed": self.already_closed,
            "ledger_rows": [
                {
                    "occurred_on": row.occurred_on.isoformat(),
                    "kind": row.kind.value,
                    "amount": money(row.amount),
                    "product": row.product,
                    "reference": row.reference,
                    "description": row.description,
                    "pool": row.pool,
                }
                for row in self.ledger_rows
            ],
            "invoice": None
            if self.invoice is None
            else {
                "number": self.invoice.number,
                "amount": money(self.invoice.amount),
                "issued_on": self.invoice.issued_on.isoformat(),
                "due_on": None if self.invoice.due_on is None else self.invoice.due_on.isoformat(),
            },
            "lines": [
                {
                    "product": line.product,
                    "quantity": str(line.quantity),
                    "free_units_used": str(line.free_units_used),
                    "unit_price": str(line.unit_price),
                    "amount": money(line.amount),
                    "credit_applied": money(line.credit_applied),
                    "charged": money(line.charged),
                }
                for line in self.lines
            ],
            "downgrades": [
                {"app": d.app_id, "name": d.app_name, "from": d.from_plan, "to": d.to_plan}
                for d in self.downgrades
            ],
            "charged": money(self.charged),
        }


def plan_close(
    uow: UnitOfWork,
    actor: Actor,
    month: Month,
    today: date | None = None,
) -> ClosePlan:
    """What closing ``month`` would write, read only. Refuses as the close does: a month not
    over yet, one before the last closed month, one with an earlier open month, a closed one."""
    actor.rights.require(Area.USAGE, Level.EDIT, "close a month")
    engine = BillingEngine(uow, today)
    currency = engine.account.currency
    if month in engine.closed:
        raise InvalidInput(f"{month} is closed already: a closed month never changes")
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
        rows.append(
            LedgerEntry(
                occurred_on=issued,
                kind=LedgerKind.INVOICE,
                amount=-rating.charged,
                reference=invoice.number,
                description=f"usage of {month} beyond free units and credit",
            )
        )
    due = due_downgrades(uow.apps.all(), month)
    return ClosePlan(
        month=month,
        currency=currency,
        ledger_rows=tuple(rows),
        invoice=invoice,
        lines=tuple(month_line(line) for line in rating.lines),
        downgrades=tuple(
            PlanChange(before.id, before.name, before.plan, after.plan, before.plan_ends_on)
            for before, after in due
        ),
        downgrades_hidden=False,
        amount=rating.amount,
        credit_applied=rating.credit_applied,
        charged=rating.charged,
    )


def preview_close(
    uow: UnitOfWork, actor: Actor, month: Month, today: date | None = None
) -> ClosePlan:
    """The preview of closing ``month`` (the Close month dialog, ``close-preview``): the plan
    :func:`close_month` applies. A user who may not see plans gets it without the downgrades.
    A closed month's preview is empty and says so (closing it again writes nothing)."""
    actor.rights.require(Area.USAGE, Level.EDIT, "close a month")
    engine = BillingEngine(uow, today)
    if month in engine.closed:  # as close_month: closing it again changes nothing
        currency = engine.account.currency
        return ClosePlan(month, currency, (), None, (), (), False, ZERO, ZERO, ZERO, True)
    plan = plan_close(uow, actor, month, today)
    if sees_plans(actor):
        return plan
    return dataclasses.replace(plan, downgrades=(), downgrades_hidden=bool(plan.downgrades))


def months_to_close(uow: UnitOfWork, actor: Actor, today: date | None = None) -> list[Month]:
    """The months that have ended and are not closed, oldest first (the first is the one to
    close next). Empty without an account."""
    actor.rights.require(Area.USAGE, Level.EDIT, "close a month")
    if uow.account.get() is None:
        return []
    engine = BillingEngine(uow, today)
    last_ended = engine.current_month.plus(-1)
    if engine.closed:
        first = max(engine.closed).plus(1)
    else:
        billed = engine.first_billed_month()
        if billed is None:
            return []
        first = billed
    months: list[Month] = []
    month = first
    while month <= last_ended:
        months.append(month)
        month = month.plus(1)
    return months


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
    in the caller's unit of work (commit it). Closing a closed month changes nothing.

    What it writes is :func:`plan_close`'s plan, applied as it stands."""
    actor.rights.require(Area.USAGE, Level.EDIT, "close a month")
    engine = BillingEngine(uow, today)
    currency = engine.account.currency
    if month in engine.closed:
        return CloseReport(month, True, None, 0, currency)
    plan = plan_close(uow, actor, month, today)
    when = now or datetime.now(UTC)
    invoice = plan.invoice
    if invoice is not None:
        uow.invoices.add_many([invoice])
    uow.ledger.add_many(list(plan.ledger_rows))
    # Plan downgrades waiting for a period that ends in this month take effect now (§7).
    applied = apply_due_downgrades(uow, actor, month, when)
    assert [a.id for a in applied] == [d.app_id for d in plan.downgrades]
    uow.closing.add(
        ClosedMonth(month.first_day, when, actor.audit_name, invoice.number if invoice else None),
        list(plan.lines),
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
                "charged": format_amount(plan.charged, currency),
                "credit_applied": format_amount(plan.credit_applied, currency),
                "ledger_rows": len(plan.ledger_rows),
                "lines": len(plan.lines),
            },
        )
    )
    # Auto-pay (issue 19 §3): an invoice whose due date is already reached is paid now.
    from billing_desktop.services.auto_pay import apply_auto_pay

    if actor.rights.can_edit(Area.USAGE):
        apply_auto_pay(uow, actor, engine.today, now=when)
    return CloseReport(month, False, invoice, len(plan.lines), currency)


__all__ = [
    "ClosePlan",
    "CloseReport",
    "PlanChange",
    "close_month",
    "months_to_close",
    "next_invoice_number",
    "plan_close",
    "preview_close",
]
