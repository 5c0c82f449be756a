"""Usage ▸ Manage credits: purchase credits, a one-time payment, auto-recharge (PRODUCT §5).

The dialog only collects and checks input; each action runs a credits service on the task runner
(ledger and audit rows in one transaction), then reads the Usage page again in the same unit of
work, so the tab's cards change the moment the action lands (``changed``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Actor, Area
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.money import currency_symbol, format_amount
from billing_desktop.domain.periods import Month
from billing_desktop.services import credits
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.services.usage_page import UsagePage, usage_page
from billing_desktop.ui.dialogs.common import (
    close_button_box,
    colour_label,
    shows_error,
    status_label,
)
from billing_desktop.ui.domain_words import auto_recharge_text
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.locale_format import format_money, month_name  # in the GUI's language
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tasks import TaskRunner

T = TypeVar("T")

VIEW_ONLY = tr(
    "You may view usage but not change credits: that needs the right to edit Usage "
    "(admins and the Edit Billing access group)."
)


def run_credit_action(
    store: Store, actor: Actor, month: Month | None, change: Callable[[Store], T]
) -> tuple[T, UsagePage]:
    """Worker thread: make the change (a typed ``store.write`` call), read the page again."""
    result = change(store)
    return result, store.read(usage_page, actor, month)


class AmountEdit(QLineEdit):
    """An amount in the account's currency: digits and at most the minor-unit decimals."""

    def __init__(self, currency: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency = currency
        self.setPlaceholderText(format_amount(Decimal(0), currency))
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setMaximumWidth(160)
        self.setClearButtonEnabled(True)


def _with_currency(edit: AmountEdit, parent: QWidget) -> QWidget:
    box = QWidget(parent)
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    symbol = currency_symbol(edit.currency)
    if symbol != edit.currency:
        row.addWidget(QLabel(symbol, box))
    row.addWidget(edit)
    row.addWidget(QLabel(edit.currency, box))
    row.addStretch(1)
    return box


class ManageCreditsDialog(QDialog):
    """Buy credits, make a one-time payment, or set auto-recharge, for the current month.

    Signals:
        changed(object): an action landed; the fresh :class:`UsagePage` (current month).
    """

    changed = Signal(object)

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        actor: Actor,
        page: UsagePage,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("manageCreditsDialog")
        self.setWindowTitle(tr("Manage credits"))
        self.store = store
        self.runner = runner
        self.actor = actor
        self.page = page
        self.currency = page.summary.currency
        self.busy = False
        self.can_edit = actor.rights.can_edit(Area.USAGE)

        self.balance_label = QLabel(self)
        self.balance_label.setObjectName("balanceLabel")
        self.balance_label.setWordWrap(True)
        font = self.balance_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.balance_label.setFont(font)

        maximum = format_money(credits.MAX_CREDIT_AMOUNT, self.currency)

        # Purchase credits
        self.purchase_box = QGroupBox(tr("Purchase additional credits"), self)
        self.purchase_amount = AmountEdit(self.currency, self.purchase_box)
        self.purchase_amount.setObjectName("purchaseAmount")
        self.purchase_amount.setAccessibleName(tr("Credits to purchase"))  # its label names the row
        self.purchase_button = QPushButton(tr("&Purchase credits"), self.purchase_box)
        self.purchase_button.setObjectName("purchaseButton")
        self._section(
            self.purchase_box,
            tr(
                "Credits never expire. They pay for usage beyond free units once "
                "committed credit is used up. Up to {maximum} at a time."
            ).format(maximum=maximum),
            tr("Amount:"),
            self.purchase_amount,
            self.purchase_button,
        )

        # One-time payment
        self.payment_box = QGroupBox(tr("One-time payment"), self)
        self.payment_amount = AmountEdit(self.currency, self.payment_box)
        self.payment_amount.setObjectName("paymentAmount")
        self.payment_amount.setAccessibleName(
            tr("One-time payment amount")
        )  # its label names the row
        self.payment_button = QPushButton(tr("&Make payment"), self.payment_box)
        self.payment_button.setObjectName("paymentButton")
        self._section(
            self.payment_box,
            tr(
                "A single payment now. It is kept as credit and pays this month's and "
                "later months' usage, like purchased credits. Up to {maximum} at a time."
            ).format(maximum=maximum),
            tr("Amount:"),
            self.payment_amount,
            self.payment_button,
        )

        # Auto-recharge
        self.auto_box = QGroupBox(tr("Auto-recharge"), self)
        self.auto_enabled = QCheckBox(tr("&Recharge automatically"), self.auto_box)
        self.auto_enabled.setObjectName("autoEnabled")
        self.auto_threshold = AmountEdit(self.currency, self.auto_box)
        self.auto_threshold.setObjectName("autoThreshold")
        self.auto_threshold.setAccessibleName(
            tr("Recharge when the balance is below")
        )  # its label names the row
        self.auto_amount = AmountEdit(self.currency, self.auto_box)
        self.auto_amount.setObjectName("autoAmount")
        self.auto_amount.setAccessibleName(
            tr("Amount to add at each recharge")
        )  # its label names the row
        self.auto_button = QPushButton(tr("&Save auto-recharge"), self.auto_box)
        self.auto_button.setObjectName("autoSaveButton")
        self.auto_reason = QLabel(self.auto_box)
        self.auto_reason.setObjectName("autoReason")
        self.auto_reason.setWordWrap(True)
        intro = QLabel(
            tr(
                "When usage brings the current month's balance below the threshold, the amount is "
                "charged to the card on file and added as credit (once each time the balance drops "
                "below it)."
            ),
            self.auto_box,
        )
        intro.setWordWrap(True)
        intro.setObjectName("sectionIntro")
        form = QFormLayout()
        # The checkbox spans the form, in line with its labels (not floating mid-column).
        form.addRow(self.auto_enabled)
        form.addRow(tr("When the balance is below:"), _with_currency(self.auto_threshold, self))
        form.addRow(tr("Add:"), _with_currency(self.auto_amount, self))
        auto_layout = QVBoxLayout(self.auto_box)
        auto_layout.addWidget(intro)
        auto_layout.addWidget(self.auto_reason)
        auto_layout.addLayout(form)
        buttons_row = QHBoxLayout()
        buttons_row.addStretch(1)
        buttons_row.addWidget(self.auto_button)
        auto_layout.addLayout(buttons_row)

        self.status = status_label(self)
        self.buttons = close_button_box(
            self, self.purchase_button, self.payment_button, self.auto_button
        )

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.balance_label)
        layout.addWidget(self.purchase_box)
        layout.addWidget(self.payment_box)
        layout.addWidget(self.auto_box)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

        self.purchase_button.clicked.connect(self.purchase)
        self.purchase_amount.returnPressed.connect(self.purchase)
        self.payment_button.clicked.connect(self.pay)
        self.payment_amount.returnPressed.connect(self.pay)
        self.auto_button.clicked.connect(self.save_auto_recharge)
        self.auto_enabled.toggled.connect(self._update_enabled)

        self._fill_auto_recharge(page)
        self._show_page(page)
        self._update_enabled()

    def _section(
        self,
        box: QGroupBox,
        text: str,
        label: str,
        edit: AmountEdit,
        button: QPushButton,
    ) -> None:
        intro = QLabel(text, box)
        intro.setWordWrap(True)
        intro.setObjectName("sectionIntro")
        row = QHBoxLayout()
        caption = QLabel(label, box)
        caption.setBuddy(edit)
        row.addWidget(caption)
        row.addWidget(_with_currency(edit, box), 1)
        row.addWidget(button)
        layout = QVBoxLayout(box)
        layout.addWidget(intro)
        layout.addLayout(row)

    # State ------------------------------------------------------------------------------

    def _fill_auto_recharge(self, page: UsagePage) -> None:
        setting = page.auto_recharge
        self.auto_enabled.setChecked(setting.enabled)
        if setting.amount > 0 or setting.enabled:
            self.auto_threshold.setText(format_amount(setting.threshold, self.currency))
            self.auto_amount.setText(format_amount(setting.amount, self.currency))

    @property
    def auto_recharge_refusal(self) -> str | None:
        return self.page.auto_recharge_refusal

    def _update_enabled(self) -> None:
        editable = self.can_edit and not self.busy
        credit_widgets: tuple[QWidget, ...] = (
            self.purchase_amount,
            self.purchase_button,
            self.payment_amount,
            self.payment_button,
        )
        for widget in credit_widgets:
            widget.setEnabled(editable)
            widget.setToolTip("" if self.can_edit else VIEW_ONLY)
        refusal = self.auto_recharge_refusal
        # Switching off stays possible even where switching on is not (a changed payment method).
        auto_on = self.auto_enabled.isChecked()
        allowed = editable and (refusal is None or auto_on)
        self.auto_enabled.setEnabled(allowed)
        amounts = allowed and auto_on and refusal is None
        self.auto_threshold.setEnabled(amounts)
        self.auto_amount.setEnabled(amounts)
        self.auto_button.setEnabled(allowed or (editable and refusal is None))
        reason = refusal if refusal is not None else (None if self.can_edit else VIEW_ONLY)
        self.auto_reason.setText(reason or "")
        self.auto_reason.setVisible(bool(reason))
        colour_label(self.auto_reason, error=True)
        tip = reason or ""
        auto_widgets: tuple[QWidget, ...] = (
            self.auto_enabled,
            self.auto_threshold,
            self.auto_amount,
            self.auto_button,
        )
        for auto_widget in auto_widgets:
            auto_widget.setToolTip(tip)

    def _show_page(self, page: UsagePage) -> None:
        self.page = page
        summary = page.summary
        balance = format_money(summary.balance, self.currency)
        month = month_name(page.current_month, capital=False)
        text = tr("Current balance for {month}: <b>{balance}</b>").format(
            month=month, balance=balance
        )
        if summary.balance < 0:
            text += tr(" (to be invoiced on {invoice_date})").format(
                invoice_date=summary.invoice_date.isoformat()
            )
        self.balance_label.setText(text)
        setting = auto_recharge_text(page.auto_recharge, self.currency)
        self.balance_label.setToolTip(tr("Auto-recharge: {setting}").format(setting=setting))

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(translate_message(text))
        colour_label(self.status, error)

    @property
    def status_is_error(self) -> bool:
        return shows_error(self.status)

    # Actions ----------------------------------------------------------------------------

    def _amount(self, edit: AmountEdit, what: str, allow_zero: bool = False) -> Decimal | None:
        try:
            return credits.credit_amount(edit.text(), self.currency, what, allow_zero=allow_zero)
        except InvalidInput as exc:
            self.show_status(str(exc), error=True)
            edit.setFocus()
            edit.selectAll()
            return None

    def purchase(self) -> None:
        if not self.can_edit or self.busy:
            return
        amount = self._amount(self.purchase_amount, tr("Purchase amount"))
        if amount is not None:
            self._run(
                lambda store: store.write(credits.purchase_credits, self.actor, amount),
                clear=self.purchase_amount,
            )

    def pay(self) -> None:
        if not self.can_edit or self.busy:
            return
        amount = self._amount(self.payment_amount, tr("Payment amount"))
        if amount is not None:
            self._run(
                lambda store: store.write(credits.make_one_time_payment, self.actor, amount),
                clear=self.payment_amount,
            )

    def save_auto_recharge(self) -> None:
        if not self.can_edit or self.busy:
            return
        enabled = self.auto_enabled.isChecked()
        if enabled:
            if self.auto_recharge_refusal is not None:
                self.show_status(self.auto_recharge_refusal, error=True)
                return
            threshold = self._amount(self.auto_threshold, tr("Threshold"), allow_zero=True)
            if threshold is None:
                return
            amount = self._amount(self.auto_amount, tr("Recharge amount"))
            if amount is None:
                return
            self._run(
                lambda store: store.write(
                    credits.set_auto_recharge, self.actor, True, threshold, amount, fire=True
                )
            )
        else:
            threshold_text, amount_text = self.auto_threshold.text(), self.auto_amount.text()
            self._run(
                lambda store: store.write(
                    credits.set_auto_recharge, self.actor, False, threshold_text, amount_text
                )
            )

    def _run(self, change: Callable[[Store], object], clear: QLineEdit | None = None) -> None:
        self.busy = True
        self._update_enabled()
        self.show_status(tr("Saving…"))
        self.runner.run(
            run_credit_action,
            self.store,
            self.actor,
            None,
            change,
            on_done=lambda result: self._done(result, clear),
            on_error=self._failed,
            description="change credits",
        )

    def _done(self, outcome: tuple[object, UsagePage], clear: QLineEdit | None) -> None:
        self.busy = False
        result, page = outcome
        if isinstance(result, credits.CreditChange):
            message = result.summary()
        elif isinstance(result, credits.AutoRecharge):
            message = tr("Auto-recharge saved: {describe}.").format(
                describe=auto_recharge_text(result, self.currency)
            )
        else:
            message = tr("Saved.")
        fired = result.fired if isinstance(result, credits.AutoRecharge) else None
        for change in (fired, page.fired):
            if change is not None:
                message += " " + change.summary()
        if clear is not None:
            clear.clear()
        self._show_page(page)
        self._update_enabled()
        self.show_status(message)
        self.changed.emit(page)

    def _failed(self, message: str) -> None:
        self.busy = False
        self._update_enabled()
        self.show_status(message, error=True)
