"""The ledger's own consistency, for ``billing-desktop check`` (PRODUCT §10).

Conventions checked (services/billing.py, services/credits.py): every invoice has exactly one
``invoice`` ledger row of minus its amount, and every such row names a stored invoice; a credit
pool (``credits``, ``commit:…``) never holds less than nothing; a commit period is recharged
once, and is empty after its expiry row; rows of a pool are of the kinds that move it; a closed
month's invoice exists and is what its lines charged, and its usage debits are the credit its
lines applied.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from billing_desktop.domain.model import CREDITS_POOL, LedgerEntry, LedgerKind
from billing_desktop.services.receivables import receivable_problems
from billing_desktop.store.ports import UnitOfWork

ZERO = Decimal(0)
POOL_KINDS = {
    # Payments and credit notes beyond what is left on their invoice become credit.
    CREDITS_POOL: {
        LedgerKind.PURCHASE,
        LedgerKind.ONE_TIME_PAYMENT,
        LedgerKind.USAGE_DEBIT,
        LedgerKind.PAYMENT,
        LedgerKind.CREDIT_NOTE,
    },
    "commit": {LedgerKind.COMMIT_RECHARGE, LedgerKind.USAGE_DEBIT, LedgerKind.COMMIT_EXPIRY},
}
UNPOOLED = {LedgerKind.INVOICE}
# Kinds that move the owed pool "" or, for what goes beyond an invoice, the credits pool.
SETTLING = {LedgerKind.PAYMENT, LedgerKind.CREDIT_NOTE}


def _row(entry: LedgerEntry) -> str:
    ref = f" {entry.reference}" if entry.reference else ""
    return f"ledger row {entry.id} ({entry.kind.value}{ref}, {entry.occurred_on})"


def ledger_problems(uow: UnitOfWork) -> list[str]:
    """One line per inconsistency between the ledger, the invoices and the closed months."""
    problems: list[str] = []
    ledger = uow.ledger.all()
    invoices = {invoice.number: invoice for invoice in uow.invoices.all()}

    invoice_rows: dict[str, list[LedgerEntry]] = defaultdict(list)
    pools: dict[str, list[LedgerEntry]] = defaultdict(list)
    for entry in ledger:
        if entry.kind == LedgerKind.INVOICE:
            invoice_rows[entry.reference].append(entry)
        if entry.kind in SETTLING:
            if entry.pool not in ("", CREDITS_POOL):
                problems.append(f"{_row(entry)} moves pool '{entry.pool}'; it should move none")
            elif entry.pool:
                pools[entry.pool].append(entry)
        elif entry.kind in UNPOOLED:
            if entry.pool:
                problems.append(f"{_row(entry)} moves pool '{entry.pool}'; it should move none")
        elif not entry.pool:
            problems.append(f"{_row(entry)} names no credit pool")
        else:
            pools[entry.pool].append(entry)

    for number, invoice in invoices.items():
        rows = invoice_rows.get(number, [])
        if len(rows) != 1:
            problems.append(f"invoice {number} has {len(rows)} invoice ledger rows; it needs one")
        elif rows[0].amount != -invoice.amount:
            problems.append(
                f"invoice {number} is for {invoice.amount} but its ledger row says "
                f"{-rows[0].amount}"
            )
    for number, rows in invoice_rows.items():
        if number not in invoices:
            for entry in rows:
                problems.append(f"{_row(entry)} names invoice {number!r}, which is not stored")

    for pool, rows in sorted(pools.items()):
        family = "commit" if pool.startswith("commit:") else pool
        allowed = POOL_KINDS.get(family)
        if allowed is not None:
            for entry in rows:
                if entry.kind not in allowed:
                    problems.append(f"{_row(entry)} is a {entry.kind.value} in pool '{pool}'")
        total = sum((entry.amount for entry in rows), ZERO)
        if total < 0:
            problems.append(f"credit pool '{pool}' holds {total}: less than nothing")
        if family == "commit":
            recharges = [e for e in rows if e.kind == LedgerKind.COMMIT_RECHARGE]
            if len(recharges) != 1:
                problems.append(f"commit pool '{pool}' is recharged {len(recharges)} times")
            if any(e.kind == LedgerKind.COMMIT_EXPIRY for e in rows) and total != 0:
                problems.append(f"commit pool '{pool}' expired but still holds {total}")

    for closed in uow.closing.all():
        month = closed.month.strftime("%Y-%m")
        lines = uow.closing.lines(closed.month)
        charged = sum((line.charged for line in lines), ZERO)
        applied = sum((line.credit_applied for line in lines), ZERO)
        debited = -sum(
            (e.amount for e in ledger if e.kind == LedgerKind.USAGE_DEBIT and e.reference == month),
            ZERO,
        )
        if debited != applied:
            problems.append(
                f"closed month {month} applied {applied} of credit but its usage debits "
                f"total {debited}"
            )
        if closed.invoice_number is None:
            continue
        issued = invoices.get(closed.invoice_number)
        if issued is None:
            problems.append(
                f"closed month {month} names invoice {closed.invoice_number}, which is not stored"
            )
        elif lines and issued.amount != charged:  # the demo's history months have no lines
            problems.append(
                f"closed month {month} charged {charged} but invoice {issued.number} is for "
                f"{issued.amount}"
            )
    problems.extend(receivable_problems(uow))
    return problems
