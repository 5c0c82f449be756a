"""Invoices tab (PRODUCT §8): invoice and order history, filters, and the invoice PDFs.

The history is read by ``services.statements.invoice_history`` (statuses derived from the
ledger: issued, paid, overdue). Open, Save as PDF and Print render the invoice PDF on the task
runner, with a progress dialog that can cancel it; Print shows it in the print preview, whose
printer button opens the system print dialog. Enterprise accounts get an explanation instead:
their invoices are handled outside the product (the service refuses the call too).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Actor, Area
from billing_desktop.domain.model import InvoiceStatus, PlanTier
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.services.overview import ENTERPRISE_INVOICES
from billing_desktop.services.statements import DocumentKind, History, HistoryRow, invoice_history
from billing_desktop.services.task_state import TaskState
from billing_desktop.ui import theme
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.models.table import (
    LEFT,
    NEGATIVE,
    Column,
    display_money,
    money_column,
    text_column,
)
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tabs.base import TableTab

if TYPE_CHECKING:
    from billing_desktop.ui.dialogs.print_preview import PdfFile, RenderProgress

STATUS_TITLES = {
    InvoiceStatus.ISSUED: tr("Issued"),
    InvoiceStatus.PAID: tr("Paid"),
    InvoiceStatus.OVERDUE: tr("Overdue"),
    InvoiceStatus.PARTLY_PAID: tr("Partly paid"),
}
KIND_TITLES = {
    DocumentKind.INVOICE: tr("Invoice"),
    DocumentKind.RECEIPT: tr("Receipt"),
    DocumentKind.CREDIT_NOTE: tr("Credit note"),
}
PAID = theme.POSITIVE
ALL = "all"


def render_invoice_file(
    store: Store,
    actor: Actor,
    number: str,
    state: TaskState,
) -> PdfFile:
    """Read invoice ``number`` and render its PDF, Factur-X for an invoice (runs on a worker
    thread)."""
    from billing_desktop.archive.invoices import invoice_files
    from billing_desktop.ui.dialogs.print_preview import PdfFile, render_hooks

    files = invoice_files(store, actor, number, render_hooks(state))
    return PdfFile(f"{number}.pdf", files.pdf)


class InvoicesTab(TableTab):
    """Invoices and orders, newest first, filtered by year and status; open, save or print
    the selected one's PDF.

    Signals:
        loaded(): see :class:`TableTab`.
    """

    area = Area.INVOICES
    watches = frozenset({"workspace", "credits", "closing", "plans"})
    min_first_width = 110
    stretch_column = 7  # the document's description takes the spare width

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._year: int | None = None
        self._status: InvoiceStatus | None = None
        self._progress: RenderProgress | None = None
        self.last_pdf: Path | None = None
        self.preview: QWidget | None = None
        self.dialog: QWidget | None = None  # the open payments, credit note or reconcile dialog

        self.year_combo = QComboBox(self)
        self.year_combo.setObjectName("yearFilter")
        self.year_combo.setToolTip(tr("Show the documents issued in one year"))
        self.year_combo.addItem(tr("All years"), ALL)
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("statusFilter")
        self.status_combo.setToolTip(tr("Show documents with one status"))
        self.status_combo.addItem(tr("All statuses"), ALL)
        for status, title in STATUS_TITLES.items():
            self.status_combo.addItem(title, status.value)
        self.open_button = self._button(
            tr("&Open"), "openButton", tr("Open the PDF in your PDF viewer")
        )
        self.save_button = self._button(
            tr("&Save as PDF…"), "saveButton", tr("Save the PDF of the selected document")
        )
        self.print_button = self._button(
            tr("&Print…"), "printButton", tr("Preview and print the selected document")
        )
        self.statements_button = self._button(
            tr("S&tatements…"), "statementsButton", tr("Print or save monthly statements")
        )
        self.open_button.clicked.connect(self.open_selected)
        self.save_button.clicked.connect(self.save_selected)
        self.print_button.clicked.connect(self.print_selected)
        self.statements_button.clicked.connect(self.open_statements)
        self._setup_prepaid()  # issue 19 §4
        # payments, credit notes and bank reconciliation (ui/dialogs/…)
        self.payment_button = self._button(
            tr("Pa&yments…"), "paymentButton", tr("Record or void payments of the selected invoice")
        )
        self.credit_button = self._button(
            tr("&Credit note…"),
            "creditNoteButton",
            tr("Correct the selected invoice with a credit note"),
        )
        self.reconcile_button = self._button(
            tr("&Reconcile…"), "reconcileButton", tr("Match bank-statement lines to invoices")
        )
        self.payment_button.clicked.connect(self.open_payments)
        self.credit_button.clicked.connect(self.open_credit_note)
        self.reconcile_button.clicked.connect(self.open_reconcile)
        self.save_button.setShortcut(QKeySequence("Ctrl+Shift+S"))

        year_label = QLabel(tr("&Year:"), self)
        year_label.setBuddy(self.year_combo)
        status_label = QLabel(tr("St&atus:"), self)
        status_label.setBuddy(self.status_combo)
        self.filters = QWidget(self)
        self.filters.setObjectName("invoiceFilters")
        row = QHBoxLayout(self.filters)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (year_label, self.year_combo, status_label, self.status_combo):
            row.addWidget(widget)
        row.addStretch(1)
        for button in (
            self.open_button,
            self.save_button,
            self.print_button,
            self.statements_button,
            self.prepaid_button,
        ):
            row.addWidget(button)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, self.filters)  # under the caption, above the table
        # a row of its own, so the tab stays as narrow as it was.
        self.accounting = QWidget(self)
        self.accounting.setObjectName("invoiceAccounting")
        accounting = QHBoxLayout(self.accounting)
        accounting.setContentsMargins(0, 0, 0, 0)
        for button in (self.payment_button, self.credit_button, self.reconcile_button):
            accounting.addWidget(button)
        accounting.addStretch(1)
        layout.insertWidget(2, self.accounting)

        self.year_combo.currentIndexChanged.connect(self._filters_changed)
        self.status_combo.currentIndexChanged.connect(self._filters_changed)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self._update_buttons()
        from billing_desktop.ui.tabs import invoices_explain  # issue 20: explain a line

        self.menu_at = QPoint()
        self.explain_menu: QWidget | None = None
        self.explain_dialog: QWidget | None = None
        invoices_explain.install(self)
        from billing_desktop.ui.tabs import invoices_autopay  # issue 19 §3: auto-pay's note

        self.auto_pay_note: QLabel  # set by install
        invoices_autopay.install(self)

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        return button

    # Columns and loading ---------------------------------------------------------------

    def columns(self) -> Sequence[Column[Any]]:
        return [
            text_column(tr("Number"), lambda i: i.number),
            text_column(tr("Issued"), lambda i: i.issued_on),
            text_column(
                tr("Period"), lambda i: i.period or "—", tr("The billed month (orders have none)")
            ),
            money_column(tr("Amount"), lambda i: i.amount, self.context.currency),
            Column[HistoryRow](
                tr("Status"),
                lambda i: _status_text(i, self.context.currency),
                LEFT,
                tr(
                    "Paid when payments and credit notes cover it; partly paid with what is "
                    "left; overdue when something is left after its due date"
                ),
                raw=lambda i: i.status,
                foreground=_status_colour,
            ),
            text_column(tr("Due"), lambda i: i.due_on),
            text_column(tr("Paid on"), lambda i: i.paid_on),
            text_column(tr("Document"), lambda i: f"{KIND_TITLES[i.kind]} · {i.description}"),
        ]

    @property
    def enterprise(self) -> bool:
        account = self.context.account
        return account is not None and account.plan == PlanTier.ENTERPRISE

    def start_load(self) -> None:
        if self.enterprise:
            # The service refuses too; no need to ask it to say so.
            self.filters.hide()
            self.accounting.hide()
            self.caption.setText("")  # the explanation below says it all: no stray caption
            self.caption.hide()
            self.clear_model()
            self.show_message(translate_message(ENTERPRISE_INVOICES))
            self.loaded.emit()
            return
        self.caption.show()
        self.caption.setText(
            tr(
                "Invoices, orders and credit notes, newest first. Usage is invoiced at the "
                "start of the month after; payments and credit notes settle an invoice, in "
                "part or in full."
            )
        )
        service = partial(invoice_history, year=self._year, status=self._status)
        self.load(service, self.context.actor)

    def rows_of(self, result: Any) -> Sequence[Any]:
        assert isinstance(result, History)
        self._set_years(result.years)
        return list(result.rows)

    def empty_text(self) -> str:
        if self._year is not None or self._status is not None:
            return tr("No invoice or order matches these filters.")
        return tr(
            "No invoices yet.\nInvoices are issued at the start of each month for the month before."
        )

    def _set_years(self, years: Sequence[int]) -> None:
        shown = [self.year_combo.itemData(i) for i in range(1, self.year_combo.count())]
        if shown == list(years):
            return
        self.year_combo.blockSignals(True)
        try:
            while self.year_combo.count() > 1:
                self.year_combo.removeItem(1)
            for year in years:
                self.year_combo.addItem(str(year), year)
            index = self.year_combo.findData(self._year) if self._year is not None else 0
            self.year_combo.setCurrentIndex(max(index, 0))
        finally:
            self.year_combo.blockSignals(False)

    def _filters_changed(self) -> None:
        year = self.year_combo.currentData()
        status = self.status_combo.currentData()
        self._year = None if year in (None, ALL) else int(year)
        self._status = None if status in (None, ALL) else InvoiceStatus(status)
        self.refresh()

    def set_filters(self, year: int | None, status: InvoiceStatus | None) -> None:
        """Choose the filters as a user would (the list reloads)."""
        self.status_combo.blockSignals(True)
        self.status_combo.setCurrentIndex(
            max(self.status_combo.findData(status.value if status else ALL), 0)
        )
        self.status_combo.blockSignals(False)
        index = self.year_combo.findData(year) if year is not None else 0
        if index < 0:
            self.year_combo.blockSignals(True)
            self.year_combo.addItem(str(year), year)
            self.year_combo.blockSignals(False)
            index = self.year_combo.count() - 1
        if index == self.year_combo.currentIndex():
            self._filters_changed()
        else:
            self.year_combo.setCurrentIndex(index)

    # Selection and actions -------------------------------------------------------------

    @property
    def selected(self) -> HistoryRow | None:
        rows = self.table.selectionModel().selectedRows()
        if len(rows) != 1:
            return None
        row = self.model.row_at(rows[0].row())
        assert isinstance(row, HistoryRow)
        return row

    def _update_buttons(self) -> None:
        busy = self._progress is not None
        chosen = self.selected is not None and not busy
        for button in (self.open_button, self.save_button, self.print_button):
            button.setEnabled(chosen)
        self.statements_button.setEnabled(not busy)
        invoice = (
            chosen and self.selected is not None and self.selected.kind == DocumentKind.INVOICE
        )
        self.payment_button.setEnabled(invoice)
        self.credit_button.setEnabled(invoice and self.context.actor.rights.can_edit(Area.USAGE))
        self.reconcile_button.setEnabled(not busy)

    def open_selected(self) -> None:
        row = self.selected
        if row is not None:
            self._render(row, self._open_pdf)

    def save_selected(self) -> None:
        row = self.selected
        if row is None:
            return
        folder = Path(self.last_pdf.parent) if self.last_pdf else Path.home()
        chosen, _ = QFileDialog.getSaveFileName(
            self, tr("Save as PDF"), str(folder / f"{row.number}.pdf"), tr("PDF files (*.pdf)")
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self._render(row, partial(self._save_pdf, path))

    def print_selected(self) -> None:
        row = self.selected
        if row is not None:
            self._render(row, self._preview_pdf)

    def open_statements(self) -> None:
        from billing_desktop.ui.dialogs.batch_statements import StatementsDialog

        dialog = StatementsDialog(self.context, self.window())
        dialog.open()

    def _setup_prepaid(self) -> None:
        from billing_desktop.ui.dialogs.prepaid import offered

        self.prepaid_button = self._button(
            tr("Prepaid &invoices…"), "prepaidButton", tr("Buy credit by a prepaid invoice")
        )
        self.prepaid_button.clicked.connect(self.open_prepaid)
        account = self.context.account
        pays_by = account.payment_method if account is not None else None
        self.prepaid_button.setVisible(offered(pays_by, self.context.actor))
        self.prepaid_dialog: QWidget | None = None

    def open_prepaid(self) -> None:
        from billing_desktop.ui.dialogs.prepaid import PrepaidDialog

        account = self.context.account
        if account is None:
            return
        dialog = PrepaidDialog(
            self.context.store, self.context.runner, self.context.actor, account.currency, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.prepaid_dialog = dialog
        dialog.open()

    def open_payments(self) -> None:
        row = self.selected
        if row is not None and row.kind == DocumentKind.INVOICE:
            from billing_desktop.ui.dialogs.record_payment import RecordPaymentDialog

            self.dialog = RecordPaymentDialog(self.context, row, self.window())
            self.dialog.open()

    def open_credit_note(self) -> None:
        row = self.selected
        if row is not None and row.kind == DocumentKind.INVOICE:
            from billing_desktop.ui.dialogs.credit_note import CreditNoteDialog

            self.dialog = CreditNoteDialog(self.context, row, self.window())
            self.dialog.open()

    def open_reconcile(self) -> None:
        from billing_desktop.ui.dialogs.reconcile import ReconcileDialog

        self.dialog = ReconcileDialog(self.context, self.window())
        self.dialog.open()

    def _render(self, row: HistoryRow, then: Callable[[PdfFile], None]) -> None:
        from billing_desktop.ui.dialogs.print_preview import RenderProgress

        progress = RenderProgress(
            f"{KIND_TITLES[row.kind]} {row.number}",
            tr("Preparing {number}…").format(number=row.number),
            self.window(),
        )
        self._progress = progress
        self._update_buttons()
        task = self.context.runner.run(
            render_invoice_file,
            self.context.store,
            self.context.actor,
            row.number,
            with_state=True,
            on_state_progress=progress.show_progress,
            on_done=lambda pdf: self._rendered(pdf, then),
            on_error=self._render_failed,
            description=f"render {row.number}",
        )
        progress.follow(task)

    def _finish_progress(self) -> bool:
        """Close the progress dialog; False when the user had cancelled."""
        progress, self._progress = self._progress, None
        cancelled = progress is not None and progress.cancelled
        if progress is not None:
            progress.finish()
        self._update_buttons()
        return not cancelled

    def _rendered(self, pdf: PdfFile, then: Callable[[PdfFile], None]) -> None:
        if self._finish_progress():
            then(pdf)

    def _render_failed(self, message: str) -> None:
        if self._finish_progress():
            from billing_desktop.ui.dialogs.print_preview import notify

            notify(self, tr("Invoice PDF"), message, warning=True)

    def _open_pdf(self, pdf: PdfFile) -> None:
        folder = Path(tempfile.gettempdir()) / "billing-desktop"
        folder.mkdir(exist_ok=True)
        path = folder / pdf.name
        path.write_bytes(pdf.data)
        self.last_pdf = path
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            from billing_desktop.ui.dialogs.print_preview import notify

            notify(
                self,
                tr("Invoice PDF"),
                tr("No PDF viewer opened it. The PDF is saved as {path}.").format(path=path),
            )

    def _save_pdf(self, path: Path, pdf: PdfFile) -> None:
        from billing_desktop.domain.errors import BillingError
        from billing_desktop.reports.layout import write_atomically
        from billing_desktop.ui.dialogs.print_preview import notify

        try:
            write_atomically(path, pdf.data)
        except (OSError, BillingError) as exc:
            notify(
                self,
                tr("Save as PDF"),
                tr("{path} could not be written: {exc}").format(path=path, exc=exc),
                warning=True,
            )
            return
        self.last_pdf = path
        window = self.window()
        status = getattr(window, "statusBar", None)
        if callable(status):
            status().showMessage(tr("Saved {name}").format(name=path.name), 10_000)

    def _preview_pdf(self, pdf: PdfFile) -> None:
        from billing_desktop.ui.dialogs.print_preview import PdfPrintPreview

        folder = self.last_pdf.parent if self.last_pdf else None
        preview = PdfPrintPreview([pdf], pdf.name.removesuffix(".pdf"), self, folder=folder)
        self.preview = preview
        preview.open()


def _status_text(row: HistoryRow, currency: str | None) -> str:
    """ "Partly paid · $1,376.05 left" (overdue too, when part of it was paid)."""
    title = STATUS_TITLES.get(row.status, str(row.status))
    if row.kind == DocumentKind.CREDIT_NOTE:
        return tr("Credit note")
    if (
        row.status in (InvoiceStatus.PARTLY_PAID, InvoiceStatus.OVERDUE)
        and 0 < row.left < row.amount
    ):
        return tr("{title} · {display_money} left").format(
            title=title, display_money=display_money(row.left, currency)
        )
    return title


def _status_colour(row: HistoryRow) -> QColor | None:
    if row.status == InvoiceStatus.OVERDUE:
        return NEGATIVE
    if row.status == InvoiceStatus.PAID:
        return PAID
    return None
