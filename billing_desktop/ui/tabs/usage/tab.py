"""Usage tab (PRODUCT §5, §4.3–§4.4): the admin's home screen.

Cards (account summary, *Contact center services*), the usage per product (free-units bars, red
negative balances, commits), the month's transactions, Manage credits and Download usage
pricing. Every figure comes from one read, ``services.usage_page.usage_page``, which is
``usage_summary`` (the same numbers as ``usage --json``) plus what only this tab needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from billing_desktop import APP_NAME
from billing_desktop.config import ORGANISATION
from billing_desktop.domain.access import Area
from billing_desktop.domain.periods import Month, account_today
from billing_desktop.exports.tables import (
    TABLE_FILTERS,
    XLSX_FILTER,
    chosen_path,
)
from billing_desktop.services.auto_pay import apply_auto_pay
from billing_desktop.services.billing import ProductSummary
from billing_desktop.services.changes import announced_changes
from billing_desktop.services.credits import apply_auto_recharge
from billing_desktop.services.pricing import pricing_file_name
from billing_desktop.services.usage_page import (
    MonthChoice,
    Transaction,
    UsagePage,
    usage_page,
)
from billing_desktop.ui import theme
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.delegates.free_units_bar import FreeUnitsBarDelegate
from billing_desktop.ui.dialogs.close_month import CloseMonthDialog
from billing_desktop.ui.dialogs.manage_credits import VIEW_ONLY, ManageCreditsDialog
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import format_day, month_name
from billing_desktop.ui.models.sortable import SortableTableModel
from billing_desktop.ui.models.table import (
    Column,
    ColumnTableModel,
    display_money,
)
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tabs.base import TableTab
from billing_desktop.ui.tabs.usage.cards import UsageCards
from billing_desktop.ui.tabs.usage.columns import (
    COMMIT_PERIOD,
    DESCRIPTION,
    FREE_UNITS,
    LEDGER_BALANCE_TITLE,
    PRODUCT,
    invoice_note,
    product_columns,
    transaction_columns,
)
from billing_desktop.ui.tabs.usage.exports import write_pricing, write_transactions
from billing_desktop.ui.widgets.close_month_bar import CloseMonthBar
from billing_desktop.ui.widgets.table import make_table

EXPORT_FOLDER_KEY = "usage/export_folder"
MANAGE_REASON_WIDTH = 230


def month_choice_label(choice: MonthChoice) -> str:
    """The month selector's entry in the GUI's language (``MonthChoice.label`` in English)."""
    name = month_name(choice.month)
    if choice.current:
        return tr("{month} (current)").format(month=name)
    if choice.closed:
        return tr("{month} — closed, {invoice}").format(
            month=name, invoice=choice.invoice_number or tr("no invoice")
        )
    return tr("{month} — open, not closed yet").format(month=name)


class UsageTab(TableTab):
    """Balances, free units, commits, credits and usage pricing for one month.

    Signals:
        loaded(): see :class:`TableTab` (the month's page is shown).
        notice_shown(str): an action's outcome, as shown in the tab's notice line.
    """

    area = Area.USAGE
    watches = frozenset({"workspace", "credits", "closing", "records", "plans"})
    min_first_width = 180
    stretch_column = COMMIT_PERIOD
    notice_shown = Signal(str)

    _page: UsagePage | None = None

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        self._page = None
        self.chosen_filter = ""  # the file type picked in the last save dialog
        super().__init__(context, parent)
        self.can_edit = context.actor.rights.can_edit(Area.USAGE)
        self.dialog: ManageCreditsDialog | None = None
        self.caption.setWordWrap(False)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._build_toolbar()
        self._build_cards()
        self._build_sections()
        self.table.setItemDelegateForColumn(FREE_UNITS, FreeUnitsBarDelegate(self.table))
        self.table.setAccessibleName(tr("Usage per product"))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(PRODUCT, Qt.SortOrder.AscendingOrder)
        self._update_actions()
        self._update_caption()
        from billing_desktop.ui.tabs import usage_explain  # issue 20: explain, forecast

        self.explain_dialog: QWidget | None = None
        self.forecast_panel: QWidget | None = None
        self.what_if_dialog: QWidget | None = None
        usage_explain.install(self)

    # Layout ---------------------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        self.month_combo = QComboBox(self)
        self.month_combo.setObjectName("monthCombo")
        self.month_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.month_combo.setToolTip(
            tr(
                "The billing month shown (a calendar month in the account's time zone). "
                "Closed months are final and show their invoice number."
            )
        )
        for choice in self._initial_months():
            # before the first read a month's state is not known: its name alone
            label = month_choice_label(choice) if choice.current else month_name(choice.month)
            self.month_combo.addItem(label, choice.month)
        wanted = Month.of(self.context.month) if self.context.month else None
        self.month_combo.setCurrentIndex(max(self._month_index(wanted), 0))
        month_caption = QLabel(tr("&Month:"), self)
        month_caption.setBuddy(self.month_combo)
        self.refresh_button = QPushButton(tr("Refresh"), self)
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.setToolTip(tr("Read the figures again (F5)"))
        self.refresh_button.clicked.connect(self.refresh)
        self.toolbar.addWidget(month_caption)
        self.toolbar.addWidget(self.month_combo)
        self.toolbar.addWidget(self.refresh_button)
        self.month_combo.currentIndexChanged.connect(self.refresh)

    def _month_index(self, month: Month | None) -> int:
        """The selector's entry for ``month`` (findData compares Python objects by identity)."""
        if month is None:
            return -1
        for index in range(self.month_combo.count()):
            if self.month_combo.itemData(index) == month:
                return index
        return -1

    def _initial_months(self) -> list[MonthChoice]:
        """The selector before the first read: the last 12 months and the one asked for."""
        account = self.context.account
        today = account_today(account) if account is not None else date.today()
        current = Month.of(today)
        months = {current.plus(-n) for n in range(12)}
        if self.context.month is not None:
            months.add(Month.of(self.context.month))
        return [MonthChoice(m, m == current) for m in sorted(months, reverse=True)]

    def _build_cards(self) -> None:
        self.cards = UsageCards(self)
        self.account_card = self.cards.account
        self.cc_card = self.cards.contact_center

        self.manage_button = QPushButton(tr("Manage credits…"), self)
        self.manage_button.setObjectName("manageCreditsButton")
        self.manage_button.clicked.connect(self.open_manage_credits)
        self.pricing_button = QPushButton(tr("Download usage pricing"), self)
        self.pricing_button.setObjectName("pricingButton")
        self.pricing_button.setToolTip(
            tr(
                "The rate card: every product's unit price, free units per agent and tags, "
                "as a PDF, a CSV file or an Excel workbook"
            )
        )
        menu = QMenu(self.pricing_button)
        self.pricing_pdf_action = QAction(tr("As &PDF…"), menu)
        self.pricing_csv_action = QAction(tr("As &CSV…"), menu)
        self.pricing_xlsx_action = QAction(tr("As E&xcel workbook (.xlsx)…"), menu)
        menu.addAction(self.pricing_pdf_action)
        menu.addAction(self.pricing_csv_action)
        menu.addAction(self.pricing_xlsx_action)
        self.pricing_pdf_action.triggered.connect(lambda: self.download_pricing("pdf"))
        self.pricing_csv_action.triggered.connect(lambda: self.download_pricing("csv"))
        self.pricing_xlsx_action.triggered.connect(lambda: self.download_pricing("xlsx"))
        self.pricing_button.setMenu(menu)
        actions = QVBoxLayout()
        actions.setSpacing(8)
        actions.addWidget(self.manage_button)
        actions.addWidget(self.pricing_button)
        # Why Manage credits is disabled, said on screen (not only in the button's tooltip).
        self.manage_reason = QLabel(self)
        self.manage_reason.setObjectName("manageCreditsReason")
        self.manage_reason.setWordWrap(True)
        self.manage_reason.setMaximumWidth(MANAGE_REASON_WIDTH)
        self.manage_reason.hide()
        actions.addWidget(self.manage_reason)
        actions.addStretch(1)

        self.banner = QLabel(self)
        self.banner.setObjectName("closedBanner")
        self.banner.setWordWrap(True)
        theme.follow(
            self.banner,
            lambda: (
                f"QLabel#closedBanner {{ background: {theme.BANNER_BACKGROUND.name()}; "
                f"border: 1px solid {theme.BANNER_BORDER.name()}; border-radius: 4px; "
                f"padding: 6px 10px; color: {theme.BANNER_TEXT.name()}; }}"
            ),
        )
        self.banner.hide()
        self.notice = QLabel(self)
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()

        cards = QHBoxLayout()
        cards.setSpacing(12)
        cards.addWidget(self.cards, 2)
        cards.addLayout(actions)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, self.banner)
        layout.insertLayout(2, cards)
        layout.insertWidget(3, self.notice)
        # Ended months not closed, with Close month… (issue 18 §1; editors only).
        self.close_bar = CloseMonthBar(self.context, self)
        self.close_bar.close_requested.connect(self.open_close_month)
        self.close_month_dialog: CloseMonthDialog | None = None
        layout.insertWidget(1, self.close_bar)

    def _build_sections(self) -> None:
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.removeWidget(self.stack)
        self.sections = QTabWidget(self)
        self.sections.setObjectName("usageSections")
        self.sections.setDocumentMode(True)
        products = QWidget(self.sections)
        self.footnote = QLabel(products)
        self.footnote.setObjectName("footnote")
        self.footnote.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        theme.follow(self.footnote, lambda: f"QLabel#footnote {{ color: {theme.MUTED.name()}; }}")
        self.footnote.hide()
        column = QVBoxLayout(products)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self.stack, 1)
        column.addWidget(self.footnote)
        self.sections.addTab(products, tr("Usage per product"))

        page = QWidget(self.sections)
        self.transactions_model: ColumnTableModel[Transaction] = ColumnTableModel(
            transaction_columns(self._money), self
        )
        self.transactions_table = make_table(page)
        self.transactions_table.setObjectName("transactionsTable")
        self.transactions_table.setAccessibleName(tr("Transactions"))
        self.transactions_table.setModel(self.transactions_model)
        self.transactions_table.horizontalHeader().setSectionResizeMode(
            DESCRIPTION, QHeaderView.ResizeMode.Stretch
        )
        self.transactions_label = QLabel(page)
        self.transactions_label.setObjectName("transactionsLabel")
        self.transactions_label.setWordWrap(True)
        self.transactions_label.setSizePolicy(
            QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
        )
        self.export_button = QPushButton(tr("Export…"), page)
        self.export_button.setObjectName("exportTransactionsButton")
        self.export_button.setToolTip(
            tr("Save the month's transactions as a CSV file or an Excel workbook (.xlsx)")
        )
        self.export_button.clicked.connect(self.export_transactions)
        row = QHBoxLayout()
        row.addWidget(self.transactions_label, 1)
        row.addWidget(self.export_button)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 6, 0, 0)
        box.addWidget(self.transactions_table, 1)
        box.addLayout(row)
        self.sections.addTab(page, tr("Transactions"))
        layout.addWidget(self.sections, 1)

    # Columns --------------------------------------------------------------------------------

    @property
    def page(self) -> UsagePage | None:
        return self._page

    def _currency(self) -> str | None:
        return self._page.summary.currency if self._page else self.context.currency

    def _balance_tip(self, product: ProductSummary) -> str | None:
        page = self._page
        if page is None:
            return None
        money = self._money
        summary = page.summary
        details = tr("Usage beyond free units: {money}; paid from credit: {money2}").format(
            money=money(product.amount), money2=money(product.credit_applied)
        )
        if product.balance < 0:
            if summary.closed:
                invoice = summary.invoice_number or tr("the month's invoice")
                head = tr("Invoiced on {isoformat} ({invoice})").format(
                    isoformat=format_day(summary.invoice_date), invoice=invoice
                )
            else:
                head = invoice_note(summary, page.today)
            return f"{head}: {money(-product.balance)}.\n{details}."
        return tr("Credit still available for this product.\n{details}.").format(details=details)

    def _money(self, amount: Decimal) -> str:
        return display_money(amount, self._currency())

    def columns(self) -> Sequence[Column[Any]]:
        return product_columns(self._money, self._currency, self._balance_tip)

    def make_model(self) -> ColumnTableModel[Any]:
        return SortableTableModel(self.columns(), self)

    # Loading --------------------------------------------------------------------------------

    @property
    def month(self) -> Month:
        value = self.month_combo.currentData()
        assert isinstance(value, Month)
        return value

    def start_load(self) -> None:
        self._update_caption()
        self.close_bar.refresh()
        self.load(usage_page, self.context.actor, self.month)

    def populate(self, result: Any) -> int:
        assert isinstance(result, UsagePage)
        self._page = result
        self._fill_months(result)
        self._fill_cards(result)
        self.transactions_model.set_rows(list(result.transactions))
        self._fit_transactions()
        self._update_actions()
        self._update_caption()
        if result.fired is not None:
            self.show_notice(
                tr("{summary} The balance was below the threshold.").format(
                    summary=translate_message(result.fired.summary())
                )
            )
        if result.auto_paid:  # what auto-pay paid in this refresh
            from billing_desktop.ui.auto_pay_start import paid_text

            self.show_notice(paid_text(result.auto_paid, result.account.currency))
        # The refresh wrote (a recharge, a payment): every open view that shows them follows,
        # as after any write (this tab reloads once more and finds nothing due).
        wrote = frozenset[str]()
        if result.fired is not None:
            wrote |= announced_changes(apply_auto_recharge)
        if result.auto_paid:
            wrote |= announced_changes(apply_auto_pay)
        if wrote:
            self.context.store.announce(wrote)
        rows = list(result.summary.products)
        self.model.set_rows(rows)
        return len(rows)

    def clear_model(self) -> None:
        super().clear_model()
        self._page = None
        self.cards.clear()
        self.transactions_model.set_rows([])
        self.transactions_label.setText("")
        self.banner.hide()
        self._update_actions()
        self._update_caption()

    def show_page(self, page: UsagePage) -> None:
        """Show ``page`` at once (after a credit change), switching to its month if needed."""
        self.cancel()
        if page.month != self.month:
            self.month_combo.blockSignals(True)
            try:
                index = self._month_index(page.month)
                if index < 0:  # keep the one order, newest first
                    index = self.month_combo.count()
                    for row in range(self.month_combo.count()):
                        if self.month_combo.itemData(row) < page.month:
                            index = row
                            break
                    self.month_combo.insertItem(index, month_name(page.month), page.month)
                self.month_combo.setCurrentIndex(index)
            finally:
                self.month_combo.blockSignals(False)
        self._stale = False
        self._show_result(page)

    def _fill_months(self, page: UsagePage) -> None:
        combo = self.month_combo
        combo.blockSignals(True)
        try:
            combo.clear()
            for choice in page.months:
                combo.addItem(month_choice_label(choice), choice.month)
                if choice.closed:
                    tip = (
                        tr("Closed: invoice {invoice_number}").format(
                            invoice_number=choice.invoice_number
                        )
                        if choice.invoice_number
                        else tr("Closed: nothing was invoiced")
                    ) + tr(". Read-only.")
                    combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(max(self._month_index(page.month), 0))
        finally:
            combo.blockSignals(False)

    def _fill_cards(self, page: UsagePage) -> None:
        self.cards.fill(page, self._money)
        summary = page.summary
        if summary.closed:
            invoice_on = summary.invoice_date.isoformat()
            invoice = (
                tr("invoice {number}, issued {day}").format(
                    number=summary.invoice_number, day=invoice_on
                )
                if summary.invoice_number
                else tr("nothing was invoiced")
            )
            self.banner.setText(
                tr(
                    "{month_name} is closed ({invoice}). Its figures are final and read-only."
                ).format(month_name=month_name(summary.month), invoice=invoice)
            )
            self.banner.show()
        else:
            self.banner.hide()

    def _fit_transactions(self) -> None:
        table = self.transactions_table
        header = table.horizontalHeader()
        for column in range(self.transactions_model.columnCount()):
            if column == DESCRIPTION:
                continue
            table.resizeColumnToContents(column)
            header.resizeSection(column, header.sectionSize(column) + 12)
        page = self._page
        count = len(page.transactions) if page else 0
        if page is None:
            self.transactions_label.setText("")
        elif count == 0:
            self.transactions_label.setText(
                tr(
                    "No ledger rows in {month_name}. Purchases and payments appear at once; "
                    "commit recharges, usage and invoices when a month closes."
                ).format(month_name=month_name(page.month, capital=False))
            )
        else:
            self.transactions_label.setText(
                ntr(
                    "{count} ledger row in {month_name}. + adds credit or pays; - uses credit "
                    "or is owed. {LEDGER_BALANCE_TITLE}: the ledger's running total over every "
                    "month, not the month's balance on the cards.",
                    "{count} ledger rows in {month_name}. + adds credit or pays; - uses credit "
                    "or is owed. {LEDGER_BALANCE_TITLE}: the ledger's running total over every "
                    "month, not the month's balance on the cards.",
                    count,
                ).format(
                    count=count,
                    month_name=month_name(page.month, capital=False),
                    LEDGER_BALANCE_TITLE=LEDGER_BALANCE_TITLE,
                )
            )

    # State of the actions -------------------------------------------------------------------

    def manage_refusal(self) -> str | None:
        """Why Manage credits is disabled now, or None when it is enabled."""
        if not self.can_edit:
            return VIEW_ONLY
        page = self._page
        if page is None:
            return tr("Loading…")
        if page.summary.closed:
            invoice = page.summary.invoice_number
            detail = tr(" (invoice {invoice})").format(invoice=invoice) if invoice else ""
            return tr("{month_name} is closed{detail}: it is read-only.").format(
                month_name=month_name(page.month), detail=detail
            )
        if not page.is_current:
            return tr(
                "Credits are added today, to the current month: choose {month_name} to manage them."
            ).format(month_name=month_name(page.current_month, capital=False))
        return None

    def _update_actions(self) -> None:
        refusal = self.manage_refusal()
        self.manage_button.setEnabled(refusal is None)
        shown = refusal not in (None, "Loading…")
        self.manage_reason.setText(refusal if shown and refusal else "")
        self.manage_reason.setVisible(shown)
        self.manage_button.setAccessibleDescription(refusal or "")
        self.manage_button.setToolTip(
            refusal or tr("Purchase credits, make a one-time payment or set auto-recharge")
        )
        has_rows = self.transactions_model.rowCount() > 0
        self.export_button.setEnabled(has_rows)

    def _update_caption(self) -> None:
        zone = self.context.account.timezone if self.context.account else "UTC"
        page = self._page
        month = self.month
        text = tr("{month_name}: a calendar month in {zone}.").format(
            month_name=month_name(month), zone=zone
        )
        tip = note = ""
        if page is not None and page.month == month:
            summary = page.summary
            text = ntr(
                "{month_name}: a calendar month in {zone}, {agents} licensed agent at peak.",
                "{month_name}: a calendar month in {zone}, {agents} licensed agents at peak.",
                summary.agents,
            ).format(month_name=month_name(month), zone=zone, agents=summary.agents)
            tip = tr(
                "Free units are used first, then committed and purchased credit; what credit "
                "does not cover is invoiced on {isoformat}."
            ).format(isoformat=format_day(summary.invoice_date))
            if page.pending_storage:
                note = tr(
                    "{join}: billed for the peak day from the 28th to the 27th, so shown from "
                    "the 28th."
                ).format(join=", ".join(page.pending_storage))
        self.footnote.setText(note)
        self.footnote.setToolTip(note)
        self.footnote.setVisible(bool(note))
        self.caption.setText(text)
        self.caption.setToolTip(tip)

    def empty_text(self) -> str:
        page = self._page
        if page is not None and page.month == self.month and page.summary.closed:
            return tr(
                "No product usage was billed in {month_name}.\nThe month is closed: its "
                "figures are final."
            ).format(month_name=month_name(self.month, capital=False))
        return tr(
            "No usage recorded in {month_name}.\nProducts appear here once calls, "
            "conversations, messages or other usage are recorded for the month."
        ).format(month_name=month_name(self.month, capital=False))

    def show_notice(self, text: str, error: bool = False) -> None:
        colour = (theme.NEGATIVE if error else theme.POSITIVE).name()
        self.notice.setStyleSheet(f"QLabel#notice {{ color: {colour}; }}")
        self.notice.setText(translate_message(text))
        self.notice.setVisible(bool(text))
        self.notice_shown.emit(text)

    def open_close_month(self, month: Month) -> CloseMonthDialog | None:
        """Close month… (issue 18 §1): the preview of closing ``month``, then the close."""
        if self.close_month_dialog is not None:
            return None
        dialog = CloseMonthDialog(self.context, month, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "close_month_dialog", None))
        self.close_month_dialog = dialog
        dialog.open()
        return dialog

    # Manage credits -------------------------------------------------------------------------

    def open_manage_credits(self) -> ManageCreditsDialog | None:
        if self.manage_refusal() is not None or self._page is None:
            return None
        dialog = ManageCreditsDialog(
            self.context.store, self.context.runner, self.context.actor, self._page, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self._credits_changed)
        dialog.destroyed.connect(self._dialog_closed)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self) -> None:
        self.dialog = None

    def _credits_changed(self, page: UsagePage) -> None:
        self.show_page(page)
        dialog = self.dialog
        if dialog is not None:
            self.show_notice(dialog.status.text())

    # Files ------------------------------------------------------------------------------------

    def _settings(self) -> QSettings:
        return QSettings(ORGANISATION, APP_NAME)

    def _export_folder(self) -> Path:
        folder = self._settings().value(EXPORT_FOLDER_KEY)
        path = Path(str(folder)) if folder else Path.home()
        return path if path.is_dir() else Path.home()

    def choose_save_path(self, title: str, default_name: str, filters: str) -> Path | None:
        """Ask where to save (a file dialog); None when cancelled."""
        chosen, self.chosen_filter = QFileDialog.getSaveFileName(
            self, title, str(self._export_folder() / default_name), filters
        )
        return Path(chosen) if chosen else None

    def _ask_path(self, title: str, default_name: str, filters: str, suffix: str) -> Path | None:
        """A file to save to; ``suffix`` "table" is CSV or a workbook, as the name or the file
        type chosen says."""
        self.chosen_filter = ""
        path = self.choose_save_path(title, default_name, filters)
        if path is None:
            return None
        if suffix == "table":
            path = chosen_path(str(path), self.chosen_filter)
        elif path.suffix.lower() != f".{suffix}":
            path = path.with_name(path.name + f".{suffix}")
        self._settings().setValue(EXPORT_FOLDER_KEY, str(path.parent))
        return path

    def download_pricing(self, kind: str) -> None:
        """Ask for a file and write the rate card to it as ``kind`` ("pdf", "csv" or "xlsx")."""
        account = self.context.account
        name = account.name if account else "account"
        today = account_today(account) if account else date.today()
        default = pricing_file_name(name, today, kind)
        filters = {"pdf": tr("PDF files (*.pdf)"), "xlsx": XLSX_FILTER}.get(
            kind, "CSV files (*.csv)"
        )
        path = self._ask_path(tr("Download usage pricing"), default, filters, kind)
        if path is not None:
            self.save_pricing(path, kind)

    def save_pricing(self, path: Path, kind: str) -> None:
        self.context.runner.run(
            write_pricing,
            self.context.store,
            self.context.actor,
            path,
            kind,
            on_done=self.show_notice,
            on_error=lambda message: self.show_notice(
                tr("Could not save usage pricing: {message}").format(message=message), error=True
            ),
            description="download usage pricing",
        )

    def export_transactions(self) -> None:
        page = self._page
        if page is None or not page.transactions:
            return
        default = f"transactions-{page.month}.csv"
        path = self._ask_path(tr("Export transactions"), default, TABLE_FILTERS, "table")
        if path is not None:
            self.save_transactions(path)

    def save_transactions(self, path: Path) -> None:
        page = self._page
        if page is None:
            return
        self.context.runner.run(
            write_transactions,
            path,
            list(page.transactions),
            page.summary.currency,
            on_done=self.show_notice,
            on_error=lambda message: self.show_notice(
                tr("Could not export the transactions: {message}").format(message=message),
                error=True,
            ),
            description="export transactions",
        )
