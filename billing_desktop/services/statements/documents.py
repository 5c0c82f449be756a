"""One invoice or order as a document: its lines, totals and notes, ready to render."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from billing_desktop.domain.access import Actor
from billing_desktop.domain.errors import NotFound, StoreError
from billing_desktop.domain.model import (
    Account,
    Invoice,
    InvoiceStatus,
    LedgerEntry,
    LedgerKind,
    Product,
)
from billing_desktop.domain.periods import Month, account_today
from billing_desktop.services.pack_purchases import PREFIX as PACK_PREFIX
from billing_desktop.services.prepaid import DESCRIPTION as PREPAID_DESCRIPTION
from billing_desktop.services.prepaid import is_prepaid
from billing_desktop.services.receivables import (
    CREDIT_NOTE_PREFIX,
    Settlement,
    settle,
)
from billing_desktop.services.statements.common import (
    ORDER_KINDS,
    ZERO,
    DocumentKind,
    DocumentLine,
    InvoiceDocument,
    _header,
    _invoices_account,
    credit_note_document,
    issuer,
    month_name,
)
from billing_desktop.services.statements.history import (
    _order_title,
    _payments_by_reference,
    order_number,
)
from billing_desktop.services.visibility import is_app_pool, visible_entries
from billing_desktop.store.ports import MonthLine, UnitOfWork

# --- invoice documents ---------------------------------------------------------------------


def invoice_document(
    uow: UnitOfWork, actor: Actor, number: str, today: date | None = None
) -> InvoiceDocument:
    """What the PDF of invoice (or order) ``number`` shows. The lines add up exactly to the
    invoiced amount; a store where they do not is reported, never printed."""
    account = _invoices_account(uow, actor, "see invoices")
    today = today or account_today(account)
    found = uow.invoices.get_many([number]).get(number)
    ledger = visible_entries(actor, uow.ledger.all())
    if found is None and number.startswith(CREDIT_NOTE_PREFIX):
        return credit_note_document(uow, actor, number, today)
    if found is None:
        for entry in ledger:
            if entry.kind in ORDER_KINDS and order_number(entry) == number:
                return _receipt(uow, account, entry)
        raise NotFound(f"there is no invoice or order {number}")
    invoice = found
    month = Month.of(invoice.period)
    settled = settle(invoice, _payments_by_reference(uow, ledger).get(number, []), today)
    if is_prepaid(number):  # one line: the credit it buys (services.prepaid)
        return _prepaid_document(uow, account, invoice, settled)
    if number.startswith(PACK_PREFIX):  # one line: the add-on pack (services.pack_purchases)
        return _pack_document(uow, account, invoice, settled, ledger)
    closed = uow.closing.get(month.first_day)
    stored = uow.closing.lines(month.first_day) if closed is not None else []
    products = {p.code: p for p in uow.products.all()}
    notes: list[str] = []
    if stored:
        lines = tuple(_line(products.get(line.product), line.product, line) for line in stored)
    else:
        lines = (
            DocumentLine.amount_only(
                f"Usage for {month_name(month)}", invoice.amount, summary=True
            ),
        )
        notes.append(
            f"Summary line: {month_name(month)} was billed before per-product lines were kept "
            "(closed by the previous billing system), so this invoice shows the month's usage "
            "as one line."
        )
    total = sum((line.total for line in lines), ZERO)
    if total != invoice.amount:
        raise StoreError(
            f"invoice {number}: its lines add up to {total}, not the invoiced {invoice.amount}; "
            "the store is inconsistent and the invoice is not printed"
        )
    if any(line.tiered for line in lines):
        notes.append("† Graduated prices: the amount follows the rate card's price tiers.")
    return InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number=number,
        issuer=issuer(uow),
        account=_header(account, uow),
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        period=month,
        status=settled.status,
        paid_on=settled.paid_on,
        lines=lines,
        left=settled.left,
        notes=tuple(notes),
    )


def _prepaid_document(
    uow: UnitOfWork, account: Account, invoice: Invoice, settled: Settlement
) -> InvoiceDocument:
    line = DocumentLine.amount_only(
        f"{PREPAID_DESCRIPTION}: credit added when this invoice is paid", invoice.amount
    )
    return InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number=invoice.number,
        issuer=issuer(uow),
        account=_header(account, uow),
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        period=None,
        status=settled.status,
        paid_on=settled.paid_on,
        lines=(line,),
        notes=("Prepaid invoice: the credit never expires and pays usage like purchased credit.",),
    )


def _pack_document(
    uow: UnitOfWork,
    account: Account,
    invoice: Invoice,
    settled: Settlement,
    ledger: Sequence[LedgerEntry],
) -> InvoiceDocument:
    what = next(
        (e.description for e in ledger
         if e.reference == invoice.number and e.kind == LedgerKind.INVOICE),
        "Add-on pack",
    )  # fmt: skip
    document = _prepaid_document(uow, account, invoice, settled)
    line = DocumentLine.amount_only(what, invoice.amount)
    return replace(document, lines=(line,), notes=("Add-on volume pack bought in Quotas.",))


def _line(product: Product | None, code: str, line: MonthLine) -> DocumentLine:
    return DocumentLine(
        description=product.name if product else code,
        unit=product.unit.value if product else "",
        quantity=line.quantity,
        free_units=line.free_units_used,
        unit_price=line.unit_price,
        tiered=bool(product and product.tiers),
        amount=line.amount,
        credit_applied=line.credit_applied,
        total=line.charged,
    )


def _receipt(uow: UnitOfWork, account: Account, entry: LedgerEntry) -> InvoiceDocument:
    title = _order_title(entry.kind)
    line = DocumentLine.amount_only(entry.description or title, entry.amount)
    return InvoiceDocument(
        kind=DocumentKind.RECEIPT,
        number=order_number(entry),
        issuer=issuer(uow),
        account=_header(account, uow),
        issued_on=entry.occurred_on,
        due_on=None,
        period=None,
        status=InvoiceStatus.PAID,
        paid_on=entry.occurred_on,
        lines=(line,),
        notes=(
            (
                f"Funds for an app: paid on {entry.occurred_on.isoformat()} and added to that "
                "app's balance (not to the account's credit)."
            )
            if is_app_pool(entry.pool)
            else (
                f"{title}: paid on {entry.occurred_on.isoformat()} and added to your credit "
                "(purchased credit never expires)."
            ),
        ),
    )
