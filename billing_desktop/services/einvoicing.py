"""What an EN 16931 e-invoice (Factur-X) says beyond the printed invoice: the seller and the
buyer as parties with countries and tax identifiers, and each line's VAT category and rate.

Settings (workspace settings, JSON; documented in the README):

* ``invoice_issuer`` (the seller; ``name`` and ``lines`` are what the PDF prints) may also hold
  ``street``, ``postcode``, ``city``, ``country`` (ISO 3166-1 alpha-2), ``vat_id`` and
  ``legal_id`` (a company registration number) and ``email``.
* ``invoice_vat``: ``{"category": "S", "rate": "20", "exemption_reason": "...",
  "products": {"<code>": {"category": ..., "rate": ..., "exemption_reason": ...}}}`` — the
  VAT category (UNCL 5305: S standard, Z zero rated, E exempt, AE reverse charge, G export
  outside the EU, O not subject to VAT) and rate of every line, with per-product overrides.
  Unset, every line is ``O`` "Not subject to VAT" (no VAT is charged, as the billing engine
  bills today).

Amounts are net: the engine bills no VAT, so the invoiced amount of the ledger is the sum of
the lines before VAT. A positive rate adds VAT on the document (``tax_total``), which the
ledger does not hold: the README says so.

The buyer is the account: its name, and the country of its time zone (``zone.tab``) until the
account holds a postal address and VAT identifier (``buyer_details``).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path

from billing_desktop.domain.access import Actor
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.money import minor_digits
from billing_desktop.services.account import account_profile
from billing_desktop.services.context import require_account
from billing_desktop.services.statements import (
    ISSUER_SETTING,
    DocumentKind,
    InvoiceDocument,
    invoice_document,
)
from billing_desktop.store.ports import UnitOfWork

VAT_SETTING = "invoice_vat"
ZERO = Decimal(0)
CENT = Decimal("0.01")


class DocumentType(StrEnum):
    """UNTDID 1001 document type codes (BT-3)."""

    INVOICE = "380"
    CREDIT_NOTE = "381"


class VatCategory(StrEnum):
    """UNCL 5305 VAT category codes (BT-151) that need no delivery address."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    EXPORT = "G"
    NOT_SUBJECT = "O"


CATEGORY_TITLES = {
    VatCategory.STANDARD: "Standard rate",
    VatCategory.ZERO_RATED: "Zero rated",
    VatCategory.EXEMPT: "Exempt from VAT",
    VatCategory.REVERSE_CHARGE: "VAT reverse charge",
    VatCategory.EXPORT: "Export outside the EU",
    VatCategory.NOT_SUBJECT: "Not subject to VAT",
}
# Categories whose VAT breakdown must give an exemption reason (BR-E-10, BR-AE-10, BR-G-10,
# BR-O-10); the category's title is used when the setting gives none.
NEEDS_REASON = {
    VatCategory.EXEMPT,
    VatCategory.REVERSE_CHARGE,
    VatCategory.EXPORT,
    VatCategory.NOT_SUBJECT,
}


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    lines: tuple[str, ...] = ()  # printed address lines
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""  # ISO 3166-1 alpha-2; "" when unknown
    vat_id: str = ""
    legal_id: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class Vat:
    category: VatCategory
    rate: Decimal  # percent; 0 for every category but S
    exemption_reason: str = ""

    def tax(self, basis: Decimal) -> Decimal:
        return (basis * self.rate / 100).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class VatBreakdown:
    vat: Vat
    basis: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True)
class EInvoice:
    """An invoice (or credit note) document with what EN 16931 needs besides."""

    document: InvoiceDocument
    document_type: DocumentType
    seller: Party
    buyer: Party
    vat: tuple[Vat, ...]  # one per line of the document
    preceding: tuple[str, ...] = ()  # invoices a credit note corrects (BT-25)

    @property
    def breakdown(self) -> tuple[VatBreakdown, ...]:
        """One row per VAT category and rate, in first-use order (BG-23)."""
        bases: dict[Vat, Decimal] = {}
        for line, vat in zip(self.document.lines, self.vat, strict=True):
            bases[vat] = bases.get(vat, ZERO) + line.total
        return tuple(VatBreakdown(vat, basis, vat.tax(basis)) for vat, basis in bases.items())

    @property
    def net_total(self) -> Decimal:
        return self.document.total

    @property
    def tax_total(self) -> Decimal:
        return sum((row.tax for row in self.breakdown), ZERO)

    @property
    def gross_total(self) -> Decimal:
        return self.net_total + self.tax_total

    def gaps(self) -> tuple[str, ...]:
        """What keeps the XML from passing EN 16931's business rules, each naming the setting
        that fills it (the XML is written all the same: it passes the schema)."""
        found: list[str] = []
        seller, buyer = self.seller, self.buyer
        if not seller.country:
            found.append(f"the seller's country ({ISSUER_SETTING}.country) is not set")
        if not (seller.vat_id or seller.legal_id):
            found.append(
                f"the seller has no VAT or legal identifier ({ISSUER_SETTING}.vat_id or "
                f".legal_id; BR-CO-26)"
            )
        categories = {vat.category for vat in self.vat}
        if VatCategory.NOT_SUBJECT in categories:
            if seller.vat_id or buyer.vat_id:
                found.append(
                    f"lines not subject to VAT (O) with a VAT identifier: set {VAT_SETTING} "
                    "(BR-O-02)"
                )
        elif not seller.vat_id:
            found.append(f"VAT category lines need the seller's {ISSUER_SETTING}.vat_id")
        if VatCategory.REVERSE_CHARGE in categories and not (buyer.vat_id or buyer.legal_id):
            found.append("reverse charge (AE) needs the buyer's VAT identifier (BR-AE-02)")
        if minor_digits(self.document.currency) > 2:
            found.append(
                f"{self.document.currency} amounts have {minor_digits(self.document.currency)} "
                "decimals; EN 16931 allows 2 (BR-DEC)"
            )
        return tuple(found)


# --- settings -----------------------------------------------------------------------------


def _text(value: object, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"workspace setting {where}: expected text, got {value!r}")
    return value.strip()


def seller(uow: UnitOfWork, printed_name: str, printed_lines: tuple[str, ...]) -> Party:
    value = uow.settings.get(ISSUER_SETTING)
    found = value if isinstance(value, dict) else {}

    def field(name: str) -> str:
        return _text(found.get(name), f"{ISSUER_SETTING}.{name}")

    country = field("country").upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise InvalidInput(
            f"workspace setting {ISSUER_SETTING}.country: '{country}' is not an ISO 3166 "
            "two-letter country code"
        )
    return Party(
        name=printed_name,
        lines=printed_lines,
        street=field("street"),
        postcode=field("postcode"),
        city=field("city"),
        country=country,
        vat_id=field("vat_id"),
        legal_id=field("legal_id"),
        email=field("email"),
    )


def _vat(value: object, where: str) -> Vat:
    if not isinstance(value, dict):
        raise InvalidInput(f"workspace setting {where}: expected an object")
    code = _text(value.get("category", "S"), f"{where}.category").upper()
    try:
        category = VatCategory(code)
    except ValueError:
        known = ", ".join(c.value for c in VatCategory)
        raise InvalidInput(
            f"workspace setting {where}.category: '{code}' is not one of {known}"
        ) from None
    raw = value.get("rate", "0")
    try:
        rate = Decimal(str(raw))
    except InvalidOperation:
        raise InvalidInput(f"workspace setting {where}.rate: '{raw}' is not a number") from None
    if not rate.is_finite() or rate < 0 or rate >= 100:
        raise InvalidInput(f"workspace setting {where}.rate: {raw} is not a percentage")
    if category == VatCategory.STANDARD and rate == 0:
        raise InvalidInput(
            f"workspace setting {where}.rate: the standard rate (S) must be above 0 "
            "(use Z for zero-rated supplies)"
        )
    if category != VatCategory.STANDARD and rate != 0:
        raise InvalidInput(f"workspace setting {where}.rate: category {code} takes no rate")
    reason = _text(value.get("exemption_reason"), f"{where}.exemption_reason")
    if category in NEEDS_REASON and not reason:
        reason = CATEGORY_TITLES[category]
    return Vat(category, rate if rate else ZERO, reason)


DEFAULT_VAT = Vat(VatCategory.NOT_SUBJECT, ZERO, CATEGORY_TITLES[VatCategory.NOT_SUBJECT])


def vat_rules(uow: UnitOfWork) -> tuple[Vat, dict[str, Vat]]:
    """The default VAT of a line and the per-product overrides (``invoice_vat``)."""
    value = uow.settings.get(VAT_SETTING)
    if value is None:
        return DEFAULT_VAT, {}
    default = _vat(value, VAT_SETTING)
    products = value.get("products", {}) if isinstance(value, dict) else {}
    if not isinstance(products, dict):
        raise InvalidInput(f"workspace setting {VAT_SETTING}.products: expected an object")
    overrides = {
        str(code): _vat(entry, f"{VAT_SETTING}.products.{code}") for code, entry in products.items()
    }
    return default, overrides


@cache
def _zone_countries() -> dict[str, str]:
    """Time zone -> ISO country code, from the time-zone database's zone.tab."""
    candidates = [Path(folder) / "zone.tab" for folder in zoneinfo.TZPATH]
    text = ""
    for path in candidates:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            break
    else:
        try:
            text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
        except (ModuleNotFoundError, FileNotFoundError):
            return {}
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                found[parts[2]] = parts[0]
    return found


def country_of_zone(timezone: str) -> str:
    """The country of an IANA time zone ("Europe/Paris" -> "FR"); "" for UTC and the like."""
    return _zone_countries().get(timezone, "")


def buyer_details(uow: UnitOfWork) -> Party:
    """The buyer: the account, as My account describes it (``services.account``): its name,
    postal address lines (the first is the street line), VAT id and the address invoices are
    e-mailed to; the country is that of the account's time zone (My account has no country
    field)."""
    account = require_account(uow)
    details = account_profile(uow)
    return Party(
        name=account.name,
        lines=details.address,
        street=details.address[0] if details.address else "",
        country=country_of_zone(account.timezone),
        vat_id=details.vat_id,
        email=details.invoice_email,
    )


# --- use cases ----------------------------------------------------------------------------


def e_invoice_of(
    uow: UnitOfWork,
    document: InvoiceDocument,
    document_type: DocumentType = DocumentType.INVOICE,
    preceding: tuple[str, ...] = (),
    product_codes: tuple[str, ...] | None = None,
) -> EInvoice:
    """``document`` (an invoice, or a credit note's document) as an e-invoice of
    ``document_type``; ``product_codes`` name each line's product for the per-product VAT
    (by default: the line whose description is a product's name)."""
    default, overrides = vat_rules(uow)
    if product_codes is None:
        by_name = {p.name: p.code for p in uow.products.all()}
        product_codes = tuple(by_name.get(line.description, "") for line in document.lines)
    vat = tuple(overrides.get(code, default) for code in product_codes)
    found_seller = seller(uow, document.issuer.name, document.issuer.lines)
    return EInvoice(
        document=document,
        document_type=document_type,
        seller=found_seller,
        buyer=buyer_details(uow),
        vat=vat,
        preceding=preceding,
    )


def e_invoice(uow: UnitOfWork, actor: Actor, number: str, today: date | None = None) -> EInvoice:
    """Invoice ``number`` as an EN 16931 e-invoice (type 380). Orders (receipts) are not
    invoices here: refused."""
    document = invoice_document(uow, actor, number, today)
    if document.kind == DocumentKind.CREDIT_NOTE:  # EN 16931 type 381, naming what it corrects
        preceding = (document.corrects,) if document.corrects else ()
        return e_invoice_of(uow, document, DocumentType.CREDIT_NOTE, preceding)
    if document.kind != DocumentKind.INVOICE:
        raise InvalidInput(f"{number} is an order receipt, not an invoice: it has no e-invoice")
    return e_invoice_of(uow, document)


__all__ = [
    "VAT_SETTING",
    "DocumentType",
    "EInvoice",
    "Party",
    "Vat",
    "VatBreakdown",
    "VatCategory",
    "buyer_details",
    "country_of_zone",
    "e_invoice",
    "e_invoice_of",
    "vat_rules",
]
