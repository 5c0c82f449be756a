"""Download usage pricing (PRODUCT §5): the rate card as a PDF (reportlab) and as CSV.

Both take the plain ``RateCard`` the pricing service returns; nothing here reads a store. The PDF
is laid out by :mod:`billing_desktop.reports.layout` (fonts, "Page X of Y", table style, header
row on every page, literal text), on landscape A4 so the eight columns fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from babel.numbers import get_currency_name
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from billing_desktop.domain.money import currency_symbol
from billing_desktop.exports.tables import is_xlsx, money_format, write_table
from billing_desktop.reports.layout import (
    ACCENT,
    MARGIN_X,
    Col,
    Furniture,
    build,
    gap,
    header_band,
    key_values,
    long_date,
    note_box,
    para,
    price,
    quantity,
    table,
    write_atomically,
)
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

PAGE_SIZE = landscape(A4)
WIDTH = PAGE_SIZE[0] - 2 * MARGIN_X  # 261 mm
COLUMNS = (
    Col("Product", 52 * mm),
    Col("Unit", 17 * mm),
    Col("Unit price", 22 * mm, True),
    Col("Graduated prices", 38 * mm),
    Col("Free units per agent", 22 * mm, True),
    Col("How it is counted", 48 * mm),
    Col("Tags", 38 * mm),
    Col("Commit", 24 * mm),
)
TAGS = 6  # the column of COLUMNS printed in the accent colour
# A longer product name is cut off with an ellipsis, so that its code still shows below it (a
# table cell shows at most layout.MAX_CELL_LINES lines; a name of 3,000 characters would fill
# them all).
NAME_LIMIT = 300

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


def rate_card_csv(card: RateCard, path: Path) -> int:
    """Write the rate card as formula-safe CSV, or as a workbook when ``path`` ends in
    ``.xlsx`` (prices as numbers in the card's currency); returns the products written."""
    xlsx = is_xlsx(path)
    rows = [
        (
            line.code,
            line.name,
            line.unit.value,
            Decimal(line.unit_price) if xlsx else line.unit_price,
            card.currency,
            tiers_text(line.tiers),
            Decimal(line.free_units_per_agent) if xlsx else line.free_units_per_agent,
            "true" if line.contact_center_services else "false",
            line.metering.value,
            line.commit.value,
        )
        for line in card.lines
    ]
    price_format = {3: money_format(card.currency, price=True)}
    return write_table(path, CSV_HEADER, rows, title="Usage pricing", money=price_format)


def _row(line: RateCardLine, currency: str) -> list[str]:
    tiers = "\n".join(
        f"above {quantity(t.above)}: {price(t.unit_price, currency)}" for t in line.tiers
    )
    name = line.name if len(line.name) <= NAME_LIMIT else line.name[: NAME_LIMIT - 1] + "…"
    return [
        f"{name}\n{line.code}",
        line.unit.value,
        price(Decimal(line.unit_price), currency),
        tiers or "—",
        quantity(Decimal(line.free_units_per_agent)),
        line.counted,
        ", ".join(line.tags),
        line.commit_text,
    ]


def _header(card: RateCard) -> Flowable:
    try:
        name = str(get_currency_name(card.currency, locale="en"))
    except Exception:  # an unknown code still prints, by its code
        name = card.currency
    as_of = card.as_of
    left = [
        para(card.account_name, "issuer"),
        para(
            f"Prices per unit in {name} ({card.currency}), before free units and credits", "muted"
        ),
        para(
            f"Billing months in {card.timezone} · rate card as of {as_of.day} {as_of:%B %Y}",
            "muted",
        ),
    ]
    facts = [
        ("Rate card as of", long_date(as_of)),
        ("Currency", f"{card.currency} ({currency_symbol(card.currency)})"),
        ("Products", str(len(card.lines))),
    ]
    right = [
        para("Usage pricing", "title"),
        gap(4),
        key_values(facts, (30 * mm, WIDTH * 0.48 - 30 * mm), colours={}),
    ]
    return header_band(left, right, width=WIDTH)


def rate_card_pdf(card: RateCard, path: Path) -> int:
    """Write the rate card as a landscape A4 PDF; returns the number of products listed."""
    story: list[Flowable] = [_header(card), gap(12)]
    if card.lines:
        rows = [_row(line, card.currency) for line in card.lines]
        story.append(table(COLUMNS, rows, extra=[("TEXTCOLOR", (TAGS, 1), (TAGS, -1), ACCENT)]))
    else:
        story.append(para("The rate card has no products yet."))
    story += [gap(12), note_box(NOTES, width=WIDTH)]
    furniture = Furniture(
        footer=f"{card.account_name} · usage pricing · {card.as_of.isoformat()}",
        running_title="Usage pricing",
        running_account=card.account_name,
    )
    rendered = build(
        story,
        furniture,
        title=f"Usage pricing — {card.account_name}",
        author="Billing Desktop",
        subject=f"Rate card as of {card.as_of.isoformat()}",
        estimated_pages=1 + len(card.lines) // 25,
        pagesize=PAGE_SIZE,
    )
    write_atomically(Path(path), rendered.data)
    return len(card.lines)


__all__ = ["CSV_HEADER", "rate_card_csv", "rate_card_pdf"]
