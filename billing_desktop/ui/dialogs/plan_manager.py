"""Plans ▸ Manage: an app's plan, the plans it is eligible for, funds, extensions, owner (§7).

The dialog only collects and checks input; each action runs a plans service on the task runner
(the change and its audit row in one transaction), then reads the app again in the same unit
of work, so the dialog and the tab show the result the moment it lands (``changed``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from PySide6.QtCore import QDate, QRect, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Actor
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.plans import (
    MAX_REASON,
    PENDING,
    REJECTED,
    Change,
    ExtensionRequest,
    PlanOption,
    check_extension,
)
from billing_desktop.services import credits, plan_extensions, plans
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.services.plans import AppPlans
from billing_desktop.ui.dialogs.common import (
    close_button_box,
    colour_label,
    shows_error,
    status_label,
)
from billing_desktop.ui.dialogs.manage_credits import AmountEdit, _with_currency
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.locale_format import format_money  # in the GUI's language
from billing_desktop.ui.models.table import (
    LEFT,
    NEGATIVE,
    Column,
    ColumnTableModel,
    money_column,
    number_column,
    text_column,
)
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tasks import TaskRunner
from billing_desktop.ui.widgets.table import make_table

CHANGE_TITLES = {
    Change.SAME: tr("Current plan"),
    Change.UPGRADE: tr("Upgrade (applies now)"),
    Change.DOWNGRADE: tr("Downgrade (at period end)"),
}


def load_app_plans(store: Store, actor: Actor, app_id: str) -> AppPlans:
    """Worker thread: what the dialog shows."""
    return store.read(plans.app_plans, actor, app_id)


def run_plan_action(
    store: Store, actor: Actor, app_id: str, change: Callable[[Store], T]
) -> tuple[T, AppPlans]:
    """Worker thread: make the change (a typed ``store.write`` call), then read the app again."""
    result = change(store)
    return result, store.read(plans.app_plans, actor, app_id)


T = TypeVar("T")

ELIGIBILITY = 4  # the plans table's last column: it takes the spare width and wraps


def _eligibility(option: PlanOption) -> str:
    if option.current:
        return tr("Current plan")
    return (
        tr("Eligible")
        if option.eligible
        else tr("Not eligible: {reason}").format(reason=translate_message(option.reason))
    )


class PlanManagerDialog(QDialog):
    """Manage one app's plan, funds, extension requests and owner.

    Signals:
        loaded(): the app's plans are shown (or the error reading them).
        changed(object): an action landed; the fresh :class:`AppPlans`.
    """

    loaded = Signal()
    changed = Signal(object)

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        actor: Actor,
        app_id: str,
        currency: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("planManagerDialog")
        self.setWindowTitle(tr("Manage app plan"))
        self.store = store
        self.runner = runner
        self.actor = actor
        self.app_id = app_id
        self.currency = currency
        self.view: AppPlans | None = None
        self.busy = True
        self.focus_after_load: QWidget | None = None

        self.header = QLabel(tr("Loading…"), self)
        self.header.setObjectName("planHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)

        self.pending_label = QLabel(self)
        self.pending_label.setObjectName("pendingLabel")
        self.pending_label.setWordWrap(True)
        self.cancel_button = QPushButton(tr("&Cancel pending downgrade"), self)
        self.cancel_button.setObjectName("cancelDowngradeButton")
        pending_row = QHBoxLayout()
        pending_row.addWidget(self.pending_label, 1)
        pending_row.addWidget(self.cancel_button)

        # Plans
        self.plans_box = QGroupBox(tr("Plans"), self)
        self.plans_model: ColumnTableModel[PlanOption] = ColumnTableModel(
            [
                text_column(tr("Plan"), lambda o: o.plan.name),
                money_column(tr("Monthly price"), lambda o: o.plan.monthly_price, currency),
                number_column(
                    tr("Included sessions"),
                    lambda o: o.plan.included_sessions,
                    tr("Billing sessions a month the plan includes"),
                ),
                text_column(tr("Change"), lambda o: CHANGE_TITLES[o.change]),
                Column[PlanOption](
                    tr("Eligibility"),
                    _eligibility,
                    LEFT,
                    tr(
                        "Eligible when the plan includes the app's highest monthly billing "
                        "sessions of the last three full months"
                    ),
                    raw=lambda o: o.eligible,
                    foreground=lambda o: None if o.eligible else NEGATIVE,
                    cell_tooltip=_eligibility,  # the reason can be longer than the column
                ),
            ],
            self,
        )
        self.plans_table = make_table(self.plans_box)
        self.plans_table.setObjectName("plansTable")
        self.plans_table.setAccessibleName(tr("Plans"))
        self.plans_table.setSelectionMode(self.plans_table.SelectionMode.SingleSelection)
        self.plans_table.setModel(self.plans_model)
        self.plans_table.horizontalHeader().setStretchLastSection(True)
        self.plans_table.horizontalHeader().setSectionResizeMode(
            ELIGIBILITY, QHeaderView.ResizeMode.Stretch
        )
        # A long eligibility reason wraps in its cell instead of ending in "…".
        self.plans_table.setWordWrap(True)
        self.plans_table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.plans_table.horizontalHeader().sectionResized.connect(
            lambda *_: self._fit_rows()  # wrap again at the new width
        )
        self.plans_model.modelReset.connect(self._fit_rows)
        self.plans_table.setMinimumHeight(150)
        self.change_button = QPushButton(tr("C&hange to selected plan"), self.plans_box)
        self.change_button.setObjectName("changePlanButton")
        plans_layout = QVBoxLayout(self.plans_box)
        intro = QLabel(
            tr(
                "An upgrade applies at once; a downgrade takes effect at the end of the plan "
                "period and can be cancelled until then."
            ),
            self.plans_box,
        )
        intro.setWordWrap(True)
        plans_layout.addWidget(intro)
        plans_layout.addWidget(self.plans_table)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.change_button)
        plans_layout.addLayout(row)

        # Funds
        self.funds_box = QGroupBox(tr("Add funds"), self)
        self.funds_amount = AmountEdit(currency, self.funds_box)
        self.funds_amount.setObjectName("fundsAmount")
        self.funds_amount.setAccessibleName(tr("Funds to add"))  # its label names the row
        self.funds_button = QPushButton(tr("&Add funds"), self.funds_box)
        self.funds_button.setObjectName("addFundsButton")
        funds_row = QHBoxLayout(self.funds_box)
        funds_row.addWidget(QLabel(tr("Amount:"), self.funds_box))
        funds_row.addWidget(_with_currency(self.funds_amount, self.funds_box), 1)
        funds_row.addWidget(self.funds_button)

        # Extension
        self.extension_box = QGroupBox(tr("Request an extension"), self)
        self.reason_edit = QPlainTextEdit(self.extension_box)
        self.reason_edit.setObjectName("extensionReason")
        self.reason_edit.setPlaceholderText(
            tr("Why the plan period should be extended (up to {MAX_REASON} characters)").format(
                MAX_REASON=MAX_REASON
            )
        )
        self.reason_edit.setFixedHeight(60)
        self.reason_edit.setTabChangesFocus(True)
        self.end_edit = QDateEdit(self.extension_box)
        self.end_edit.setObjectName("extensionEnd")
        self.end_edit.setAccessibleName(tr("Requested end of the plan period"))
        self.end_edit.setCalendarPopup(True)
        self.end_edit.setDisplayFormat("yyyy-MM-dd")
        self.extension_button = QPushButton(tr("&Request extension"), self.extension_box)
        self.extension_button.setObjectName("requestExtensionButton")
        self.extensions_label = QLabel(self.extension_box)
        self.extensions_label.setObjectName("extensionsLabel")
        self.extensions_label.setWordWrap(True)
        self.extensions_label.setTextFormat(Qt.TextFormat.RichText)
        ext_form = QFormLayout(self.extension_box)
        ext_form.addRow(tr("Reason:"), self.reason_edit)
        end_row = QHBoxLayout()
        end_row.addWidget(self.end_edit)
        end_row.addStretch(1)
        end_row.addWidget(self.extension_button)
        ext_form.addRow(tr("Requested end:"), end_row)
        ext_form.addRow(self.extensions_label)
        # An admin's decision on the pending request (issue 19 §6).
        self.decision_row = QWidget(self.extension_box)
        self.decision_row.setObjectName("extensionDecision")
        self.grant_edit = QDateEdit(self.decision_row)
        self.grant_edit.setObjectName("grantEnd")
        self.grant_edit.setCalendarPopup(True)
        self.grant_edit.setDisplayFormat("yyyy-MM-dd")
        self.grant_edit.setToolTip(tr("The plan's new end date when the request is approved"))
        self.approve_button = QPushButton(tr("A&pprove until"), self.decision_row)
        self.approve_button.setObjectName("approveExtensionButton")
        self.reject_reason = QLineEdit(self.decision_row)
        self.reject_reason.setObjectName("rejectReason")
        self.reject_reason.setPlaceholderText(tr("Why it is rejected"))
        self.reject_reason.setMaxLength(MAX_REASON)
        self.reject_button = QPushButton(tr("Re&ject"), self.decision_row)
        self.reject_button.setObjectName("rejectExtensionButton")
        decision_layout = QHBoxLayout(self.decision_row)
        decision_layout.setContentsMargins(0, 0, 0, 0)
        decision_layout.addWidget(self.approve_button)
        decision_layout.addWidget(self.grant_edit)
        decision_layout.addSpacing(16)
        decision_layout.addWidget(self.reject_reason, 1)
        decision_layout.addWidget(self.reject_button)
        self.decision_label = QLabel(tr("Decide:"), self.extension_box)
        ext_form.addRow(self.decision_label, self.decision_row)

        # Owner
        self.owner_box = QGroupBox(tr("Owner"), self)
        self.owner_combo = QComboBox(self.owner_box)
        self.owner_combo.setObjectName("ownerCombo")
        self.owner_combo.setAccessibleName(tr("New owner"))
        self.owner_button = QPushButton(tr("Change &owner"), self.owner_box)
        self.owner_button.setObjectName("changeOwnerButton")
        owner_row = QHBoxLayout(self.owner_box)
        owner_row.addWidget(self.owner_combo, 1)
        owner_row.addWidget(self.owner_button)

        self.status = status_label(self)
        self.buttons = close_button_box(
            self,
            self.cancel_button,
            self.change_button,
            self.funds_button,
            self.extension_button,
            self.owner_button,
            self.approve_button,
            self.reject_button,
        )

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.header)
        layout.addLayout(pending_row)
        layout.addWidget(self.plans_box, 1)
        layout.addWidget(self.funds_box)
        layout.addWidget(self.extension_box)
        layout.addWidget(self.owner_box)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(820)

        self.cancel_button.clicked.connect(self.cancel_downgrade)
        self.change_button.clicked.connect(self.change_plan)
        self.plans_table.selectionModel().selectionChanged.connect(self._update_enabled)
        self.funds_button.clicked.connect(self.add_funds)
        self.funds_amount.returnPressed.connect(self.add_funds)
        self.extension_button.clicked.connect(self.request_extension)
        self.approve_button.clicked.connect(self.approve_extension)
        self.reject_button.clicked.connect(self.reject_extension)
        self.reject_reason.returnPressed.connect(self.reject_extension)
        self.owner_button.clicked.connect(self.change_owner)
        self.owner_combo.currentIndexChanged.connect(self._update_enabled)

        self._update_enabled()
        self.runner.run(
            load_app_plans,
            store,
            actor,
            app_id,
            on_done=self._loaded,
            on_error=self._load_failed,
            description="load app plans",
        )

    # State ------------------------------------------------------------------------------

    def _fit_rows(self) -> None:
        """Rows tall enough for the eligibility reason wrapped at its column's width."""
        table = self.plans_table
        metrics = table.fontMetrics()
        width = max(table.columnWidth(ELIGIBILITY) - 12, 40)  # the cell's margins
        default = table.verticalHeader().defaultSectionSize()
        for row in range(self.plans_model.rowCount()):
            text = str(self.plans_model.index(row, ELIGIBILITY).data() or "")
            needed = metrics.boundingRect(
                QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text
            ).height()
            table.setRowHeight(row, max(default, needed + 8))

    def _loaded(self, view: AppPlans) -> None:
        self.busy = False
        self.show_view(view)
        if self.focus_after_load is not None:  # e.g. Plans ▸ "…" ▸ Change owner
            self.focus_after_load.setFocus(Qt.FocusReason.OtherFocusReason)
            self.focus_after_load = None
        self.loaded.emit()

    def _load_failed(self, message: str) -> None:
        self.busy = False
        self.header.setText(
            html.escape(tr("Could not load the app: {message}").format(message=message))
        )
        self._update_enabled()
        self.loaded.emit()

    def show_view(self, view: AppPlans) -> None:
        self.view = view
        app = view.app
        plan = view.plan
        if plan is not None:
            price = html.escape(format_money(plan.monthly_price, self.currency))
            plan_text = tr(
                "{plan_name} ({price} a month, {included_sessions:,} sessions included)"
            ).format(
                plan_name=html.escape(plan.name),
                price=price,
                included_sessions=plan.included_sessions,
            )
        else:
            plan_text = html.escape(app.plan)
        months = tr("{first} to {last}").format(
            first=view.usage_months[0], last=view.usage_months[-1]
        )
        balance = format_money(app.balance, self.currency)
        self.header.setText(
            tr(
                "<b>{app_name}</b> — current plan: {plan_text}<br>Usage: at most "
                "<b>{usage:,}</b> billing sessions a month ({months}). Balance: "
                "<b>{balance}</b>. Plan period ends {period_end}."
            ).format(
                app_name=html.escape(app.name),
                plan_text=plan_text,
                usage=view.usage,
                months=months,
                balance=html.escape(balance),
                period_end=view.period_end.isoformat(),
            )
        )
        if view.pending_plan is not None:
            self.pending_label.setText(
                tr("Pending: downgrade to {pending_plan_name} at the end of {period_end}.").format(
                    pending_plan_name=view.pending_plan.name, period_end=view.period_end.isoformat()
                )
            )
        else:
            self.pending_label.setText(tr("No plan change pending."))
        self.plans_model.set_rows(list(view.options))
        for column in range(ELIGIBILITY):  # the last column takes the rest, and wraps
            self.plans_table.resizeColumnToContents(column)
        self._fit_rows()
        self.owner_combo.blockSignals(True)
        self.owner_combo.clear()
        for owner in view.owners:
            self.owner_combo.addItem(owner.name, owner.id)
        index = self.owner_combo.findData(view.owner.id)
        if index < 0:
            self.owner_combo.insertItem(0, view.owner.name, view.owner.id)
            index = 0
        self.owner_combo.setCurrentIndex(index)
        self.owner_combo.blockSignals(False)
        today = view.today
        first_view = self.end_edit.minimumDate() != QDate(
            today.year, today.month, today.day
        ).addDays(1)
        self.end_edit.setMinimumDate(QDate(today.year, today.month, today.day).addDays(1))
        self.end_edit.setMaximumDate(QDate(today.year, today.month, today.day).addDays(365))
        if first_view:  # suggest a month past the current period's end
            end = max(view.period_end, today)
            self.end_edit.setDate(QDate(end.year, end.month, end.day).addMonths(1))
        lines = [_extension_line(r) for r in view.extensions]
        self.extensions_label.setText(
            "<br>".join(lines) if lines else tr("No extension requested.")
        )
        pending = self.pending_extension
        if pending is not None:
            end = pending.requested_end
            self.grant_edit.setMinimumDate(QDate(today.year, today.month, today.day).addDays(1))
            self.grant_edit.setMaximumDate(QDate(today.year, today.month, today.day).addDays(365))
            self.grant_edit.setDate(QDate(end.year, end.month, end.day))
        self._update_enabled()

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        if self.view is None:
            return None
        return next((r for r in self.view.extensions if r.status == PENDING), None)

    def selected_option(self) -> PlanOption | None:
        rows = self.plans_table.selectionModel().selectedRows()
        return self.plans_model.row_at(rows[0].row()) if rows else None

    def select_plan(self, code: str) -> None:
        for row, option in enumerate(self.plans_model.rows):
            if option.plan.code == code:
                self.plans_table.selectRow(row)

    def _update_enabled(self) -> None:
        view = self.view
        editable = view is not None and view.can_edit and not self.busy
        option = self.selected_option() if view is not None else None
        self.change_button.setEnabled(
            editable and option is not None and option.eligible and not option.current
        )
        if option is not None and not option.eligible:
            self.change_button.setToolTip(
                tr("{plan_name} is not eligible: {reason}").format(
                    plan_name=option.plan.name, reason=option.reason
                )
            )
        else:
            self.change_button.setToolTip("")
        pending = view is not None and view.pending_plan is not None
        self.cancel_button.setVisible(pending)
        self.cancel_button.setEnabled(editable and pending)
        for widget in (
            self.funds_amount,
            self.funds_button,
            self.reason_edit,
            self.end_edit,
            self.extension_button,
            self.owner_combo,
        ):
            widget.setEnabled(editable)
        self.owner_button.setEnabled(
            editable
            and view is not None
            and self.owner_combo.currentData() not in (None, view.owner.id)
        )
        deciding = view is not None and view.can_decide and self.pending_extension is not None
        self.decision_row.setVisible(deciding)
        self.decision_label.setVisible(deciding)
        for decision_widget in (
            self.grant_edit,
            self.approve_button,
            self.reject_reason,
            self.reject_button,
        ):
            decision_widget.setEnabled(deciding and not self.busy)

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(translate_message(text))
        colour_label(self.status, error)

    @property
    def status_is_error(self) -> bool:
        return shows_error(self.status)

    # Actions ----------------------------------------------------------------------------

    def change_plan(self) -> None:
        option = self.selected_option()
        if self.busy or option is None or not option.eligible or option.current:
            return
        code = option.plan.code
        self._run(lambda store: store.write(plans.change_plan, self.actor, self.app_id, code))

    def cancel_downgrade(self) -> None:
        if self.busy or self.view is None or self.view.pending_plan is None:
            return
        self._run(lambda store: store.write(plans.cancel_downgrade, self.actor, self.app_id))

    def add_funds(self) -> None:
        if self.busy or self.view is None:
            return
        try:
            amount = credits.credit_amount(self.funds_amount.text(), self.currency, tr("Amount"))
        except InvalidInput as exc:
            self.show_status(str(exc), error=True)
            self.funds_amount.setFocus()
            return
        self._run(
            lambda store: store.write(plans.add_funds, self.actor, self.app_id, amount),
            saved=self._funds_added,
        )

    def request_extension(self) -> None:
        if self.busy or self.view is None:
            return
        end = self.end_edit.date()
        requested = date(end.year(), end.month(), end.day())
        reason = self.reason_edit.toPlainText()
        try:
            check_extension(reason, requested, self.view.today)
        except InvalidInput as exc:
            self.show_status(str(exc), error=True)
            self.reason_edit.setFocus()
            return
        self._run(
            lambda store: store.write(
                plans.request_extension, self.actor, self.app_id, reason, requested
            ),
            saved=self._extension_requested,
        )

    def approve_extension(self) -> None:
        if self.busy or self.pending_extension is None:
            return
        end = self.grant_edit.date()
        until = date(end.year(), end.month(), end.day())
        self._run(
            lambda store: store.write(
                plan_extensions.approve_extension, self.actor, self.app_id, until
            ),
            saved=lambda view: tr("Extension approved: the plan now ends on {period_end}.").format(
                period_end=view.period_end.isoformat()
            ),
        )

    def reject_extension(self) -> None:
        if self.busy or self.pending_extension is None:
            return
        reason = self.reject_reason.text().strip()
        if not reason:
            self.show_status(tr("give a reason for rejecting the extension"), error=True)
            self.reject_reason.setFocus()
            return
        self._run(
            lambda store: store.write(
                plan_extensions.reject_extension, self.actor, self.app_id, reason
            ),
            saved=self._extension_rejected,
        )

    def _extension_rejected(self, view: AppPlans) -> str:
        self.reject_reason.clear()
        return tr("Extension rejected; the plan end stays as it was.")

    def change_owner(self) -> None:
        user_id = self.owner_combo.currentData()
        if self.busy or self.view is None or user_id in (None, self.view.owner.id):
            return
        owner = str(user_id)
        self._run(
            lambda store: store.write(plans.change_owner, self.actor, self.app_id, owner),
            saved=lambda view: tr("Owner changed to {owner_name}.").format(
                owner_name=view.owner.name
            ),
        )

    def _run(
        self, change: Callable[[Store], object], saved: Callable[[AppPlans], str] | None = None
    ) -> None:
        """Make ``change`` on a worker thread; ``saved`` words the message for the app after it
        (a plan change words its own)."""
        self.busy = True
        self._update_enabled()
        self.show_status(tr("Saving…"))
        self.runner.run(
            run_plan_action,
            self.store,
            self.actor,
            self.app_id,
            change,
            on_done=lambda outcome: self._done(outcome, saved),
            on_error=self._failed,
            description="change app plan",
        )

    def _funds_added(self, view: AppPlans) -> str:
        self.funds_amount.clear()
        return tr("Funds added. Balance now {amount}.").format(
            amount=format_money(view.app.balance, self.currency)
        )

    def _extension_requested(self, view: AppPlans) -> str:
        self.reason_edit.clear()
        return tr("Extension requested; it shows as pending until the account team answers.")

    def _done(
        self, outcome: tuple[object, AppPlans], saved: Callable[[AppPlans], str] | None
    ) -> None:
        self.busy = False
        result, view = outcome
        names = {o.plan.code: o.plan.name for o in view.options}
        if isinstance(result, plans.PlanChangeResult):
            if result.change == Change.SAME:
                message = tr("Pending downgrade cancelled; the app keeps its plan.")
            else:
                message = result.summary(names)
        elif saved is not None:
            message = saved(view)
        else:
            message = tr("Saved.")
        self.show_view(view)
        self.show_status(message)
        self.changed.emit(view)

    def _failed(self, message: str) -> None:
        self.busy = False
        self._update_enabled()
        self.show_status(message, error=True)


def _extension_line(request: ExtensionRequest) -> str:
    """One request as the Extension section lists it, with the decision when there is one."""
    line = tr("{status}: to {requested_end} — {reason}").format(
        status=html.escape(request.status.capitalize()),
        requested_end=request.requested_end.isoformat(),
        reason=html.escape(request.reason),
    )
    if request.granted_end is not None:
        line += tr(" (granted until {granted_end})").format(
            granted_end=request.granted_end.isoformat()
        )
    elif request.status == REJECTED and request.decision_note:
        line += tr(" (rejected: {decision_note})").format(
            decision_note=html.escape(request.decision_note)
        )
    return line
