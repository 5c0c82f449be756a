"""An invoice or order as files: the PDF/A-3 (with ``factur-x.xml`` embedded for an invoice)
and the XML on its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from billing_desktop.domain.access import Actor
from billing_desktop.reports import invoice as invoice_report
from billing_desktop.reports.facturx import cii_xml
from billing_desktop.reports.layout import RenderHooks
from billing_desktop.services.einvoicing import e_invoice
from billing_desktop.services.gateway import Gateway
from billing_desktop.services.statements import DocumentKind, invoice_document


@dataclass(frozen=True, slots=True)
class InvoiceFiles:
    number: str
    pdf: bytes
    pages: int
    xml: bytes | None  # the embedded factur-x.xml; None for an order receipt
    gaps: tuple[str, ...]  # what keeps the XML from EN 16931's business rules (settings)


def invoice_files(
    store: Gateway,
    actor: Actor,
    number: str,
    hooks: RenderHooks | None = None,
    *,
    today: date | None = None,
    created: datetime | None = None,
) -> InvoiceFiles:
    """Invoice, credit note or order ``number`` rendered: an invoice (type 380) or a credit
    note (type 381) as Factur-X EN 16931, an order receipt as a plain PDF/A-3b."""
    document = store.read(invoice_document, actor, number, today)
    if document.kind not in (DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE):
        rendered = invoice_report.render_invoice(document, hooks, created=created)
        return InvoiceFiles(number, rendered.data, rendered.pages, None, ())
    einvoice = store.read(e_invoice, actor, number, today)
    rendered = invoice_report.render_invoice(
        einvoice.document, hooks, einvoice=einvoice, created=created
    )
    return InvoiceFiles(number, rendered.data, rendered.pages, cii_xml(einvoice), einvoice.gaps())


__all__ = ["InvoiceFiles", "invoice_files"]
