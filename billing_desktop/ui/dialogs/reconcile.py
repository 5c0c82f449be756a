"""Invoices ▸ Reconcile…: match imported bank-statement lines to invoices and confirm them.

``import payments FILE`` (File ▸ Import, or the button here) stages a statement's lines; this
view lists those not confirmed yet as ``reconcile.reconciliation`` matches them (matched by the
invoice number in the reference, suggested by an exact open amount, unmatched) and records the
payments of the lines the accountant confirms (``reconcile.confirm_lines``, all or none).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Area
from billing_desktop.services.reconcile import (
    Confirmed,
    Dismissed,
    MatchState,
    ReconcileLine,
    Reconciliation,
    confirm_lines,
    dismiss_lines,
    reconciliation,
)
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.dialogs.common import close_button_box, colour_label, status_label
from billing_desktop.ui.dialogs.record_payment import VIEW_ONLY
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import format_money  # in the GUI's language
from billing_desktop.ui.models.table import (
    LEFT,
    RIGHT,
    Column,
    ColumnTableModel,
    display_money,
    money_column,
    text_column,
)
from billing_desktop.ui.service_messages import translate_message

STATE_TITLES = {
    MatchState.MATCHED: tr("Matched"),
    MatchState.SUGGESTED: tr("Suggested"),
    MatchState.UNMATCHED: tr("Unmatched"),
}
STATE_COLOURS = {
    MatchState.MATCHED: QColor(30, 123, 52),
    MatchState.SUGGESTED: QColor(154, 103, 0),
    MatchState.UNMATCHED: QColor(192, 28, 40),
}
NONE = ""


def import_statement(context: TabContext, path: Path) -> Any:
    """Worker thread: stage the statement's lines (``import payments``), local or remote."""
    from billing_desktop.services.imports import import_file

    store: Any = context.store
    remote_import = getattr(store, "import_csv", None)
    if remote_import is not None:
        return remote_import("payments", path)
    return import_file(store, "payments", path, user_id=context.actor.user_id)


class ReconcileDialog(QDialog):
    """Bank lines waiting for confirmation, with the invoice each would pay.

    Signals:
        changed(): payments were recorded (or a statement imported).
    """

    changed = Signal()

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reconcileDialog")
        self.setWindowTitle(tr("Reconcile bank statement"))
        self.context = context
        self.currency = context.currency or "USD"
        self.can_edit = context.actor.rights.can_edit(Area.USAGE)
        self.busy = False
        self.choices: dict[str, str] = {}  # line id -> invoice chosen by hand

        self.intro = QLabel(
            tr(
                "Lines of imported bank statements that no payment was recorded from yet. "
                "<b>Matched</b>: the reference names the invoice. <b>Suggested</b>: exactly what "
                "is left on an invoice. Choose the invoice of a line, then confirm: each confirmed "
                "line records a bank-transfer payment."
            ),
            self,
        )
        self.intro.setObjectName("reconcileIntro")
        self.intro.setWordWrap(True)
        self.model: ColumnTableModel[ReconcileLine] = ColumnTableModel(self._columns(), self)
        self.table = QTableView(self)
        self.table.setObjectName("reconcileTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setMinimumHeight(200)
        self.empty = QLabel(self)
        self.empty.setObjectName("reconcileEmpty")
        self.empty.setWordWrap(True)

        self.invoice = QComboBox(self)
        self.invoice.setObjectName("invoiceChoice")
        self.invoice.setMinimumWidth(260)
        invoice_label = QLabel(tr("&Invoice of the selected line:"), self)
        invoice_label.setBuddy(self.invoice)
        self.import_button = QPushButton(tr("I&mport statement…"), self)
        self.import_button.setObjectName("importButton")
        self.confirm_selected = QPushButton(tr("&Confirm selected"), self)
        self.confirm_selected.setObjectName("confirmSelected")
        self.confirm_matched = QPushButton(tr("Confirm all &matched"), self)
        self.confirm_matched.setObjectName("confirmMatched")
        self.dismiss_button = QPushButton(tr("&Not a payment"), self)
        self.dismiss_button.setObjectName("dismissButton")
        self.dismiss_button.setToolTip(
            tr("Set the selected lines aside (a refund, a deposit): they leave this list")
        )
        row = QHBoxLayout()
        row.addWidget(invoice_label)
        row.addWidget(self.invoice)
        row.addStretch(1)
        row.addWidget(self.import_button)
        row.addWidget(self.dismiss_button)
        row.addWidget(self.confirm_selected)
        row.addWidget(self.confirm_matched)
        self.status = status_label(self)
        self.buttons = close_button_box(
            self,
            self.import_button,
            self.dismiss_button,
            self.confirm_selected,
            self.confirm_matched,
        )
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumSize(max(900, layout.minimumSize().width()), 420)  # longer languages

        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._update_enabled)
        self.invoice.activated.connect(self._invoice_chosen)
        self.confirm_selected.clicked.connect(self.confirm_selection)
        self.confirm_matched.clicked.connect(self.confirm_all_matched)
        self.import_button.clicked.connect(self.choose_statement)
        self.dismiss_button.clicked.connect(self.dismiss_selection)
        self._update_enabled()
        self.load()

    def _columns(self) -> list[Column[ReconcileLine]]:
        currency = self.currency
        return [
            text_column(tr("Date"), lambda r: r.booked_on),
            money_column(tr("Amount"), lambda r: r.amount, currency),
            text_column(tr("Reference"), lambda r: r.reference),
            text_column(tr("Payer"), lambda r: r.payer),
            Column[ReconcileLine](
                tr("Match"),
                lambda r: STATE_TITLES[r.state],
                LEFT,
                tr("Matched by the invoice number in the reference, suggested by the amount"),
                raw=lambda r: r.state,
                foreground=lambda r: STATE_COLOURS[r.state],
            ),
            text_column(tr("Invoice"), lambda r: self.invoice_of(r) or "—"),
            Column[ReconcileLine](
                tr("Left on it"),
                lambda r: display_money(r.left, currency) if self.invoice_of(r) else "—",
                RIGHT,
                tr("What is left to pay on the invoice now"),
                raw=lambda r: r.left,
            ),
            text_column(tr("Note"), lambda r: r.note),
        ]

    def invoice_of(self, line: ReconcileLine) -> str:
        return self.choices.get(line.id, line.invoice)

    # Loading -----------------------------------------------------------------------------

    def load(self) -> None:
        self.context.runner.run(
            self.context.store.read,
            reconciliation,
            self.context.actor,
            on_done=self._loaded,
            on_error=lambda message: self.show_status(message, error=True),
            description="read the bank lines to reconcile",
        )

    def _loaded(self, found: Reconciliation) -> None:
        self.choices = {
            k: v for k, v in self.choices.items() if any(k == x.id for x in found.lines)
        }
        self.model.set_rows(list(found.lines))
        self.invoice.clear()
        self.invoice.addItem(tr("— choose an invoice —"), NONE)
        for number, left in found.open_invoices:
            self.invoice.addItem(
                tr("{number} ({amount} left)").format(
                    number=number, amount=format_money(left, self.currency)
                ),
                number,
            )
        self.empty.setText(
            tr(
                "No bank lines wait for confirmation. Import a bank statement (CSV: "
                "date, amount, reference, payer; or CAMT.053 XML). {confirmed} line(s) "
                "confirmed earlier, {dismissed} set aside."
            ).format(confirmed=found.confirmed, dismissed=found.dismissed)
        )
        self._update_enabled()

    # Selection ---------------------------------------------------------------------------

    @property
    def selected_lines(self) -> list[ReconcileLine]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.row_at(row) for row in rows]

    def _selection_changed(self) -> None:
        lines = self.selected_lines
        if len(lines) == 1:
            index = self.invoice.findData(self.invoice_of(lines[0]))
            if index < 0 and self.invoice_of(lines[0]):
                number = self.invoice_of(lines[0])
                self.invoice.addItem(
                    tr("{number} (paid: the amount becomes credit)").format(number=number), number
                )
                index = self.invoice.count() - 1
            self.invoice.setCurrentIndex(max(index, 0))
        self._update_enabled()

    def _invoice_chosen(self) -> None:
        number = str(self.invoice.currentData() or NONE)
        for line in self.selected_lines:
            self.choices[line.id] = number
        top = self.model.index(0, 0)
        bottom = self.model.index(self.model.rowCount() - 1, self.model.columnCount() - 1)
        self.model.dataChanged.emit(top, bottom)
        self._update_enabled()

    def _update_enabled(self) -> None:
        editable = self.can_edit and not self.busy
        lines = self.selected_lines
        has_rows = self.model.rowCount() > 0
        self.table.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        self.invoice.setEnabled(editable and bool(lines))
        self.confirm_selected.setEnabled(
            editable and bool(lines) and all(self.invoice_of(line) for line in lines)
        )
        self.confirm_matched.setEnabled(
            editable and any(line.state == MatchState.MATCHED for line in self.model.rows)
        )
        self.import_button.setEnabled(editable)
        self.dismiss_button.setEnabled(editable and bool(lines))
        tip = "" if self.can_edit else VIEW_ONLY
        for button in (self.confirm_selected, self.confirm_matched, self.import_button):
            button.setToolTip(tip)

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(translate_message(text))
        colour_label(self.status, error)

    # Actions -----------------------------------------------------------------------------

    def confirm_selection(self) -> None:
        self._confirm([(line.id, self.invoice_of(line)) for line in self.selected_lines])

    def confirm_all_matched(self) -> None:
        self._confirm(
            [
                (line.id, self.invoice_of(line))
                for line in self.model.rows
                if line.state == MatchState.MATCHED and self.invoice_of(line)
            ]
        )

    def _confirm(self, choices: list[tuple[str, str]]) -> None:
        if self.busy or not self.can_edit or not choices or not all(i for _l, i in choices):
            return
        self._start(tr("Recording payments…"))
        self.context.runner.run(
            self.context.store.write,
            confirm_lines,
            self.context.actor,
            choices,
            on_done=self._confirmed,
            on_error=self._failed,
            description="confirm bank lines",
        )

    def dismiss_selection(self) -> None:
        lines = [line.id for line in self.selected_lines]
        if self.busy or not self.can_edit or not lines:
            return
        self._start(tr("Setting aside…"))
        self.context.runner.run(
            self.context.store.write,
            dismiss_lines,
            self.context.actor,
            lines,
            on_done=self._dismissed,
            on_error=self._failed,
            description="set bank lines aside",
        )

    def _dismissed(self, done: Dismissed) -> None:
        self.busy = False
        self.show_status(
            ntr(
                "Set aside {count} line: not a payment of an invoice.",
                "Set aside {count} lines: not payments of invoices.",
                len(done.lines),
            ).format(count=len(done.lines))
        )
        self.changed.emit()
        self.load()

    def _confirmed(self, done: Confirmed) -> None:
        self.busy = False
        count = len(done.payments)
        self.show_status(
            ntr(
                "Recorded {count} payment: {payments}.",
                "Recorded {count} payments: {payments}.",
                count,
            ).format(count=count, payments=", ".join(done.payments))
        )
        self.changed.emit()
        self.load()

    def choose_statement(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            tr("Import a bank statement"),
            str(Path.home()),
            tr("Bank statements (*.csv *.xml);;All files (*)"),
        )
        if chosen:
            self.import_file(Path(chosen))

    def import_file(self, path: Path) -> None:
        if self.busy or not self.can_edit:
            return
        self._start(tr("Importing {file}…").format(file=path.name))
        self.context.runner.run(
            partial(import_statement, self.context),
            path,
            on_done=self._imported,
            on_error=lambda message: self._failed(
                tr("{file}: nothing was imported. {message}").format(
                    file=path.name, message=message
                )
            ),
            description=f"import {path.name}",
        )

    def _imported(self, report: Any) -> None:
        self.busy = False
        summary = report.summary() if hasattr(report, "summary") else str(report)
        self.show_status(summary)
        self.changed.emit()
        self.load()

    def _start(self, text: str) -> None:
        self.busy = True
        self._update_enabled()
        self.show_status(text)

    def _failed(self, message: str) -> None:
        self.busy = False
        self._update_enabled()
        self.show_status(message, error=True)


__all__ = ["ReconcileDialog", "import_statement"]
