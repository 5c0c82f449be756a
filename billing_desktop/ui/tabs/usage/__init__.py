"""Usage tab (PRODUCT §5, §4.3–§4.4): the admin's home screen.

``tab`` (the page and its actions), ``cards`` (the account summary and the Contact center
services balance), ``columns`` (the tables' columns and cell texts), ``exports`` (its files).
"""

from __future__ import annotations

from billing_desktop.ui.tabs.usage.columns import (
    BALANCE,
    COMMIT,
    COMMIT_PERIOD,
    DESCRIPTION,
    FREE_UNITS,
    LEDGER_BALANCE_TITLE,
    PRODUCT,
    TAG,
    TAG_COLOUR,
    USED,
    invoice_note,
)
from billing_desktop.ui.tabs.usage.exports import write_pricing, write_transactions
from billing_desktop.ui.tabs.usage.tab import UsageTab

__all__ = [
    "BALANCE",
    "COMMIT",
    "COMMIT_PERIOD",
    "DESCRIPTION",
    "FREE_UNITS",
    "LEDGER_BALANCE_TITLE",
    "PRODUCT",
    "TAG",
    "TAG_COLOUR",
    "USED",
    "UsageTab",
    "invoice_note",
    "write_pricing",
    "write_transactions",
]
