"""The Usage tab's files, written on a worker thread: the rate card and the transactions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from billing_desktop.domain.access import Actor
from billing_desktop.exports.tables import money_format, write_table
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.services.pricing import rate_card
from billing_desktop.services.usage_page import TRANSACTION_CSV_HEADER, Transaction
from billing_desktop.ui.context import read
from billing_desktop.ui.i18n import ntr


def write_pricing(store: Store, actor: Actor, path: Path, kind: str) -> str:
    """Worker thread: read the rate card and write it as PDF or CSV; returns a summary."""
    from billing_desktop.reports.rate_card import rate_card_csv, rate_card_pdf

    card = read(store, rate_card, actor)
    count = rate_card_pdf(card, path) if kind == "pdf" else rate_card_csv(card, path)
    return ntr(
        "Usage pricing saved to {path} ({count} product).",
        "Usage pricing saved to {path} ({count} products).",
        count,
    ).format(path=path, count=count)


def write_transactions(path: Path, rows: Sequence[Transaction], currency: str) -> str:
    """Worker thread: the month's transactions as formula-safe CSV, or a workbook (.xlsx)."""
    amounts = {5: money_format(currency), 6: money_format(currency)}
    cells = [t.as_row(currency) for t in rows]
    count = write_table(path, TRANSACTION_CSV_HEADER, cells, title="Transactions", money=amounts)
    return ntr(
        "{count} transaction saved to {path}.", "{count} transactions saved to {path}.", count
    ).format(count=count, path=path)
