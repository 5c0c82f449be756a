"""Close month… (issue 18 §1): what closing the oldest ended month writes, then Close.

The preview is ``services.month_close.preview_close``: the very plan ``close_month`` applies
(ledger rows, invoice and its lines, plan downgrades), read without writing. **Close month**
then runs ``close_month`` on the task runner (a local store backs itself up first); the write
is announced, so every view that shows closed months follows (the Usage tab turns read-only,
Invoices lists the invoice). While the preview loads or the close runs, a busy bar shows and
the buttons wait; a refusal (another program closed it first, the store is busy) is shown in
red in the dialog, which stays open.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.model import LedgerEntry
from billing_desktop.domain.periods import Month
from billing_desktop.services.month_close import (
    ClosePlan,
    CloseReport,
    PlanChange,
    close_month,
    preview_close,
)
from billing_desktop.store.ports import MonthLine
from billing_desktop.ui.context import TabContext, read, write
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import month_name  # in the GUI's language
from billing_desktop.ui.models.table import (
    ColumnTableModel,
    display_money,
    money_column,
    number_column,
    price_column,
    text_column,
)
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.widgets.table import make_table

ERROR_STYLE = "QLabel#statusLabel { color: #c01c28; }"
DONE_STYLE = "QLabel#statusLabel { color: #166534; }"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def kind_label(kind: str) -> str:
    return kind.replace("_", " ").capitalize()


class CloseMonthDialog(QDialog):
    """Preview and close one month (the oldest that has ended and is not closed).

    Signals:
        closed(object): the month was closed; the :class:`CloseReport`.
    """

    closed = Signal(object)

    def __init__(self, context: TabContext, month: Month, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("closeMonthDialog")
        self.context = context
        self.month = month
        self.plan: ClosePlan | None = None
        self.report: CloseReport | None = None
        self.setWindowTitle(tr("Close {month}").format(month=month_name(month, capital=False)))
        currency = context.currency

        self.intro = QLabel(self)
        self.intro.setObjectName("introLabel")
        self.intro.setWordWrap(True)
        self.intro.setText(
            tr(
                "Closing <b>{month}</b> writes what is listed below, exactly. A closed "
                "month never changes, and months close in order: this is the oldest "
                "month that has ended and is not closed. The store is backed up first."
            ).format(month=month_name(month, capital=False))
        )
        self.summary = QLabel(tr("Working out what closing writes…"), self)
        self.summary.setObjectName("summaryLabel")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.ledger_model: ColumnTableModel[LedgerEntry] = ColumnTableModel(
            [
                text_column(tr("Date"), lambda r: r.occurred_on),
                text_column(tr("Kind"), lambda r: kind_label(r.kind.value)),
                text_column(tr("Product"), lambda r: r.product or ""),
                text_column(tr("Description"), lambda r: r.description),
                text_column(tr("Reference"), lambda r: r.reference),
                money_column(tr("Amount"), lambda r: r.amount, currency, red_when_negative=True),
            ],
            self,
        )
        self.lines_model: ColumnTableModel[MonthLine] = ColumnTableModel(
            [
                text_column(tr("Product"), lambda r: r.product),
                number_column(tr("Quantity"), lambda r: r.quantity),
                number_column(tr("Free units used"), lambda r: r.free_units_used),
                price_column(tr("Unit price"), lambda r: r.unit_price, currency),
                money_column(tr("Amount"), lambda r: r.amount, currency),
                money_column(tr("Credit applied"), lambda r: r.credit_applied, currency),
                money_column(tr("Invoiced"), lambda r: r.charged, currency),
            ],
            self,
        )
        self.plans_model: ColumnTableModel[PlanChange] = ColumnTableModel(
            [
                text_column(tr("App"), lambda r: r.app_name),
                text_column(tr("Plan now"), lambda r: r.from_plan),
                text_column(tr("Plan after the close"), lambda r: r.to_plan),
                text_column(tr("Period ended"), lambda r: r.period_ended or ""),
            ],
            self,
        )
        self.sections = QTabWidget(self)
        self.sections.setObjectName("closeSections")
        self.ledger_table = self._table(self.ledger_model, "ledgerTable", stretch=3)
        self.lines_table = self._table(self.lines_model, "linesTable", stretch=0)
        self.plans_table = self._table(self.plans_model, "plansTable", stretch=0)
        self.sections.addTab(self.ledger_table, tr("Ledger rows"))
        self.sections.addTab(self.lines_table, tr("Invoice lines"))
        self.sections.addTab(self.plans_table, tr("Plan changes"))

        self.busy = QProgressBar(self)
        self.busy.setObjectName("busyBar")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.status = QLabel(self)
        self.status.setObjectName("statusLabel")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()

        self.buttons = QDialogButtonBox(self)
        self.close_button = QPushButton(
            tr("&Close {month}").format(month=month_name(month, capital=False)), self
        )
        self.close_button.setObjectName("closeMonthButton")
        self.close_button.setEnabled(False)
        self.close_button.setDefault(True)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button.clicked.connect(self.close_month)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.summary)
        layout.addWidget(self.sections, 1)
        layout.addWidget(self.busy)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(860, 520)
        self._load()

    def _table(self, model: ColumnTableModel[Any], name: str, stretch: int) -> Any:
        table = make_table(self)
        table.setObjectName(name)
        table.setModel(model)
        header = table.horizontalHeader()
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        return table

    @property
    def busy_now(self) -> bool:
        return self.busy.isVisible() and not self.busy.isHidden()

    # The preview ------------------------------------------------------------------------

    def _load(self) -> None:
        self.busy.show()
        self.context.runner.run(
            read,
            self.context.store,
            preview_close,
            self.context.actor,
            self.month,
            on_done=self._show_plan,
            on_error=self._preview_failed,
            description=f"preview closing {self.month}",
        )

    def _show_plan(self, plan: ClosePlan) -> None:
        self.plan = plan
        self.busy.hide()
        if plan.already_closed:  # closed elsewhere since the tab last looked
            self.summary.setText(
                tr("{month} is closed already: nothing to do.").format(month=month_name(self.month))
            )
            return
        currency = self.context.currency

        def money(amount: Decimal) -> str:
            return display_money(amount, currency)

        self.ledger_model.set_rows(list(plan.ledger_rows))
        self.lines_model.set_rows(list(plan.lines))
        self.plans_model.set_rows(list(plan.downgrades))
        for table in (self.ledger_table, self.lines_table, self.plans_table):
            table.resizeColumnsToContents()
        self.sections.setTabText(0, tr("Ledger rows ({count})").format(count=len(plan.ledger_rows)))
        self.sections.setTabText(1, tr("Invoice lines ({count})").format(count=len(plan.lines)))
        self.sections.setTabText(2, tr("Plan changes ({count})").format(count=len(plan.downgrades)))
        if plan.invoice is not None:
            invoice = plan.invoice
            due = tr(", due {day}").format(day=_day(invoice.due_on)) if invoice.due_on else ""
            what = tr(
                "Invoice <b>{invoice_number}</b> for <b>{amount}</b>, issued {day}{due}."
            ).format(
                invoice_number=invoice.number,
                amount=money(invoice.amount),
                day=_day(invoice.issued_on),
                due=due,
            )
        else:
            what = tr("No invoice: free units and credit cover the month.")
        downgrades = len(plan.downgrades)
        if downgrades:
            what += ntr(
                " {count} plan downgrade takes effect.",
                " {count} plan downgrades take effect.",
                downgrades,
            ).format(count=downgrades)
        elif plan.downgrades_hidden:
            what += tr(" Plan downgrades take effect (shown to those who see Plans).")
        self.summary.setText(
            tr(
                "{what}<br>{count} ledger rows. Usage beyond free units {amount}; credit "
                "applied {credit}; invoiced {invoiced}."
            ).format(
                what=what,
                count=len(plan.ledger_rows),
                amount=money(plan.amount),
                credit=money(plan.credit_applied),
                invoiced=money(plan.charged),
            )
        )
        self.close_button.setEnabled(True)
        self.close_button.setFocus()

    def _preview_failed(self, message: str) -> None:
        self.busy.hide()
        self.summary.setText(tr("Nothing can be closed now."))
        self._show_status(message, error=True)

    # Closing ----------------------------------------------------------------------------

    def close_month(self) -> None:
        if self.plan is None or self.plan.already_closed or self.report is not None:
            return
        self.close_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.busy.show()
        self._show_status(
            tr("Closing {month}… (backing up the store first)").format(
                month=month_name(self.month, capital=False)
            )
        )
        self.context.runner.run(
            write,
            self.context.store,
            close_month,
            self.context.actor,
            self.month,
            on_done=self._closed,
            on_error=self._close_failed,
            description=f"close {self.month}",
        )

    def _closed(self, report: CloseReport) -> None:
        self.report = report
        self.busy.hide()
        self._show_status(report.summary())
        self.status.setStyleSheet(DONE_STYLE)
        self.buttons.clear()
        done = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        done.clicked.connect(self.accept)
        done.setDefault(True)
        done.setFocus()
        self.closed.emit(report)

    def _close_failed(self, message: str) -> None:
        self.busy.hide()
        self.cancel_button.setEnabled(True)
        self.close_button.setEnabled(True)
        self._show_status(
            tr("The month was not closed: {message}").format(message=message), error=True
        )

    def _show_status(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(translate_message(text))
        self.status.setVisible(bool(text))
