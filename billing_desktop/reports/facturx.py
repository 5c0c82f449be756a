"""The Factur-X XML (UN/CEFACT Cross Industry Invoice D16B, profile EN 16931) of an invoice or
credit note: ``factur-x.xml``, embedded in the PDF/A-3 and written on its own with ``--xml``.

Element order follows the Factur-X 1.0 EN 16931 schema; the ``factur-x`` library's XSD check
(:func:`check_xsd`) runs on every XML before it is written. Each line is the printed line: the
billed quantity and unit price when the price is flat (else one unit at the line's amount),
the credit applied as a line allowance, and the line's VAT category and rate; the VAT breakdown
and totals follow EN 16931's rules (BR-CO-10 to BR-CO-17).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from billing_desktop.services.einvoicing import (
    NEEDS_REASON,
    DocumentType,
    EInvoice,
    Party,
    Vat,
    VatCategory,
)
from billing_desktop.services.statements import DocumentLine

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
GUIDELINE = "urn:cen.eu:en16931:2017"
FILE_NAME = "factur-x.xml"
PROFILE = "EN 16931"
# UN/ECE Recommendation 20 unit codes of the products' units (C62: "one", a count).
UNIT_CODES = {"minute": "MIN", "GB": "E34"}
DOCUMENT_TITLES = {DocumentType.INVOICE: "INVOICE", DocumentType.CREDIT_NOTE: "INVOICE"}


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def _price(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if "." in text else text + ".00"


def _quantity(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def _date(parent: etree._Element, tag: str, day: date) -> None:
    _el(_el(parent, tag), "udt:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _party(parent: etree._Element, tag: str, party: Party, fallback_country: str) -> None:
    element = _el(parent, tag)
    _el(element, "ram:Name", party.name)
    if party.legal_id:
        organization = _el(element, "ram:SpecifiedLegalOrganization")
        _el(organization, "ram:ID", party.legal_id)
    address = _el(element, "ram:PostalTradeAddress")
    if party.postcode:
        _el(address, "ram:PostcodeCode", party.postcode)
    street = party.street or (party.lines[0] if party.lines else "")
    if street:
        _el(address, "ram:LineOne", street)
    if party.city:
        _el(address, "ram:CityName", party.city)
    _el(address, "ram:CountryID", party.country or fallback_country or "ZZ")
    if party.email:
        uri = _el(element, "ram:URIUniversalCommunication")
        _el(uri, "ram:URIID", party.email, schemeID="EM")
    if party.vat_id:
        registration = _el(element, "ram:SpecifiedTaxRegistration")
        _el(registration, "ram:ID", party.vat_id, schemeID="VA")


def _line_tax(parent: etree._Element, vat: Vat) -> None:
    tax = _el(parent, "ram:ApplicableTradeTax")
    _el(tax, "ram:TypeCode", "VAT")
    _el(tax, "ram:CategoryCode", vat.category.value)
    if vat.category != VatCategory.NOT_SUBJECT:
        _el(tax, "ram:RateApplicablePercent", _price(vat.rate))


def _priced(line: DocumentLine) -> tuple[Decimal, Decimal, str]:
    """(billed quantity, net unit price, unit code) of a line."""
    billable = None
    if line.quantity is not None:
        billable = line.quantity - (line.free_units or Decimal(0))
    if (
        billable is not None
        and billable > 0
        and line.unit_price is not None
        and not line.tiered
        and billable * line.unit_price == line.amount
    ):
        return billable, line.unit_price, UNIT_CODES.get(line.unit, "C62")
    return Decimal(1), line.amount, "C62"


def _line(parent: etree._Element, number: int, line: DocumentLine, vat: Vat) -> None:
    item = _el(parent, "ram:IncludedSupplyChainTradeLineItem")
    _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(number))
    description = line.description + (f" ({line.unit})" if line.unit else "")
    _el(_el(item, "ram:SpecifiedTradeProduct"), "ram:Name", description)
    quantity, price, unit = _priced(line)
    agreement = _el(item, "ram:SpecifiedLineTradeAgreement")
    _el(_el(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", _price(price))
    delivery = _el(item, "ram:SpecifiedLineTradeDelivery")
    _el(delivery, "ram:BilledQuantity", _quantity(quantity), unitCode=unit)
    settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
    _line_tax(settlement, vat)
    if line.credit_applied:
        allowance = _el(settlement, "ram:SpecifiedTradeAllowanceCharge")
        _el(_el(allowance, "ram:ChargeIndicator"), "udt:Indicator", "false")
        _el(allowance, "ram:ActualAmount", _amount(line.credit_applied))
        _el(allowance, "ram:Reason", "Credit applied")
    summation = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _el(summation, "ram:LineTotalAmount", _amount(line.total))


def cii_xml(einvoice: EInvoice) -> bytes:
    """The EN 16931 CII XML of ``einvoice``, typed by its ``document_type`` (380 invoice,
    381 credit note)."""
    document = einvoice.document
    currency = document.currency
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE)
    header = _el(root, "rsm:ExchangedDocument")
    _el(header, "ram:ID", document.number)
    _el(header, "ram:TypeCode", einvoice.document_type.value)
    _date(header, "ram:IssueDateTime", document.issued_on)
    for note in document.notes:
        _el(_el(header, "ram:IncludedNote"), "ram:Content", note)

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for number, (line, vat) in enumerate(zip(document.lines, einvoice.vat, strict=True), 1):
        _line(transaction, number, line, vat)

    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    _el(agreement, "ram:BuyerReference", document.account.name)
    fallback = einvoice.buyer.country
    _party(agreement, "ram:SellerTradeParty", einvoice.seller, fallback)
    _party(agreement, "ram:BuyerTradeParty", einvoice.buyer, einvoice.seller.country)
    delivery = _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    # The service is delivered through the billed month (BT-72: its last day).
    delivered = document.period.last_day if document.period is not None else document.issued_on
    _date(_el(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime", delivered)

    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:PaymentReference", document.number)
    _el(settlement, "ram:InvoiceCurrencyCode", currency)
    for row in einvoice.breakdown:
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:CalculatedAmount", _amount(row.tax))
        _el(tax, "ram:TypeCode", "VAT")
        if row.vat.exemption_reason and row.vat.category in NEEDS_REASON:
            _el(tax, "ram:ExemptionReason", row.vat.exemption_reason)
        _el(tax, "ram:BasisAmount", _amount(row.basis))
        _el(tax, "ram:CategoryCode", row.vat.category.value)
        if row.vat.category != VatCategory.NOT_SUBJECT:
            _el(tax, "ram:RateApplicablePercent", _price(row.vat.rate))
    if document.period is not None:
        period = _el(settlement, "ram:BillingSpecifiedPeriod")
        _date(period, "ram:StartDateTime", document.period.first_day)
        _date(period, "ram:EndDateTime", document.period.last_day)
    terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
    if document.due_on is not None:
        _el(terms, "ram:Description", f"Payable by {document.due_on.isoformat()}")
        _date(terms, "ram:DueDateDateTime", document.due_on)
    else:
        _el(terms, "ram:Description", f"Paid on {document.issued_on.isoformat()}")
    summation = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(summation, "ram:LineTotalAmount", _amount(einvoice.net_total))
    _el(summation, "ram:TaxBasisTotalAmount", _amount(einvoice.net_total))
    _el(summation, "ram:TaxTotalAmount", _amount(einvoice.tax_total), currencyID=currency)
    _el(summation, "ram:GrandTotalAmount", _amount(einvoice.gross_total))
    _el(summation, "ram:DuePayableAmount", _amount(einvoice.gross_total))
    for corrected in einvoice.preceding:
        referenced = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(referenced, "ram:IssuerAssignedID", corrected)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def check_xsd(xml: bytes) -> None:
    """The factur-x library's check against the Factur-X EN 16931 XSD; raises ValueError
    naming the first schema error."""
    from facturx import xml_check_xsd

    try:
        xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as exc:  # the library raises a bare Exception with the lxml message
        raise ValueError(f"{FILE_NAME} does not pass the Factur-X EN 16931 schema: {exc}") from exc


__all__ = ["DOCUMENT_TITLES", "FILE_NAME", "PROFILE", "check_xsd", "cii_xml"]
