"""Download usage pricing (PRODUCT §5): the rate card as a PDF (reportlab) and as CSV.

Both take the plain ``RateCard`` the pricing service returns; nothing here reads a store. The PDF
uses the bundled DejaVu Sans (any currency symbol, any script in product names) and escapes every
string before it reaches a ``Paragraph``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from babel.numbers import get_currency_name
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from billing_desktop.domain.money import format_money
from billing_desktop.reports import fonts
from billing_desktop.reports.csv_export import write_csv
from billing_desktop.services.pricing import RateCard, RateCardLine, tiers_text

CSV_HEADER = (
    "code",
    "name",
    "unit",
    "unit_price",
    "currency",
    "graduated_prices",
    "free_units_per_agent",
    "contact_center_services",
    "metering",
    "commit",
)

INK = colors.HexColor("#111827")
MUTED = colors.HexColor("#6b7280")
RULE = colors.HexColor("#d1d5db")
HEADER_FILL = colors.HexColor("#f3f4f6")
STRIPE = colors.HexColor("#f9fafb")
TAG_INK = colors.HexColor("#1d4ed8")

# Column widths (mm) on landscape A4 less 15 mm margins: 267 mm in all.
WIDTHS_MM = (56, 18, 24, 38, 22, 50, 33, 26)
HEADERS = (
    "Product",
    "Unit",
    "Unit price",
    "Graduated prices",
    "Free units per agent",
    "How it is counted",
    "Tags",
    "Commit",
)


def rate_card_csv(card: RateCard, path: Path) -> int:
    """Write the rate card as formula-safe CSV; returns the number of products written."""
    rows = [
        (
            line.code,
            line.name,
            line.unit.value,
            line.unit_price,
            card.currency,
            tiers_text(line.tiers),
            line.free_units_per_agent,
            "true" if line.contact_center_services else "false",
            line.metering.value,
            line.commit.value,
        )
        for line in card.lines
    ]
    return write_csv(path, CSV_HEADER, rows)


def _number(text: str) -> str:
    value = Decimal(text)
    return f"{value:,f}" if value != value.to_integral_value() else f"{int(value):,}"


class _Styles:
    def __init__(self) -> None:
        regular, bold = fonts.register()
        self.regular, self.bold = regular, bold
        self.title = ParagraphStyle("title", fontName=bold, fontSize=18, leading=22, textColor=INK)
        self.subtitle = ParagraphStyle(
            "subtitle", fontName=regular, fontSize=11, leading=15, textColor=INK
        )
        self.meta = ParagraphStyle(
            "meta", fontName=regular, fontSize=9, leading=12, textColor=MUTED
        )
        self.head = ParagraphStyle("head", fontName=bold, fontSize=8.5, leading=10.5, textColor=INK)
        self.head_right = ParagraphStyle("head_right", parent=self.head, alignment=TA_RIGHT)
        self.cell = ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=10.5)
        self.cell_right = ParagraphStyle("cell_right", parent=self.cell, alignment=TA_RIGHT)
        self.code = ParagraphStyle("code", parent=self.cell, fontSize=7.5, textColor=MUTED)
        self.tag = ParagraphStyle("tag", parent=self.cell, textColor=TAG_INK)
        self.note = ParagraphStyle(
            "note", fontName=regular, fontSize=8, leading=11, textColor=MUTED
        )


RIGHT_COLUMNS = (2, 4)


def _row(line: RateCardLine, currency: str, s: _Styles) -> list[Any]:
    product = Paragraph(
        f"{escape(line.name)}<br/><font size='7.5' color='#6b7280'>{escape(line.code)}</font>",
        s.cell,
    )
    price = format_money(Decimal(line.unit_price), currency, keep_precision=True)
    tiers = "<br/>".join(
        f"above {_number(format(t.above, 'f'))}: "
        f"{escape(format_money(t.unit_price, currency, keep_precision=True))}"
        for t in line.tiers
    )
    return [
        product,
        Paragraph(escape(line.unit.value), s.cell),
        Paragraph(escape(price), s.cell_right),
        Paragraph(tiers or "—", s.cell),
        Paragraph(escape(_number(line.free_units_per_agent)), s.cell_right),
        Paragraph(escape(line.counted), s.cell),
        Paragraph(escape(", ".join(line.tags)), s.tag),
        Paragraph(escape(line.commit_text), s.cell),
    ]


def _table(card: RateCard, s: _Styles) -> LongTable:
    header = [
        Paragraph(escape(title), s.head_right if i in RIGHT_COLUMNS else s.head)
        for i, title in enumerate(HEADERS)
    ]
    data = [header] + [_row(line, card.currency, s) for line in card.lines]
    table = LongTable(data, colWidths=[w * mm for w in WIDTHS_MM], repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
    ]
    for row in range(2, len(data), 2):
        style.append(("BACKGROUND", (0, row), (-1, row), STRIPE))
    table.setStyle(TableStyle(style))
    return table


def _currency_name(currency: str) -> str:
    try:
        return str(get_currency_name(currency, locale="en"))
    except Exception:  # an unknown code still prints, by its code
        return currency


def _numbered_canvas(footer: str, regular: str) -> type[Canvas]:
    """A canvas that knows the page count when it draws each page's footer."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            width, _height = self._pagesize
            self.saveState()
            self.setFont(regular, 7.5)
            self.setFillColor(MUTED)
            self.drawString(15 * mm, 9 * mm, footer)
            self.drawRightString(width - 15 * mm, 9 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def rate_card_pdf(card: RateCard, path: Path) -> int:
    """Write the rate card as a landscape A4 PDF; returns the number of products listed."""
    s = _Styles()
    currency_name = _currency_name(card.currency)
    story: list[Any] = [
        Paragraph("Usage pricing", s.title),
        Spacer(1, 2 * mm),
        Paragraph(escape(card.account_name), s.subtitle),
        Spacer(1, 1.5 * mm),
        Paragraph(
            escape(
                f"Prices per unit in {currency_name} ({card.currency}), before free units and "
                f"credits · rate card as of {card.as_of.day} {card.as_of:%B %Y} · billing "
                f"months in {card.timezone}"
            ),
            s.meta,
        ),
        Spacer(1, 5 * mm),
    ]
    if card.lines:
        story.append(_table(card, s))
    else:
        story.append(Paragraph("The rate card has no products yet.", s.subtitle))
    story += [Spacer(1, 5 * mm), *_notes(s)]
    footer = f"{card.account_name} · usage pricing · {card.as_of.isoformat()}"
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    try:
        document = SimpleDocTemplate(
            temporary,
            pagesize=landscape(A4),
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=14 * mm,
            bottomMargin=16 * mm,
            title=f"Usage pricing — {card.account_name}",
            author="Billing Desktop",
            subject=f"Rate card as of {card.as_of.isoformat()}",
        )
        document.build(story, canvasmaker=_numbered_canvas(footer, s.regular))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(card.lines)


NOTES: Sequence[str] = (
    "Free units are per licensed agent per month: the account's allowance is the free units "
    "per agent times the month's peak daily count of licensed agents. Free units are used "
    "first, then committed and purchased credit; what credit does not cover is invoiced at the "
    "start of the next month.",
    "Graduated prices: billable units beyond each threshold cost that tier's price; the units "
    "below the first threshold cost the unit price. Each invoice line is rounded half-up to "
    "the currency's minor unit, once.",
    "Contact center services: products with this tag count toward the Contact center services "
    "balance. Commit: whether a credit commit can be bought for the product (Available) or is "
    "in place (Active).",
)


def _notes(s: _Styles) -> list[Any]:
    return [Paragraph(escape(text), s.note) for text in NOTES]


__all__ = ["CSV_HEADER", "rate_card_csv", "rate_card_pdf"]
