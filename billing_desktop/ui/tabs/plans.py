"""Plans tab (PRODUCT §7): every app with its plan, status and balance; Manage per app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QPushButton, QStyle, QWidget

from billing_desktop.domain.access import Area
from billing_desktop.domain.model import AppStatus
from billing_desktop.services import overview
from billing_desktop.services.overview import AppRow
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.dialogs.plan_manager import PlanManagerDialog
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.models.table import (
    LEFT,
    NEGATIVE,
    Column,
    ColumnTableModel,
    Index,
    money_column,
    text_column,
)
from billing_desktop.ui.tabs.base import TableTab
from billing_desktop.ui.widgets.row_actions import RowActions

PENDING_CHANGE = 6  # the last column

STATUS_TITLES = {
    AppStatus.ACTIVE: tr("Active"),
    AppStatus.EXPIRING: tr("Expiring"),
    AppStatus.SUSPENDED: tr("Suspended"),
}


class AppTableModel(ColumnTableModel[AppRow]):
    """The apps table, with an information icon and tooltip on the App cell of apps with a
    pending downgrade, a plan expiring within 30 days or a pending extension request."""

    def __init__(self, columns: Sequence[Column[AppRow]], widget: QWidget) -> None:
        super().__init__(columns, widget)
        self._icon = widget.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            index.isValid()
            and index.column() == 0
            and 0 <= index.row() < self.rowCount()
            and role in (Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole)
        ):
            notices = self.row_at(index.row()).notices
            if not notices:
                return None
            return self._icon if role == Qt.ItemDataRole.DecorationRole else "\n".join(notices)
        return super().data(index, role)


class PlansTab(TableTab):
    """Apps (virtual agents) by name, with owner, plan, status and balance.

    Signals:
        loaded(): see :class:`TableTab`.
    """

    area = Area.PLANS
    watches = frozenset({"workspace", "plans", "closing", "records"})
    stretch_column = PENDING_CHANGE  # the spare width goes to the last column, no blank band

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.dialog: PlanManagerDialog | None = None
        self.manage_button = QPushButton(tr("&Manage…"), self)
        self.manage_button.setObjectName("manageAppButton")
        self.manage_button.setToolTip(
            tr("Change the app's plan, add funds, request an extension or change its owner")
        )
        self.toolbar.addWidget(self.manage_button)
        self.manage_button.clicked.connect(self.open_manage)
        self.table.doubleClicked.connect(lambda _index: self.open_manage())
        self.table.selectionModel().selectionChanged.connect(self._update_enabled)
        self.model.modelReset.connect(self._update_enabled)
        # A row's hover shows Manage, and "…" offers the rest (seed 002).
        self.row_actions = RowActions(
            self.table,
            (tr("Manage…"), self.manage_row),
            [(tr("Change &owner…"), self.change_owner_of_row)],
            "planRowActions",
        )
        self._update_enabled()

    def make_model(self) -> ColumnTableModel[Any]:
        return AppTableModel(self.columns(), self)

    def columns(self) -> Sequence[Column[Any]]:
        return [
            text_column(
                tr("App"),
                lambda a: a.name,
                tr("An information icon marks a pending downgrade or a plan ending within 30 days"),
            ),
            text_column(tr("Owner"), lambda a: a.owner_name),
            text_column(tr("Plan"), lambda a: a.plan_name),
            Column[AppRow](
                tr("Status"),
                lambda a: STATUS_TITLES.get(a.status, str(a.status)),
                LEFT,
                raw=lambda a: a.status,
                foreground=lambda a: NEGATIVE if a.status == AppStatus.SUSPENDED else None,
            ),
            money_column(
                tr("Balance"),
                lambda a: a.balance,
                self.context.currency,
                tr("Negative balances (red) are invoiced next month"),
                red_when_negative=True,
            ),
            text_column(
                tr("Plan ends"),
                lambda a: a.plan_ends_on,
                tr("When the current plan period ends (the end of the month when no end is set)"),
            ),
            text_column(
                tr("Pending change"),
                lambda a: (
                    tr("to {plan} at period end").format(plan=a.pending_plan_name)
                    if a.pending_plan_name
                    else ""
                ),
                tr("A downgrade takes effect at the end of the plan period"),
            ),
        ]

    def start_load(self) -> None:
        self.caption.setText(
            tr(
                "Apps with their plan, status and balance. Select an app and choose Manage "
                "to change its plan, add funds, request an extension or change its owner."
            )
        )
        self.load(overview.apps, self.context.actor)

    def empty_text(self) -> str:
        return tr(
            "No apps in this workspace yet.\nApps (virtual agents) and their plans show here."
        )

    def selected_app(self) -> AppRow | None:
        rows = self.table.selectionModel().selectedRows()
        if len(rows) != 1:
            current = self.table.currentIndex()
            if len(rows) == 0 and current.isValid():
                return self.model.row_at(current.row())  # type: ignore[no-any-return]
            return None
        return self.model.row_at(rows[0].row())  # type: ignore[no-any-return]

    def _update_enabled(self, *_args: object) -> None:
        can = (
            self.context.currency is not None
            and self.showing_table
            and self.selected_app() is not None
        )
        self.manage_button.setEnabled(can)

    def _show_result(self, result: Any) -> None:
        super()._show_result(result)
        self._update_enabled()

    def open_manage(self) -> PlanManagerDialog | None:
        app = self.selected_app()
        currency = self.context.currency
        if app is None or currency is None or self.dialog is not None:
            return None
        dialog = PlanManagerDialog(
            self.context.store, self.context.runner, self.context.actor, app.id, currency, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(lambda _view: self.refresh())
        dialog.destroyed.connect(self._dialog_closed)
        self.dialog = dialog
        dialog.open()
        return dialog

    def manage_row(self, row: int) -> PlanManagerDialog | None:
        """The hover button: select ``row`` and open its Manage dialog."""
        self.table.selectRow(row)
        return self.open_manage()

    def change_owner_of_row(self, row: int) -> PlanManagerDialog | None:
        """ "…" ▸ Change owner: the Manage dialog of ``row`` with its owner list focused."""
        dialog = self.manage_row(row)
        if dialog is not None:
            dialog.focus_after_load = dialog.owner_combo
        return dialog

    def _dialog_closed(self) -> None:
        self.dialog = None

    def select_app(self, app_id: str) -> None:
        for row, app in enumerate(self.model.rows):
            if app.id == app_id:
                self.table.selectRow(row)
                return
        self.table.setCurrentIndex(QModelIndex())
