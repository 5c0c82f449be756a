"""Usage Data tab ▸ Call logs (PRODUCT §8.1): the calls of a date range, sorted and filtered
in SQL and read from the store 500 rows at a time, with a streamed, formula-safe CSV export.

The log can hold a million calls: the count, the first page and the filter choices are read
together off the GUI thread; the table has a row for every call at once, and the pages the
view shows are read as it shows them (:class:`~billing_desktop.ui.models.paged.
WindowedTableModel`), so Ctrl+End reads one page, the last; a click on a column header reads
the log again ordered by that column in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from billing_desktop.domain.access import Actor, Area
from billing_desktop.exports.tables import TABLE_FILTERS, chosen_path
from billing_desktop.services import usage_data
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.services.task_state import Progress, TaskState
from billing_desktop.services.usage_data import CallLine, CallLogStart, CallQuery
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import format_money, format_number
from billing_desktop.ui.models.call_log import CallLogModel
from billing_desktop.ui.models.paged import PAGE_SIZE
from billing_desktop.ui.models.table import RIGHT, Column, ColumnTableModel, text_column
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tabs.base import TableTab
from billing_desktop.ui.tasks import PROGRESS_STEPS, TaskHandle, progress_value

CALL_TYPES = ("autocall", "robocall", "live")
ALL = tr("All")
CELL_AIR = 6  # pixels beyond a cell's size hint (its padding comes from the style sheet)
# Widest a column starts (a longer text is elided; its tooltip shows it whole).
WIDEST = {"Campaign": 260, "Source": 160}
NARROWEST_CAMPAIGN = 120
# Rows of the first page whose texts size the columns (a screenful and more; measuring all
# 500 formatted every cell of the page, money with Babel, on the GUI thread: B6).
FIT_SAMPLE = 60
# "Loading the call log…" shows only when a read takes longer than this: most take tens of
# milliseconds, and the caption changing twice re-lays and repaints the tab twice (B6).
LOADING_CAPTION_MS = 250


def load_page(
    store: Store, actor: Actor, query: CallQuery, total: int, offset: int, limit: int
) -> list[CallLine]:
    return read(store, usage_data.call_log_page, actor, query, offset, limit, total)


def export_calls(store: Store, actor: Actor, query: CallQuery, path: Path, state: TaskState) -> int:
    """Runs on a worker thread; ``state`` hears the progress and stops the export."""
    return read(store, usage_data.export_call_log, actor, query, path, state)


def duration_text(seconds: int) -> str:
    """ "4:05" (minutes:seconds), or "1:02:03" from an hour up."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def _title(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def call_columns(currency: str | None) -> list[Column[Any]]:
    """The call log's columns (PRODUCT §8.1), money in ``currency``."""

    def cost_text(line: CallLine) -> str:
        if line.cost is None:
            return ""
        return format_money(line.cost, currency) if currency else str(line.cost)

    return [
        text_column(tr("Call"), lambda c: c.call.id),
        text_column(tr("Type"), lambda c: _title(c.call.type)),
        text_column(tr("Triggered by"), lambda c: _title(c.call.triggered_by)),
        text_column(
            tr("Source"),
            lambda c: c.call.trigger_source,
            tr("Trigger source: where the call was started from (Email, SMS, Chat UI…)"),
        ),
        text_column(tr("Candidate"), lambda c: c.call.candidate_id or ""),
        Column[CallLine](
            tr("Campaign"),
            lambda c: c.call.campaign,
            raw=lambda c: c.call.campaign,
            cell_tooltip=lambda c: c.call.campaign,
        ),
        text_column(tr("Number"), lambda c: c.call.number or ""),
        text_column(
            tr("Started"), lambda c: c.call.started_at, tr("Start time in the account's time zone")
        ),
        Column[CallLine](
            tr("Duration"),
            lambda c: duration_text(c.call.duration_seconds),
            RIGHT,
            tr("Minutes:seconds"),
            lambda c: c.call.duration_seconds,
        ),
        Column[CallLine](
            tr("Minutes"),
            lambda c: str(c.minutes),
            RIGHT,
            tr("Started minutes, as calls are metered (61 s = 2 minutes)"),
            lambda c: c.minutes,
        ),
        Column[CallLine](
            tr("Cost"),
            cost_text,
            RIGHT,
            tr(
                "Started minutes × the unit price of the product metering calls (list price, "
                "before free units, credits and commits), in the account currency"
            ),
            lambda c: c.cost,
        ),
    ]


class CallLogSection(TableTab):
    """The call log of a date range with type/campaign filters, SQL sorting and CSV export.

    Signals:
        loaded(): see :class:`TableTab` (the first page is shown).
    """

    area = Area.USAGE_DATA
    watches = frozenset({"workspace", "records"})
    min_first_width = 0  # call ids are short; leave the width to the other columns

    SORT_KEYS: tuple[str | None, ...] = (
        "id",
        "type",
        "triggered_by",
        "trigger_source",
        "candidate_id",
        "campaign",
        "number",
        "started_at",
        "minutes",
        "minutes",
        "cost",
    )

    def __init__(
        self, context: TabContext, parent: QWidget | None = None, page_size: int = PAGE_SIZE
    ) -> None:
        self.page_size = page_size
        self.query = CallQuery()
        self.total_unfiltered: int | None = None
        self._start: CallLogStart | None = None
        self._fitted = False  # columns sized once; a sort or a filter keeps the widths
        self._to_top = False  # a new order or filter shows its first rows
        self._export: TaskHandle | None = None
        self.last_export: Path | None = None
        super().__init__(context, parent)
        assert isinstance(self.model, CallLogModel)
        self.paged: CallLogModel = self.model
        self.paged.load_failed.connect(self._page_failed)
        self._loading_caption = QTimer(self)
        self._loading_caption.setSingleShot(True)
        self._loading_caption.setInterval(LOADING_CAPTION_MS)
        self._loading_caption.timeout.connect(self._show_loading_caption)
        self.paged.sort_requested.connect(self._sort)
        self._build_filters()
        header = self.table.horizontalHeader()
        header.setSortIndicator(self.SORT_KEYS.index("started_at"), Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)

    # Widgets ------------------------------------------------------------------------------

    def _build_filters(self) -> None:
        bar = QWidget(self)
        bar.setObjectName("callsFilters")
        # The filter bar never forces the window wider than the other tabs need.
        bar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.from_edit = QDateEdit(self)
        self.from_edit.setObjectName("callsFrom")
        self.to_edit = QDateEdit(self)
        self.to_edit.setObjectName("callsTo")
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.type_combo = QComboBox(self)
        self.type_combo.setObjectName("callsType")
        self.type_combo.addItem(ALL, None)
        for kind in CALL_TYPES:
            self.type_combo.addItem(_title(kind), kind)
        self.campaign_combo = QComboBox(self)
        self.campaign_combo.setObjectName("callsCampaign")
        self.campaign_combo.addItem(ALL, None)
        self.campaign_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.campaign_combo.setMinimumContentsLength(14)
        self.apply_button = QPushButton(tr("Show"), self)
        self.apply_button.setObjectName("callsApply")
        self.apply_button.setToolTip(tr("Show the calls of this range with these filters"))
        self.apply_button.clicked.connect(self.apply_filters)
        self.export_button = QPushButton(tr("Export…"), self)
        self.export_button.setObjectName("callsExport")
        self.export_button.setToolTip(
            tr(
                "Write the calls shown (every row, in this order) to a CSV file or an Excel "
                "workbook (.xlsx)"
            )
        )
        self.export_button.clicked.connect(self._choose_export_file)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("callsExportProgress")
        self.progress.setMaximumWidth(180)
        self.progress.hide()
        self.cancel_button = QPushButton(tr("Cancel export"), self)
        self.cancel_button.setObjectName("callsExportCancel")
        self.cancel_button.clicked.connect(self.cancel_export)
        self.cancel_button.hide()
        for label, widget in (
            (tr("From"), self.from_edit),
            (tr("To"), self.to_edit),
            (tr("Type"), self.type_combo),
            (tr("Campaign"), self.campaign_combo),
        ):
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            row.addWidget(caption)
            row.addWidget(widget)
        row.addWidget(self.apply_button)
        row.addStretch(1)
        self.toolbar.addWidget(self.progress)
        self.toolbar.addWidget(self.cancel_button)
        self.toolbar.addWidget(self.export_button)
        layout = self.layout()
        assert layout is not None
        layout.insertWidget(1, bar)  # type: ignore[attr-defined]

    def columns(self) -> Sequence[Column[Any]]:
        return call_columns(self.context.currency)

    def fit_columns(self) -> None:
        """Widths from the headers and the first rows' texts, so that every column up to Cost
        fits a 1280-pixel window: the view's own resize-to-contents would read (and wait for)
        the first thousand rows, and leave the campaign as wide as its longest name. Done
        once, when the log first shows calls: a new order, a filter or a refresh keeps the
        widths (the user's own, if they dragged them)."""
        if self._fitted:
            return
        self._fitted = True
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        sample = min(self.paged.total, self.page_size, FIT_SAMPLE)
        held = [r for r in range(sample) if self.paged.is_loaded(r)]
        # Widths are kept when the order changes: room for the sort arrow in every sortable
        # header, not only in the one sorted now (its hint already has it).
        arrow = self._sort_arrow_room()
        widths: list[int] = []
        for number, column in enumerate(self.paged.columns):
            width = header.sectionSizeHint(number)
            if number != header.sortIndicatorSection() and self.paged.sort_key(number):
                width += arrow
            if held:
                # The widest text by the font's metrics; its cell's size hint adds the padding
                # and margins the style gives every cell.
                row = max(held, key=lambda r: metrics.horizontalAdvance(column.text(
                    self.paged.row_at(r))))  # fmt: skip
                cell = self.table.sizeHintForIndex(self.paged.index(row, number)).width()
                width = max(width, cell + CELL_AIR)
            widths.append(min(width, WIDEST.get(column.title, width)))
        campaign = [c.title for c in self.paged.columns].index(tr("Campaign"))
        # The table may still be hidden behind the "Loading…" message: measure its place.
        room = (
            self.stack.contentsRect().width()
            - 2 * self.table.frameWidth()
            - self.table.verticalScrollBar().sizeHint().width()
        )
        spare = room - sum(widths)
        if spare < 0:  # the campaign gives up width first (its names are elided, not lost)
            widths[campaign] = max(widths[campaign] + spare, NARROWEST_CAMPAIGN)
        for number, width in enumerate(widths):
            header.resizeSection(number, width)

    def _sort_arrow_room(self) -> int:
        """The width the style adds to a header for its sort arrow: the sorted header's size
        hint against another's, each less its title."""
        header = self.table.horizontalHeader()
        titles = header.fontMetrics()
        sorted_now = header.sortIndicatorSection()
        padding = [
            header.sectionSizeHint(n) - titles.horizontalAdvance(column.title)
            for n, column in enumerate(self.paged.columns)
            if n != sorted_now
        ]
        if not padding or not 0 <= sorted_now < len(self.paged.columns):
            return 0
        title = self.paged.columns[sorted_now].title
        with_arrow = header.sectionSizeHint(sorted_now) - titles.horizontalAdvance(title)
        return max(with_arrow - min(padding), 0)

    def make_model(self) -> ColumnTableModel[Any]:
        return CallLogModel(
            self.columns(),
            self.SORT_KEYS,
            self.context.runner,
            self._no_pages,
            self.page_size,
            self,
        )

    @staticmethod
    def _no_pages(offset: int, limit: int) -> list[CallLine]:
        return []  # before the first read there is nothing to page through

    # Loading ------------------------------------------------------------------------------

    def start_load(self) -> None:
        self._loading_caption.start()
        # The count, the first page and the filter choices, in one read.
        self.load(usage_data.call_log_start, self.context.actor, self.query, self.page_size)

    def _show_loading_caption(self) -> None:
        if self.is_loading:
            self.caption.setText(tr("Loading the call log…"))

    def populate(self, result: Any) -> int:
        start: CallLogStart = result
        self._start = start
        self._fill_choices(start)
        # Pages are read (on worker threads) for this query and total, whatever comes next.
        pages = partial(load_page, self.context.store, self.context.actor, self.query, start.total)
        self.paged.reset(start.total, start.rows, pages)
        if self._to_top:
            # The first rows of the new order or filter, which this read brought: the view
            # does not stay where it was (which would read another page first).
            self._to_top = False
            self.table.scrollToTop()
        self._update_caption()
        return start.total

    def _fill_choices(self, start: CallLogStart) -> None:
        current = self.campaign_combo.currentData()
        self.campaign_combo.blockSignals(True)
        self.campaign_combo.clear()
        self.campaign_combo.addItem(ALL, None)
        for name in start.campaigns:
            self.campaign_combo.addItem(name, name)
        index = self.campaign_combo.findData(current)
        self.campaign_combo.setCurrentIndex(max(index, 0))
        self.campaign_combo.blockSignals(False)
        if self.query.first is None and self.query.last is None and start.span is not None:
            self.from_edit.setDate(_qdate(start.span[0]))
            self.to_edit.setDate(_qdate(start.span[1]))

    def clear_model(self) -> None:
        self.paged.reset(0, [])

    def set_query(self, query: CallQuery) -> None:
        """Read the log again for ``query`` (range, filters, order), from its first row."""
        self.query = query
        self._to_top = True
        self.refresh()

    def apply_filters(self) -> None:
        first, last = _pydate(self.from_edit.date()), _pydate(self.to_edit.date())
        if last < first:
            self.caption.setText(tr("The range ends before it starts: pick a later “To” date."))
            return
        self.set_query(
            replace(
                self.query,
                first=first,
                last=last,
                type=self.type_combo.currentData(),
                campaign=self.campaign_combo.currentData(),
            )
        )

    def _sort(self, key: str, descending: bool) -> None:
        if (key, descending) == (self.query.sort, self.query.descending):
            return
        self.set_query(replace(self.query, sort=key, descending=descending))

    def _update_caption(self) -> None:
        total = self.paged.total
        zone = self._start.zone if self._start else "UTC"
        order = (
            tr("newest first")
            if self.query.sort == "started_at" and self.query.descending
            else (
                tr("by {column}, descending")
                if self.query.descending
                else tr("by {column}, ascending")
            ).format(column=self.query.sort.replace("_", " "))
        )
        self.caption.setText(
            ntr(
                "Call log: {total} call, {order}. Times in {zone}.",
                "Call log: {total} calls, {order}. Times in {zone}.",
                total,
            ).format(total=format_number(total), order=order, zone=zone)
        )

    def _page_failed(self, message: str) -> None:
        self.caption.setText(
            tr("Could not read some of the calls: {message}").format(message=message)
        )

    def empty_text(self) -> str:
        if self._start is not None and self._start.span is not None:
            return tr("No calls match this range and these filters.")
        return tr(
            "No calls recorded yet.\nCalls appear here once they are imported (File ▸ "
            "Import…, kind “calls”)."
        )

    # Export -------------------------------------------------------------------------------

    def _choose_export_file(self) -> None:
        first = self.query.first or (
            self._start.span[0] if self._start and self._start.span else None
        )
        name = f"call-logs-{first or 'all'}.csv"
        path, selected = QFileDialog.getSaveFileName(
            self, tr("Export call log"), name, TABLE_FILTERS
        )
        if path:
            self.export_to(chosen_path(path, selected))

    @property
    def exporting(self) -> bool:
        return self._export is not None

    def export_to(self, path: Path) -> None:
        """Stream every call of the current query to ``path`` off the GUI thread."""
        if self._export is not None:
            return
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.export_button.setEnabled(False)
        self._export = self.context.runner.run(
            export_calls,
            self.context.store,
            self.context.actor,
            self.query,
            path,
            with_state=True,
            on_state_progress=self._export_progress,
            on_done=lambda rows: self._export_done(path, rows),
            on_error=self._export_failed,
            description="export call log",
        )

    def cancel_export(self) -> None:
        """Stop the export itself (at its next chunk); nothing is written."""
        if self._export is not None and self._export.state is not None:
            self._export.state.cancel()

    def _export_progress(self, progress: Progress) -> None:
        value = progress_value(progress)
        if value is not None:
            self.progress.setRange(0, PROGRESS_STEPS)
            self.progress.setValue(value)
        self.progress.setFormat(translate_message(progress.text) or "%p%")

    def _export_finished(self) -> None:
        self._export = None
        self.progress.hide()
        self.cancel_button.hide()
        self.export_button.setEnabled(True)

    def _export_done(self, path: Path, rows: int) -> None:
        self._export_finished()
        self.last_export = path
        self.caption.setText(tr("Exported {rows:,} calls to {path}.").format(rows=rows, path=path))

    def _export_failed(self, message: str) -> None:
        self._export_finished()
        self.caption.setText(tr("Export stopped: {message}").format(message=message))
