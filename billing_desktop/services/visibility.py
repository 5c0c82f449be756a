"""What a user without the Plans right may see of the ledger (PRODUCT §9, §10).

Apps have balances of their own: an app's funds are ledger rows in the pool ``app:<app id>``
("Funds added to app Sales Assistant", reference ``APP-nnnnnn``). Those rows, and the money in
those pools, are plan data: a user who may not see the Plans tab (a shared-account user, a
supervisor, an agent with only billing-unit rights) must not meet them in any screen, file or
response. Every service that hands out ledger rows or balances made of them filters them here,
by the acting user's rights, so the GUI, the PDFs, the CSV files and the HTTP API (the server
runs the same services) follow from one rule.

For such a user the ledger is the account's ledger without the app pools: rows are left out,
and every balance (opening, running, closing, credit left) is summed without them, so the
figures they see still add up (opening + rows = closing) and reveal nothing of an app's money.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from billing_desktop.domain.access import Actor, Area
from billing_desktop.domain.model import LedgerEntry

APP_POOL_PREFIX = "app:"


def is_app_pool(pool: str) -> bool:
    """``pool`` holds an app's balance (not the account's credit, commit or owed money)."""
    return pool.startswith(APP_POOL_PREFIX)


def sees_plans(actor: Actor) -> bool:
    """``actor`` may see plan data: apps, their plans and their balances."""
    return actor.rights.can_view(Area.PLANS)


def visible_entries(actor: Actor, entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    """The rows of ``entries`` that ``actor`` may see, in their order."""
    if sees_plans(actor):
        return list(entries)
    return [entry for entry in entries if not is_app_pool(entry.pool)]


def visible_totals(actor: Actor, totals: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Pool totals (``ledger.pool_totals``) without the pools ``actor`` may not see."""
    if sees_plans(actor):
        return dict(totals)
    return {pool: amount for pool, amount in totals.items() if not is_app_pool(pool)}


def account_totals(totals: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Pool totals without the app pools, whoever asks: the account's own money (app funds
    never pay the account's usage)."""
    return {pool: amount for pool, amount in totals.items() if not is_app_pool(pool)}


__all__ = [
    "APP_POOL_PREFIX",
    "account_totals",
    "is_app_pool",
    "sees_plans",
    "visible_entries",
    "visible_totals",
]
