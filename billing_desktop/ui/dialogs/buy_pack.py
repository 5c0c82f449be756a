"""Usage Data ▸ Quotas ▸ Buy pack… (issue 19 §5): buy add-on volume packs of one statistic for
this month. Says what the quota becomes and how the price is paid (the account's credit, or an
invoice ``PACK-…`` for accounts paying by invoice) before anything is bought; the purchase runs
``services.pack_purchases.buy_pack`` on the task runner."""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Actor
from billing_desktop.domain.model import PaymentMethod
from billing_desktop.domain.quotas import AddOnPack, format_quantity
from billing_desktop.services import pack_purchases
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.services.pack_purchases import MAX_COUNT, PackPurchase
from billing_desktop.services.quotas import QuotaLine
from billing_desktop.ui.context import write
from billing_desktop.ui.dialogs.common import colour_label, status_label
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import format_money  # in the GUI's language
from billing_desktop.ui.tasks import TaskRunner


class BuyPackDialog(QDialog):
    """Signals: bought(PackPurchase) — the purchase was stored."""

    bought = Signal(object)

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        actor: Actor,
        line: QuotaLine,
        pack: AddOnPack,
        month: date,
        currency: str,
        pays_by: PaymentMethod | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("buyPackDialog")
        self.store, self.runner, self.actor = store, runner, actor
        self.line, self.pack, self.currency, self.pays_by = line, pack, currency, pays_by
        self.month = month
        self.busy = False
        self.setWindowTitle(tr("Buy add-on pack — {name}").format(name=pack.name))
        intro = QLabel(
            tr(
                "A pack adds its volume to the {statistic} quota of {month} only; next month "
                "starts from the plain quota again."
            ).format(statistic=line.statistic.label, month=f"{month:%B %Y}"),
            self,
        )
        intro.setWordWrap(True)
        self.count = QSpinBox(self)
        self.count.setObjectName("packCount")
        self.count.setRange(1, MAX_COUNT)
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.count.setAccessibleName(tr("Number of packs"))
        self.count.setMaximumWidth(90)
        self.count.valueChanged.connect(self._update)
        self.adds = QLabel(self)
        self.adds.setObjectName("packAdds")
        self.price = QLabel(self)
        self.price.setObjectName("packPrice")
        self.paid = QLabel(self)
        self.paid.setObjectName("packPaidBy")
        self.paid.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("&Packs:"), self.count)
        form.addRow(tr("Quota this month:"), self.adds)
        form.addRow(tr("Price:"), self.price)
        form.addRow(tr("Paid by:"), self.paid)
        self.status = status_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buy_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buy_button.setText(tr("&Buy"))
        self.buy_button.setObjectName("buyButton")
        self.buttons.accepted.connect(self.buy)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self._update()

    def _update(self) -> None:
        count = self.count.value()
        extra = self.pack.volume * count
        statistic = self.line.statistic
        before = self.line.effective_quota or 0
        self.adds.setText(
            tr("{before} → {after} (+{extra})").format(
                before=format_quantity(before),
                after=format_quantity(before + extra),
                extra=statistic.units(extra),
            )
        )
        total = self.pack.price * count
        self.price.setText(format_money(total, self.currency))
        if total == 0:
            self.paid.setText(tr("Nothing to pay: the pack is free."))
        elif self.pays_by == PaymentMethod.INVOICE:
            self.paid.setText(
                tr("An invoice (PACK-…), due after the account's payment terms, in Invoices.")
            )
        else:
            self.paid.setText(tr("The account's credit (a ledger row on this month's statement)."))
        self.buy_button.setText(ntr("&Buy {n} pack", "&Buy {n} packs", count).format(n=count))

    def buy(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.buttons.setEnabled(False)
        self.status.setText(tr("Buying…"))
        colour_label(self.status, False)
        self.runner.run(
            partial(
                write, self.store, pack_purchases.buy_pack, self.actor,
                self.line.statistic.value, self.pack.name, self.count.value(),
            ),
            on_done=self._done,
            on_error=self._failed,
            description="buy an add-on pack",
        )  # fmt: skip

    def _done(self, purchase: PackPurchase) -> None:
        self.busy = False
        self.buttons.setEnabled(True)
        self.bought.emit(purchase)
        self.accept()

    def _failed(self, message: str) -> None:
        self.busy = False
        self.buttons.setEnabled(True)
        self.status.setText(message[:1].upper() + message[1:])
        colour_label(self.status, True)
