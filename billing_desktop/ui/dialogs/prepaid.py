"""Invoices ▸ Prepaid invoices… (issue 19 §4): buy credit by a prepaid invoice, see the prepaid
invoices with their status, and mark one paid (which adds its credit). The invoices themselves
are listed, opened and printed in the Invoices tab like any other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Actor, Area
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import InvoiceStatus, PaymentMethod
from billing_desktop.domain.money import credit_amount
from billing_desktop.services import prepaid
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.ui.dialogs.common import close_button_box, status_label
from billing_desktop.ui.dialogs.manage_credits import AmountEdit, _with_currency
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.models.table import (
    NEGATIVE,
    Column,
    ColumnTableModel,
    money_column,
    text_column,
)
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tasks import TaskRunner
from billing_desktop.ui.widgets.table import make_table

STATUS = {
    InvoiceStatus.ISSUED: tr("Issued"),
    InvoiceStatus.PAID: tr("Paid"),
    InvoiceStatus.OVERDUE: tr("Overdue"),
}


def offered(pays_by: PaymentMethod | None, actor: Actor) -> bool:
    """Prepaid invoices are for accounts paying by invoice, for those who may view Usage."""
    return pays_by == PaymentMethod.INVOICE and actor.rights.can_view(Area.USAGE)


def run_prepaid(
    store: Store, actor: Actor, action: Callable[..., Any] | None, *args: Any
) -> tuple[Any, list[prepaid.PrepaidInvoice]]:
    """Worker thread: an optional write, then the list read again."""
    result = store.write(action, actor, *args) if action is not None else None
    return result, store.read(prepaid.prepaid_invoices, actor)


def _status_colour(row: prepaid.PrepaidInvoice) -> QColor | None:
    return NEGATIVE if row.status == InvoiceStatus.OVERDUE else None


class PrepaidDialog(QDialog):
    """Signals: changed() — an invoice was issued or paid; loaded() — the list is shown."""

    changed = Signal()
    loaded = Signal()

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        actor: Actor,
        currency: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("prepaidDialog")
        self.setWindowTitle(tr("Prepaid invoices"))
        self.store = store
        self.runner = runner
        self.actor = actor
        self.currency = currency
        self.can_edit = actor.rights.can_edit(Area.USAGE)
        self.busy = True

        box = QGroupBox(tr("Buy credit by invoice"), self)
        self.amount = AmountEdit(currency, box)
        self.amount.setObjectName("prepaidAmount")
        self.issue_button = QPushButton(tr("&Issue prepaid invoice"), box)
        self.issue_button.setObjectName("issuePrepaidButton")
        intro = QLabel(
            tr(
                "A prepaid invoice (PRE-000001, …) is due after the account's payment terms; its "
                "credit is added when it is paid, and never expires."
            ),
            box,
        )
        intro.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("Amount:"), box))
        row.addWidget(_with_currency(self.amount, box), 1)
        row.addWidget(self.issue_button)
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(intro)
        box_layout.addLayout(row)

        columns: list[Column[prepaid.PrepaidInvoice]] = [
            text_column(tr("Number"), lambda r: r.number),
            text_column(tr("Issued"), lambda r: r.issued_on.isoformat()),
            text_column(tr("Due"), lambda r: r.due_on.isoformat() if r.due_on else "—"),
            money_column(tr("Amount"), lambda r: r.amount, currency),
            Column(tr("Status"), lambda r: STATUS[r.status], foreground=_status_colour),
            text_column(tr("Paid"), lambda r: r.paid_on.isoformat() if r.paid_on else ""),
        ]
        self.model: ColumnTableModel[prepaid.PrepaidInvoice] = ColumnTableModel(columns, self)
        self.table = make_table(self)
        self.table.setObjectName("prepaidTable")
        self.table.setModel(self.model)
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = QLabel(tr("No prepaid invoices yet."), self)
        self.paid_button = QPushButton(tr("&Mark paid"), self)
        self.paid_button.setObjectName("markPaidButton")
        self.paid_button.setToolTip(
            tr("Record the payment of the selected invoice; adds its credit")
        )
        actions = QHBoxLayout()
        actions.addWidget(self.empty)
        actions.addStretch(1)
        actions.addWidget(self.paid_button)

        self.status = status_label(self)
        self.buttons = close_button_box(self, self.issue_button, self.paid_button)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumSize(640, 420)

        self.issue_button.clicked.connect(self.issue)
        self.amount.returnPressed.connect(self.issue)
        self.paid_button.clicked.connect(self.mark_paid)
        self.table.selectionModel().selectionChanged.connect(self._update_enabled)
        self._update_enabled()
        self._run(None)

    def selected(self) -> prepaid.PrepaidInvoice | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_enabled(self) -> None:
        editable = self.can_edit and not self.busy
        self.amount.setEnabled(editable)
        self.issue_button.setEnabled(editable)
        chosen = self.selected()
        self.paid_button.setEnabled(
            editable and chosen is not None and chosen.status != InvoiceStatus.PAID
        )
        tip = "" if self.can_edit else tr("Issuing and marking paid need the right to edit Usage.")
        for widget in (self.amount, self.issue_button):
            widget.setToolTip(tip)

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(translate_message(text))
        palette = self.status.palette()
        colour = NEGATIVE if error else self.palette().color(QPalette.ColorRole.WindowText)
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
        self.status.setPalette(palette)

    def issue(self) -> None:
        if not self.can_edit or self.busy:
            return
        try:
            value = credit_amount(self.amount.text(), self.currency, tr("Prepaid amount"))
        except InvalidInput as exc:
            self.show_status(str(exc), error=True)
            self.amount.setFocus()
            return
        self._run(prepaid.issue_prepaid_invoice, value)

    def mark_paid(self) -> None:
        chosen = self.selected()
        if chosen is not None and self.can_edit and not self.busy:
            self._run(prepaid.mark_prepaid_paid, chosen.number)

    def _run(self, action: Callable[..., Any] | None, *args: Any) -> None:
        self.busy = True
        self._update_enabled()
        if action is not None:
            self.show_status(tr("Saving…"))
        self.runner.run(
            run_prepaid,
            self.store,
            self.actor,
            action,
            *args,
            on_done=lambda outcome: self._done(outcome, action is not None),
            on_error=self._failed,
            description="prepaid invoices",
        )

    def _done(self, outcome: tuple[Any, list[prepaid.PrepaidInvoice]], wrote: bool) -> None:
        self.busy = False
        result, rows = outcome
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self.empty.setVisible(not rows)
        if wrote and isinstance(result, prepaid.PrepaidInvoice):
            self.show_status(result.summary())
            self.amount.clear()
            self.changed.emit()
        self._update_enabled()
        self.loaded.emit()

    def _failed(self, message: str) -> None:
        self.busy = False
        self._update_enabled()
        self.show_status(message, error=True)
        self.loaded.emit()
