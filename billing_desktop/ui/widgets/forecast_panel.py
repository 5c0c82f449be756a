"""Usage ▸ Month-end forecast (issue 20 §2): the current month's projection, read on demand.

Shows ``services.forecast.month_forecast``: per product the quantity so far, the projection and
its band, the projected charge and the day its free units run out; then the dates the commit
credit runs out and each quota is exceeded; the method in words under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.locale_format import format_day, format_money, month_name
from billing_desktop.ui.models.table import (
    NEGATIVE,
    RIGHT,
    Column,
    ColumnTableModel,
    format_number,
    text_column,
)
from billing_desktop.ui.tasks import TaskHandle
from billing_desktop.ui.widgets.table import make_table

if TYPE_CHECKING:  # the service is imported when the section is first shown, not at start (B1)
    from billing_desktop.services.forecast import MonthForecast, ProductForecast

MOST_ROWS = 12  # a table taller than this scrolls


@dataclass(frozen=True, slots=True)
class DateRow:
    what: str
    when: date | None
    detail: str


class ForecastPanel(QWidget):
    """The month-end forecast of the current month.

    Signals:
        loaded(): a forecast (or an error) is shown.
    """

    loaded = Signal()

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("forecastPanel")
        self.context = context
        self.forecast: MonthForecast | None = None
        self._handle: TaskHandle | None = None
        self.stale = True
        self.caption = QLabel(tr("The forecast is read when this section is shown."), self)
        self.caption.setObjectName("forecastCaption")
        self.caption.setWordWrap(True)
        self.products: ColumnTableModel[ProductForecast] = ColumnTableModel(
            self._product_columns(), self
        )
        self.product_table = make_table(self)
        self.product_table.setObjectName("forecastTable")
        self.product_table.setAccessibleName(tr("Month-end forecast per product"))
        self.product_table.setModel(self.products)
        self.product_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.dates: ColumnTableModel[DateRow] = ColumnTableModel(
            [
                text_column(tr("Credit or quota"), lambda r: r.what),
                text_column(tr("Runs out / exceeded on"), lambda r: r.when or tr("Not this month")),
                text_column(tr("Detail"), lambda r: r.detail),
            ],
            self,
        )
        self.date_table = make_table(self)
        self.date_table.setObjectName("forecastDates")
        self.date_table.setAccessibleName(tr("Run-out dates"))
        self.date_table.setModel(self.dates)
        self.date_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.method = QLabel(self)
        self.method.setObjectName("forecastMethod")
        self.method.setWordWrap(True)
        self.method.setStyleSheet("QLabel#forecastMethod { color: #4b5563; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.product_table)
        layout.addWidget(self.date_table)
        layout.addWidget(self.method)
        layout.addStretch(1)

    def _money(self, amount: Decimal) -> str:
        currency = self.forecast.currency if self.forecast else self.context.currency
        return format_money(amount, currency) if currency else f"{amount:,f}"

    def _product_columns(self) -> list[Column[ProductForecast]]:
        def number(title: str, get: Any, tip: str) -> Column[ProductForecast]:
            return Column(title, lambda p: format_number(get(p)), RIGHT, tip, get)

        return [
            text_column(tr("Product"), lambda p: p.name),
            number(tr("So far"), lambda p: p.quantity_so_far, tr("Over the month's complete days")),
            number(tr("Projected"), lambda p: p.projected, tr("At month end, from the run-rate")),
            Column(
                tr("Band"),
                lambda p: (
                    tr("known")
                    if p.method == "known"
                    else f"{format_number(p.low)} – {format_number(p.high)}"
                ),
                RIGHT,
                tr(
                    "± 1.28 × the day-to-day spread × √days left (about 80 %); recurring "
                    "charges and peak-day storage are known for the month"
                ),
            ),
            Column(
                tr("Charge"),
                lambda p: self._money(p.charge),
                RIGHT,
                tr("Projected charge (what will be invoiced), rated by the billing engine"),
                lambda p: p.charge,
                cell_tooltip=lambda p: tr("Band {money} – {money2}").format(
                    money=self._money(p.charge_low), money2=self._money(p.charge_high)
                ),
            ),
            Column(
                tr("Balance"),
                lambda p: self._money(p.balance),
                RIGHT,
                tr("Projected balance at month end"),
                lambda p: p.balance,
                lambda p: NEGATIVE if p.balance < 0 else None,
            ),
            text_column(
                tr("Free units run out"),
                lambda p: (
                    "—"
                    if p.free_units_total <= 0
                    else (p.free_units_run_out or tr("Not this month"))
                ),
                tr("The day the month's free units are used up"),
            ),
        ]

    def refresh(self) -> None:
        from billing_desktop.services.forecast import month_forecast

        if self._handle is not None:
            self._handle.cancel()
        self.stale = False
        self.caption.setText(tr("Forecasting the month…"))
        self._handle = self.context.runner.run(
            read,
            self.context.store,
            month_forecast,
            self.context.actor,
            on_done=self.show_forecast,
            on_error=self._failed,
            description="forecast the month",
        )

    def ensure_loaded(self) -> None:
        if self.stale and self._handle is None:
            self.refresh()

    def _failed(self, message: str) -> None:
        self._handle = None
        self.stale = True
        self.caption.setText(tr("Could not forecast the month: {message}").format(message=message))
        self.loaded.emit()

    def show_forecast(self, result: Any) -> None:
        self._handle = None
        from billing_desktop.services.forecast import MonthForecast

        assert isinstance(result, MonthForecast)
        f = self.forecast = result
        self.caption.setText(
            tr(
                "{month_name} on {isoformat}: {observed_days} complete days, {days_left} "
                "left. Projected invoice {money} (band {money2} – {money3}); balance at "
                "month end {money4}."
            ).format(
                month_name=month_name(f.month),
                isoformat=format_day(f.today),
                observed_days=f.observed_days,
                days_left=f.days_left,
                money=self._money(f.charge),
                money2=self._money(f.charge_low),
                money3=self._money(f.charge_high),
                money4=self._money(f.balance),
            )
        )
        self.products.set_rows(list(f.products))
        rows = [
            DateRow(
                c.label,
                c.runs_out_on,
                tr("{money} at the month's start; {money2} left at month end").format(
                    money=self._money(c.available), money2=self._money(c.left_at_month_end)
                ),
            )
            for c in f.credits
        ]
        rows += [
            DateRow(
                tr("Quota: {label}").format(label=q.label),
                q.exceeded_on,
                tr("{quota:,} a month; {format_number} so far, {format_number2} projected").format(
                    quota=q.quota,
                    format_number=format_number(q.used),
                    format_number2=format_number(q.projected),
                ),
            )
            for q in f.quotas
        ]
        self.dates.set_rows(rows)
        for table, first in ((self.product_table, 1), (self.date_table, 0)):
            for column in range(first, table.model().columnCount() - (first == 0)):
                table.resizeColumnToContents(column)
            # As tall as its rows, so both tables show every row without scrolling.
            height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + 2
            count = min(max(table.model().rowCount(), 1), MOST_ROWS)
            table.setFixedHeight(height + count * table.verticalHeader().defaultSectionSize())
        self.method.setText(f.method)
        self.loaded.emit()

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
