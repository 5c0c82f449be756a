"""The invoice (or order receipt) PDF (PRODUCT §8): issuer and account, number and dates, one
line per product, totals that are the exact sum of the lines."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from billing_desktop.domain.model import InvoiceStatus, PaymentMethod, PlanTier
from billing_desktop.reports.facturx import DOCUMENT_TITLES as FACTURX_TITLES
from billing_desktop.reports.facturx import FILE_NAME, PROFILE, check_xsd, cii_xml
from billing_desktop.reports.layout import (
    ACCENT,
    CONTENT_WIDTH,
    OVERDUE,
    PAID,
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
from billing_desktop.reports.pdfa import Attachment, Described, FacturX, archival, now
from billing_desktop.services.einvoicing import EInvoice, VatCategory
from billing_desktop.services.statements import (
    AccountHeader,
    DocumentKind,
    InvoiceDocument,
    month_name,
)

STATUS_TITLES = {
    InvoiceStatus.ISSUED: "Issued",
    InvoiceStatus.PAID: "Paid",
    InvoiceStatus.OVERDUE: "Overdue",
    InvoiceStatus.PARTLY_PAID: "Partly paid",
}
STATUS_COLOURS = {InvoiceStatus.PAID: PAID, InvoiceStatus.OVERDUE: OVERDUE}
PLAN_TITLES = {
    PlanTier.STANDARD: "Standard",
    PlanTier.PRO: "Pro",
    PlanTier.ENTERPRISE: "Enterprise",
}
PAYMENT_TITLES = {PaymentMethod.CREDIT_CARD: "Credit card", PaymentMethod.INVOICE: "Invoice"}
COLUMNS = (
    Col("Description", 50 * mm),
    Col("Quantity", 19 * mm, True),
    Col("Free units applied", 20 * mm, True),
    Col("Unit price", 19 * mm, True),
    Col("Amount", 22 * mm, True),
    Col("Credit applied", 22 * mm, True),
    Col("Total", 22 * mm, True),
)


DOCUMENT_TITLES = {
    DocumentKind.INVOICE: "Invoice",
    DocumentKind.RECEIPT: "Receipt",
    DocumentKind.CREDIT_NOTE: "Credit note",
}


def document_title(document: InvoiceDocument) -> str:
    return DOCUMENT_TITLES.get(document.kind, "Invoice")


def issuer_block(name: str, lines: tuple[str, ...]) -> list[Flowable]:
    return [para(name, "issuer"), *(para(line, "muted") for line in lines)]


def account_block(label: str, account: AccountHeader) -> list[Flowable]:
    details = (
        f"Plan: {PLAN_TITLES.get(account.plan, str(account.plan))} · Payment method: "
        f"{PAYMENT_TITLES.get(account.payment_method, str(account.payment_method))} · "
        f"Time zone: {account.timezone}"
    )
    lines = [para(line, "muted") for line in account.lines]  # address, VAT id (My account)
    return [para(label, "label"), para(account.name, "party"), *lines, para(details, "muted")]


def render_invoice(
    document: InvoiceDocument,
    hooks: RenderHooks | None = None,
    *,
    einvoice: EInvoice | None = None,
    created: datetime | None = None,
) -> Rendered:
    """The PDF of ``document``, a PDF/A-3b; returns its bytes and page count (nothing is
    written). With ``einvoice`` (the same document as an EN 16931 e-invoice: an invoice, or a
    credit note typed 381) the Factur-X XML is embedded as ``factur-x.xml`` and the totals show
    its VAT. ``created`` is the date the file records (default: now)."""
    if einvoice is not None and einvoice.document != document:
        raise ValueError("the e-invoice is of another document")
    hooks = hooks or RenderHooks()
    hooks.report(0.05, f"Preparing {document.number}…")
    currency = document.currency
    title = document_title(document)
    facts: list[tuple[str, str]] = [(f"{title} number", document.number)]
    facts.append(("Issue date", long_date(document.issued_on)))
    if document.due_on is not None:
        facts.append(("Due date", long_date(document.due_on)))
    if document.corrects:
        facts.append(("Corrects invoice", document.corrects))
    if document.period is not None:
        facts.append(("Billing period", month_name(document.period)))
    colours = {}
    if document.kind != DocumentKind.CREDIT_NOTE:
        status = STATUS_TITLES.get(document.status, str(document.status))
        if document.paid_on is not None:
            status = f"{status} {long_date(document.paid_on)}"
        facts.append(("Status", status))
        if document.status in STATUS_COLOURS:
            colours = {len(facts) - 1: STATUS_COLOURS[document.status]}
    right: list[Flowable] = [
        para(title.upper(), "title"),
        gap(4),
        key_values(facts, (30 * mm, CONTENT_WIDTH * 0.48 - 30 * mm), colours=colours),
    ]
    story: list[Flowable] = [
        header_band(issuer_block(document.issuer.name, document.issuer.lines), right),
        gap(10),
        *account_block("Bill to", document.account),
        gap(12),
    ]
    rows: list[list[str]] = []
    for line in document.lines:
        description = line.description
        if line.summary:
            description += " (summary line)"
        elif line.unit:
            description += f" ({line.unit})"
        if line.tiered:
            description += " †"
        rows.append(
            [
                description,
                quantity(line.quantity) if line.quantity is not None else "—",
                quantity(line.free_units) if line.free_units is not None else "—",
                price(line.unit_price, currency) if line.unit_price is not None else "—",
                money(line.amount, currency),
                money(line.credit_applied, currency),
                money(line.total, currency),
            ]
        )
    story.append(table(COLUMNS, rows, hooks=hooks))
    story.append(gap(8))
    story.append(
        KeepTogether([_totals(document, einvoice), gap(4), para(currency_line(currency), "muted")])
    )
    notes = list(document.notes)
    due_total = einvoice.gross_total if einvoice is not None else document.total
    if document.kind == DocumentKind.INVOICE and document.status != InvoiceStatus.PAID:
        due = f" by {long_date(document.due_on)}" if document.due_on else ""
        left = document.total if document.left is None else document.left
        if left != document.total:  # payments or credit notes settled part of it
            notes.append(
                f"Received so far (payments and credit notes): "
                f"{money(document.total - left, currency)}."
            )
        # With VAT on top (an e-invoice), what is left is the gross total less what was received.
        left_due = due_total - (document.total - left)
        notes.append(f"Please pay {money(left_due, currency)}{due}, quoting {document.number}.")
    if notes:
        story.extend([gap(12), note_box(notes)])
    furniture = Furniture(
        footer=f"{title} {document.number} · {document.account.name}",
        running_title=f"{title} {document.number}",
        running_account=document.account.name,
    )
    described = Described(
        title=f"{title} {document.number}",
        author=document.issuer.name,
        subject=f"{title} {document.number} for {document.account.name}",
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
        estimated_pages=1 + len(document.lines) // 45,
    )
    if einvoice is None:
        return Rendered(archival(rendered.data, "3b", described), rendered.pages)
    xml = cii_xml(einvoice)
    check_xsd(xml)
    attachment = Attachment(
        FILE_NAME, xml, "text/xml", f"Factur-X ({PROFILE}) XML of {title} {document.number}"
    )
    facturx = FacturX(FACTURX_TITLES[einvoice.document_type], PROFILE)
    data = archival(rendered.data, "3b", described, attachments=[attachment], facturx=facturx)
    return Rendered(data, rendered.pages)


def _vat_label(einvoice: EInvoice, index: int) -> str:
    row = einvoice.breakdown[index]
    if row.vat.category == VatCategory.STANDARD:
        rate = f"{row.vat.rate.normalize():f}"
        return f"VAT {rate}% on {money(row.basis, einvoice.document.currency)}"
    return f"VAT: {row.vat.exemption_reason or row.vat.category.value}"


def _totals(document: InvoiceDocument, einvoice: EInvoice | None = None) -> Table:
    currency = document.currency
    rows = [
        ["Subtotal (usage beyond free units)", money(document.subtotal, currency)],
        ["Credit applied", money(-document.credit_applied, currency)],
        [
            "Total due" if document.status != InvoiceStatus.PAID else "Total",
            money(document.total, currency),
        ],
    ]
    if document.kind == DocumentKind.RECEIPT:
        rows = rows[2:]
    if document.kind == DocumentKind.CREDIT_NOTE:
        rows = [["Total credited", money(document.total, currency)]]
    if einvoice is not None:
        vat_rows = [
            [_vat_label(einvoice, index), money(row.tax, currency)]
            for index, row in enumerate(einvoice.breakdown)
        ]
        if einvoice.tax_total == 0:
            rows[-1:-1] = vat_rows  # no VAT: its category (and exemption) above the total
        else:
            # Net amounts as billed, then the VAT of each rate and the total with it.
            rows[-1][0] = "Total excl. VAT"
            rows += vat_rows
            rows.append(
                [
                    "Total due incl. VAT" if document.status != InvoiceStatus.PAID else "Total",
                    money(einvoice.gross_total, currency),
                ]
            )
    regular, bold = fonts()
    result = Table(rows, colWidths=[64 * mm, 30 * mm], hAlign="RIGHT")
    result.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 9, 12),
                ("FONT", (0, -1), (-1, -1), bold, 10.5, 13),
                ("TEXTCOLOR", (0, -1), (-1, -1), ACCENT),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return result
