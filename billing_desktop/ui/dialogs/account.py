"""File ▸ My account…: the account's details and its payment methods (issue 19 §1, §2).

Two pages: *My account* (name, billing contacts, postal address, VAT id, time zone, currency,
plan tier, payment method kind, commit scope; Save writes the changed fields in one audited
change) and *Payment methods* (cards and bank accounts on file, the default first, expired or
expiring ones flagged; add a card or bank account, remove one, choose the default). A card
number, CVC or IBAN typed here is checked on this machine and only its brand and last four
digits are handed to the store; the fields are cleared at once, whether the check passed or not.

Everyone who may view Usage sees both pages; only admins and the Edit Billing access group may
change them (the fields are read-only otherwise, with the reason in their tooltip).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain import model as m
from billing_desktop.domain.access import Actor
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.payment_methods import check_card, check_iban
from billing_desktop.services import payment_methods as pm
from billing_desktop.services.account import (
    MAX_PAYMENT_TERMS,
    AccountChange,
    AccountDetails,
    account_details,
    update_account,
)
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.ui.dialogs.common import (
    close_button_box,
    colour_label,
    shows_error,
    status_label,
)
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.models.table import NEGATIVE, Column, ColumnTableModel, text_column
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tasks import TaskRunner
from billing_desktop.ui.widgets.table import make_table

VIEW_ONLY = tr(
    "You may view the account but not change it: that needs the right to edit Usage "
    "(admins and the Edit Billing access group)."
)
WARNING = QColor(156, 100, 0)  # expiring soon: amber

_CHOICES: dict[str, list[tuple[str, str]]] = {
    "plan": [(t.value, t.value.capitalize()) for t in m.PlanTier],
    "payment_method": [
        (m.PaymentMethod.CREDIT_CARD.value, tr("Credit card")),
        (m.PaymentMethod.INVOICE.value, tr("Invoice")),
    ],
    "commit_scope": [
        (m.CommitScope.ACCOUNT.value, tr("Account")),
        (m.CommitScope.PRODUCT.value, tr("Per product")),
        (m.CommitScope.NONE.value, tr("None")),
    ],
}


def load_account(store: Store, actor: Actor) -> tuple[AccountDetails, pm.PaymentMethods]:
    """Worker thread: what the dialog shows."""
    return store.read(account_details, actor), store.read(pm.payment_methods, actor)


def run_account_write(
    store: Store, actor: Actor, action: Callable[..., Any], *args: Any
) -> tuple[Any, AccountDetails, pm.PaymentMethods]:
    """Worker thread: one write, then the dialog's data read again."""
    result = store.write(action, actor, *args)
    return (result, *load_account(store, actor))


def _state_text(method: pm.PaymentMethodInfo) -> str:
    return {"expired": tr("Expired"), "expiring": tr("Expires within 30 days")}.get(
        method.state, tr("Valid")
    )


def _state_colour(method: pm.PaymentMethodInfo) -> QColor | None:
    return {"expired": NEGATIVE, "expiring": WARNING}.get(method.state)


METHOD_COLUMNS: list[Column[pm.PaymentMethodInfo]] = [
    text_column(tr("Method"), lambda x: x.label),
    text_column(tr("Expiry"), lambda x: x.expiry or "—"),
    text_column(tr("Holder / account name"), lambda x: x.holder),
    text_column(tr("Default"), lambda x: tr("Default") if x.is_default else ""),
    Column(tr("State"), _state_text, foreground=_state_colour),
    text_column(tr("Added"), lambda x: x.added_on.isoformat()),
]


class AccountDialog(QDialog):
    """My account and Payment methods.

    Signals:
        changed(): a change landed (pages that show it follow the store's announcement).
        account_changed(): the account's own fields changed (the window reads the workspace
            again: its title, currency and time zone).
        loaded(): the first read finished (or failed).
    """

    changed = Signal()
    account_changed = Signal()
    loaded = Signal()

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        page: int = 0,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("accountDialog")
        self.setWindowTitle(tr("My account"))
        self.store = store
        self.runner = runner
        self.actor = actor
        self.details: AccountDetails | None = None
        self.methods: pm.PaymentMethods | None = None
        self.busy = True

        self.pages = QTabWidget(self)
        self.pages.setObjectName("accountPages")
        self.pages.addTab(self._account_page(), tr("&My account"))
        self.pages.addTab(self._methods_page(), tr("&Payment methods"))
        self.pages.setCurrentIndex(page)

        self.status = status_label(self)
        self.buttons = close_button_box(
            self,
            self.save_button,
            self.add_card_button,
            self.add_bank_button,
            self.default_button,
            self.remove_button,
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(780)

        self._update_enabled()
        self.show_status(tr("Loading…"))
        self.runner.run(
            load_account,
            store,
            actor,
            on_done=self._loaded,
            on_error=self._load_failed,
            description="load the account",
        )

    # Pages ------------------------------------------------------------------------------

    def _account_page(self) -> QWidget:
        page = QWidget(self)
        self.name_edit = QLineEdit(page)
        self.name_edit.setObjectName("accountName")
        self.contacts_edit = QLineEdit(page)
        self.contacts_edit.setObjectName("accountContacts")
        self.contacts_edit.setPlaceholderText(tr("billing@example.com, accounts@example.com"))
        self.address_edit = QPlainTextEdit(page)
        self.address_edit.setObjectName("accountAddress")
        self.address_edit.setPlaceholderText(
            tr("Street, postcode and town, country (one per line)")
        )
        self.address_edit.setTabChangesFocus(True)
        self.address_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.vat_edit = QLineEdit(page)
        self.vat_edit.setObjectName("accountVatId")
        self.vat_edit.setPlaceholderText(tr("Country code first, e.g. DE136695976"))
        self.zone_combo = QComboBox(page)
        self.zone_combo.setObjectName("accountTimezone")
        self.zone_combo.addItems(sorted(available_timezones()))
        self.zone_combo.setEditable(True)
        self.zone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.currency_edit = QLineEdit(page)
        self.currency_edit.setObjectName("accountCurrency")
        self.currency_edit.setMaxLength(3)
        self.currency_edit.setMaximumWidth(80)
        self.combos: dict[str, QComboBox] = {}
        for field, choices in _CHOICES.items():
            combo = QComboBox(page)
            combo.setObjectName(f"account_{field}")
            for value, title in choices:
                combo.addItem(title, value)
            self.combos[field] = combo
        self.zone_note = QLabel(page)
        self.zone_note.setObjectName("zoneNote")
        self.zone_note.setWordWrap(True)
        self.currency_note = QLabel(page)
        self.currency_note.setObjectName("currencyNote")
        self.currency_note.setWordWrap(True)
        self.terms_spin = QSpinBox(page)
        self.terms_spin.setObjectName("paymentTerms")
        self.terms_spin.setRange(0, MAX_PAYMENT_TERMS)
        self.terms_spin.setSuffix(tr(" days after the invoice date"))
        self.terms_spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.terms_spin.setMaximumWidth(max(260, self.terms_spin.sizeHint().width()))  # the suffix
        self.invoice_email_edit = QLineEdit(page)
        self.invoice_email_edit.setObjectName("invoiceEmail")
        self.invoice_email_edit.setPlaceholderText(tr("The billing contacts"))
        self.auto_pay_check = QCheckBox(  # services/auto_pay.py
            tr("Pay invoices &automatically with the default payment method"), page
        )
        self.auto_pay_check.setObjectName("autoPay")
        self.save_button = QPushButton(tr("&Save changes"), page)
        self.save_button.setObjectName("saveAccountButton")

        form = QFormLayout()
        form.addRow(tr("&Name:"), self.name_edit)
        form.addRow(tr("Billing &contacts:"), self.contacts_edit)
        form.addRow(tr("Postal &address:"), self.address_edit)
        form.addRow(tr("&VAT id:"), self.vat_edit)
        form.addRow(tr("&Time zone:"), self.zone_combo)
        form.addRow("", self.zone_note)
        form.addRow(tr("C&urrency:"), self.currency_edit)
        form.addRow("", self.currency_note)
        form.addRow(tr("Plan tier:"), self.combos["plan"])
        form.addRow(tr("Payment &method:"), self.combos["payment_method"])
        form.addRow(tr("Commit scope:"), self.combos["commit_scope"])
        settings = QGroupBox(tr("Payment settings"), page)
        settings_form = QFormLayout(settings)
        settings_form.addRow(tr("Invoices are &due:"), self.terms_spin)
        settings_form.addRow(tr("Invoice PDFs &e-mailed to:"), self.invoice_email_edit)
        settings_form.addRow(self.auto_pay_check)
        auto_pay_note = QLabel(
            tr(
                "Auto-pay records each open invoice as paid by the default method on its due "
                "date (when the app starts or refreshes, or a month is closed), including "
                "invoices already due; never twice. Without a valid default method nothing is "
                "paid and Invoices says why."
            ),
            settings,
        )
        auto_pay_note.setWordWrap(True)
        settings_form.addRow(auto_pay_note)
        sending = QLabel(
            tr(
                "Stored for the platform, which sends the PDFs; this application sends no e-mail. "
                "New payment terms date the invoices of months closed from now on."
            ),
            settings,
        )
        sending.setWordWrap(True)
        settings_form.addRow(sending)
        intro = QLabel(
            tr(
                "The postal address and VAT id are printed in the customer block of invoices and "
                "statements; the billing contacts are where the platform sends them."
            ),
            page,
        )
        intro.setWordWrap(True)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(settings)
        layout.addStretch(1)
        layout.addLayout(row)
        self.save_button.clicked.connect(self.save_account)
        return page

    def _methods_page(self) -> QWidget:
        page = QWidget(self)
        self.methods_model: ColumnTableModel[pm.PaymentMethodInfo] = ColumnTableModel(
            METHOD_COLUMNS, page
        )
        self.methods_table = make_table(page)
        self.methods_table.setObjectName("methodsTable")
        self.methods_table.setModel(self.methods_model)
        self.methods_table.setSelectionMode(self.methods_table.SelectionMode.SingleSelection)
        self.methods_table.horizontalHeader().setStretchLastSection(True)
        self.methods_table.setMinimumHeight(130)
        self.empty_label = QLabel(tr("No payment methods on file yet."), page)
        self.empty_label.setObjectName("methodsEmpty")
        self.auto_note = QLabel(page)
        self.auto_note.setObjectName("autoRechargeNote")
        self.auto_note.setWordWrap(True)
        self.default_button = QPushButton(tr("Make &default"), page)
        self.default_button.setObjectName("defaultMethodButton")
        self.remove_button = QPushButton(tr("&Remove"), page)
        self.remove_button.setObjectName("removeMethodButton")
        actions = QHBoxLayout()
        actions.addWidget(self.auto_note, 1)
        actions.addWidget(self.default_button)
        actions.addWidget(self.remove_button)

        self.card_box = QGroupBox(tr("Add a card"), page)
        self.card_number = QLineEdit(self.card_box)
        self.card_number.setObjectName("cardNumber")
        self.card_number.setPlaceholderText(tr("1234 5678 9012 3456"))
        self.card_number.setMaxLength(23)
        self.card_cvc = QLineEdit(self.card_box)
        self.card_cvc.setObjectName("cardCvc")
        self.card_cvc.setEchoMode(QLineEdit.EchoMode.Password)
        self.card_cvc.setMaxLength(4)
        self.card_cvc.setMaximumWidth(70)
        self.card_expiry = QLineEdit(self.card_box)
        self.card_expiry.setObjectName("cardExpiry")
        self.card_expiry.setPlaceholderText(tr("MM/YY"))
        self.card_expiry.setMaxLength(7)
        self.card_expiry.setMaximumWidth(80)
        self.card_holder = QLineEdit(self.card_box)
        self.card_holder.setObjectName("cardHolder")
        self.card_holder.setPlaceholderText(tr("Name on the card"))
        self.add_card_button = QPushButton(tr("Add &card"), self.card_box)
        self.add_card_button.setObjectName("addCardButton")
        for secret in (self.card_number, self.card_cvc):
            # Never offered to input methods' memories or the clipboard history of a form.
            secret.setInputMethodHints(
                Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
            )
        card_form = QFormLayout(self.card_box)
        number_row = QHBoxLayout()
        number_row.addWidget(self.card_number, 1)
        number_row.addWidget(QLabel(tr("CVC:"), self.card_box))
        number_row.addWidget(self.card_cvc)
        number_row.addWidget(QLabel(tr("Expiry:"), self.card_box))
        number_row.addWidget(self.card_expiry)
        card_form.addRow(tr("Card number:"), number_row)
        holder_row = QHBoxLayout()
        holder_row.addWidget(self.card_holder, 1)
        holder_row.addWidget(self.add_card_button)
        card_form.addRow(tr("Holder:"), holder_row)

        self.bank_box = QGroupBox(tr("Add a bank account"), page)
        self.bank_iban = QLineEdit(self.bank_box)
        self.bank_iban.setObjectName("bankIban")
        self.bank_iban.setPlaceholderText(tr("DE89 3704 0044 0532 0130 00"))
        self.bank_iban.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData)
        self.bank_name = QLineEdit(self.bank_box)
        self.bank_name.setObjectName("bankName")
        self.bank_name.setPlaceholderText(tr("Account name"))
        self.add_bank_button = QPushButton(tr("Add &bank account"), self.bank_box)
        self.add_bank_button.setObjectName("addBankButton")
        bank_form = QFormLayout(self.bank_box)
        bank_form.addRow(tr("IBAN:"), self.bank_iban)
        bank_row = QHBoxLayout()
        bank_row.addWidget(self.bank_name, 1)
        bank_row.addWidget(self.add_bank_button)
        bank_form.addRow(tr("Name:"), bank_row)

        note = QLabel(
            tr(
                "Card numbers and IBANs are checked on this computer and then forgotten: only the "
                "brand and the last four digits are kept."
            ),
            page,
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.methods_table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(actions)
        layout.addWidget(self.card_box)
        layout.addWidget(self.bank_box)
        layout.addWidget(note)

        self.methods_table.selectionModel().selectionChanged.connect(self._update_enabled)
        self.add_card_button.clicked.connect(self.add_card)
        self.add_bank_button.clicked.connect(self.add_bank)
        self.default_button.clicked.connect(self.make_default)
        self.remove_button.clicked.connect(self.remove_method)
        return page

    # State ------------------------------------------------------------------------------

    @property
    def can_edit(self) -> bool:
        return self.details is not None and self.details.can_edit

    def _loaded(self, data: tuple[AccountDetails, pm.PaymentMethods]) -> None:
        self.busy = False
        self.show_details(data[0])
        self.show_methods(data[1])
        self.show_status("")
        self.loaded.emit()

    def _load_failed(self, message: str) -> None:
        self.busy = False
        self._update_enabled()
        self.show_status(
            tr("Could not load the account: {message}").format(message=message), error=True
        )
        self.loaded.emit()

    def show_details(self, details: AccountDetails) -> None:
        self.details = details
        self.name_edit.setText(details.name)
        self.contacts_edit.setText(", ".join(details.contacts))
        self.address_edit.setPlainText("\n".join(details.address))
        self.vat_edit.setText(details.vat_id)
        self.zone_combo.setCurrentText(details.timezone)
        self.currency_edit.setText(details.currency)
        self.terms_spin.setValue(details.payment_terms)
        self.invoice_email_edit.setText(details.invoice_email)
        self.auto_pay_check.setChecked(details.auto_pay)
        for field, combo in self.combos.items():
            combo.setCurrentIndex(combo.findData(str(details.as_json()[field])))
        self.zone_note.setText(
            tr(
                "A new time zone counts from {first_open_month} (the first open month); "
                "closed months keep what was billed."
            ).format(first_open_month=details.first_open_month)
        )
        self.currency_note.setText(
            details.currency_locked[:1].upper() + details.currency_locked[1:] + "."
            if details.currency_locked
            else tr("The currency can change until the first money row (credit, invoice) exists.")
        )
        self._update_enabled()

    def show_methods(self, methods: pm.PaymentMethods) -> None:
        self.methods = methods
        self.methods_model.set_rows(list(methods.methods))
        self.methods_table.resizeColumnsToContents()
        self.methods_table.setVisible(bool(methods.methods))
        self.empty_label.setVisible(not methods.methods)
        if methods.pays_by == m.PaymentMethod.CREDIT_CARD and methods.auto_recharge_problem:
            self.auto_note.setText(methods.auto_recharge_problem)
        else:
            self.auto_note.setText("")
        colour_label(self.auto_note, error=True)
        self._update_enabled()

    def selected_method(self) -> pm.PaymentMethodInfo | None:
        rows = self.methods_table.selectionModel().selectedRows()
        return self.methods_model.row_at(rows[0].row()) if rows else None

    def _update_enabled(self) -> None:
        editable = self.can_edit and not self.busy
        widgets: tuple[QWidget, ...] = (
            self.name_edit,
            self.contacts_edit,
            self.address_edit,
            self.vat_edit,
            self.zone_combo,
            *self.combos.values(),
            self.terms_spin,
            self.invoice_email_edit,
            self.auto_pay_check,
            self.save_button,
            self.card_number,
            self.card_cvc,
            self.card_expiry,
            self.card_holder,
            self.add_card_button,
            self.bank_iban,
            self.bank_name,
            self.add_bank_button,
        )
        for widget in widgets:
            widget.setEnabled(editable)
            widget.setToolTip("" if self.can_edit or self.details is None else VIEW_ONLY)
        locked = self.details is not None and self.details.currency_locked is not None
        self.currency_edit.setEnabled(editable and not locked)
        self.currency_edit.setToolTip(
            self.details.currency_locked or "" if self.details is not None else ""
        )
        chosen = self.selected_method()
        self.remove_button.setEnabled(editable and chosen is not None)
        self.default_button.setEnabled(
            editable and chosen is not None and not chosen.is_default and chosen.state != "expired"
        )

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(translate_message(text))
        colour_label(self.status, error)

    @property
    def status_is_error(self) -> bool:
        return shows_error(self.status)

    # Actions ----------------------------------------------------------------------------

    def changed_values(self) -> dict[str, str]:
        """The fields whose text differs from the account as loaded."""
        if self.details is None:
            return {}
        shown = {
            "name": self.name_edit.text(),
            "contacts": self.contacts_edit.text(),
            "address": self.address_edit.toPlainText(),
            "vat_id": self.vat_edit.text(),
            "timezone": self.zone_combo.currentText(),
            "currency": self.currency_edit.text(),
            "payment_terms": str(self.terms_spin.value()),
            "invoice_email": self.invoice_email_edit.text(),
            "auto_pay": "on" if self.auto_pay_check.isChecked() else "off",
            **{field: str(combo.currentData()) for field, combo in self.combos.items()},
        }
        loaded = {
            "contacts": ", ".join(self.details.contacts),
            "address": "\n".join(self.details.address),
        }
        return {
            field: text
            for field, text in shown.items()
            if text.strip() != loaded.get(field, self.details.field_text(field)).strip()
        }

    def save_account(self) -> None:
        if not self.can_edit or self.busy:
            return
        values = self.changed_values()
        if not values:
            self.show_status(tr("Nothing to save: no field was changed."))
            return
        self._run(update_account, values)

    def add_card(self) -> None:
        if not self.can_edit or self.busy:
            return
        try:
            card = check_card(self.card_number.text(), self.card_cvc.text())
        except InvalidInput as exc:
            self.show_status(str(exc), error=True)
            self.card_number.setFocus()
            return
        finally:
            self.card_cvc.clear()  # the CVC is never kept, not even in the field
        self.card_number.clear()
        self._run(
            pm.add_card,
            card.brand,
            card.last_four,
            self.card_expiry.text(),
            self.card_holder.text(),
            clear=(self.card_expiry, self.card_holder),
        )

    def add_bank(self) -> None:
        if not self.can_edit or self.busy:
            return
        try:
            last_four = check_iban(self.bank_iban.text())
        except InvalidInput as exc:
            self.show_status(str(exc), error=True)
            self.bank_iban.setFocus()
            return
        self.bank_iban.clear()
        self._run(pm.add_bank_account, self.bank_name.text(), last_four, clear=(self.bank_name,))

    def make_default(self) -> None:
        chosen = self.selected_method()
        if chosen is not None and self.can_edit and not self.busy:
            self._run(pm.set_default_payment_method, chosen.id)

    def remove_method(self) -> None:
        chosen = self.selected_method()
        if chosen is not None and self.can_edit and not self.busy:
            self._run(pm.remove_payment_method, chosen.id)

    def _run(
        self, action: Callable[..., Any], *args: Any, clear: tuple[QLineEdit, ...] = ()
    ) -> None:
        self.busy = True
        self._update_enabled()
        self.show_status(tr("Saving…"))
        self.runner.run(
            run_account_write,
            self.store,
            self.actor,
            action,
            *args,
            on_done=lambda outcome: self._done(outcome, clear),
            on_error=self._failed,
            description="change the account",
        )

    def _done(
        self,
        outcome: tuple[Any, AccountDetails, pm.PaymentMethods],
        clear: tuple[QLineEdit, ...],
    ) -> None:
        self.busy = False
        result, details, methods = outcome
        for edit in clear:
            edit.clear()
        self.show_details(details)
        self.show_methods(methods)
        if isinstance(result, AccountChange):
            self.show_status(result.summary())
        elif isinstance(result, pm.PaymentMethodChange):
            self.show_status(result.message)
        else:
            self.show_status(tr("Saved."))
        self.changed.emit()
        if isinstance(result, AccountChange) and result.changed:
            self.account_changed.emit()

    def _failed(self, message: str) -> None:
        self.busy = False
        self._update_enabled()
        self.show_status(message, error=True)
