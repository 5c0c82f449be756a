"""The Usage tab's tables: their columns, and the texts of their cells."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from billing_desktop.services.billing import CommitInfo, ProductSummary
from billing_desktop.services.usage_page import Transaction
from billing_desktop.ui import theme
from billing_desktop.ui.delegates.free_units_bar import remaining_share
from billing_desktop.ui.domain_words import frequency_word, quantity_with_unit, unit_plural
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.locale_format import format_day, month_name
from billing_desktop.ui.models.sortable import RichColumn
from billing_desktop.ui.models.table import (
    LEFT,
    NEGATIVE,
    RIGHT,
    Column,
    display_money,
    display_price,
    format_number,
    money_column,
    text_column,
)

TAG_COLOUR = theme.TAG
CONTACT_CENTER_TAG = tr("Contact center services")
# Column positions of the usage-per-product table.
PRODUCT, TAG, USED, FREE_UNITS, BALANCE, COMMIT, COMMIT_PERIOD = range(7)
DESCRIPTION = 4  # of the transactions table: it takes the spare width
LEDGER_BALANCE_TITLE = tr("Ledger balance after")


def shown_description(transaction: Transaction) -> str:
    """The Description cell: empty when it only repeats the Kind column ("Credit purchase")."""
    text = transaction.description.strip()
    return "" if text.casefold() == transaction.kind_label.casefold() else text


def invoice_note(summary: Any, today: date) -> str:
    """When a negative balance of an open month is invoiced: on the invoice date, or, once
    that date has passed, when the month is closed."""
    due = summary.invoice_date
    if due <= today:
        return tr("To be invoiced when {month_name} is closed (due {isoformat})").format(
            month_name=month_name(summary.month, capital=False), isoformat=format_day(due)
        )
    return tr("To be invoiced on {isoformat}").format(isoformat=format_day(due))


def free_units_text(product: ProductSummary) -> str:
    if product.free_units_total <= 0:
        return tr("No free units")
    used = format_number(product.free_units_used)
    return f"{used} / {format_number(product.free_units_total)}"


def commit_text(commit: CommitInfo | str, currency: str | None) -> str:
    if isinstance(commit, str):  # "N/A": none available, "-": none bought
        return tr("N/A") if commit == "N/A" else commit
    return f"{display_money(commit.amount, currency)} {frequency_word(commit.frequency)}"


def period_text(commit: CommitInfo | str | None) -> str:
    if not isinstance(commit, CommitInfo):
        return ""
    return f"{commit.last_recharge.isoformat()} – {commit.next_recharge.isoformat()}"


COMMIT_TIPS = {
    "N/A": tr("No credit commit is available for this product"),
    "-": tr("A credit commit is available for this product but has not been purchased"),
}


def product_columns(
    money: Callable[[Decimal], str],
    currency: Callable[[], str | None],
    balance_tip: Callable[[ProductSummary], str | None],
) -> list[Column[Any]]:
    """The usage-per-product table's columns; ``money`` formats in the shown currency."""

    def commit_tip(p: ProductSummary) -> str | None:
        if isinstance(p.commit, str):
            return COMMIT_TIPS.get(p.commit)
        return tr("{money} recharged {value}").format(
            money=money(p.commit.amount), value=frequency_word(p.commit.frequency)
        )

    def period_tip(p: ProductSummary) -> str | None:
        if not isinstance(p.commit, CommitInfo):
            return None
        return tr("Last recharge on {isoformat}; next recharge on {isoformat2}").format(
            isoformat=format_day(p.commit.last_recharge),
            isoformat2=format_day(p.commit.next_recharge),
        )

    return [
        RichColumn[ProductSummary](
            tr("Product"),
            lambda p: p.name,
            LEFT,
            tr("Products with usage in the month"),
            lambda p: p.name,
            sort_key=lambda p: (p.name.casefold(), p.code),
            cell_tooltip=lambda p: tr("{name} ({code}): {display_price} per {unit}").format(
                name=p.name,
                code=p.code,
                display_price=display_price(p.unit_price, currency()),
                unit=p.unit,
            ),
        ),
        RichColumn[ProductSummary](
            tr("Tag"),
            lambda p: CONTACT_CENTER_TAG if p.contact_center_services else "",
            LEFT,
            tr("Tagged products count toward the Contact center services balance"),
            lambda p: p.contact_center_services,
            lambda p: TAG_COLOUR if p.contact_center_services else None,
            sort_key=lambda p: (not p.contact_center_services, p.name.casefold()),
        ),
        RichColumn[ProductSummary](
            tr("Usage"),
            lambda p: quantity_with_unit(p.quantity, p.unit),
            RIGHT,
            tr("The month's metered quantity"),
            lambda p: p.quantity,
            sort_key=lambda p: p.quantity,
        ),
        RichColumn[ProductSummary](
            tr("Free units"),
            free_units_text,
            LEFT,
            tr(
                "Used / total free units: the allowance per agent times the month's peak "
                "count of licensed agents. The bar shows what is left."
            ),
            lambda p: (p.free_units_used, p.free_units_total),
            sort_key=lambda p: (
                p.free_units_total <= 0,
                remaining_share(p.free_units_used, p.free_units_total),
                p.free_units_total,
            ),
            cell_tooltip=lambda p: (
                None
                if p.free_units_total <= 0
                else tr("{format_number} of {format_number2} free {get} left").format(
                    format_number=format_number(p.free_units_total - p.free_units_used),
                    format_number2=format_number(p.free_units_total),
                    get=unit_plural(p.unit),
                )
            ),
            bar=lambda p: (p.free_units_used, p.free_units_total),
        ),
        RichColumn[ProductSummary](
            tr("Balance"),
            lambda p: money(p.balance),
            RIGHT,
            tr(
                "Credit left for the product (positive), or what will be invoiced next month "
                "(negative, in red)"
            ),
            lambda p: p.balance,
            lambda p: NEGATIVE if p.balance < 0 else None,
            sort_key=lambda p: p.balance,
            cell_tooltip=balance_tip,
        ),
        RichColumn[ProductSummary](
            tr("Committed credit"),
            lambda p: commit_text(p.commit, currency()),
            RIGHT,
            tr(
                "The product's credit commit and how often it recharges; N/A: no commit "
                "available; -: available but not purchased"
            ),
            lambda p: p.commit,
            sort_key=lambda p: (
                (2, Decimal(0))
                if p.commit == "N/A"
                else (1, Decimal(0))
                if isinstance(p.commit, str)
                else (0, p.commit.amount)
            ),
            cell_tooltip=commit_tip,
        ),
        RichColumn[ProductSummary](
            tr("Committed credit period"),
            lambda p: period_text(p.commit),
            LEFT,
            tr("The last recharge and the next one"),
            lambda p: p.commit.last_recharge if isinstance(p.commit, CommitInfo) else None,
            sort_key=lambda p: (
                p.commit.last_recharge.toordinal() if isinstance(p.commit, CommitInfo) else 0
            ),
            cell_tooltip=period_tip,
        ),
    ]


def transaction_columns(show_money: Callable[[Decimal], str]) -> list[Column[Transaction]]:
    """The transactions table's columns; ``show_money`` formats in the shown currency."""

    def money(get: Callable[[Transaction], Decimal], title: str, tip: str) -> Column[Any]:
        base = money_column(title, get, None, tip, red_when_negative=True)
        return Column(title, lambda t: show_money(get(t)), RIGHT, tip, get, base.foreground)

    return [
        text_column(tr("Date"), lambda t: t.occurred_on),
        text_column(tr("Kind"), lambda t: t.kind_label),
        text_column(tr("Product"), lambda t: t.product),
        text_column(tr("Reference"), lambda t: t.reference),
        text_column(tr("Description"), shown_description),
        money(
            lambda t: t.amount, tr("Amount"), tr("+ adds credit or pays; - uses credit or is owed")
        ),
        money(
            lambda t: t.balance_after,
            LEDGER_BALANCE_TITLE,
            tr(
                "The ledger's running total after this row: credit left minus amounts owed, "
                "over every month so far. It is not the month's balance on the cards above. "
                "Commit recharges and usage of an open month are written when it closes."
            ),
        ),
        text_column(tr("Who"), lambda t: t.who or "—", tr("The user or process that wrote it")),
    ]
