"""The invoice history: invoices, orders and credit notes with their derived status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from billing_desktop.domain.access import Actor
from billing_desktop.domain.model import (
    InvoiceStatus,
    LedgerEntry,
    LedgerKind,
)
from billing_desktop.domain.periods import Month, account_today
from billing_desktop.services.prepaid import DESCRIPTION as PREPAID_DESCRIPTION
from billing_desktop.services.prepaid import is_prepaid
from billing_desktop.services.receivables import (
    settle,
    settling_rows,
)
from billing_desktop.services.statements.common import (
    ORDER_KINDS,
    DocumentKind,
    HistoryRow,
    _invoices_account,
    credit_note_rows,
    month_name,
)
from billing_desktop.services.visibility import visible_entries
from billing_desktop.store.ports import UnitOfWork

# --- the history ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class History:
    """The rows matching the filters, newest first, and every year that has a document."""

    rows: tuple[HistoryRow, ...]
    years: tuple[int, ...]
    currency: str


def _payments_by_reference(
    uow: UnitOfWork, ledger: Sequence[LedgerEntry]
) -> dict[str, list[LedgerEntry]]:
    """Per invoice, the ledger rows that settle it (services/receivables.py)."""
    return settling_rows(uow, ledger)


def order_number(entry: LedgerEntry) -> str:
    return entry.reference or f"LEDGER-{entry.id or 0:06d}"


def _order_title(kind: LedgerKind) -> str:
    return "Credit purchase" if kind == LedgerKind.PURCHASE else "One-time payment"


def invoice_history(
    uow: UnitOfWork,
    actor: Actor,
    *,
    year: int | None = None,
    status: InvoiceStatus | None = None,
    today: date | None = None,
) -> History:
    """Invoices and orders (credit purchases, one-time payments), newest first, filtered by
    the year they were issued in and their (derived) status. Refused for Enterprise accounts.

    Funds added to apps are orders too, listed only to those who may see Plans."""
    account = _invoices_account(uow, actor, "see invoices")
    today = today or account_today(account)
    ledger = visible_entries(actor, uow.ledger.all())
    payments = _payments_by_reference(uow, ledger)
    rows: list[HistoryRow] = []
    for invoice in uow.invoices.all():
        settled = settle(invoice, payments.get(invoice.number, []), today)
        rows.append(
            HistoryRow(
                kind=DocumentKind.INVOICE,
                number=invoice.number,
                issued_on=invoice.issued_on,
                period="" if is_prepaid(invoice.number) else str(Month.of(invoice.period)),
                amount=invoice.amount,
                status=settled.status,
                due_on=invoice.due_on,
                paid_on=settled.paid_on,
                description=PREPAID_DESCRIPTION
                if is_prepaid(invoice.number)
                else f"Usage of {month_name(Month.of(invoice.period))}",
                left=settled.left,
            )
        )
    rows.extend(credit_note_rows(uow))  # credit notes in the history
    for entry in ledger:
        # A prepaid invoice's credit row is listed as the invoice itself (services.prepaid).
        if entry.kind in ORDER_KINDS and not is_prepaid(entry.reference):
            rows.append(
                HistoryRow(
                    kind=DocumentKind.RECEIPT,
                    number=order_number(entry),
                    issued_on=entry.occurred_on,
                    period="",
                    amount=entry.amount,
                    status=InvoiceStatus.PAID,
                    due_on=None,
                    paid_on=entry.occurred_on,
                    description=entry.description or _order_title(entry.kind),
                )
            )
    years = tuple(sorted({r.issued_on.year for r in rows}, reverse=True))
    shown = [
        r
        for r in rows
        if (year is None or r.issued_on.year == year) and (status is None or r.status == status)
    ]
    shown.sort(key=lambda r: (r.issued_on, r.number), reverse=True)
    return History(tuple(shown), years, account.currency)
