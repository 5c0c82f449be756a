"""Explain this charge (issue 20 §1): one product's month, step by step, in the engine's numbers.

Opened from a product row of the Usage tab or a line of an invoice. It reads
``services.explain.explain_charge`` on the task runner (the same rating as ``usage --json``) and
shows the walk-through as a table of steps (quantity, free units, billable rest, each price
band, the rounding, each credit pool drawn and what it has left, the charge and the balance),
then the usage itself: a bar per day and, for products metered from records, the records — the
month's calls in the call log (the Usage Data tab's own section, filtered to the month), the
conversations with their sessions and human time, or the alerts per user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Area
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import plain_decimal
from billing_desktop.services.explain import (
    MAX_CONVERSATIONS,
    ChargeExplanation,
    ConversationRecord,
    UserCount,
    explain_charge,
    explained_conversations,
)
from billing_desktop.services.usage_data import CallQuery
from billing_desktop.ui.charts.daily import DailyBarChart
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.dialogs.common import close_button_box, status_label
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import format_money, month_name  # in the GUI's language
from billing_desktop.ui.models.table import (
    LEFT,
    NEGATIVE,
    RIGHT,
    Column,
    ColumnTableModel,
    format_number,
    text_column,
)
from billing_desktop.ui.tasks import TaskHandle
from billing_desktop.ui.widgets.table import make_table

# Builds the call log that lists a month's calls (the Usage Data tab's section; given by the
# tab that opens the dialog, as dialogs do not import tabs).
CallLogFactory = Callable[[CallQuery, QWidget], QWidget]


@dataclass(frozen=True, slots=True)
class Step:
    """One row of the walk-through: what, how, and the figure it comes to."""

    step: str
    how: str
    figure: str
    negative: bool = False


def steps_of(e: ChargeExplanation) -> list[Step]:
    """The walk-through, top to bottom (the figures are the explanation's, as read)."""

    def money(amount: Decimal) -> str:
        return format_money(amount, e.currency)

    def price(amount: Decimal) -> str:
        return format_money(amount, e.currency, keep_precision=True)

    def qty(value: Decimal) -> str:
        return format_number(value)

    unit = e.unit if e.quantity == 1 or e.unit == "GB" else e.unit + "s"
    rows = [Step(tr("Quantity"), f"{e.method}: {e.measured}", f"{qty(e.quantity)} {unit}")]
    peak = (
        tr(", first reached on {agents_peak_day}").format(agents_peak_day=e.agents_peak_day)
        if e.agents_peak_day
        else ""
    )
    rows.append(
        Step(
            tr("Free units"),
            tr(
                "{free_units_per_agent} per agent × {agents} agents at the month's "
                "peak{peak} = {free_units_total}; used"
            ).format(
                free_units_per_agent=qty(e.free_units_per_agent),
                agents=e.agents,
                peak=peak,
                free_units_total=qty(e.free_units_total),
            ),
            qty(e.free_units_used),
        )
    )
    rows.append(
        Step(tr("Billable"), f"{qty(e.quantity)} − {qty(e.free_units_used)}", qty(e.billable))
    )
    if not e.slices:
        rows.append(Step(tr("Price"), tr("Nothing beyond the free units"), money(Decimal(0))))
    for s in e.slices:
        band = tr(" (units above {start})").format(start=qty(s.start)) if s.start else ""
        rows.append(
            Step(
                tr("Price"),
                f"{qty(s.quantity)} × {price(s.unit_price)}{band}",
                plain_decimal(s.amount),
            )
        )
    rows.append(
        Step(
            tr("Rounding"),
            tr("{exact_amount} rounded half-up once to the minor unit ({sign}{rounding})").format(
                exact_amount=plain_decimal(e.exact_amount),
                sign="+" if e.rounding >= 0 else "",
                rounding=plain_decimal(e.rounding),
            ),
            money(e.amount),
        )
    )
    if not e.draws:
        rows.append(Step(tr("Credit"), tr("No credit drawn"), money(Decimal(0))))
    for d in e.draws:
        left = (
            ""
            if d.left is None
            else tr("; {amount} left of {before}").format(
                amount=money(d.left), before=money(d.before or Decimal(0))
            )
        )
        rows.append(
            Step(
                tr("Credit"),
                tr("From {label}{left}").format(label=d.label, left=left),
                money(-d.drawn),
                True,
            )
        )
    when = tr(" — invoiced at the start of next month") if e.charged > 0 else ""
    rows.append(
        Step(
            tr("Charged"),
            tr("{amount} − {credit} credit{when}").format(
                amount=money(e.amount), credit=money(e.credit_applied), when=when
            ),
            money(e.charged),
        )
    )
    rows.append(
        Step(
            tr("Balance"),
            tr("Credit left for the product, or minus what is invoiced (as the Usage tab shows)"),
            money(e.balance),
            e.balance < 0,
        )
    )
    return rows


def _step_columns() -> list[Column[Step]]:
    return [
        text_column(tr("Step"), lambda s: s.step),
        Column[Step](
            tr("How"),
            lambda s: s.how,
            LEFT,
            tr("How the figure comes about"),
            cell_tooltip=lambda s: s.how,
        ),
        Column[Step](
            tr("Figure"),
            lambda s: s.figure,
            RIGHT,
            tr("The engine's figure for this step"),
            foreground=lambda s: NEGATIVE if s.negative else None,
        ),
    ]


def _conversation_columns() -> list[Column[ConversationRecord]]:
    return [
        text_column(tr("Conversation"), lambda c: c.id),
        text_column(tr("App"), lambda c: c.app),
        text_column(tr("Channel"), lambda c: c.channel),
        text_column(tr("Started"), lambda c: c.started_at.strftime("%Y-%m-%d %H:%M")),
        Column[ConversationRecord](tr("Minutes"), lambda c: format_number(c.minutes), RIGHT),
        Column[ConversationRecord](
            tr("Human minutes"),
            lambda c: format_number(c.human_minutes),
            RIGHT,
            tr("Time with a human agent"),
        ),
        Column[ConversationRecord](
            tr("Sessions"), lambda c: str(c.billing_sessions), RIGHT, tr("Billing sessions")
        ),
        Column[ConversationRecord](
            tr("Voice sessions"), lambda c: str(c.voice_sessions), RIGHT, tr("Voice sessions")
        ),
    ]


def _alert_columns() -> list[Column[UserCount]]:
    return [
        text_column(tr("User"), lambda u: u.name),
        text_column(tr("Id"), lambda u: u.user_id),
        Column[UserCount](
            tr("Alerts"), lambda u: format_number(u.count), RIGHT, tr("Alert sessions")
        ),
    ]


class ExplainChargeDialog(QDialog):
    """Why ``product``'s charge in ``month`` is what it is (read-only)."""

    def __init__(
        self,
        context: TabContext,
        month: Month,
        product: str,
        parent: QWidget | None = None,
        call_log: CallLogFactory | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("explainChargeDialog")
        self.context = context
        self.month = month
        self.product = product
        self.explanation: ChargeExplanation | None = None
        self._handle: TaskHandle | None = None
        self.setWindowTitle(
            tr("Explain this charge — {month}").format(month=month_name(month, capital=False))
        )
        self.resize(960, 680)

        self.title = QLabel(self)
        self.title.setObjectName("explainTitle")
        self.title.setStyleSheet("QLabel#explainTitle { font-size: 14pt; font-weight: 600; }")
        self.status = status_label(self)
        self.status.setText(tr("Reading the month's rating…"))

        self.steps_model: ColumnTableModel[Step] = ColumnTableModel(_step_columns(), self)
        self.steps_table = make_table(self)
        self.steps_table.setObjectName("explainSteps")
        self.steps_table.setModel(self.steps_model)
        header = self.steps_table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

        self.sections = QTabWidget(self)
        self.sections.setObjectName("explainSections")
        self.sections.setDocumentMode(True)
        self.chart = DailyBarChart(self.sections)
        self.sections.addTab(self.chart, tr("Per day"))
        self.records_page = QWidget(self.sections)
        self.records_layout = QVBoxLayout(self.records_page)
        self.records_layout.setContentsMargins(0, 6, 0, 0)
        self.records_note = QLabel(self.records_page)
        self.records_note.setWordWrap(True)
        self.records_layout.addWidget(self.records_note)
        self.records_index = self.sections.addTab(self.records_page, tr("Records"))
        self.sections.setTabEnabled(self.records_index, False)
        self.records_view: QWidget | None = None
        self.call_log = call_log
        self.conversations_model: ColumnTableModel[Any] | None = None
        self._more_handle: TaskHandle | None = None
        self.more_button = QPushButton(self.records_page)
        self.more_button.setObjectName("explainMoreRecords")
        self.more_button.setToolTip(tr("List the next conversations of the month"))
        self.more_button.clicked.connect(self.show_more)
        self.more_button.hide()

        buttons = close_button_box(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.steps_table)
        layout.addWidget(self.sections, 1)
        layout.addWidget(buttons)
        self.load()

    def load(self) -> None:
        self._handle = self.context.runner.run(
            read,
            self.context.store,
            explain_charge,
            self.context.actor,
            self.month,
            self.product,
            on_done=self.show_explanation,
            on_error=self.show_error,
            description="explain a charge",
        )

    def show_error(self, message: str) -> None:
        self._handle = None
        self.status.setText(tr("Cannot explain this charge: {message}").format(message=message))
        self.status.setStyleSheet("color: #b91c1c;")

    def show_explanation(self, result: Any) -> None:
        self._handle = None
        assert isinstance(result, ChargeExplanation)
        e = self.explanation = result
        state = (
            tr("closed, invoice {invoice_number}").format(invoice_number=e.invoice_number)
            if e.closed and e.invoice_number
            else tr("closed")
            if e.closed
            else tr("open month: the figures change as usage arrives")
        )
        self.title.setText(f"{e.name} — {month_name(e.month)}")
        self.status.setText(
            tr("{code} · {state}. The billing engine's own figures (as on the Usage tab).").format(
                code=e.code, state=state
            )
        )
        self.steps_model.set_rows(steps_of(e))
        self.steps_table.resizeRowsToContents()
        table = self.steps_table
        rows = sum(table.rowHeight(r) for r in range(self.steps_model.rowCount()))
        table.setFixedHeight(rows + table.horizontalHeader().height() + 2 * table.frameWidth() + 2)
        unit = e.unit if e.unit == "GB" else e.unit + "s"
        self.chart.set_data([d.day for d in e.days], [d.quantity for d in e.days], unit)
        self.sections.setTabText(
            0,
            ntr("Per day ({count} day)", "Per day ({count} days)", len(e.days)).format(
                count=len(e.days)
            )
            if e.days
            else tr("Per day (none)"),
        )
        self._show_records(e)

    def _show_records(self, e: ChargeExplanation) -> None:
        if not e.records:
            self.records_note.setText(tr("This product is not metered from records."))
            return
        self.sections.setTabEnabled(self.records_index, True)
        self.sections.setTabText(
            self.records_index,
            tr("Records ({record_count:,} {records})").format(
                record_count=e.record_count, records=e.records
            ),
        )
        if e.records == "calls" and e.call_query is not None:
            if not self.context.actor.rights.can_view(Area.USAGE_DATA) or self.call_log is None:
                self.records_note.setText(
                    tr(
                        "{record_count:,} calls in the month. Seeing them takes the right to "
                        "view Usage Data (Usage Data ▸ Call logs)."
                    ).format(record_count=e.record_count)
                )
                return
            self.records_note.setText(
                tr(
                    "The call log filtered to {first_day} – {last_day}: every call of the "
                    "month counts toward this product."
                ).format(first_day=e.month.first_day, last_day=e.month.last_day)
            )
            section = self.call_log(e.call_query, self.records_page)
            section.setObjectName("explainCallLog")
            self.records_layout.addWidget(section, 1)
            self.records_view = section
            return
        if e.records == "conversations":
            model: ColumnTableModel[Any] = ColumnTableModel(_conversation_columns(), self)
            model.set_rows(list(e.conversations))
            self.conversations_model = model
            self._note_conversations()
            self.more_button.setVisible(len(e.conversations) < e.record_count)
        else:
            model = ColumnTableModel(_alert_columns(), self)
            model.set_rows(list(e.alerts_by_user))
            self.records_note.setText(
                tr("{record_count:,} alerts delivered in the month, per user.").format(
                    record_count=e.record_count
                )
            )
        table = make_table(self.records_page)
        table.setObjectName("explainRecords")
        table.setModel(model)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.records_layout.addWidget(table, 1)
        self.records_layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.records_view = table

    def _note_conversations(self) -> None:
        e, model = self.explanation, self.conversations_model
        assert e is not None and model is not None
        shown = model.rowCount()
        more = (
            tr(" (the first {shown:,} listed)").format(shown=shown)
            if shown < e.record_count
            else ""
        )
        total = (
            ""
            if e.record_total is None
            else tr("; they add up to {record_total} {unit}s").format(
                record_total=plain_decimal(e.record_total), unit=e.unit
            )
        )
        self.records_note.setText(
            tr("{record_count:,} conversations started in the month{more}{total}.").format(
                record_count=e.record_count, more=more, total=total
            )
        )
        left = e.record_count - shown
        self.more_button.setText(
            tr("Show {count:,} more").format(count=min(left, MAX_CONVERSATIONS))
        )

    def show_more(self) -> None:
        """The next page of the month's conversations, read off the GUI thread."""
        model = self.conversations_model
        if model is None or self._more_handle is not None:
            return
        self.more_button.setEnabled(False)
        self._more_handle = self.context.runner.run(
            read,
            self.context.store,
            explained_conversations,
            self.context.actor,
            self.month,
            self.product,
            model.rowCount(),
            on_done=self._more_shown,
            on_error=self._more_failed,
            description="list more conversations",
        )

    def _more_shown(self, rows: Any) -> None:
        self._more_handle = None
        model, e = self.conversations_model, self.explanation
        assert model is not None and e is not None
        model.set_rows([*model.rows, *rows])
        self._note_conversations()
        self.more_button.setEnabled(True)
        self.more_button.setVisible(bool(rows) and model.rowCount() < e.record_count)

    def _more_failed(self, message: str) -> None:
        self._more_handle = None
        self.more_button.setEnabled(True)
        self.show_error(message)

    def done(self, result: int) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        super().done(result)


__all__ = ["ExplainChargeDialog", "Step", "steps_of"]
