"""Usage Data tab ▸ Interviews, SMS and Recordings (PRODUCT §8.1): six months of a statistic as
stacked monthly bars, with the figures in a table beneath.

Each section reads one service (``services.statistics``) off the GUI thread when first shown;
the store counts the records per month in SQL. Hovering a bar reads out the month's total and
each series; the chart saves as PNG. The recordings section filters by campaign and shows the
window's total minutes prominently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, Concatenate, ParamSpec

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Actor, Area
from billing_desktop.services import statistics
from billing_desktop.services.statistics import MonthlyCounts, RecordingStatistics
from billing_desktop.store.ports import UnitOfWork
from billing_desktop.ui.charts.stacked import (
    StackedBarChart,
    StackSeries,
    Value,
    count_text,
    month_label,
)
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.models.table import RIGHT, Column, ColumnTableModel, text_column
from billing_desktop.ui.tabs.base import Page
from billing_desktop.ui.widgets.table import make_table

HOVER_HINT = tr("Point at a bar to read its month's figures.")
P = ParamSpec("P")


@dataclass(frozen=True, slots=True)
class MonthRow:
    """One month of the table under the chart: each series' value, then the total."""

    month: date
    values: tuple[Value, ...]
    total: Value


def window_text(months: Sequence[date]) -> str:
    """ "Jun 2026 – Nov 2026"."""
    if not months:
        return ""
    return f"{month_label(months[0])} – {month_label(months[-1])}"


class LoadingSection(Page):
    """A Usage Data section that reads one service off the GUI thread and shows the result.

    Subclasses implement ``start_load`` (usually ``self.load(service, *args)``), ``show_result``
    and ``show_failure``.

    Signals:
        loaded(): see :class:`Page`.
    """

    area = Area.USAGE_DATA
    watches = frozenset({"workspace", "records"})

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context

    def load(
        self,
        service: Callable[Concatenate[UnitOfWork, Actor, P], Any],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> None:
        """Read ``service(uow, actor, *args, **kwargs)`` on the runner, then show it (mypy
        checks the arguments against the service's own)."""
        self._handle = self.context.runner.run(
            partial(read, self.context.store, service, self.context.actor, *args, **kwargs),
            on_done=self._done,
            on_error=self._failed,
            description=f"load {self.objectName() or 'a Usage Data section'}",
        )

    def _done(self, result: Any) -> None:
        self.finish_load()
        self.show_result(result)
        self.loaded.emit()

    def _failed(self, message: str) -> None:
        self.finish_load(failed=True)
        self.show_failure(message)
        self.loaded.emit()

    def show_result(self, result: Any) -> None:
        raise NotImplementedError

    def show_failure(self, message: str) -> None:
        raise NotImplementedError


class StatisticsSection(LoadingSection):
    """A statistic per month: caption, stacked bar chart with a hover read-out, the figures in
    a table, PNG export, and an empty state when the window has no records.

    Subclasses set ``title``, ``unit`` and ``file_stem`` and implement ``start_load``,
    ``series_of`` and the texts.

    Signals:
        loaded(): see :class:`Page`.
    """

    title: ClassVar[str] = ""
    unit: ClassVar[str] = ""  # what the values count ("interviews"), for the read-out
    file_stem: ClassVar[str] = "statistics"

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.result: Any = None
        self.last_folder = Path.home()

        self.caption = QLabel(self)
        self.caption.setObjectName("caption")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.png_button = QPushButton(tr("Save chart as &PNG…"), self)
        self.png_button.setObjectName("saveChartButton")
        self.png_button.setToolTip(tr("Save the bar chart as a PNG image"))
        self.png_button.setEnabled(False)
        self.png_button.clicked.connect(self.choose_png)
        self.toolbar = QHBoxLayout()
        self.toolbar.setContentsMargins(0, 0, 0, 0)
        self.toolbar.addWidget(self.caption, 1)
        self.toolbar.addWidget(self.png_button, 0, Qt.AlignmentFlag.AlignTop)

        self.chart = StackedBarChart(count_text, self.unit, self)
        self.chart.setObjectName("statisticsChart")
        self.chart.setMinimumHeight(120)
        self.readout = QLabel(HOVER_HINT, self)
        self.readout.setObjectName("hoverReadout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chart.hovered.connect(self._show_readout)
        self.model: ColumnTableModel[MonthRow] = ColumnTableModel(self.columns(()), self)
        self.table = make_table(self)
        self.table.setObjectName("statisticsTable")
        self.table.setAccessibleName(self.title)
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(False)

        content = QWidget(self)
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.chart, 1)
        column.addWidget(self.readout)
        column.addWidget(self.table)
        self.content = content
        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(content)
        self.stack.addWidget(self.empty_label)

        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(4, 10, 4, 4)
        self.body.setSpacing(8)
        self.body.addLayout(self.toolbar)
        self.body.addWidget(self.stack, 1)
        self.setFocusProxy(self.table)
        self.show_message(tr("Loading…"))

    # What a subclass provides ---------------------------------------------------------------

    def series_of(self, result: Any) -> tuple[Sequence[date], list[StackSeries]]:
        raise NotImplementedError

    def caption_text(self, result: Any) -> str:
        raise NotImplementedError

    def empty_text(self, result: Any) -> str:
        raise NotImplementedError

    def is_empty(self, result: Any) -> bool:
        return bool(result.empty)

    # Showing ----------------------------------------------------------------------------------

    def columns(self, names: Sequence[str]) -> list[Column[MonthRow]]:
        def value_column(index: int, name: str) -> Column[MonthRow]:
            return Column(
                name, lambda r: count_text(r.values[index]), RIGHT, "", lambda r: r.values[index]
            )

        return [
            text_column(tr("Month"), lambda r: month_label(r.month)),
            *(value_column(i, name) for i, name in enumerate(names)),
            Column(tr("Total"), lambda r: count_text(r.total), RIGHT, "", lambda r: r.total),
        ]

    def table_of(
        self, result: Any, months: Sequence[date], series: Sequence[StackSeries]
    ) -> tuple[list[Column[MonthRow]], list[MonthRow]]:
        """The table under the chart: a row per month, a column per series, then the total."""
        rows = [
            MonthRow(month, tuple(s.values[i] for s in series), self.chart.totals[i])
            for i, month in enumerate(months)
        ]
        return self.columns([s.name for s in series]), rows

    def show_result(self, result: Any) -> None:
        self.result = result
        months, series = self.series_of(result)
        self.chart.set_data(months, series)
        columns, rows = self.table_of(result, months, series)
        model: ColumnTableModel[MonthRow] = ColumnTableModel(columns, self)
        model.set_rows(rows)
        old, self.model = self.model, model
        self.table.setModel(model)
        old.deleteLater()
        self._fit_table()
        self.caption.setText(self.caption_text(result))
        if self.is_empty(result):
            self.show_message(self.empty_text(result))
            self.png_button.setEnabled(False)
        else:
            self.stack.setCurrentWidget(self.content)
            self.png_button.setEnabled(True)

    def show_failure(self, message: str) -> None:
        self.result = None
        self.chart.set_data([], [])
        self.png_button.setEnabled(False)
        self.caption.setText("")
        self.show_message(
            tr("Could not load the {lower}: {message}").format(
                lower=self.title.lower(), message=message
            )
        )

    def show_message(self, text: str) -> None:
        self.empty_label.setText(text)
        self.stack.setCurrentWidget(self.empty_label)

    @property
    def showing_chart(self) -> bool:
        return self.stack.currentWidget() is self.content

    def _fit_table(self) -> None:
        table: QTableView = self.table
        header = table.horizontalHeader()
        for column in range(self.model.columnCount()):
            table.resizeColumnToContents(column)
            header.resizeSection(column, max(header.sectionSize(column) + 16, 110))
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # At most as tall as its rows, so the chart gets the rest of the height; it may shrink
        # (and scroll) in a small window rather than make the window taller.
        row_height = table.verticalHeader().defaultSectionSize()
        chrome = header.sizeHint().height() + 2 * table.frameWidth() + 2
        rows = max(self.model.rowCount(), 1)
        table.setMaximumHeight(chrome + rows * row_height)
        table.setMinimumHeight(chrome + min(rows, 2) * row_height)

    def _show_readout(self, text: str) -> None:
        self.readout.setText(text.replace("\n", " · ") if text else HOVER_HINT)

    # Export -----------------------------------------------------------------------------------

    def choose_png(self) -> None:
        default = str(self.last_folder / f"{self.file_stem}.png")
        chosen, _ = QFileDialog.getSaveFileName(
            self, tr("Save the chart as PNG"), default, tr("PNG images (*.png)")
        )
        if chosen:
            self.save_chart(Path(chosen))

    def save_chart(self, path: Path) -> bool:
        """Save the chart shown to ``path``; the caption says how it went."""
        if self.result is None or not self.showing_chart:
            return False
        try:
            self.chart.save_png(path)
        except OSError as exc:
            self.caption.setText(tr("Could not save {name}: {exc}").format(name=path.name, exc=exc))
            return False
        self.last_folder = path.parent
        self.caption.setText(
            tr("{caption_text} Saved {name}.").format(
                caption_text=self.caption_text(self.result), name=path.name
            )
        )
        return True


def _count_series(result: MonthlyCounts) -> list[StackSeries]:
    return [
        StackSeries(s.label, list(s.values), StackedBarChart.colour(i))
        for i, s in enumerate(result.series)
    ]


def _counts_caption(result: MonthlyCounts, what: str, split: str) -> str:
    return tr(
        "{what} per month, {window_text}, stacked by {split}: {total} in all. "
        "Months are calendar months in {zone}; the last one is this month so far."
    ).format(
        what=what,
        window_text=window_text(result.months),
        split=split,
        total=count_text(result.total),
        zone=result.zone,
    )


class InterviewsSection(StatisticsSection):
    """Completed interviews per month, stacked by method (Messenger, Phone, SMS, Landing Page).

    Signals:
        loaded(): see :class:`Page`.
    """

    title = tr("Interview statistics")
    unit = "interviews"
    file_stem = "interviews-per-month"

    def start_load(self) -> None:
        self.caption.setText(tr("Counting the interviews…"))
        self.load(statistics.interview_statistics)

    def series_of(self, result: Any) -> tuple[Sequence[date], list[StackSeries]]:
        counts: MonthlyCounts = result
        return counts.months, _count_series(counts)

    def caption_text(self, result: Any) -> str:
        return _counts_caption(result, tr("Completed interviews"), "method")

    def empty_text(self, result: Any) -> str:
        counts: MonthlyCounts = result
        return tr(
            "No completed interviews in {window_text}.\nInterviews appear here once they "
            "are imported (File ▸ Import…, kind “interviews”)."
        ).format(window_text=window_text(counts.months))


class SmsSection(StatisticsSection):
    """SMS messages sent per month, stacked by message type (the biggest types first).

    Signals:
        loaded(): see :class:`Page`.
    """

    title = tr("SMS statistics")
    unit = "messages"
    file_stem = "sms-per-month"

    def start_load(self) -> None:
        self.caption.setText(tr("Counting the SMS messages…"))
        self.load(statistics.sms_statistics)

    def series_of(self, result: Any) -> tuple[Sequence[date], list[StackSeries]]:
        counts: MonthlyCounts = result
        return counts.months, _count_series(counts)

    def caption_text(self, result: Any) -> str:
        return _counts_caption(result, tr("SMS messages sent"), "message type")

    def empty_text(self, result: Any) -> str:
        counts: MonthlyCounts = result
        return tr(
            "No SMS messages sent in {window_text}.\nMessages appear here once they are "
            "imported (File ▸ Import…, kind “sms”)."
        ).format(window_text=window_text(counts.months))


ALL_CAMPAIGNS = tr("All campaigns")
RECORDING_COLOUR = StackedBarChart.colour(0)


class RecordingsSection(StatisticsSection):
    """Recorded minutes of phone interviews per month, of every campaign or of one, with the
    window's total minutes shown large.

    Signals:
        loaded(): see :class:`Page`.
    """

    title = tr("Audio recording statistics")
    unit = "minutes"
    file_stem = "recorded-minutes-per-month"

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.campaign: str | None = None
        self.campaign_combo = QComboBox(self)
        self.campaign_combo.setObjectName("recordingsCampaign")
        self.campaign_combo.addItem(ALL_CAMPAIGNS, None)
        self.campaign_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.campaign_combo.setMinimumContentsLength(22)
        self.campaign_combo.setToolTip(tr("Show the recordings of one campaign, or of all"))
        self.campaign_combo.currentIndexChanged.connect(self._campaign_chosen)
        campaign_caption = QLabel(tr("&Campaign:"), self)
        campaign_caption.setBuddy(self.campaign_combo)
        self.total_label = QLabel(self)
        self.total_label.setObjectName("totalMinutes")
        font = QFont(self.total_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.total_label.setFont(font)
        self.total_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.total_detail = QLabel(self)
        self.total_detail.setObjectName("totalDetail")
        self.total_detail.setWordWrap(True)
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(campaign_caption)
        filters.addWidget(self.campaign_combo)
        filters.addSpacing(24)
        filters.addWidget(self.total_label, 0, Qt.AlignmentFlag.AlignBaseline)
        filters.addWidget(self.total_detail, 1, Qt.AlignmentFlag.AlignBaseline)
        self.body.insertLayout(1, filters)

    def start_load(self) -> None:
        self.caption.setText(tr("Adding up the recorded minutes…"))
        self.load(statistics.recording_statistics, self.campaign)

    def set_campaign(self, campaign: str | None) -> None:
        """Show ``campaign``'s recordings (None: every campaign)."""
        index = self.campaign_combo.findData(campaign)
        if index >= 0 and index != self.campaign_combo.currentIndex():
            self.campaign_combo.setCurrentIndex(index)  # reloads through _campaign_chosen
        elif campaign != self.campaign:
            self.campaign = campaign
            self.refresh()

    def _campaign_chosen(self, index: int) -> None:
        chosen = self.campaign_combo.itemData(index)
        if chosen != self.campaign:
            self.campaign = chosen
            self.refresh()

    def series_of(self, result: Any) -> tuple[Sequence[date], list[StackSeries]]:
        stats: RecordingStatistics = result
        name = tr("Recorded minutes") if stats.campaign is None else stats.campaign
        return stats.months, [StackSeries(name, list(stats.minutes), RECORDING_COLOUR)]

    def table_of(
        self, result: Any, months: Sequence[date], series: Sequence[StackSeries]
    ) -> tuple[list[Column[MonthRow]], list[MonthRow]]:
        """One series: the recordings and their minutes per month (no separate total)."""
        stats: RecordingStatistics = result
        rows = [
            MonthRow(month, (stats.recordings[i], stats.minutes[i]), stats.minutes[i])
            for i, month in enumerate(months)
        ]
        columns: list[Column[MonthRow]] = [
            text_column(tr("Month"), lambda r: month_label(r.month)),
            Column(
                tr("Recordings"),
                lambda r: count_text(r.values[0]),
                RIGHT,
                "",
                lambda r: r.values[0],
            ),
            Column(
                tr("Recorded minutes"),
                lambda r: count_text(r.total),
                RIGHT,
                tr("Minutes as recorded (exact)"),
                lambda r: r.total,
            ),
        ]
        return columns, rows

    def show_result(self, result: Any) -> None:
        stats: RecordingStatistics = result
        self._fill_campaigns(stats)
        super().show_result(stats)
        scope = (
            tr("every campaign")
            if stats.campaign is None
            else tr("campaign “{campaign}”").format(campaign=stats.campaign)
        )
        self.total_label.setText(
            tr("{count_text} minutes").format(count_text=count_text(stats.total_minutes))
        )
        self.total_detail.setText(
            ntr(
                "recorded in {count} recording, {window}, {scope}",
                "recorded in {count} recordings, {window}, {scope}",
                stats.total_recordings,
            ).format(
                count=count_text(stats.total_recordings),
                window=window_text(stats.months),
                scope=scope,
            )
        )

    def show_failure(self, message: str) -> None:
        super().show_failure(message)
        self.total_label.setText("")
        self.total_detail.setText("")

    def _fill_campaigns(self, stats: RecordingStatistics) -> None:
        self.campaign_combo.blockSignals(True)
        self.campaign_combo.clear()
        self.campaign_combo.addItem(ALL_CAMPAIGNS, None)
        for name in stats.campaigns:
            self.campaign_combo.addItem(name, name)
        index = self.campaign_combo.findData(stats.campaign)
        self.campaign_combo.setCurrentIndex(max(index, 0))
        self.campaign_combo.blockSignals(False)

    def is_empty(self, result: Any) -> bool:
        stats: RecordingStatistics = result
        return stats.empty

    def caption_text(self, result: Any) -> str:
        stats: RecordingStatistics = result
        return tr(
            "Minutes of recorded phone interviews per month, {window_text}. Months are "
            "calendar months in {zone}; the last one is this month so far."
        ).format(window_text=window_text(stats.months), zone=stats.zone)

    def empty_text(self, result: Any) -> str:
        stats: RecordingStatistics = result
        if stats.campaign is not None:
            return tr(
                "No recordings of “{campaign}” in {window_text}.\nChoose another campaign, or "
                "all campaigns."
            ).format(campaign=stats.campaign, window_text=window_text(stats.months))
        return tr(
            "No recordings in {window_text}.\nRecordings appear here once they are "
            "imported (File ▸ Import…, kind “recordings”)."
        ).format(window_text=window_text(stats.months))
