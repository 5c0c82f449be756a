"""The monthly statement PDF (PRODUCT §8): opening balance, credits and payments, usage charges
per product, invoices issued, closing balance, and every ledger row of the month.

Balances follow the ledger's sign: + is in the customer's favour (credit), − is owed.
"""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Table, TableStyle

from billing_desktop.domain.model import LedgerKind
from billing_desktop.domain.periods import Month
from billing_desktop.reports.invoice import STATUS_COLOURS, STATUS_TITLES, account_block
from billing_desktop.reports.layout import (
    ACCENT,
    CONTENT_WIDTH,
    MUTED,
    RULE,
    Col,
    Furniture,
    Rendered,
    RenderHooks,
    build,
    currency_line,
    fonts,
    gap,
    header_band,
    key_values,
    long_date,
    money,
    note_box,
    para,
    price,
    quantity,
    table,
)
from billing_desktop.reports.pdfa import Described, archival, now
from billing_desktop.services.statements import MovementGroup, StatementData, month_name

USAGE_COLUMNS = (
    Col("Product", 52 * mm),
    Col("Quantity", 17 * mm, True),
    Col("Free units used / total", 27 * mm, True),
    Col("Unit price", 17 * mm, True),
    Col("Amount", 20 * mm, True),
    Col("Credit applied", 21 * mm, True),
    Col("Charged", 20 * mm, True),
)
INVOICE_COLUMNS = (
    Col("Invoice", 34 * mm),
    Col("Issued", 26 * mm),
    Col("Billed month", 34 * mm),
    Col("Due", 26 * mm),
    Col("Amount", 28 * mm, True),
    Col("Status", 26 * mm),
)
TRANSACTION_COLUMNS = (
    Col("Date", 19 * mm),
    Col("Type", 28 * mm),
    Col("Reference", 24 * mm),
    Col("Description", 55 * mm),
    Col("Amount", 24 * mm, True),
    Col("Balance", 24 * mm, True),
)
GENERATED_KINDS = (LedgerKind.COMMIT_RECHARGE, LedgerKind.COMMIT_EXPIRY, LedgerKind.USAGE_DEBIT)
ROWS_PER_PAGE = 52  # one-line transaction rows on a full page (progress estimate only)


def statement_title(data: StatementData) -> str:
    return f"Statement {month_name(data.month)}" + (" (provisional)" if data.provisional else "")


def render_statement(
    data: StatementData, hooks: RenderHooks | None = None, *, created: datetime | None = None
) -> Rendered:
    """The PDF of ``data``, a PDF/A-2b; returns its bytes and page count (nothing is
    written). ``created`` is the date the file records (default: now)."""
    hooks = hooks or RenderHooks()
    hooks.report(0.02, f"Preparing the statement for {month_name(data.month)}…")
    currency = data.currency
    first, last = data.month.first_day, data.month.last_day
    facts = [
        ("Statement period", f"{long_date(first)} – {long_date(last)}"),
        ("Account currency", currency),
        ("Status", "Provisional (month open)" if data.provisional else "Final"),
        ("Prepared on", long_date(data.generated_on)),
    ]
    if not data.closed and not data.provisional:
        facts[2] = ("Status", "Ledger only (not billed here)")
    right: list[Flowable] = [para("STATEMENT", "title")]
    if data.provisional:
        right.append(para("PROVISIONAL — month not closed", "stamp"))
    right += [
        gap(4),
        key_values(facts, (30 * mm, CONTENT_WIDTH * 0.48 - 30 * mm), colours={}),
    ]
    left = [para(data.issuer.name, "issuer"), *(para(line, "muted") for line in data.issuer.lines)]
    story: list[Flowable] = [
        header_band(left, right),
        gap(10),
        *account_block("Account", data.account),
        gap(8),
    ]
    if data.notes:
        story.extend([note_box(data.notes, warn=data.provisional), gap(4)])

    story.append(para("Summary", "h2"))
    story.append(KeepTogether([_summary(data), gap(3), para(currency_line(currency), "muted")]))

    story.append(para(f"Usage charges per product — {month_name(data.month)}", "h2"))
    if data.usage:
        rows = [
            [
                u.name + (f" ({u.unit})" if u.unit else ""),
                quantity(u.quantity) if u.quantity is not None else "—",
                (
                    f"{quantity(u.free_units_used)} / {quantity(u.free_units_total)}"
                    if u.free_units_used is not None and u.free_units_total is not None
                    else "—"
                ),
                price(u.unit_price, currency) if u.unit_price is not None else "—",
                money(u.amount, currency),
                money(u.credit_applied, currency),
                money(u.charged, currency),
            ]
            for u in data.usage
        ]
        rows.append(
            [
                "Total",
                "",
                "",
                "",
                money(data.usage_amount, currency),
                money(data.usage_credit_applied, currency),
                money(data.usage_charged, currency),
            ]
        )
        story.append(
            table(
                USAGE_COLUMNS,
                rows,
                bold_rows=[len(rows) - 1],
                extra=[("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT)],
                hooks=hooks,
            )
        )
        story.append(gap(3))
        story.append(para(_usage_caption(data), "muted"))
    else:
        story.append(para("No product has usage in this month.", "body"))

    story.append(para(f"Invoices issued in {month_name(data.month)}", "h2"))
    if data.invoices:
        invoice_rows = [
            [
                i.number,
                long_date(i.issued_on),
                month_name(i.period),
                long_date(i.due_on) if i.due_on else "—",
                money(i.amount, currency),
                STATUS_TITLES.get(i.status, str(i.status)),
            ]
            for i in data.invoices
        ]
        colours = [
            ("TEXTCOLOR", (5, row + 1), (5, row + 1), STATUS_COLOURS[i.status])
            for row, i in enumerate(data.invoices)
            if i.status in STATUS_COLOURS
        ]
        story.append(table(INVOICE_COLUMNS, invoice_rows, extra=colours, hooks=hooks))
    else:
        story.append(para("No invoice was issued in this month.", "body"))

    # The transactions start on a new page rather than with a lonely header at a page's foot.
    story.append(CondPageBreak(45 * mm))
    story.append(para("Transactions", "h2"))
    story.append(
        para(
            "Every ledger row of the month, in date order, with the account balance after it "
            "(+ in your favour, − owed).",
            "muted",
        )
    )
    story.append(gap(3))
    transaction_rows = [["", "", "", f"Opening balance on {long_date(first)}", "", ""]]
    transaction_rows[0][-1] = money(data.opening_balance, currency)
    for movement in data.movements:
        description = movement.description
        if movement.kind in GENERATED_KINDS and description[:1].islower():
            description = description[:1].upper() + description[1:]  # written by close-month
        if movement.product and movement.product not in description:
            description = f"{description} — {movement.product}"
        transaction_rows.append(
            [
                movement.occurred_on.isoformat(),
                movement.kind_title,
                movement.reference,
                description,
                money(movement.amount, currency),
                money(movement.balance, currency),
            ]
        )
        if len(transaction_rows) % 1000 == 0:
            hooks.report(0.02 + 0.08 * len(transaction_rows) / len(data.movements), "Preparing…")
    transaction_rows.append(
        [
            "",
            "",
            "",
            closing_label(data),
            "",
            money(data.closing_balance, currency),
        ]
    )
    last_row = len(transaction_rows) - 1
    story.append(
        table(
            TRANSACTION_COLUMNS,
            transaction_rows,
            bold_rows=[0, last_row],
            extra=[("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT)],
            hooks=hooks,
        )
    )
    furniture = Furniture(
        footer=f"{data.account.name} · {statement_title(data)}",
        running_title=statement_title(data),
        running_account=data.account.name,
    )
    described = Described(
        title=statement_title(data),
        author=data.issuer.name,
        subject=f"{statement_title(data)} for {data.account.name}",
        created=created or now(),
    )
    rendered = build(
        story,
        furniture,
        title=described.title,
        author=described.author,
        subject=described.subject,
        hooks=hooks,
        invariant=True,
        estimated_pages=2 + len(data.movements) // ROWS_PER_PAGE,
    )
    return Rendered(archival(rendered.data, "2b", described), rendered.pages)


def closing_label(data: StatementData) -> str:
    """ "Closing balance on 31 Oct 2026"; an open month's is the balance so far."""
    last = data.month.last_day
    if data.provisional and data.generated_on < last:
        return f"Balance so far, on {long_date(data.generated_on)}"
    return f"Closing balance on {long_date(last)}"


def _usage_caption(data: StatementData) -> str:
    currency = data.currency
    charged = money(data.usage_charged, currency)
    if data.provisional:
        return (
            f"Rated so far: {charged} would be charged; nothing of it is in the ledger until "
            f"{month_name(data.month)} is closed."
        )
    invoice = data.usage_invoice
    if invoice is not None:
        return (
            f"{charged} charged beyond free units and credit, invoiced as {invoice.number} on "
            f"{long_date(invoice.issued_on)} (it appears in the statement of "
            f"{month_name(Month.of(invoice.issued_on))})."
        )
    if data.usage_charged == 0:
        return "Free units and credit covered all usage: nothing was invoiced for this month."
    return f"{charged} charged beyond free units and credit."


def _summary(data: StatementData) -> Table:
    currency = data.currency
    first = data.month.first_day
    rows = [[f"Opening balance on {long_date(first)}", money(data.opening_balance, currency)]]
    for group in MovementGroup:
        rows.append([group.label, money(data.group_total(group), currency)])
    rows.append([closing_label(data), money(data.closing_balance, currency)])
    closing = len(rows) - 1
    rows.append(["   of which credit available", money(data.closing_credit, currency)])
    rows.append(["   of which invoices less payments", money(data.closing_owed, currency)])
    regular, bold = fonts()
    result = Table(rows, colWidths=[100 * mm, 36 * mm], hAlign="LEFT")
    result.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 9, 12),
                ("FONT", (0, 0), (-1, 0), bold, 9, 12),
                ("FONT", (0, closing), (-1, closing), bold, 10, 13),
                ("TEXTCOLOR", (0, closing), (-1, closing), ACCENT),
                ("TEXTCOLOR", (0, closing + 1), (-1, -1), MUTED),
                ("FONT", (0, closing + 1), (-1, -1), regular, 8, 11),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
                ("LINEABOVE", (0, closing), (-1, closing), 0.8, ACCENT),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return result


__all__ = ["render_statement", "statement_title"]
