"""Plans tab (PRODUCT §7): every app with its plan, status and balance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from billing_desktop.domain.access import Area
from billing_desktop.domain.model import AppStatus
from billing_desktop.services import overview
from billing_desktop.services.overview import AppRow
from billing_desktop.ui.models.table import LEFT, NEGATIVE, Column, money_column, text_column
from billing_desktop.ui.tabs.base import TableTab

STATUS_TITLES = {
    AppStatus.ACTIVE: "Active",
    AppStatus.EXPIRING: "Expiring",
    AppStatus.SUSPENDED: "Suspended",
}


class PlansTab(TableTab):
    """Apps (virtual agents) by name, with owner, plan, status and balance.

    Signals:
        loaded(): see :class:`TableTab`.
    """

    area = Area.PLANS

    def columns(self) -> Sequence[Column[Any]]:
        return [
            text_column("App", lambda a: a.name),
            text_column("Owner", lambda a: a.owner_name),
            text_column("Plan", lambda a: a.plan_name),
            Column[AppRow](
                "Status",
                lambda a: STATUS_TITLES.get(a.status, str(a.status)),
                LEFT,
                raw=lambda a: a.status,
                foreground=lambda a: NEGATIVE if a.status == AppStatus.SUSPENDED else None,
            ),
            money_column(
                "Balance",
                lambda a: a.balance,
                self.context.currency,
                "Negative balances (red) are invoiced next month",
                red_when_negative=True,
            ),
            text_column("Plan ends", lambda a: a.plan_ends_on),
            text_column(
                "Pending change",
                lambda a: f"to {a.pending_plan_name} at period end" if a.pending_plan_name else "",
                "A downgrade takes effect at the end of the plan period",
            ),
        ]

    def start_load(self) -> None:
        self.caption.setText("Apps with their plan, status and balance.")
        self.load(overview.apps, self.context.actor)

    def empty_text(self) -> str:
        return "No apps in this workspace yet.\nApps (virtual agents) and their plans show here."
