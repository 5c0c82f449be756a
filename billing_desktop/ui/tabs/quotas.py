"""Usage Data tab ▸ Quotas (PRODUCT §8.1): this month's usage against each statistic's monthly
quota, a warning banner from 80 % and when a quota is exceeded (with the cost beyond it from the
rate card), "Set quota…" for those who may edit usage billing, and the add-on volume packs.

Reads ``services.quotas.quota_overview`` off the GUI thread; a quota is set through a small
dialog whose save runs ``services.quotas.set_quota`` on the runner (audited, one transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Actor
from billing_desktop.domain.quotas import (
    MAX_QUOTA,
    WARNING_PERCENT,
    AddOnPack,
    QuotaState,
    Statistic,
)
from billing_desktop.services import quotas
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.services.pack_purchases import PackPurchase
from billing_desktop.services.quotas import NO_PRICE, QuotaChange, QuotaLine, QuotaOverview
from billing_desktop.ui.context import TabContext, write
from billing_desktop.ui.dialogs.buy_pack import BuyPackDialog
from billing_desktop.ui.dialogs.common import status_label
from billing_desktop.ui.dialogs.unit_editor import MessageBar
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import format_money, format_month
from billing_desktop.ui.locale_format import format_number as format_quantity
from billing_desktop.ui.models.table import (
    NEGATIVE,
    RIGHT,
    Column,
    ColumnTableModel,
    money_column,
    number_column,
    price_column,
    text_column,
)
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tabs.statistics import LoadingSection
from billing_desktop.ui.tasks import TaskRunner
from billing_desktop.ui.widgets.table import make_table

BAR_SCALE = 1000  # progress bars count in tenths of a percent of the quota
# Light fills, so the dark text centred on the bar stays readable on them.
BAR_COLOURS = {
    QuotaState.UNSET: "#e5e7eb",
    QuotaState.OK: "#86efac",
    QuotaState.WARNING: "#fcd34d",
    QuotaState.EXCEEDED: "#fca5a5",
}
BAR_STYLE = (
    "QProgressBar {{ border: 1px solid #d1d5db; border-radius: 3px; background: #f9fafb; "
    "color: #111827; text-align: center; min-height: 20px; }}"
    "QProgressBar::chunk {{ background: {colour}; border-radius: 2px; }}"
)
STATE_TEXT = {
    QuotaState.UNSET: tr("No quota"),
    QuotaState.OK: tr("Within quota"),
    QuotaState.WARNING: tr("{WARNING_PERCENT} % reached").format(WARNING_PERCENT=WARNING_PERCENT),
    QuotaState.EXCEEDED: tr("Exceeded"),
}


# The services' statistic names, in the GUI's language.
STATISTIC_TITLES = {
    "Completed interviews": tr("Completed interviews"),
    "SMS messages": tr("SMS messages"),
    "Recorded minutes": tr("Recorded minutes"),
}


def statistic_title(statistic: Statistic) -> str:
    return STATISTIC_TITLES.get(statistic.label, statistic.label)


class QuotaBanner(MessageBar):
    """The message bar, with two more looks: a quota nearly reached (amber) or exceeded (red).

    Signals:
        action_triggered(): see :class:`MessageBar`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setStyleSheet(
            self.styleSheet()
            + 'QFrame#messageBar[kind="warning"] '
            + "{ background: #fef3c7; border: 1px solid #f59e0b; }"
            + "QFrame#messageBar[kind] QLabel { color: #1f2937; }"
            + 'QFrame#messageBar[kind="exceeded"] '
            + "{ background: #fee2e2; border: 1px solid #ef4444; }"
        )
        self.state = QuotaState.UNSET

    def show_state(self, text: str, state: QuotaState) -> None:
        self.show_message(translate_message(text))
        self.state = state
        self.setProperty("kind", "exceeded" if state == QuotaState.EXCEEDED else "warning")
        self.style().unpolish(self)
        self.style().polish(self)


@dataclass(frozen=True, slots=True)
class PackRow:
    statistic: Statistic
    pack: AddOnPack
    list_price: Decimal | None  # the same volume beyond the quota, at list price


@dataclass
class QuotaRow:
    """The widgets of one statistic's row."""

    name: QLabel
    used: QLabel
    quota: QLabel
    bar: QProgressBar
    beyond: QLabel
    cost: QLabel
    price: QLabel
    button: QPushButton


def bar_value(line: QuotaLine) -> int:
    """The bar's fill in tenths of a percent, full (not beyond) from the quota up (the quota
    with this month's add-on packs)."""
    quota = line.effective_quota
    if quota is None:
        return 0
    if quota == 0:
        return BAR_SCALE if line.usage > 0 else 0
    share = int((line.usage * BAR_SCALE) // quota)
    return min(share, BAR_SCALE)


def bar_text(line: QuotaLine) -> str:
    quota = line.effective_quota
    if quota is None:
        return tr("{format_quantity} used · no quota set").format(
            format_quantity=format_quantity(line.usage)
        )
    percent = f" ({line.percent} %)" if line.percent is not None else ""
    packs = (  # "+1 pack" when packs raise this month's quota
        " · " + ntr("+{n} pack", "+{n} packs", line.packs_bought).format(n=line.packs_bought)
        if line.packs_bought
        else ""
    )
    return (
        tr("{format_quantity} of {format_quantity2}{percent}").format(
            format_quantity=format_quantity(line.usage),
            format_quantity2=format_quantity(quota),
            percent=percent,
        )
        + packs
    )


class SetQuotaDialog(QDialog):
    """Sets (or removes) one statistic's monthly quota; the save runs on the task runner.

    Signals:
        saved(object): the :class:`QuotaChange` stored.
    """

    saved = Signal(object)

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        actor: Actor,
        line: QuotaLine,
        currency: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.actor = actor
        self.line = line
        self.busy = False
        statistic = line.statistic
        self.setObjectName("setQuotaDialog")
        self.setWindowTitle(tr("Monthly quota — {label}").format(label=statistic_title(statistic)))
        price = (
            tr("usage beyond it costs {price} per {unit} at list price (“{product}”)").format(
                price=format_money(line.price.unit_price, currency, keep_precision=True),
                unit=translate_message(statistic.unit_one),
                product=line.price.product_name,
            )
            if line.price is not None
            else tr("usage beyond it has {no_price}").format(no_price=translate_message(NO_PRICE))
        )
        intro = QLabel(
            tr(
                "This month so far: {units}. The Quotas section warns from "
                "{WARNING_PERCENT} % of the quota, and {price}."
            ).format(
                units=translate_message(statistic.units(line.usage)),
                WARNING_PERCENT=WARNING_PERCENT,
                price=price,
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setObjectName("quotaIntro")
        self.enabled = QCheckBox(tr("Set a monthly &quota"), self)
        self.enabled.setObjectName("quotaEnabled")
        self.enabled.setChecked(line.quota is not None)
        self.spin = QSpinBox(self)
        self.spin.setObjectName("quotaSpin")
        self.spin.setRange(0, MAX_QUOTA)
        self.spin.setGroupSeparatorShown(True)
        self.spin.setSuffix(f" {statistic.unit}")
        self.spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.spin.setAccessibleName(tr("Monthly quota"))
        self.spin.setValue(line.quota if line.quota is not None else _suggested(line.usage))
        self.spin.setEnabled(self.enabled.isChecked())
        self.enabled.toggled.connect(self.spin.setEnabled)
        form = QFormLayout()
        form.addRow("", self.enabled)
        spin_caption = QLabel(tr("Monthly &quota:"), self)
        spin_caption.setBuddy(self.spin)
        form.addRow(spin_caption, self.spin)
        self.status = status_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(translate_message(text))
        self.status.setStyleSheet(f"color: {NEGATIVE.name()};" if error else "")

    def value(self) -> int | None:
        """The quota to store (None: no quota); raises ValueError when the box is not valid."""
        if not self.enabled.isChecked():
            return None
        if not self.spin.hasAcceptableInput():
            raise ValueError(
                f"Monthly quota: enter a whole number of {self.line.statistic.unit} from 0 to "
                f"{MAX_QUOTA:,}"
            )
        return self.spin.value()

    def save(self) -> None:
        if self.busy:
            return
        try:
            quota = self.value()
        except ValueError as exc:
            self.show_status(str(exc), error=True)
            self.spin.setFocus()
            self.spin.selectAll()
            return
        self.busy = True
        self.buttons.setEnabled(False)
        self.show_status(tr("Saving…"))
        self.runner.run(
            partial(
                write, self.store, quotas.set_quota, self.actor, self.line.statistic.value, quota
            ),
            on_done=self._done,
            on_error=self._failed,
            description="set a usage quota",
        )

    def _done(self, change: QuotaChange) -> None:
        self.busy = False
        self.buttons.setEnabled(True)
        self.show_status(change.summary())
        self.saved.emit(change)
        self.accept()

    def _failed(self, message: str) -> None:
        self.busy = False
        self.buttons.setEnabled(True)
        self.show_status(tr("Monthly quota: {message}").format(message=message), error=True)
        self.spin.setFocus()


def _suggested(usage: Decimal) -> int:
    """A starting value for a new quota: this month's usage, rounded up to a hundred."""
    hundreds = int(-(-usage // 100))
    return min(max(hundreds * 100, 100), MAX_QUOTA)


class QuotasSection(LoadingSection):
    """One row per statistic (usage against quota as a bar), warning banners, "Set quota…",
    and the add-on volume packs with their prices.

    Signals:
        loaded(): see :class:`Page`.
        notice_shown(str): the outcome of setting a quota, as shown in the notice line.
    """

    notice_shown = Signal(str)
    watches = frozenset({"workspace", "records", "quotas", "credits"})  # credits: packs bought

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.overview: QuotaOverview | None = None
        self.dialog: SetQuotaDialog | None = None
        currency = context.currency

        self.caption = QLabel(tr("Loading…"), self)
        self.caption.setObjectName("caption")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = QLabel(self)
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("QLabel#notice { color: #166534; }")
        self.notice.hide()
        self.banners: dict[Statistic, QuotaBanner] = {}
        banner_box = QVBoxLayout()
        banner_box.setSpacing(6)
        for statistic in Statistic:
            banner = QuotaBanner(self)  # keeps the object name its style sheet selects on
            banner.setProperty("statistic", statistic.value)
            self.banners[statistic] = banner
            banner_box.addWidget(banner)

        grid_frame = QFrame(self)
        grid_frame.setObjectName("quotaRows")
        self.grid = QGridLayout(grid_frame)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(16)
        self.grid.setVerticalSpacing(8)
        headers = (
            (tr("Statistic"), Qt.AlignmentFlag.AlignLeft),
            (tr("Used this month"), Qt.AlignmentFlag.AlignRight),
            (tr("Monthly quota"), Qt.AlignmentFlag.AlignRight),
            (tr("Usage against quota"), Qt.AlignmentFlag.AlignLeft),
            (tr("Beyond quota"), Qt.AlignmentFlag.AlignRight),
            (tr("Cost beyond quota"), Qt.AlignmentFlag.AlignRight),
            (tr("List price"), Qt.AlignmentFlag.AlignRight),
        )
        bold = QFont(self.font())
        bold.setBold(True)
        for column, (title, align) in enumerate(headers):
            header = QLabel(title, grid_frame)
            header.setFont(bold)
            self.grid.addWidget(header, 0, column, align | Qt.AlignmentFlag.AlignVCenter)
        self.grid.setColumnStretch(3, 1)
        self.grid.setColumnMinimumWidth(3, 220)
        self.rows: dict[Statistic, QuotaRow] = {}
        for index, statistic in enumerate(Statistic, start=1):
            self.rows[statistic] = self._make_row(grid_frame, index, statistic)

        packs_title = QLabel(tr("Add-on volume packs"), self)
        packs_title.setFont(bold)
        packs_note = QLabel(
            tr(
                "Packs add volume on top of a month's quota, at the price shown (account "
                "currency). “At list price” is what the same volume costs beyond the quota."
            ),
            self,
        )
        packs_note.setWordWrap(True)
        packs_note.setObjectName("packsNote")
        self.packs_model: ColumnTableModel[PackRow] = ColumnTableModel(
            self._pack_columns(currency), self
        )
        self.packs_table = make_table(self)
        self.packs_table.setObjectName("packsTable")
        self.packs_table.setAccessibleName(tr("Packs"))
        self.packs_table.setModel(self.packs_model)
        packs_header = self.packs_table.horizontalHeader()
        packs_header.setStretchLastSection(False)
        packs_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.packs_empty = QLabel(tr("No add-on packs are offered for these statistics."), self)
        self.packs_empty.setObjectName("packsEmpty")
        self.packs_empty.hide()

        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(4, 10, 4, 4)
        layout.setSpacing(10)
        layout.addWidget(self.caption)
        layout.addWidget(self.notice)
        layout.addLayout(banner_box)
        layout.addWidget(grid_frame)
        layout.addSpacing(6)
        layout.addWidget(packs_title)
        layout.addWidget(packs_note)
        layout.addWidget(self.packs_table)
        layout.addWidget(self.packs_empty)
        layout.addLayout(self._buy_pack_row())
        layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setObjectName("quotasScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._set_buttons(None)

    def _make_row(self, parent: QWidget, index: int, statistic: Statistic) -> QuotaRow:
        def cell(align: Qt.AlignmentFlag = RIGHT) -> QLabel:
            label = QLabel(parent)
            label.setAlignment(align)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            return label

        bar = QProgressBar(parent)
        bar.setObjectName(f"quotaBar_{statistic.value}")
        bar.setRange(0, BAR_SCALE)
        bar.setTextVisible(True)
        bar.setAccessibleName(
            tr("{label}: usage against the monthly quota").format(label=statistic_title(statistic))
        )
        button = QPushButton(tr("Set quota…"), parent)
        button.setObjectName(f"setQuota_{statistic.value}")
        button.clicked.connect(lambda: self.open_set_quota(statistic))
        row = QuotaRow(
            name=cell(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            used=cell(),
            quota=cell(),
            bar=bar,
            beyond=cell(),
            cost=cell(),
            price=cell(),
            button=button,
        )
        row.name.setText(statistic_title(statistic))
        widgets = (row.name, row.used, row.quota, row.bar, row.beyond, row.cost, row.price)
        for column, widget in enumerate(widgets):
            self.grid.addWidget(widget, index, column)
        self.grid.addWidget(button, index, len(widgets))
        return row

    def _pack_columns(self, currency: str | None) -> list[Column[PackRow]]:
        def list_text(row: PackRow) -> str:
            if row.list_price is None:
                return translate_message(NO_PRICE)
            return format_money(row.list_price, currency) if currency else str(row.list_price)

        return [
            text_column(tr("Statistic"), lambda r: statistic_title(r.statistic)),
            text_column(tr("Pack"), lambda r: r.pack.name),
            number_column(tr("Volume"), lambda r: r.pack.volume, tr("Units the pack adds")),
            money_column(
                tr("Price"), lambda r: r.pack.price, currency, tr("In the account currency")
            ),
            price_column(
                tr("Per unit"),
                lambda r: r.pack.price_per_unit.quantize(Decimal("0.0001")),
                currency,
            ),
            Column(
                tr("At list price"),
                list_text,
                RIGHT,
                tr("The same volume beyond the quota at the rate card's list price"),
                lambda r: r.list_price,
            ),
        ]

    # Loading ----------------------------------------------------------------------------------

    def start_load(self) -> None:
        self.load(quotas.quota_overview)

    def show_result(self, result: Any) -> None:
        overview: QuotaOverview = result
        self.overview = overview
        currency = overview.currency
        self.caption.setText(
            tr(
                "Quotas for {month}: this month's usage so far against each monthly "
                "quota. The section warns from {WARNING_PERCENT} % of a quota; usage beyond "
                "a quota is a variable cost at the rate card's list price."
            ).format(
                month=format_month(overview.month, capital=False), WARNING_PERCENT=WARNING_PERCENT
            )
            + ("" if overview.can_edit else " " + translate_message(overview.edit_refusal or ""))
        )
        for line in overview.lines:
            self._show_line(line, currency)
        for statistic, banner in self.banners.items():
            line = overview.line(statistic)
            if line.message:
                banner.show_state(line.message, line.state)
            else:
                banner.dismiss()
        rows = [
            PackRow(
                line.statistic,
                pack,
                None
                if line.price is None
                else pack.volume * line.price.unit_price,  # exact; shown rounded
            )
            for line in overview.lines
            for pack in line.packs
        ]
        self.packs_model.set_rows(rows)
        self._fit_packs()
        self.packs_table.setVisible(bool(rows))
        self.packs_empty.setVisible(not rows)
        self._set_buttons(overview)

    def _show_line(self, line: QuotaLine, currency: str) -> None:
        row = self.rows[line.statistic]
        statistic = line.statistic
        row.used.setText(format_quantity(line.usage))
        row.quota.setText("—" if line.quota is None else format_quantity(line.quota))
        row.quota.setToolTip(tr("No quota set") if line.quota is None else "")
        if line.quota is not None and line.packs_bought:  # add-on packs this month
            row.quota.setText(f"{format_quantity(line.quota)} + {format_quantity(line.extra)}")
            row.quota.setToolTip(
                ntr(
                    "The monthly quota, and {n} add-on pack bought for this month",
                    "The monthly quota, and {n} add-on packs bought for this month",
                    line.packs_bought,
                ).format(n=line.packs_bought)
            )
        row.bar.setValue(bar_value(line))
        row.bar.setFormat(bar_text(line))
        row.bar.setStyleSheet(BAR_STYLE.format(colour=BAR_COLOURS[line.state]))
        row.bar.setToolTip(STATE_TEXT[line.state])
        row.beyond.setText(format_quantity(line.beyond) if line.quota is not None else "—")
        if line.price is None:
            row.cost.setText(translate_message(NO_PRICE))
            row.price.setText("—")
            row.price.setToolTip(
                tr("No product on the rate card prices {unit}").format(
                    unit=translate_message(statistic.unit)
                )
            )
        else:
            cost = line.cost_beyond if line.cost_beyond is not None else Decimal(0)
            row.cost.setText("—" if line.quota is None else format_money(cost, currency))
            row.price.setText(
                f"{format_money(line.price.unit_price, currency, keep_precision=True)} / "
                f"{translate_message(statistic.unit_one)}"
            )
            row.price.setToolTip(
                tr("“{product_name}” on the rate card").format(product_name=line.price.product_name)
            )
        exceeded = line.state == QuotaState.EXCEEDED
        row.cost.setStyleSheet(f"color: {NEGATIVE.name()};" if exceeded else "")

    def _fit_packs(self) -> None:
        table = self.packs_table
        header = table.horizontalHeader()
        for column in range(self.packs_model.columnCount()):
            table.resizeColumnToContents(column)
            header.resizeSection(column, header.sectionSize(column) + 16)
        rows = max(self.packs_model.rowCount(), 1)
        height = header.sizeHint().height() + rows * table.verticalHeader().defaultSectionSize()
        table.setFixedHeight(height + 2 * table.frameWidth() + 2)

    def show_failure(self, message: str) -> None:
        self.overview = None
        self.caption.setText(tr("Could not load the quotas: {message}").format(message=message))
        for banner in self.banners.values():
            banner.dismiss()
        self._set_buttons(None)

    def _set_buttons(self, overview: QuotaOverview | None) -> None:
        refusal = quotas.quota_refusal(self.context.actor)
        self._update_buy_pack()
        for row in self.rows.values():
            row.button.setEnabled(overview is not None and refusal is None)
            row.button.setToolTip(
                refusal
                if refusal is not None
                else tr("Set or remove this statistic's monthly quota")
            )

    # Buying a pack ---------------------------------------------------

    def _buy_pack_row(self) -> QHBoxLayout:
        self.buy_dialog: BuyPackDialog | None = None
        self.buy_pack_button = QPushButton(tr("&Buy pack…"), self)
        self.buy_pack_button.setObjectName("buyPackButton")
        self.buy_pack_button.clicked.connect(self.open_buy_pack)
        self.packs_table.selectionModel().selectionChanged.connect(self._update_buy_pack)
        self.packs_table.doubleClicked.connect(lambda _index: self.open_buy_pack())
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.buy_pack_button)
        return row

    def selected_pack(self) -> PackRow | None:
        rows = self.packs_table.selectionModel().selectedRows()
        return self.packs_model.row_at(rows[0].row()) if rows else None

    def _update_buy_pack(self) -> None:
        overview, chosen = self.overview, self.selected_pack()
        refusal = quotas.quota_refusal(self.context.actor)
        reason = refusal
        if (
            reason is None
            and chosen is not None
            and overview is not None
            and overview.line(chosen.statistic).quota is None
        ):
            reason = tr("{statistic} has no monthly quota: set one first.").format(
                statistic=statistic_title(chosen.statistic)
            )
        self.buy_pack_button.setEnabled(overview is not None and chosen is not None and not reason)
        self.buy_pack_button.setToolTip(
            reason or tr("Buy the selected pack for this month: it raises the month's quota")
        )

    def open_buy_pack(self) -> BuyPackDialog | None:
        overview, chosen = self.overview, self.selected_pack()
        if overview is None or chosen is None or self.buy_dialog is not None:
            return None
        if not self.buy_pack_button.isEnabled():
            return None
        account = self.context.account
        dialog = BuyPackDialog(
            self.context.store, self.context.runner, self.context.actor,
            overview.line(chosen.statistic), chosen.pack, overview.month, overview.currency,
            account.payment_method if account is not None else None, self,
        )  # fmt: skip
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.bought.connect(self._pack_bought)
        dialog.destroyed.connect(self._buy_dialog_closed)
        self.buy_dialog = dialog
        dialog.open()
        return dialog

    def _buy_dialog_closed(self) -> None:
        self.buy_dialog = None

    def _pack_bought(self, purchase: PackPurchase) -> None:
        self.show_notice(purchase.summary(self.overview.currency if self.overview else ""))
        self.refresh()

    # Setting a quota --------------------------------------------------------------------------

    def open_set_quota(self, statistic: Statistic) -> SetQuotaDialog | None:
        """The dialog for ``statistic``'s quota (None when the user may not set quotas)."""
        overview = self.overview
        if overview is None or not overview.can_edit or self.dialog is not None:
            return None
        dialog = SetQuotaDialog(
            self.context.store,
            self.context.runner,
            self.context.actor,
            overview.line(statistic),
            overview.currency,
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._quota_saved)
        dialog.destroyed.connect(self._dialog_closed)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self) -> None:
        self.dialog = None

    def _quota_saved(self, change: QuotaChange) -> None:
        self.show_notice(change.summary())
        self.refresh()

    def show_notice(self, text: str) -> None:
        self.notice.setText(translate_message(text))
        self.notice.setVisible(bool(text))
        self.notice_shown.emit(text)
