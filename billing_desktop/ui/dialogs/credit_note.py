"""Invoices ▸ Credit note…: correct the selected invoice (or one of its lines) with a credit note.

It reads what may still be credited (``credit_notes.creditable``), collects the amount, the
line and the reason, and runs ``credit_notes.issue_credit_note`` on the task runner. A closed
month is never changed: the credit note is a document of its own (CN-…), dated today.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Area
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.money import credit_amount
from billing_desktop.services.credit_notes import Creditable, CreditNoteResult, creditable
from billing_desktop.services.credit_notes import issue_credit_note as issue
from billing_desktop.services.statements import HistoryRow
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.dialogs.common import close_button_box, colour_label, status_label
from billing_desktop.ui.dialogs.manage_credits import AmountEdit, _with_currency
from billing_desktop.ui.dialogs.record_payment import VIEW_ONLY
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.locale_format import format_money  # in the GUI's language
from billing_desktop.ui.service_messages import translate_message

WHOLE = ""


class CreditNoteDialog(QDialog):
    """Write a credit note against one invoice.

    Signals:
        changed(): a credit note was written.
    """

    changed = Signal()

    def __init__(self, context: TabContext, row: HistoryRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("creditNoteDialog")
        self.setWindowTitle(tr("Credit note for {number}").format(number=row.number))
        self.context = context
        self.row = row
        self.currency = context.currency or "USD"
        self.can_edit = context.actor.rights.can_edit(Area.USAGE)
        self.busy = True  # until what may be credited is read
        self.limits: dict[str, Decimal] = {}
        self.left_to_pay = row.left

        self.intro = QLabel(self)
        self.intro.setObjectName("creditIntro")
        self.intro.setWordWrap(True)
        self.intro.setText(
            tr(
                "<b>{number}</b> · {description}<br>A closed month never changes: a "
                "credit note corrects its invoice. It reduces what is left to pay, or "
                "becomes credit when the invoice is paid."
            ).format(number=row.number, description=row.description)
        )
        self.line = QComboBox(self)
        self.line.setObjectName("creditLine")
        self.amount = AmountEdit(self.currency, self)
        self.amount.setObjectName("creditAmount")
        self.reason = QLineEdit(self)
        self.reason.setObjectName("creditReason")
        self.reason.setPlaceholderText(tr("shown on the credit note (required)"))
        self.reason.setMinimumWidth(320)
        self.effect = QLabel(self)
        self.effect.setObjectName("creditEffect")
        self.effect.setWordWrap(True)
        self.issue_button = QPushButton(tr("&Issue credit note"), self)
        self.issue_button.setObjectName("issueButton")
        form = QFormLayout()
        labels = (
            (tr("&Against:"), self.line),
            (tr("&Amount:"), None),
            (tr("&Reason:"), self.reason),
        )
        for text, widget in labels:
            label = QLabel(text, self)
            if widget is None:
                label.setBuddy(self.amount)
                form.addRow(label, _with_currency(self.amount, self))
            else:
                label.setBuddy(widget)
                form.addRow(label, widget)
        bottom = QHBoxLayout()
        bottom.addWidget(self.effect, 1)
        bottom.addWidget(self.issue_button)
        self.status = status_label(self)
        self.buttons = close_button_box(self, self.issue_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addLayout(bottom)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

        self.issue_button.clicked.connect(self.issue)
        self.amount.textChanged.connect(self._show_effect)
        self.line.currentIndexChanged.connect(self._show_effect)
        self.reason.textChanged.connect(self._update_enabled)
        self._update_enabled()
        self.show_status(tr("Reading the invoice…"))
        self.load()

    def load(self) -> None:
        self.context.runner.run(
            self.context.store.read,
            creditable,
            self.context.actor,
            self.row.number,
            on_done=self._loaded,
            on_error=self._failed,
            description=f"read what may be credited on {self.row.number}",
        )

    def _loaded(self, found: Creditable) -> None:
        self.busy = False
        self.left_to_pay = found.left_to_pay
        self.limits = {WHOLE: found.total}
        self.line.blockSignals(True)
        self.line.clear()
        self.line.addItem(
            tr("The whole invoice (up to {amount})").format(
                amount=format_money(found.total, self.currency)
            ),
            WHOLE,
        )
        for code, name, left in found.lines:
            self.limits[code] = left
            self.line.addItem(
                tr("Line: {name} (up to {amount})").format(
                    name=name, amount=format_money(left, self.currency)
                ),
                code,
            )
        self.line.blockSignals(False)
        if found.total <= 0:
            self.show_status(tr("Nothing is left to credit on this invoice."))
        elif self.status.text() == tr("Reading the invoice…"):
            self.show_status("")
        self._show_effect()
        self._update_enabled()

    @property
    def limit(self) -> Decimal:
        return self.limits.get(str(self.line.currentData() or WHOLE), Decimal(0))

    def _show_effect(self) -> None:
        try:
            amount = credit_amount(self.amount.text(), self.currency, tr("Amount"))
        except InvalidInput:
            self.effect.setText("")
            return
        if amount > self.limit:
            self.effect.setText(
                tr("More than the {amount} left.").format(
                    amount=format_money(self.limit, self.currency)
                )
            )
        elif amount <= self.left_to_pay:
            rest = format_money(self.left_to_pay - amount, self.currency)
            self.effect.setText(tr("Reduces what is due; {rest} left to pay.").format(rest=rest))
        else:
            extra = format_money(amount - self.left_to_pay, self.currency)
            self.effect.setText(tr("{extra} becomes credit (already paid).").format(extra=extra))

    def _update_enabled(self) -> None:
        editable = self.can_edit and not self.busy and bool(self.limits.get(WHOLE))
        for widget in (self.line, self.amount, self.reason):
            widget.setEnabled(editable)
        self.issue_button.setEnabled(editable and bool(self.reason.text().strip()))
        self.issue_button.setToolTip("" if self.can_edit else VIEW_ONLY)

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(translate_message(text))
        colour_label(self.status, error)

    def issue(self) -> None:
        if self.busy or not self.can_edit:
            return
        try:
            amount = credit_amount(self.amount.text(), self.currency, tr("Amount"))
        except InvalidInput as exc:
            self.show_status(str(exc), error=True)
            self.amount.setFocus()
            return
        line = str(self.line.currentData() or WHOLE) or None
        self.busy = True
        self._update_enabled()
        self.show_status(tr("Saving…"))
        self.context.runner.run(
            self.context.store.write,
            issue,
            self.context.actor,
            self.row.number,
            amount,
            self.reason.text(),
            line,
            on_done=self._done,
            on_error=self._failed,
            description=f"write a credit note for {self.row.number}",
        )

    def _done(self, note: CreditNoteResult) -> None:
        text = tr("Credit note {note_number} for {amount} written.").format(
            note_number=note.number, amount=format_money(note.amount, self.currency)
        )
        if note.to_credit:
            text += tr(" {amount} became credit.").format(
                amount=format_money(note.to_credit, self.currency)
            )
        text += tr(" Left to pay on {invoice}: {amount}.").format(
            invoice=note.invoice, amount=format_money(note.left, self.currency)
        )
        self.amount.clear()
        self.reason.clear()
        self.changed.emit()
        self.load()
        self.show_status(text)

    def _failed(self, message: str) -> None:
        self.busy = False
        self._update_enabled()
        self.show_status(message, error=True)


__all__ = ["CreditNoteDialog"]
