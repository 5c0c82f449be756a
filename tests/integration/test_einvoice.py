"""Factur-X invoices (issue 23): the EN 16931 XML of every demo invoice passes the Factur-X
XSD (the factur-x library's check) and the EN 16931 Schematron (run by saxonche); the PDF is
a PDF/A-3b with that XML embedded as factur-x.xml; VAT settings per line; credit notes (381)
through the same builder; the ``invoice`` command."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from pikepdf import Name

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.periods import Month
from billing_desktop.reports.facturx import check_xsd, cii_xml
from billing_desktop.reports.invoice import render_invoice
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.demo import build_demo
from billing_desktop.services.einvoicing import (
    DocumentType,
    EInvoice,
    VatCategory,
    country_of_zone,
    e_invoice,
    e_invoice_of,
)
from billing_desktop.services.month_close import close_month
from billing_desktop.services.statements import invoice_document
from tests.integration.archival_checks import (
    XMP,
    check_pdfa,
    schematron_errors,
    xmp_of,
)
from tests.integration.pdf_text import pdf_text

TODAY = date(2026, 11, 21)
CREATED = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
NS = {"ram": RAM, "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"}
ISSUER = {
    "name": "Acme Voice SAS",
    "lines": ["1 rue de la Paix", "75002 Paris", "VAT FR40303265045"],
    "street": "1 rue de la Paix",
    "postcode": "75002",
    "city": "Paris",
    "country": "FR",
    "vat_id": "FR40303265045",
    "legal_id": "303265045",
}
VAT = {
    "category": "S",
    "rate": "20",
    "products": {"sms": {"category": "E", "exemption_reason": "Exempt: article 261 C CGI"}},
}


def put(store: SqlStore, key: str, value: object) -> None:
    with store() as uow:
        uow.settings.put(key, value)
        uow.commit()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    """The demo (history invoices of summary lines) with two months closed here (per-product
    lines), the seller and VAT settings of a French company."""
    store = SqlStore(f"sqlite:///{tmp_path_factory.mktemp('einvoice') / 'demo.db'}")
    build_demo(store, seed=7, today=TODAY)
    for month in (Month(2026, 9), Month(2026, 10)):
        with store() as uow:
            close_month(uow, resolve_actor(uow, None), month, today=TODAY)
            uow.commit()
    put(store, "invoice_issuer", ISSUER)
    put(store, "invoice_vat", VAT)
    yield store
    store.dispose()


def einvoice(store: SqlStore, number: str) -> EInvoice:
    with store() as uow:
        return e_invoice(uow, resolve_actor(uow, None), number, TODAY)


def numbers(store: SqlStore) -> list[str]:
    with store() as uow:
        return [i.number for i in uow.invoices.all()]


def test_every_demo_invoice_passes_the_xsd_and_the_en16931_schematron(
    demo: SqlStore, tmp_path: Path
) -> None:
    found = numbers(demo)
    assert len(found) >= 7  # history invoices (summary lines) and one with product lines
    for number in found:
        document = einvoice(demo, number)
        assert document.gaps() == ()
        xml = cii_xml(document)
        check_xsd(xml)
        assert schematron_errors(xml, tmp_path) == [], number


def test_the_checkers_catch_broken_xml(demo: SqlStore, tmp_path: Path) -> None:
    """The XSD check and the Schematron are not vacuous: a type code out of its place breaks
    the schema, a seller without any identifier breaks BR-CO-26, a wrong total BR-CO-15."""
    good = cii_xml(einvoice(demo, "INV-000007"))
    tree = etree.fromstring(good)
    header = tree.find("rsm:ExchangedDocument", NS)
    type_code = tree.find("rsm:ExchangedDocument/ram:TypeCode", NS)
    assert header is not None and type_code is not None
    header.remove(type_code)
    header.append(type_code)  # after the issue date: not where the schema has it
    with pytest.raises(ValueError, match="EN 16931 schema"):
        check_xsd(etree.tostring(tree))

    anonymous = replace(einvoice(demo, "INV-000007").seller, vat_id="", legal_id="")
    document = replace(einvoice(demo, "INV-000007"), seller=anonymous)
    assert any("BR-CO-26" in gap for gap in document.gaps())
    ids = {rule for rule, _, _ in schematron_errors(cii_xml(document), tmp_path)}
    assert "BR-CO-26" in ids

    tree = etree.fromstring(good)
    grand = tree.find(".//ram:GrandTotalAmount", NS)
    assert grand is not None
    grand.text = str(Decimal(grand.text or "0") + 1)
    ids = {rule for rule, _, _ in schematron_errors(etree.tostring(tree), tmp_path)}
    assert "BR-CO-15" in ids


def test_lines_carry_their_vat_category_and_rate_and_the_totals_add_vat(
    demo: SqlStore,
) -> None:
    document = einvoice(demo, "INV-000007")
    tree = etree.fromstring(cii_xml(document))
    lines = tree.findall(".//ram:IncludedSupplyChainTradeLineItem", NS)
    assert len(lines) == len(document.document.lines) == 10
    categories = {
        line.findtext(".//ram:SpecifiedTradeProduct/ram:Name", namespaces=NS): (
            line.findtext(".//ram:CategoryCode", namespaces=NS),
            line.findtext(".//ram:RateApplicablePercent", namespaces=NS),
        )
        for line in lines
    }
    assert categories["SMS messages (message)"] == ("E", "0.00")  # BR-E-05: rate 0
    assert categories["Voice minutes (minute)"] == ("S", "20.00")
    # One breakdown row per category; VAT = 20 % of the standard-rated lines, to the cent.
    by_category = {row.vat.category: row for row in document.breakdown}
    assert set(by_category) == {VatCategory.STANDARD, VatCategory.EXEMPT}
    standard = by_category[VatCategory.STANDARD]
    assert standard.tax == (standard.basis * Decimal("0.2")).quantize(Decimal("0.01"))
    assert by_category[VatCategory.EXEMPT].tax == 0
    assert document.net_total == document.document.total  # the invoiced amount, net
    assert document.gross_total == document.net_total + standard.tax
    assert tree.findtext(".//ram:GrandTotalAmount", namespaces=NS) == f"{document.gross_total}"
    assert tree.findtext(".//ram:TypeCode", namespaces=NS) == "380"
    # The credit applied is a line allowance: the line's net amount is what it adds.
    voice = next(
        line
        for line in lines
        if line.findtext(".//ram:Name", namespaces=NS) == "Agent seats (agent)"
    )
    assert voice.findtext(".//ram:SpecifiedTradeAllowanceCharge/ram:Reason", namespaces=NS) == (
        "Credit applied"
    )


def test_the_invoice_pdf_is_pdfa3_with_the_xml_embedded(demo: SqlStore, tmp_path: Path) -> None:
    document = einvoice(demo, "INV-000007")
    data = render_invoice(document.document, einvoice=document, created=CREATED).data
    pdf = check_pdfa(data, "3b", tmp_path)
    assert list(pdf.attachments) == ["factur-x.xml"]
    spec = pdf.Root.AF[0]
    assert spec.AFRelationship == Name.Alternative and str(spec.F) == "factur-x.xml"
    embedded = spec.EF.F
    assert embedded.Subtype == Name("/text/xml")
    assert embedded.read_bytes() == cii_xml(document)
    xmp = xmp_of(pdf)
    assert xmp.xpath("//fx:DocumentType/text()", namespaces=XMP) == ["INVOICE"]
    assert xmp.xpath("//fx:ConformanceLevel/text()", namespaces=XMP) == ["EN 16931"]
    assert xmp.xpath("//fx:DocumentFileName/text()", namespaces=XMP) == ["factur-x.xml"]
    # The printed totals are the XML's.
    text = pdf_text(data, layout=True)
    assert "VAT 20% on" in text and "Total due incl. VAT" in text
    assert f"{document.gross_total:,}" in text
    # The same document and date give the same bytes.
    again = render_invoice(document.document, einvoice=document, created=CREATED).data
    assert again == data


def test_a_credit_note_goes_through_the_same_builder_as_type_381(
    demo: SqlStore, tmp_path: Path
) -> None:
    """What the credit notes (branch payments) will do: their document, typed 381, naming
    the invoice it corrects."""
    with demo() as uow:
        actor = resolve_actor(uow, None)
        document = invoice_document(uow, actor, "INV-000007", TODAY)
        credit = replace(document, number="CN-000001")
        note = e_invoice_of(uow, credit, DocumentType.CREDIT_NOTE, preceding=("INV-000007",))
    xml = cii_xml(note)
    tree = etree.fromstring(xml)
    assert tree.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    assert tree.findtext(
        ".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", namespaces=NS
    ) == ("INV-000007")
    check_xsd(xml)
    assert schematron_errors(xml, tmp_path) == []
    pdf = check_pdfa(render_invoice(credit, einvoice=note, created=CREATED).data, "3b", tmp_path)
    assert pdf.attachments["factur-x.xml"].get_file().read_bytes() == xml


def test_without_settings_lines_are_not_subject_to_vat_and_the_gaps_are_named(
    tmp_path: Path,
) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'bare.db'}")
    build_demo(store, seed=7, today=TODAY)
    document = einvoice(store, "INV-000001")
    assert {vat.category for vat in document.vat} == {VatCategory.NOT_SUBJECT}
    assert document.tax_total == 0 and document.gross_total == document.document.total
    gaps = " | ".join(document.gaps())
    assert "invoice_issuer.country" in gaps and "BR-CO-26" in gaps
    check_xsd(cii_xml(document))  # the schema holds whatever the settings
    text = pdf_text(render_invoice(document.document, einvoice=document).data, layout=True)
    assert "VAT: Not subject to VAT" in text  # then "Total" (INV-000001 is paid)
    assert "incl. VAT" not in text and "excl. VAT" not in text
    store.dispose()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"category": "X"}, "invoice_vat.category: 'X' is not one of"),
        ({"category": "S", "rate": "0"}, "the standard rate (S) must be above 0"),
        ({"category": "S", "rate": "abc"}, "invoice_vat.rate: 'abc' is not a number"),
        ({"category": "E", "rate": "5"}, "category E takes no rate"),
        ({"products": {"sms": {"category": "Q"}}}, "invoice_vat.products.sms.category"),
    ],
)
def test_bad_vat_settings_are_refused_naming_the_setting(
    tmp_path: Path, setting: dict[str, object], message: str
) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'vat.db'}")
    build_demo(store, seed=7, today=TODAY)
    put(store, "invoice_vat", {"category": "S", "rate": "20", **setting})
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        einvoice(store, "INV-000001")
    store.dispose()


def test_the_buyer_country_is_the_account_time_zone_country() -> None:
    assert country_of_zone("Europe/Paris") == "FR"
    assert country_of_zone("America/New_York") == "US"
    assert country_of_zone("UTC") == ""


def test_the_invoice_command_writes_the_pdf_and_the_xml(
    demo: SqlStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = demo.url
    out, xml = tmp_path / "INV-000007.pdf", tmp_path / "INV-000007.xml"
    assert (
        main(["--store", store, "invoice", "INV-000007", "--out", str(out), "--xml", str(xml)]) == 0
    )
    assert "Factur-X (EN 16931) PDF/A-3" in capsys.readouterr().out
    with pikepdf.open(io.BytesIO(out.read_bytes())) as pdf:
        assert pdf.attachments["factur-x.xml"].get_file().read_bytes() == xml.read_bytes()
    check_xsd(xml.read_bytes())
    # Bad input: one line, exit 2, nothing written.
    missing = tmp_path / "nope" / "x.pdf"
    assert main(["--store", store, "invoice", "INV-000007", "--out", str(missing)]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["--store", store, "invoice", "INV-999999", "--out", str(tmp_path / "y.pdf")]) == 2
    assert "there is no invoice or order INV-999999" in capsys.readouterr().err
    assert not (tmp_path / "y.pdf").exists()


def test_a_credit_note_is_an_en16931_credit_note_with_the_buyer_of_my_account(
    tmp_path: Path,
) -> None:
    """A credit note (payments and credit notes, issue 18) renders through the same pipeline
    as type 381 naming the invoice it corrects, and passes the XSD and the Schematron; the
    buyer's address, VAT id and e-mail come from My account (issue 19)."""
    from billing_desktop.archive.invoices import invoice_files
    from billing_desktop.services.account import update_account
    from billing_desktop.services.credit_notes import issue_credit_note

    store = SqlStore(f"sqlite:///{tmp_path / 'cn.db'}")
    build_demo(store, seed=7, today=TODAY)
    put(store, "invoice_issuer", ISSUER)
    put(store, "invoice_vat", VAT)
    with store() as uow:
        actor = resolve_actor(uow, None)
        update_account(
            uow,
            actor,
            {
                "address": "12 rue de la Paix\n75002 Paris",
                "vat_id": "FR40303265045",
                "invoice_email": "ap@example.com",
            },
            today=TODAY,
        )
        issue_credit_note(uow, actor, "INV-000004", "1.00", "goodwill")
        uow.commit()
    document = einvoice(store, "CN-000001")
    assert document.document_type == DocumentType.CREDIT_NOTE
    assert document.preceding == ("INV-000004",)
    assert (document.buyer.street, document.buyer.vat_id, document.buyer.email) == (
        "12 rue de la Paix",
        "FR40303265045",
        "ap@example.com",
    )
    xml = cii_xml(document)
    check_xsd(xml)
    assert schematron_errors(xml, tmp_path) == []
    tree = etree.fromstring(xml)
    assert tree.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    with store() as uow:
        actor = resolve_actor(uow, None)
    files = invoice_files(store, actor, "CN-000001", today=TODAY)
    assert files.xml == xml and files.pdf.startswith(b"%PDF")
    store.dispose()
