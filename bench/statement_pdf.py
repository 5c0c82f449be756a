"""B5: a statement PDF with 10,000 lines, against a bare reportlab canvas drawing the same strings.

    python bench/statement_pdf.py [--lines 10000] [--runs 5]

Ours: ``reports.statement.render_statement`` on a statement of ``--lines`` ledger rows (layout,
wrapping, repeated table headers, "Page X of Y"; median of ``--runs``). Baseline: a canvas
that draws every cell string of the same rows at fixed positions, one row after the other, with
no layout at all (median of ``--runs``). Target: ratio <= 3.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from results import report

from billing_desktop.domain.model import InvoiceStatus, LedgerKind, PaymentMethod, PlanTier
from billing_desktop.domain.periods import Month
from billing_desktop.reports.fonts import register
from billing_desktop.reports.layout import money
from billing_desktop.reports.statement import render_statement
from billing_desktop.services.statements import (
    DEFAULT_ISSUER,
    AccountHeader,
    Movement,
    StatementData,
    StatementInvoice,
    UsageCharge,
)

TARGET_RATIO = 3.0
KINDS = (LedgerKind.USAGE_DEBIT, LedgerKind.PURCHASE, LedgerKind.PAYMENT, LedgerKind.INVOICE)


def long_statement(lines: int) -> StatementData:
    """A month with ``lines`` ledger rows (deterministic), ten products and one invoice."""
    month = Month(2026, 10)
    opening = Decimal("10000.00")
    balance = opening
    movements = []
    for n in range(lines):
        kind = KINDS[n % len(KINDS)]
        sign = 1 if kind in (LedgerKind.PURCHASE, LedgerKind.PAYMENT) else -1
        amount = Decimal(n % 9_973 + 1).scaleb(-2) * sign
        balance += amount
        movements.append(
            Movement(
                occurred_on=month.first_day + timedelta(days=n * 31 // max(lines, 1)),
                kind=kind,
                reference=f"REF-{n:06d}",
                description=(
                    f"Voice minutes usage, campaign {n % 37}, line {n} of the month"
                    if n % 5 == 0
                    else f"Voice minutes, line {n}"
                ),
                product="Voice minutes",
                amount=amount,
                balance=balance,
            )
        )
    usage = tuple(
        UsageCharge(
            code=f"p{i}",
            name=f"Product {i}",
            unit="minute",
            quantity=Decimal(1000 * i),
            free_units_total=Decimal(500),
            free_units_used=Decimal(500),
            unit_price=Decimal("0.02"),
            amount=Decimal(20 * i - 10),
            credit_applied=Decimal(10 * i),
            charged=Decimal(10 * i - 10),
        )
        for i in range(1, 11)
    )
    invoice = StatementInvoice(
        "INV-000007",
        date(2026, 10, 1),
        Month(2026, 9),
        date(2026, 10, 31),
        Decimal("116.20"),
        InvoiceStatus.ISSUED,
    )
    return StatementData(
        issuer=DEFAULT_ISSUER,
        account=AccountHeader(
            "Northwind Contact Center",
            "USD",
            "America/New_York",
            PlanTier.PRO,
            PaymentMethod.INVOICE,
        ),
        month=month,
        closed=True,
        provisional=False,
        generated_on=date(2026, 11, 21),
        opening_balance=opening,
        movements=tuple(movements),
        closing_credit=balance,
        closing_owed=Decimal(0),
        usage=usage,
        usage_invoice=None,
        invoices=(invoice,),
    )


def bare_canvas(data: StatementData) -> bytes:
    """Every cell string of the transactions drawn at fixed positions: no layout at all."""
    regular, _bold = register()
    out = BytesIO()
    canvas = Canvas(out, pagesize=A4)
    _width, height = A4
    xs = (51, 105, 190, 258, 480, 545)
    y = height - 60
    canvas.setFont(regular, 8)
    for m in data.movements:
        cells = (
            m.occurred_on.isoformat(),
            m.kind_title,
            m.reference,
            m.description,
            money(m.amount, data.currency),
            money(m.balance, data.currency),
        )
        for x, text in zip(xs, cells, strict=True):
            canvas.drawString(x, y, text)
        y -= 15
        if y < 60:
            canvas.showPage()
            canvas.setFont(regular, 8)
            y = height - 60
    canvas.save()
    return out.getvalue()


def median_seconds(work: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = long_statement(args.lines)
    register()
    render_statement(data)  # warm-up: font subsetting tables, imports
    pages = render_statement(data).pages
    ours = median_seconds(lambda: render_statement(data), args.runs)
    baseline = median_seconds(lambda: bare_canvas(data), args.runs)
    ratio = ours / baseline
    print(f"B5 statement PDF, {args.lines:,} lines, {pages} pages (median of {args.runs})")
    print(f"{'figure':<28}{'ours':>10}{'baseline':>10}{'ratio':>8}{'target':>8}")
    print(f"{'statement PDF':<28}{ours:>9.2f}s{baseline:>9.2f}s{ratio:>8.2f}{'<= 3':>8}")
    report(
        "B5",
        f"statement PDF, {args.lines:,} lines ({pages} pages)",
        f"{ours:.2f} s",
        f"{baseline:.2f} s (bare canvas)",
        ratio,
        f"<= {TARGET_RATIO:g}x",
        ratio <= TARGET_RATIO,
    )
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
