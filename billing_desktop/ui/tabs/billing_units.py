"""Billing Units tab (PRODUCT §6): the units with their user and number counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from billing_desktop.domain.access import Area
from billing_desktop.services import overview
from billing_desktop.ui.models.table import Column, number_column, text_column
from billing_desktop.ui.tabs.base import TableTab


class BillingUnitsTab(TableTab):
    """Billing units (cost centres) by name.

    Signals:
        loaded(): see :class:`TableTab`.
    """

    area = Area.BILLING_UNITS

    def columns(self) -> Sequence[Column[Any]]:
        return [
            text_column("Billing unit", lambda u: u.name),
            number_column("Users", lambda u: u.users, "Users assigned to the unit"),
            number_column("Phone numbers", lambda u: u.numbers, "Numbers assigned to the unit"),
        ]

    def start_load(self) -> None:
        self.caption.setText(
            "Billing units group users and phone numbers into cost centres. A phone number "
            "belongs to at most one unit; a user may belong to several."
        )
        self.load(overview.billing_units, self.context.actor)

    def empty_text(self) -> str:
        return (
            "No billing units yet.\n"
            "Billing units split users and phone numbers into cost centres, so usage can be "
            "charged back to each of them."
        )
