"""What if… (issue 20 §3): try other agents, a commit, a price, the commit scope, a product's
price tiers, an app's plan or moving users and numbers between billing units on an open month
and see its invoice and unit costs (and the plans in force) beside today's, line by line.
Nothing is written: the dialog runs ``services.whatif.what_if`` (a read) on the task runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Area
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import CommitScope, Frequency
from billing_desktop.domain.periods import Month
from billing_desktop.domain.plans import Change
from billing_desktop.services.overview import AppRow, apps
from billing_desktop.services.plans import AppPlans, app_plans
from billing_desktop.services.whatif import (
    ACCOUNT,
    MAX_AGENTS,
    AppPlanChange,
    Changes,
    CommitChange,
    Move,
    PlanComparison,
    PriceChange,
    TierChange,
    WhatIf,
    parse_move,
    parse_tiers,
    what_if,
)
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.dialogs.common import close_button_box, status_label
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.locale_format import format_money, month_name  # in the GUI's language
from billing_desktop.ui.models.table import NEGATIVE, RIGHT, Column, ColumnTableModel, text_column
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tasks import TaskHandle
from billing_desktop.ui.widgets.table import make_table


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a comparison: a product (charged) or a billing unit (its total)."""

    name: str
    today: Decimal
    projected: Decimal
    total: bool = False

    @property
    def change(self) -> Decimal:
        return self.projected - self.today


def _columns(first: str, money: Any) -> list[Column[Row]]:
    def change_text(r: Row) -> str:
        if r.change == 0:
            return "—"
        return ("+" if r.change > 0 else "") + str(money(r.change))

    return [
        text_column(first, lambda r: r.name),
        Column[Row](
            tr("Today"),
            lambda r: money(r.today),
            RIGHT,
            tr("As the month stands"),
            lambda r: r.today,
        ),
        Column[Row](
            tr("What if"),
            lambda r: money(r.projected),
            RIGHT,
            tr("With the changes"),
            lambda r: r.projected,
        ),
        Column[Row](
            tr("Change"),
            change_text,
            RIGHT,
            tr("What if − today"),
            lambda r: r.change,
            lambda r: NEGATIVE if r.change > 0 else None,
        ),
    ]


def _plan_columns(money: Any) -> list[Column[PlanComparison]]:
    def change(p: PlanComparison) -> str:
        if p.change == Change.UPGRADE:
            return tr("Upgrade, at once")
        if p.change == Change.DOWNGRADE:
            return tr("Downgrade after {day}").format(day=p.takes_effect_on)
        return tr("None")

    def price(plan: Any) -> str:
        return "—" if plan is None else str(money(plan.monthly_price))

    return [
        text_column(tr("App"), lambda p: p.app_name),
        text_column(tr("Change"), change),
        text_column(tr("Plan today"), lambda p: p.today.name if p.today else "—"),
        text_column(tr("What if"), lambda p: p.projected.name if p.projected else "—"),
        Column[PlanComparison](
            tr("Price today"), lambda p: price(p.today), RIGHT, tr("Monthly price of the plan")
        ),
        Column[PlanComparison](
            tr("What if"), lambda p: price(p.projected), RIGHT, tr("Monthly price with the change")
        ),
        Column[PlanComparison](
            tr("Sessions"),
            lambda p: f"{p.usage:,}",
            RIGHT,
            tr("The app's highest monthly billing sessions of the last three full months"),
        ),
        text_column(
            tr("Eligible"),
            lambda p: (
                tr("Yes") if p.eligible else tr("No: {why}").format(why=translate_message(p.reason))
            ),
        ),
    ]


class WhatIfDialog(QDialog):
    """Changes on the left, the two comparisons on the right."""

    def __init__(
        self,
        context: TabContext,
        months: list[Month],
        products: list[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("whatIfDialog")
        self.setWindowTitle(tr("What if…"))
        self.resize(1100, 700)
        self.context = context
        self.outcome: WhatIf | None = None
        self._handle: TaskHandle | None = None
        currency = context.currency

        def money(amount: Decimal) -> str:
            return format_money(amount, currency) if currency else f"{amount:,f}"

        self.money = money
        self.month_combo = QComboBox(self)
        self.month_combo.setObjectName("whatIfMonth")
        for month in months:
            self.month_combo.addItem(month_name(month), month)
        self.agents_check = QCheckBox(tr("Licensed agents"), self)
        self.agents_spin = QSpinBox(self)
        self.agents_spin.setObjectName("whatIfAgents")
        self.agents_spin.setRange(0, MAX_AGENTS)
        self.agents_spin.setValue(10)
        self.agents_spin.setEnabled(False)
        self.agents_check.toggled.connect(self.agents_spin.setEnabled)

        self.commit_product = QComboBox(self)
        self.commit_product.setObjectName("whatIfCommitProduct")
        self.commit_product.addItem(tr("No commit change"), None)
        self.commit_product.addItem(tr("Account commit"), ACCOUNT)
        self.price_product = QComboBox(self)
        self.price_product.setObjectName("whatIfPriceProduct")
        self.price_product.addItem(tr("No price change"), None)
        for code, name in products:
            self.commit_product.addItem(name, code)
            self.price_product.addItem(name, code)
        self.commit_amount = QLineEdit(self)
        self.commit_amount.setObjectName("whatIfCommitAmount")
        self.commit_amount.setPlaceholderText(tr("Amount, e.g. 500"))
        self.commit_frequency = QComboBox(self)
        titles = {
            Frequency.MONTHLY: tr("Monthly"),
            Frequency.QUARTERLY: tr("Quarterly"),
            Frequency.YEARLY: tr("Yearly"),
        }
        for frequency in Frequency:
            self.commit_frequency.addItem(titles.get(frequency, frequency.value), frequency)
        self.price_edit = QLineEdit(self)
        self.price_edit.setObjectName("whatIfPrice")
        self.price_edit.setPlaceholderText(tr("Unit price, e.g. 0.0075"))

        form = QFormLayout()
        form.addRow(tr("Month:"), self.month_combo)
        form.addRow(self.agents_check, self.agents_spin)
        form.addRow(tr("Commit:"), self.commit_product)
        commit_row = QHBoxLayout()
        commit_row.addWidget(self.commit_amount)
        commit_row.addWidget(self.commit_frequency)
        form.addRow("", commit_row)
        form.addRow(tr("Price:"), self.price_product)
        form.addRow("", self.price_edit)
        self.move_edit = QLineEdit(self)
        self.move_edit.setObjectName("whatIfMove")
        self.move_edit.setPlaceholderText(tr("Sales=u001,+14155550100"))
        self.move_edit.setToolTip(
            tr(
                "Move users (ids) and phone numbers into a billing unit: UNIT=MEMBER,MEMBER…; they "
                "leave their other units. Only the unit costs change."
            )
        )
        form.addRow(tr("Move to unit:"), self.move_edit)

        self.scope_combo = QComboBox(self)
        self.scope_combo.setObjectName("whatIfCommitScope")
        self.scope_combo.addItem(tr("No scope change"), None)
        self.scope_combo.addItem(tr("Account: the account commit pays"), CommitScope.ACCOUNT)
        self.scope_combo.addItem(tr("Product: each product's commit pays"), CommitScope.PRODUCT)
        self.scope_combo.addItem(tr("None: no commit pays"), CommitScope.NONE)
        self.scope_combo.setToolTip(tr("Which commits the invoice draws on"))
        form.addRow(tr("Commit scope:"), self.scope_combo)
        self.tiers_product = QComboBox(self)
        self.tiers_product.setObjectName("whatIfTiersProduct")
        self.tiers_product.addItem(tr("No tier change"), None)
        for code, name in products:
            self.tiers_product.addItem(name, code)
        self.tiers_edit = QLineEdit(self)
        self.tiers_edit.setObjectName("whatIfTiers")
        self.tiers_edit.setPlaceholderText(tr("e.g. 1000:0.01,5000:0.008,0.006"))
        self.tiers_edit.setToolTip(
            tr(
                "The product's whole price table: the first UPTO billable units at PRICE, the "
                "units up to the next UPTO at its PRICE…, the rest at the last PRICE. "
                "1000:0.01,5000:0.008,0.006"
            )
        )
        form.addRow(tr("Tiers:"), self.tiers_product)
        form.addRow("", self.tiers_edit)
        self.plan_app = QComboBox(self)
        self.plan_app.setObjectName("whatIfPlanApp")
        self.plan_app.addItem(tr("No plan change"), None)
        self.plan_combo = QComboBox(self)
        self.plan_combo.setObjectName("whatIfPlan")
        self.plan_combo.setEnabled(False)
        self.sees_plans = context.actor.rights.can_view(Area.PLANS)
        self._plan_reads: list[TaskHandle] = []
        if self.sees_plans:  # plan data only for those who may see the Plans tab
            form.addRow(tr("App plan:"), self.plan_app)
            form.addRow("", self.plan_combo)
            self.plan_app.currentIndexChanged.connect(self._app_picked)
            self._plan_reads.append(
                context.runner.run(
                    read,
                    context.store,
                    apps,
                    context.actor,
                    on_done=self._apps_loaded,
                    on_error=self._plans_failed,
                    description="list the apps",
                )
            )
        else:
            self.plan_app.hide()
            self.plan_combo.hide()
        changes = QGroupBox(tr("Changes (nothing is saved)"), self)
        box = QVBoxLayout(changes)
        box.addLayout(form)
        self.compute_button = QPushButton(tr("&Compute"), self)
        self.compute_button.setObjectName("whatIfCompute")
        self.compute_button.clicked.connect(self.compute)
        box.addWidget(self.compute_button)
        box.addStretch(1)

        self.summary = QLabel(self)
        self.summary.setObjectName("whatIfSummary")
        self.summary.setWordWrap(True)
        self.lines: ColumnTableModel[Row] = ColumnTableModel(
            _columns(tr("Invoice line"), money), self
        )
        self.units: ColumnTableModel[Row] = ColumnTableModel(
            _columns(tr("Billing unit"), money), self
        )
        self.lines_table = make_table(self)
        self.lines_table.setObjectName("whatIfLines")
        self.lines_table.setModel(self.lines)
        self.units_table = make_table(self)
        self.units_table.setObjectName("whatIfUnits")
        self.units_table.setModel(self.units)
        for table in (self.lines_table, self.units_table):
            table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.plans: ColumnTableModel[PlanComparison] = ColumnTableModel(_plan_columns(money), self)
        self.plans_note = QLabel(
            tr("Plans in force in the month: paid from each app's funds, not on the invoice."),
            self,
        )
        self.plans_note.setWordWrap(True)
        self.plans_table = make_table(self)
        self.plans_table.setObjectName("whatIfPlans")
        self.plans_table.setModel(self.plans)
        self.plans_table.horizontalHeader().setSectionResizeMode(
            len(_plan_columns(money)) - 1, QHeaderView.ResizeMode.Stretch
        )
        self.plans_note.hide()
        self.plans_table.hide()
        results = QVBoxLayout()
        results.addWidget(self.summary)
        results.addWidget(self.lines_table, 3)
        results.addWidget(self.units_table, 2)
        results.addWidget(self.plans_note)
        results.addWidget(self.plans_table, 1)
        self.status = status_label(self)
        self.status.setText(tr("Pick changes and Compute: today's figures appear beside them."))

        row = QHBoxLayout()
        row.addWidget(changes, 0)
        row.addLayout(results, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.status)
        layout.addWidget(close_button_box(self, self.compute_button))

    def changes(self) -> Changes:
        """The changes asked for; InvalidInput naming the field when one does not read."""
        agents = self.agents_spin.value() if self.agents_check.isChecked() else None
        commits: tuple[CommitChange, ...] = ()
        code = self.commit_product.currentData()
        if code is not None:
            try:
                amount = Decimal(self.commit_amount.text().strip())
            except InvalidOperation:
                raise InvalidInput(tr("Commit amount: write a number, e.g. 500")) from None
            if amount < 0:
                raise InvalidInput(tr("Commit amount: cannot be negative"))
            frequency = Frequency(self.commit_frequency.currentData())
            commits = (CommitChange(None if code == ACCOUNT else code, amount, frequency),)
        prices: tuple[PriceChange, ...] = ()
        code = self.price_product.currentData()
        if code is not None:
            try:
                price = Decimal(self.price_edit.text().strip())
            except InvalidOperation:
                raise InvalidInput(tr("Unit price: write a number, e.g. 0.0075")) from None
            if price < 0:
                raise InvalidInput(tr("Unit price: cannot be negative"))
            prices = (PriceChange(code, price),)
        moves: tuple[Move, ...] = ()
        if self.move_edit.text().strip():
            try:
                moves = (parse_move(self.move_edit.text().strip()),)
            except InvalidInput:
                raise InvalidInput(
                    tr("Move to unit: write UNIT=MEMBER,MEMBER… (e.g. Sales=u001,+14155550100)")
                ) from None
        tiers: tuple[TierChange, ...] = ()
        code = self.tiers_product.currentData()
        if code is not None:
            try:
                tiers = (parse_tiers(f"{code}={self.tiers_edit.text().strip()}"),)
            except InvalidInput as exc:
                text = translate_message(str(exc))  # "--tiers '…': <why>" in both languages
                why = text.partition("': ")[2] or text
                raise InvalidInput(tr("Tiers: {why}").format(why=why)) from None
        plans: tuple[AppPlanChange, ...] = ()
        app = self.plan_app.currentData()
        if app is not None:
            plan = self.plan_combo.currentData()
            if plan is None:
                raise InvalidInput(tr("App plan: pick the plan"))
            plans = (AppPlanChange(app, plan),)
        scope = self.scope_combo.currentData()
        return Changes(
            agents,
            commits,
            prices,
            moves,
            commit_scope=None if scope is None else CommitScope(scope),  # the combo keeps a str
            tiers=tiers,
            plans=plans,
        )

    # -- the app's plans, read when the dialog opens and when an app is picked -----------------

    def _apps_loaded(self, result: Any) -> None:
        rows: list[AppRow] = list(result)
        for row in rows:
            self.plan_app.addItem(
                tr("{app} (on {plan})").format(app=row.name, plan=row.plan_name), row.id
            )

    def _app_picked(self) -> None:
        self.plan_combo.clear()
        self.plan_combo.setEnabled(False)
        app = self.plan_app.currentData()
        if app is None:
            return
        self._plan_reads.append(
            self.context.runner.run(
                read,
                self.context.store,
                app_plans,
                self.context.actor,
                app,
                on_done=self._plans_loaded,
                on_error=self._plans_failed,
                description="list the app's plans",
            )
        )

    def _plans_loaded(self, result: Any) -> None:
        assert isinstance(result, AppPlans)
        if result.app.id != self.plan_app.currentData():
            return  # another app was picked meanwhile
        self.plan_combo.clear()
        for option in result.options:
            text = tr("{plan}: {price}, {sessions} sessions").format(
                plan=option.plan.name,
                price=self.money(option.plan.monthly_price),
                sessions=f"{option.plan.included_sessions:,}",
            )
            if option.current:
                text = tr("{text} (current)").format(text=text)
            elif not option.eligible:
                text = tr("{text} (not eligible)").format(text=text)
            self.plan_combo.addItem(text, option.plan.code)
            tip = tr("{price} a month; {sessions} sessions included").format(
                price=self.money(option.plan.monthly_price),
                sessions=f"{option.plan.included_sessions:,}",
            )
            if option.reason:
                tip = tr("{tip}. Not eligible: {why}").format(
                    tip=tip, why=translate_message(option.reason)
                )
            self.plan_combo.setItemData(
                self.plan_combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole
            )
        self.plan_combo.setEnabled(True)

    def _plans_failed(self, message: str) -> None:
        self.status.setText(tr("Could not read the plans: {message}").format(message=message))

    def compute(self) -> None:
        try:
            changes = self.changes()
        except InvalidInput as exc:
            self.status.setText(translate_message(str(exc)))
            return
        if self._handle is not None:
            self._handle.cancel()
        self.status.setText(tr("Computing…"))
        self.compute_button.setEnabled(False)
        self._handle = self.context.runner.run(
            read,
            self.context.store,
            what_if,
            self.context.actor,
            self.month_combo.currentData(),
            changes,
            on_done=self.show_result,
            on_error=self._failed,
            description="compute a what-if",
        )

    def _failed(self, message: str) -> None:
        self._handle = None
        self.compute_button.setEnabled(True)
        self.status.setText(tr("Could not compute: {message}").format(message=message))

    def show_result(self, result: Any) -> None:
        self._handle = None
        self.compute_button.setEnabled(True)
        assert isinstance(result, WhatIf)
        self.outcome = w = result
        said = ", ".join(map(translate_message, w.changes.describe())) or tr("no change")
        self.summary.setText(
            tr(
                "{month} with {said}: invoice {invoice} → {invoice_after}; agents at peak "
                "{agents} → {agents_after}; balance {balance} → {balance_after}."
            ).format(
                month=month_name(w.month),
                said=said,
                invoice=self.money(w.invoice_today),
                invoice_after=self.money(w.invoice_projected),
                agents=w.today.agents,
                agents_after=w.projected.agents,
                balance=self.money(w.today.balance),
                balance_after=self.money(w.projected.balance),
            )
        )
        rows = [Row(ln.name, ln.today_charged, ln.projected_charged) for ln in w.lines]
        rows.append(Row(tr("Invoice total"), w.invoice_today, w.invoice_projected, True))
        self.lines.set_rows(rows)
        units = [Row(u.name, u.today, u.projected) for u in w.units]
        units.append(Row(tr("Total"), w.units_today.total, w.units_projected.total, True))
        self.units.set_rows(units)
        for table in (self.lines_table, self.units_table):
            for column in range(1, 4):
                table.resizeColumnToContents(column)
        self.plans.set_rows(list(w.plans))
        self.plans_note.setVisible(bool(w.plans))
        self.plans_table.setVisible(bool(w.plans))
        for column in range(self.plans.columnCount() - 1):
            self.plans_table.resizeColumnToContents(column)
        self.status.setText(
            tr(
                "Computed; nothing was saved. Unit costs as invoiced: each product's charge shared "
                "like its list price."
            )
        )

    def done(self, result: int) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        for handle in self._plan_reads:
            handle.cancel()
        self._plan_reads.clear()
        super().done(result)
