"""Invoices ▸ Record payment…: record a payment of the selected invoice, see and void its payments.

The dialog collects and checks input; ``payments.record_payment`` / ``void_payment`` run on the
task runner (ledger and audit rows in one transaction). The store's change broadcast makes the
Invoices tab (and the Usage tab, for credit) follow; the dialog reads the invoice's payments
again itself.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Area
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.money import credit_amount, format_amount
from billing_desktop.domain.receivables import ReceiptMethod
from billing_desktop.services.payments import (
    PaymentList,
    PaymentResult,
    PaymentRow,
    list_payments,
    record_payment,
    void_payment,
)
from billing_desktop.services.statements import HistoryRow
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.dialogs.common import (
    close_button_box,
    colour_label,
    status_label,
)
from billing_desktop.ui.dialogs.manage_credits import AmountEdit, _with_currency
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.locale_format import format_money  # in the GUI's language
from billing_desktop.ui.models.table import (
    RIGHT,
    Column,
    ColumnTableModel,
    display_money,
    money_column,
    text_column,
)
from billing_desktop.ui.service_messages import translate_message

VIEW_ONLY = tr(
    "You may see payments but not record them: that needs the right to edit billing "
    "(admins and the Edit Billing access group)."
)


def payment_columns(currency: str | None) -> list[Any]:
    return [
        text_column(tr("Payment"), lambda r: r.number),
        text_column(tr("Date"), lambda r: r.paid_on),
        money_column(tr("Amount"), lambda r: r.amount, currency),
        Column[PaymentRow](
            tr("To credit"),
            lambda r: display_money(r.to_credit, currency) if r.to_credit else "—",
            RIGHT,
            tr("What it brought beyond what was left on the invoice: kept as credit"),
            raw=lambda r: r.to_credit,
        ),
        text_column(tr("Method"), lambda r: r.method.label),
        text_column(tr("Reference"), lambda r: r.reference),
        text_column(
            tr("Void"),
            lambda r: f"{r.voided_on.isoformat()}: {r.void_reason}" if r.voided_on else "",
            tr("A voided payment stays listed; reversing ledger rows undo it"),
        ),
    ]


class RecordPaymentDialog(QDialog):
    """Record a payment of one invoice; list its payments and void one.

    Signals:
        changed(): a payment was recorded or voided.
    """

    changed = Signal()

    def __init__(self, context: TabContext, row: HistoryRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordPaymentDialog")
        self.setWindowTitle(tr("Payments of {number}").format(number=row.number))
        self.context = context
        self.row = row
        self.left = row.left
        self.currency = context.currency or "USD"
        self.busy = False
        self.can_edit = context.actor.rights.can_edit(Area.USAGE)

        self.summary = QLabel(self)
        self.summary.setObjectName("invoiceSummary")
        self.summary.setWordWrap(True)

        self.form_box = QGroupBox(tr("Record a payment"), self)
        self.amount = AmountEdit(self.currency, self.form_box)
        self.amount.setObjectName("paymentAmount")
        self.date = QDateEdit(self.form_box)
        self.date.setObjectName("paymentDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setDate(QDate.currentDate())
        self.date.setMinimumDate(QDate(row.issued_on.year, row.issued_on.month, row.issued_on.day))
        self.date.setMaximumDate(QDate.currentDate())
        self.method = QComboBox(self.form_box)
        self.method.setObjectName("paymentMethod")
        for method in ReceiptMethod:
            self.method.addItem(method.label, method.value)
        self.reference = QLineEdit(self.form_box)
        self.reference.setObjectName("paymentReference")
        self.reference.setPlaceholderText(tr("the bank's or payer's reference"))
        self.reference.setText(row.number)
        self.payer = QLineEdit(self.form_box)
        self.payer.setObjectName("paymentPayer")
        self.payer.setPlaceholderText(tr("optional"))
        self.effect = QLabel(self.form_box)
        self.effect.setObjectName("paymentEffect")
        self.effect.setWordWrap(True)
        self.record_button = QPushButton(tr("&Record payment"), self.form_box)
        self.record_button.setObjectName("recordButton")
        form = QFormLayout()
        fields: tuple[tuple[str, QWidget, QWidget], ...] = (
            (tr("&Amount:"), self.amount, _with_currency(self.amount, self.form_box)),
            (tr("&Date:"), self.date, self.date),
            (tr("&Method:"), self.method, self.method),
            (tr("R&eference:"), self.reference, self.reference),
            (tr("Pa&yer:"), self.payer, self.payer),
        )
        for text, buddy, field in fields:
            label = QLabel(text, self.form_box)
            label.setBuddy(buddy)
            form.addRow(label, field)
        box_layout = QVBoxLayout(self.form_box)
        box_layout.addLayout(form)
        bottom = QHBoxLayout()
        bottom.addWidget(self.effect, 1)
        bottom.addWidget(self.record_button)
        box_layout.addLayout(bottom)

        self.list_box = QGroupBox(tr("Payments of this invoice"), self)
        self.model: ColumnTableModel[PaymentRow] = ColumnTableModel(
            payment_columns(self.currency), self
        )
        self.table = QTableView(self.list_box)
        self.table.setObjectName("paymentsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(120)
        self.empty = QLabel(tr("No payments recorded for this invoice yet."), self.list_box)
        self.empty.setObjectName("emptyPayments")
        self.reason = QLineEdit(self.list_box)
        self.reason.setObjectName("voidReason")
        self.reason.setPlaceholderText(tr("why the selected payment is voided (required)"))
        self.void_button = QPushButton(tr("&Void payment"), self.list_box)
        self.void_button.setObjectName("voidButton")
        list_layout = QVBoxLayout(self.list_box)
        list_layout.addWidget(self.table)
        list_layout.addWidget(self.empty)
        void_row = QHBoxLayout()
        reason_label = QLabel(tr("Rea&son:"), self.list_box)
        reason_label.setBuddy(self.reason)
        void_row.addWidget(reason_label)
        void_row.addWidget(self.reason, 1)
        void_row.addWidget(self.void_button)
        list_layout.addLayout(void_row)

        self.status = status_label(self)
        self.buttons = close_button_box(self, self.record_button, self.void_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.summary)
        layout.addWidget(self.form_box)
        layout.addWidget(self.list_box, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(760)

        self.record_button.clicked.connect(self.record)
        self.amount.returnPressed.connect(self.record)
        self.amount.textChanged.connect(self._show_effect)
        self.void_button.clicked.connect(self.void)
        self.reason.textChanged.connect(self._update_enabled)
        self.table.selectionModel().selectionChanged.connect(self._update_enabled)
        self.model.modelReset.connect(self._update_enabled)

        if self.left > 0:
            self.amount.setText(format_amount(self.left, self.currency))
        self._show_summary()
        self._show_effect()
        self._update_enabled()
        self.load()

    # State ------------------------------------------------------------------------------

    def _show_summary(self) -> None:
        row = self.row
        money = format_money(row.amount, self.currency)
        left = format_money(self.left, self.currency)
        self.summary.setText(
            tr(
                "<b>{number}</b> · {description} · issued {issued_on}<br>Amount {money} "
                "· left to pay <b>{left}</b>"
            ).format(
                number=row.number,
                description=row.description,
                issued_on=row.issued_on.isoformat(),
                money=money,
                left=left,
            )
        )

    def _show_effect(self) -> None:
        try:
            amount = credit_amount(self.amount.text(), self.currency, tr("Amount"))
        except InvalidInput:
            self.effect.setText("")
            return
        if amount < self.left:
            text = tr("Leaves {amount} to pay (partly paid).").format(
                amount=format_money(self.left - amount, self.currency)
            )
        elif amount == self.left:
            text = tr("Pays the invoice in full.")
        else:
            extra = format_money(amount - max(self.left, Decimal(0)), self.currency)
            text = tr("Pays the invoice; {extra} beyond it becomes credit.").format(extra=extra)
        self.effect.setText(text)

    @property
    def selected(self) -> PaymentRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if len(rows) == 1 else None

    def _update_enabled(self) -> None:
        editable = self.can_edit and not self.busy
        for widget in (self.amount, self.date, self.method, self.reference, self.payer):
            widget.setEnabled(editable)
        self.record_button.setEnabled(editable)
        chosen = self.selected
        voidable = editable and chosen is not None and chosen.voided_on is None
        self.reason.setEnabled(voidable)
        self.void_button.setEnabled(voidable and bool(self.reason.text().strip()))
        tip = "" if self.can_edit else VIEW_ONLY
        for button in (self.record_button, self.void_button):
            button.setToolTip(tip)
        has_rows = self.model.rowCount() > 0
        self.table.setVisible(has_rows)
        self.empty.setVisible(not has_rows)

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(translate_message(text))
        colour_label(self.status, error)

    # Store ------------------------------------------------------------------------------

    def load(self) -> None:
        self.context.runner.run(
            self.context.store.read,
            list_payments,
            self.context.actor,
            self.row.number,
            on_done=self._loaded,
            on_error=lambda message: self.show_status(message, error=True),
            description=f"read the payments of {self.row.number}",
        )

    def _loaded(self, found: PaymentList) -> None:
        self.model.set_rows(list(found.rows))

    def record(self) -> None:
        if not self.can_edit or self.busy:
            return
        try:
            amount = credit_amount(self.amount.text(), self.currency, tr("Amount"))
        except InvalidInput as exc:
            self.show_status(str(exc), error=True)
            self.amount.setFocus()
            return
        day = self.date.date().toPython()
        self._run(
            record_payment,
            self.row.number,
            amount,
            day,
            ReceiptMethod(self.method.currentData()),
            self.reference.text(),
            self.payer.text(),
            verb=tr("Recorded"),
        )

    def void(self) -> None:
        chosen = self.selected
        if chosen is None or not self.can_edit or self.busy or not self.reason.text().strip():
            return
        self._run(void_payment, chosen.number, self.reason.text(), verb=tr("Voided"))

    def _run(self, action: Any, *args: Any, verb: str) -> None:
        self.busy = True
        self._update_enabled()
        self.show_status(tr("Saving…"))
        self.context.runner.run(
            self.context.store.write,
            action,
            self.context.actor,
            *args,
            on_done=lambda result: self._done(result, verb),
            on_error=self._failed,
            description=f"{verb.lower()} a payment",
        )

    def _done(self, result: PaymentResult, verb: str) -> None:
        self.busy = False
        payment = result.payment
        self.left = result.left
        text = tr("{verb} {payment_number}: {amount}.").format(
            verb=verb,
            payment_number=payment.number,
            amount=format_money(payment.amount, self.currency),
        )
        if verb == tr("Recorded") and payment.to_credit:
            text += tr(" {amount} became credit.").format(
                amount=format_money(payment.to_credit, self.currency)
            )
        text += tr(" Left to pay: {amount}.").format(
            amount=format_money(result.left, self.currency)
        )
        self.reason.clear()
        self.amount.setText(format_amount(self.left, self.currency) if self.left > 0 else "")
        self._show_summary()
        self._update_enabled()
        self.show_status(text)
        self.changed.emit()
        self.load()

    def _failed(self, message: str) -> None:
        self.busy = False
        self._update_enabled()
        self.show_status(message, error=True)


__all__ = ["RecordPaymentDialog", "payment_columns"]
