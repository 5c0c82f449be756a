"""The billing units cost report (PRODUCT §6): usage and recurring charges per unit for a month.

At list price (before free units and credits), with an *Unassigned* row; the rows add up to the
account's list-price total. Shown as a table and a horizontal bar chart; exported as CSV (safe
for spreadsheets) and the chart as PNG. The report is read on the task runner.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.periods import Month
from billing_desktop.domain.units import UnitCost
from billing_desktop.exports.tables import TABLE_FILTERS, chosen_path
from billing_desktop.services import overview
from billing_desktop.services.units import UnitReport, UnitRow, unit_report, write_report
from billing_desktop.ui.charts.bars import HorizontalBarChart, Series
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.locale_format import format_money, format_month
from billing_desktop.ui.models.table import (
    RIGHT,
    Column,
    ColumnTableModel,
    format_number,
    money_column,
    text_column,
)
from billing_desktop.ui.tasks import TaskHandle
from billing_desktop.ui.widgets.table import make_table

USAGE_COLOUR = QColor(37, 99, 235)
RECURRING_COLOUR = QColor(245, 158, 11)


def month_label(month: date) -> str:
    return format_month(month)


MEMBERS_SHOWN = 25  # names or numbers listed in a tooltip


def members_tip(members: Sequence[str]) -> str | None:
    """Who (or which numbers) a unit holds, one a line; the rest counted."""
    if not members:
        return None
    shown = list(members[:MEMBERS_SHOWN])
    if len(members) > MEMBERS_SHOWN:
        shown.append(tr("… and {value} more").format(value=len(members) - MEMBERS_SHOWN))
    return "\n".join(shown)


def member_column(
    title: str, count: Callable[[UnitRow], int], tip: str, members: str
) -> Column[UnitRow]:
    """A count of users or numbers whose tooltip names them (``members``: the row's field)."""
    return Column[UnitRow](
        title,
        lambda u: format_number(count(u)),
        RIGHT,
        tip + tr(" (point at a count to see them)"),
        count,
        cell_tooltip=lambda u: members_tip(getattr(u, members)),
    )


class UnitReportPanel(QWidget):
    """The month's charges per unit: table, total, bar chart, CSV and PNG export.

    Signals:
        loaded(): a report (or an error) is shown.
    """

    loaded = Signal()
    choice_changed = Signal()  # the month or the basis picked changed

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unitReport")
        self.context = context
        self.report: UnitReport | None = None
        self._handle: TaskHandle | None = None
        self._stale = True
        self.last_folder = Path.home()

        self.month_combo = QComboBox(self)
        self.month_combo.setObjectName("reportMonthCombo")
        for month in overview.recent_months(context.account):
            self.month_combo.addItem(month_label(month), month)
        self.month_combo.setToolTip(tr("The billing month (in the account's time zone)"))
        month_caption = QLabel(tr("&Month:"), self)
        month_caption.setBuddy(self.month_combo)
        self.basis_combo = QComboBox(self)
        self.basis_combo.setObjectName("reportBasisCombo")
        self.basis_combo.setAccessibleName(tr("Cost basis"))
        self.basis_combo.addItem(tr("At list price"), "list")
        self.basis_combo.addItem(tr("As invoiced"), "invoiced")
        self.basis_combo.setToolTip(
            tr(
                "At list price: before free units and credits. As invoiced: each product's "
                "charge after free units and credits, shared in the same proportions, so the "
                "units add up to the month's charges."
            )
        )
        self.csv_button = QPushButton(tr("&Export…"), self)
        self.csv_button.setObjectName("exportCsvButton")
        self.csv_button.setToolTip(
            tr("Save the report for a spreadsheet: a CSV file or an Excel workbook (.xlsx)")
        )
        self.png_button = QPushButton(tr("Save chart as &PNG…"), self)
        self.png_button.setObjectName("saveChartButton")
        self.png_button.setToolTip(tr("Save the bar chart as a PNG image"))
        top = QHBoxLayout()
        top.addWidget(month_caption)
        top.addWidget(self.month_combo)
        top.addWidget(self.basis_combo)
        top.addStretch(1)
        top.addWidget(self.csv_button)
        top.addWidget(self.png_button)

        self.caption = QLabel(self)
        self.caption.setObjectName("caption")
        self.caption.setWordWrap(True)
        currency = context.currency
        self.model: ColumnTableModel[UnitCost] = ColumnTableModel(
            [
                text_column(tr("Billing unit"), lambda r: r.name),
                money_column(
                    tr("Usage"),
                    lambda r: r.usage,
                    currency,
                    tr("Usage charges on the basis picked"),
                ),
                money_column(
                    tr("Recurring"),
                    lambda r: r.recurring,
                    currency,
                    tr("Agent seats and number rentals on the basis picked"),
                ),
                money_column(tr("Total"), lambda r: r.total, currency),
            ],
            self,
        )
        self.table = make_table(self)
        self.table.setObjectName("unitReportTable")
        self.table.setAccessibleName(tr("Cost report"))
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.total_label = QLabel(self)
        self.total_label.setObjectName("reportTotal")
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.chart = HorizontalBarChart(self.money, parent=self)
        self.chart.setObjectName("unitReportChart")
        self.chart.setMinimumHeight(100)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.caption)
        layout.addWidget(self.table)
        layout.addWidget(self.total_label)
        layout.addWidget(self.chart, 1)

        self.month_combo.currentIndexChanged.connect(self.refresh)
        self.basis_combo.currentIndexChanged.connect(self.refresh)
        self.month_combo.currentIndexChanged.connect(self.choice_changed)
        self.basis_combo.currentIndexChanged.connect(self.choice_changed)
        self.csv_button.clicked.connect(self.choose_csv)
        self.png_button.clicked.connect(self.choose_png)
        self._set_export_enabled()

    def money(self, amount: Decimal) -> str:
        currency = self.context.currency
        return format_money(amount, currency) if currency else f"{amount:,f}"

    @property
    def month(self) -> Month:
        value = self.month_combo.currentData()
        assert isinstance(value, date)
        return Month.of(value)

    @property
    def basis(self) -> str:
        return str(self.basis_combo.currentData())

    @property
    def is_loading(self) -> bool:
        return self._handle is not None

    def mark_stale(self) -> None:
        self._stale = True

    def ensure_loaded(self) -> None:
        if self._stale and self._handle is None:
            self.refresh()

    def refresh(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._stale = False
        self.caption.setText(
            tr("Reading {month_label}…").format(month_label=month_label(self.month.first_day))
        )
        self._handle = self.context.runner.run(
            partial(
                read,
                self.context.store,
                unit_report,
                self.context.actor,
                self.month,
                basis=self.basis,
            ),
            on_done=self._show,
            on_error=self._failed,
            description="load the billing units report",
        )

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _show(self, report: UnitReport) -> None:
        self._handle = None
        self.report = report
        self.model.set_rows(report.rows)
        for column in range(1, self.model.columnCount()):
            self.table.resizeColumnToContents(column)
            header = self.table.horizontalHeader()
            header.resizeSection(column, header.sectionSize(column) + 12)
        # As tall as its rows (up to a dozen), so the chart gets the rest of the height.
        rows = min(max(len(report.rows), 1), 12)
        height = self.table.horizontalHeader().sizeHint().height()
        height += rows * self.table.verticalHeader().defaultSectionSize()
        self.table.setMaximumHeight(height + 2 * self.table.frameWidth() + 2)
        state = tr("closed") if report.closed else tr("open")
        invoiced = report.basis == "invoiced"
        basis = (
            tr(
                "as invoiced: each product's charge after free units and credits, shared in "
                "the same proportions as its list price"
            )
            if invoiced
            else tr("at list price: usage and recurring charges before free units and credits")
        )
        self.caption.setText(
            tr(
                "{month_label} ({state}) {basis}. Calls go to their number's unit, else "
                "split equally among their user's units; alerts and agent seats likewise; "
                "number rentals to the number's unit. The rest is Unassigned."
            ).format(month_label=month_label(report.month.first_day), state=state, basis=basis)
        )
        what = tr("charges (what is invoiced)") if invoiced else tr("list-price total")
        self.total_label.setText(
            tr("Total {money} — the account's {what} for {month_label}").format(
                money=self.money(report.total),
                what=what,
                month_label=month_label(report.month.first_day),
            )
        )
        self.chart.set_data(
            [row.name for row in report.rows],
            [
                Series(tr("Usage"), [row.usage for row in report.rows], USAGE_COLOUR),
                Series(tr("Recurring"), [row.recurring for row in report.rows], RECURRING_COLOUR),
            ],
        )
        self._set_export_enabled()
        self.loaded.emit()

    def _failed(self, message: str) -> None:
        self._handle = None
        self._stale = True
        self.report = None
        self.model.set_rows([])
        self.chart.set_data([], [])
        self.caption.setText(tr("Could not read the report: {message}").format(message=message))
        self.total_label.setText("")
        self._set_export_enabled()
        self.loaded.emit()

    def _set_export_enabled(self) -> None:
        has = self.report is not None
        self.csv_button.setEnabled(has)
        self.png_button.setEnabled(has)

    # Export -------------------------------------------------------------------------------

    def _default_name(self, suffix: str) -> str:
        return str(self.last_folder / f"billing-units-{self.month}.{suffix}")

    def choose_csv(self) -> None:
        chosen, selected = QFileDialog.getSaveFileName(
            self, tr("Export the report"), self._default_name("csv"), TABLE_FILTERS
        )
        if chosen:
            self.export_csv(chosen_path(chosen, selected))

    def choose_png(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, tr("Save the chart as PNG"), self._default_name("png"), tr("PNG images (*.png)")
        )
        if chosen:
            self.save_chart(Path(chosen))

    def export_csv(self, path: Path) -> None:
        """Write the report shown to ``path``: CSV (UTF-8 with a byte-order mark), or an Excel
        workbook when ``path`` ends in ``.xlsx``."""
        if self.report is None:
            return
        try:
            write_report(self.report, path)
        except OSError as exc:
            self.caption.setText(
                tr("Could not save {name}: {value}").format(
                    name=path.name, value=exc.strerror or exc
                )
            )
            return
        self.last_folder = path.parent
        self.caption.setText(tr("Saved {name}.").format(name=path.name))

    def save_chart(self, path: Path) -> None:
        if self.report is None:
            return
        try:
            self.chart.save_png(path)
        except OSError as exc:
            self.caption.setText(tr("Could not save {name}: {exc}").format(name=path.name, exc=exc))
            return
        self.last_folder = path.parent
        self.caption.setText(tr("Saved {name}.").format(name=path.name))

    def rows(self) -> list[Any]:
        return self.model.rows
