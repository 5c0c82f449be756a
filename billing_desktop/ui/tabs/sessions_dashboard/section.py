"""Usage Data tab ▸ Sessions (PRODUCT §4.1, §8.1): billing sessions, voice sessions and agents
over time, for all apps or one, as a chart or a table, exported as PNG or CSV.

Every figure comes from :func:`billing_desktop.services.sessions.session_statistics`, the service
behind ``billing-desktop sessions --json``; the section never counts anything itself. It reads
on the task runner through the store (:func:`load_dashboard`: the scope, then the figures), so a
remote store runs the same two services on its server.

Ranges are whole local days in the account's time zone, like the command line's ``--from`` and
``--to``:

* *Last 24 hours* is the last day of the range (its 24 local hours), *Last 7 days* that day and
  the six before it, *Last 3 months* the three months up to it (Aug 22 – Nov 21).
* The range ends today in the account's time zone, unless the store's usage ends earlier (an
  import of last quarter, the demo workspace): then it ends on the last day with usage, so the
  chart is not empty, and the caption says so.
* *Custom…* takes any two days up to three years apart (the service's limit).

Buckets default to the range: 24 hours by hour, 7 days by day, 3 months by week, a custom range
by day up to 31 days and by week beyond. Hour buckets are refused for ranges longer than 31 days
(more than 744 points say nothing a day bucket does not); the bucket list disables them then.

Agents are the peak daily count of licensed agents in each bucket, workspace-wide: the app
filter does not change them (stated on screen).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Area
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.exports.tables import TABLE_FILTERS, chosen_path, write_table
from billing_desktop.services import sessions
from billing_desktop.services.session_ranges import (
    BUCKET_TITLES,
    DEFAULT_RANGE,
    RANGES,
    SessionsRequest,
    allowed_buckets,
    refusal,
    start_text,
)
from billing_desktop.services.sessions import (
    AGENTS_NOTE,
    SessionBucket,
    SessionsScope,
    SessionStatistics,
)
from billing_desktop.ui.charts.common import epoch_seconds
from billing_desktop.ui.charts.timeline import TimelineChart
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import format_day_range, format_month, format_weekday_day
from billing_desktop.ui.models.table import Column, ColumnTableModel, number_column
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tabs.base import Page
from billing_desktop.ui.tabs.sessions_dashboard.data import (
    DashboardData,
    load_dashboard,
    pydate,
    qdate,
)
from billing_desktop.ui.tabs.sessions_dashboard.figures import chart_series
from billing_desktop.ui.widgets.table import make_table

# Half a bucket, in seconds: the room left beside the first and last points of the chart.
MARGINS: dict[str, float] = {"hour": 1800, "day": 43200, "week": 3.5 * 86400, "month": 15 * 86400}


# The section ----------------------------------------------------------------------------------


# The services' range and bucket titles, in the GUI's language.
RANGE_TITLES = {
    "24h": tr("Last 24 hours"),
    "7d": tr("Last 7 days"),
    "3m": tr("Last 3 months"),
    "custom": tr("Custom…"),
}
BUCKET_NAMES = {"hour": tr("Hour"), "day": tr("Day"), "week": tr("Week"), "month": tr("Month")}


def bucket_text(start: date | datetime, bucket: str) -> str:
    """How the read-out names a bucket (``session_ranges.bucket_label`` in the GUI's language):
    "Tue 3 Nov 2026 14:00", "Week of Mon 2 Nov 2026", "November 2026"."""
    if isinstance(start, datetime):
        return f"{format_weekday_day(start.date())} {start:%H:%M}"
    if bucket == "week":
        return tr("Week of {day}").format(day=format_weekday_day(start))
    if bucket == "month":
        return format_month(start)
    return format_weekday_day(start)


def bucket_noun(bucket: str) -> str:
    """ "sessions by day": the bucket's noun in the GUI's language."""
    nouns = {"hour": tr("hour"), "day": tr("day"), "week": tr("week"), "month": tr("month")}
    return nouns.get(bucket, bucket)


class SessionsSection(Page):
    """Sessions and agents over a range, for all apps or one: chart or table, PNG and CSV.

    Signals:
        loaded(): see :class:`Page` (figures, the empty state or an error are shown).
    """

    area = Area.USAGE_DATA
    watches = frozenset({"workspace", "records"})

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.request = SessionsRequest()
        self.data: DashboardData | None = None
        self.last_folder = Path.home()
        account = context.account
        self.zone_name = account.timezone if account is not None else "UTC"

        self._build_controls()
        self.caption = QLabel(tr("Loading sessions…"), self)
        self.caption.setObjectName("caption")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.png_button = QPushButton(tr("Export P&NG…"), self)
        self.png_button.setObjectName("sessionsExportPng")
        self.png_button.setToolTip(tr("Save the chart as a PNG image"))
        self.png_button.clicked.connect(self.choose_png)
        self.csv_button = QPushButton(tr("&Export…"), self)
        self.csv_button.setObjectName("sessionsExportCsv")
        self.csv_button.setToolTip(
            tr("Save the table for a spreadsheet: a CSV file or an Excel workbook (.xlsx)")
        )
        self.csv_button.clicked.connect(self.choose_csv)
        info = QHBoxLayout()
        info.addWidget(self.caption, 1)
        info.addWidget(self.png_button, 0, Qt.AlignmentFlag.AlignTop)
        info.addWidget(self.csv_button, 0, Qt.AlignmentFlag.AlignTop)

        self.chart = TimelineChart(
            self._zone(),
            tr("Sessions"),
            tr("Agents"),
            tr("Local time ({zone_name})").format(zone_name=self.zone_name),
            self,
        )
        self.chart.setObjectName("sessionsChart")
        self.chart.setMinimumHeight(220)
        self.model: ColumnTableModel[SessionBucket] = ColumnTableModel(self._columns(), self)
        self.table = make_table(self)
        self.table.setObjectName("sessionsTable")
        self.table.setAccessibleName(tr("Sessions"))
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.chart)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)
        self.stack.setCurrentWidget(self.empty_label)
        self.empty_label.setText(tr("Loading…"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 10, 4, 4)
        layout.setSpacing(8)
        layout.addWidget(self.controls)
        layout.addLayout(info)
        layout.addWidget(self.stack, 1)
        self.setFocusProxy(self.range_combo)
        self._set_actions_enabled()

    # Widgets ------------------------------------------------------------------------------

    def _zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.zone_name)
        except (ValueError, KeyError):
            return ZoneInfo("UTC")

    def _build_controls(self) -> None:
        self.controls = QWidget(self)
        self.controls.setObjectName("sessionsControls")
        # The controls never force the window wider than the other tabs need.
        self.controls.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout(self.controls)
        row.setContentsMargins(0, 0, 0, 0)

        self.range_combo = QComboBox(self)
        self.range_combo.setObjectName("sessionsRange")
        for key, title in RANGES.items():
            self.range_combo.addItem(RANGE_TITLES.get(key, title), key)
        self.range_combo.setCurrentIndex(self.range_combo.findData(DEFAULT_RANGE))
        self.range_combo.setToolTip(
            tr(
                "Whole days in the account's time zone, ending today (or on the last day "
                "with usage when usage ends earlier)"
            )
        )
        self.range_combo.currentIndexChanged.connect(self._range_chosen)

        self.from_edit = QDateEdit(self)
        self.from_edit.setObjectName("sessionsFrom")
        self.to_edit = QDateEdit(self)
        self.to_edit.setObjectName("sessionsTo")
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self._custom_dates_edited)
        self._custom_timer = QTimer(self)
        self._custom_timer.setSingleShot(True)
        self._custom_timer.setInterval(400)
        self._custom_timer.timeout.connect(self.apply_custom_dates)

        self.bucket_combo = QComboBox(self)
        self.bucket_combo.setObjectName("sessionsBucket")
        for key in sessions.BUCKETS:
            self.bucket_combo.addItem(BUCKET_NAMES.get(key, BUCKET_TITLES[key]), key)
        self.bucket_combo.setToolTip(tr("One point (one table row) per hour, day, week or month"))
        self.bucket_combo.currentIndexChanged.connect(self._bucket_chosen)

        self.app_combo = QComboBox(self)
        self.app_combo.setObjectName("sessionsApp")
        self.app_combo.addItem(tr("All apps"), None)
        self.app_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.app_combo.setMinimumContentsLength(14)
        self.app_combo.setToolTip(tr("Sessions of one app, or of all (agents are workspace-wide)"))
        self.app_combo.currentIndexChanged.connect(self._app_chosen)

        self.graph_button = QPushButton(tr("&Graph"), self)
        self.graph_button.setObjectName("sessionsGraphButton")
        self.graph_button.setToolTip(tr("Show the figures as a chart"))
        self.table_button = QPushButton(tr("&Table"), self)
        self.table_button.setObjectName("sessionsTableButton")
        self.table_button.setToolTip(tr("Show the same figures as a table"))
        self.view_group = QButtonGroup(self)
        self.view_group.setExclusive(True)
        for button in (self.graph_button, self.table_button):
            button.setCheckable(True)
            self.view_group.addButton(button)
        self.graph_button.setChecked(True)
        self.graph_button.toggled.connect(lambda on: self.show_table(not on))

        self.from_caption = QLabel(tr("Fro&m"), self)
        self.to_caption = QLabel(tr("T&o"), self)
        for label, widget in (
            (QLabel(tr("&Range"), self), self.range_combo),
            (self.from_caption, self.from_edit),
            (self.to_caption, self.to_edit),
            (QLabel(tr("&Bucket"), self), self.bucket_combo),
            (QLabel(tr("A&pp"), self), self.app_combo),
        ):
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.graph_button)
        row.addWidget(self.table_button)
        self._show_custom_edits(False)

    def _show_custom_edits(self, shown: bool) -> None:
        for widget in (self.from_caption, self.from_edit, self.to_caption, self.to_edit):
            widget.setVisible(shown)

    def _columns(self) -> Sequence[Column[SessionBucket]]:
        return [
            Column[SessionBucket](
                tr("Start ({zone_name})").format(zone_name=self.zone_name),
                lambda b: start_text(b.start),
                tooltip=tr(
                    "The bucket's start in the account's time zone. A week starts on Monday; a "
                    "week or month at the edge of the range counts only its days in it."
                ),
                raw=lambda b: b.start,
                cell_tooltip=lambda b: bucket_text(b.start, self._bucket()),
            ),
            number_column(
                tr("Billing sessions"),
                lambda b: b.billing_sessions,
                tr("15 minutes of conversation (billable seconds) each"),
            ),
            number_column(
                tr("Alert sessions"),
                lambda b: b.alert_sessions,
                tr("One per alert delivered to a user"),
            ),
            number_column(
                tr("Voice sessions"),
                lambda b: b.voice_sessions,
                tr("Every started 15 minutes of a voice conversation"),
            ),
            number_column(tr("Agents"), lambda b: b.agents, translate_message(AGENTS_NOTE)),
        ]

    def _bucket(self) -> str:
        return self.data.statistics.bucket if self.data is not None else "day"

    # Page -----------------------------------------------------------------------------------

    def start_load(self) -> None:
        self.caption.setText(tr("Reading sessions…"))
        self._handle = self.context.runner.run(
            load_dashboard,
            self.context.store,
            self.context.actor,
            self.request,
            on_done=self._show,
            on_error=self._failed,
            description="load session statistics",
        )

    # Choices ----------------------------------------------------------------------------------

    @property
    def statistics(self) -> SessionStatistics | None:
        return self.data.statistics if self.data is not None else None

    def set_range(self, preset: str, first: date | None = None, last: date | None = None) -> None:
        """Show a preset range ("24h", "7d", "3m") or custom days, with the range's default
        bucket, and read it."""
        if preset not in RANGES:
            raise ValueError(f"'{preset}' is not one of {', '.join(RANGES)}")
        self._select(self.range_combo, preset)
        self._show_custom_edits(preset == "custom")
        if preset == "custom":
            current = self.statistics
            first = first or (current.first if current else None)
            last = last or (current.last if current else None)
            if first is None or last is None:
                today = date.today()
                first, last = first or today - timedelta(days=6), last or today
            for edit, day in ((self.from_edit, first), (self.to_edit, last)):
                edit.blockSignals(True)
                edit.setDate(qdate(day))
                edit.blockSignals(False)
            self._request_custom(first, last, None)
        else:
            self.request = replace(self.request, preset=preset, bucket=None, first=None, last=None)
            self.refresh()

    def _request_custom(self, first: date, last: date, bucket: str | None) -> None:
        try:
            sessions.check_range(first, last)
        except InvalidInput as exc:
            message = translate_message(str(exc)).replace("--from ", "").replace("--to ", "")
            self.caption.setText(tr("Cannot show this range: {message}.").format(message=message))
            return
        self._update_bucket_choices(first, last)
        self.request = replace(self.request, preset="custom", bucket=bucket, first=first, last=last)
        self.refresh()

    def apply_custom_dates(self) -> None:
        """Read the days in the From and To boxes (keeps a bucket chosen by hand if allowed)."""
        self._custom_timer.stop()
        first, last = pydate(self.from_edit.date()), pydate(self.to_edit.date())
        bucket = self.request.bucket if self.request.preset == "custom" else None
        if bucket is not None and refusal(bucket, first, last) is not None:
            bucket = None
        self._request_custom(first, last, bucket)

    def set_bucket(self, bucket: str) -> bool:
        """Show ``bucket`` for the current range; False (with the reason in the caption) when it
        is too fine for the range."""
        if bucket not in sessions.BUCKETS:
            raise ValueError(f"'{bucket}' is not one of {', '.join(sessions.BUCKETS)}")
        current = self.statistics
        if current is not None:
            reason = refusal(bucket, current.first, current.last)
            if reason is not None:
                self.caption.setText(f"{translate_message(reason)}.")
                self._select(self.bucket_combo, current.bucket)
                return False
        self._select(self.bucket_combo, bucket)
        self.request = replace(self.request, bucket=bucket)
        self.refresh()
        return True

    def set_app(self, app: str | None) -> None:
        """Show one app's sessions (its id), or all apps' (None)."""
        self._select(self.app_combo, app)
        self.request = replace(self.request, app=app)
        self.refresh()

    @staticmethod
    def _select(combo: QComboBox, value: Any) -> None:
        index = combo.findData(value)
        if index >= 0 and index != combo.currentIndex():
            combo.blockSignals(True)
            combo.setCurrentIndex(index)
            combo.blockSignals(False)

    def _range_chosen(self, index: int) -> None:
        self.set_range(str(self.range_combo.itemData(index)))

    def _custom_dates_edited(self) -> None:
        if self.range_combo.currentData() == "custom":
            self._custom_timer.start()

    def _bucket_chosen(self, index: int) -> None:
        self.set_bucket(str(self.bucket_combo.itemData(index)))

    def _app_chosen(self, index: int) -> None:
        self.set_app(self.app_combo.itemData(index))

    def _update_bucket_choices(self, first: date, last: date) -> None:
        allowed = allowed_buckets(first, last)
        model = self.bucket_combo.model()
        assert isinstance(model, QStandardItemModel)
        for row, key in enumerate(sessions.BUCKETS):
            item = model.item(row)
            item.setEnabled(key in allowed)
            item.setToolTip(
                "" if key in allowed else translate_message(refusal(key, first, last) or "")
            )

    # Graph or table ---------------------------------------------------------------------------

    @property
    def showing_table(self) -> bool:
        return self.stack.currentWidget() is self.table

    @property
    def showing_chart(self) -> bool:
        return self.stack.currentWidget() is self.chart

    @property
    def showing_empty(self) -> bool:
        return self.stack.currentWidget() is self.empty_label

    def show_table(self, table: bool) -> None:
        """Show the table (True) or the chart (False) of the same buckets."""
        button = self.table_button if table else self.graph_button
        if not button.isChecked():
            button.setChecked(True)  # comes back here through ``toggled``
            return
        if self._has_figures():
            self.stack.setCurrentWidget(self.table if table else self.chart)

    def _has_figures(self) -> bool:
        current = self.statistics
        return current is not None and any(
            b.billing_sessions or b.alert_sessions or b.voice_sessions for b in current.buckets
        )

    # Showing a load ---------------------------------------------------------------------------

    def _show(self, data: DashboardData) -> None:
        self.finish_load()
        self.data = data
        statistics = data.statistics
        if statistics.timezone != self.zone_name:
            self.zone_name = statistics.timezone
            self.chart.set_zone(self._zone())
            self.chart.plotItem.setLabel(
                "bottom", tr("Local time ({zone_name})").format(zone_name=self.zone_name)
            )
            self.model = ColumnTableModel(self._columns(), self)
            self.table.setModel(self.model)
        self._fill_apps(data.scope, statistics.app)
        self._select(self.bucket_combo, statistics.bucket)
        self._update_bucket_choices(statistics.first, statistics.last)
        if self.request.preset != "custom":
            for edit, day in ((self.from_edit, statistics.first), (self.to_edit, statistics.last)):
                edit.blockSignals(True)
                edit.setDate(qdate(day))
                edit.blockSignals(False)

        self.model.set_rows(statistics.buckets)
        self._fit_columns()
        zone = self._zone()
        self.chart.set_data(
            [epoch_seconds(b.start, zone) for b in statistics.buckets],
            [bucket_text(b.start, statistics.bucket) for b in statistics.buckets],
            chart_series(statistics.buckets),
            finest=statistics.bucket,
            margin=MARGINS[statistics.bucket],
        )
        self.caption.setText(self._caption_text(data))
        if self._has_figures():
            self.stack.setCurrentWidget(self.table if self.table_button.isChecked() else self.chart)
        else:
            self.empty_label.setText(self._empty_text(data))
            self.stack.setCurrentWidget(self.empty_label)
        self._set_actions_enabled()
        self.loaded.emit()

    def _fill_apps(self, scope: SessionsScope, current: str | None) -> None:
        combo = self.app_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(tr("All apps"), None)
        for app_id, name in scope.apps:
            combo.addItem(name, app_id)
            combo.setItemData(combo.count() - 1, app_id, Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(max(combo.findData(current), 0))
        combo.blockSignals(False)

    def _scope_text(self, statistics: SessionStatistics) -> str:
        if statistics.app is None:
            return tr("all apps")
        return self.app_combo.currentText() or statistics.app

    def _caption_text(self, data: DashboardData) -> str:
        s = data.statistics
        lines = [
            tr(
                "{plural}, {plural2}, {plural3}, peak {plural4} — {range_text} by {bucket}, "
                "{scope_text}, in {timezone}."
            ).format(
                plural=ntr(
                    "{n:,} billing session", "{n:,} billing sessions", s.billing_sessions
                ).format(n=s.billing_sessions),
                plural2=ntr("{n:,} alert session", "{n:,} alert sessions", s.alert_sessions).format(
                    n=s.alert_sessions
                ),
                plural3=ntr("{n:,} voice session", "{n:,} voice sessions", s.voice_sessions).format(
                    n=s.voice_sessions
                ),
                plural4=ntr("{n:,} agent", "{n:,} agents", s.peak_agents).format(n=s.peak_agents),
                range_text=format_day_range(s.first, s.last),
                bucket=bucket_noun(s.bucket),
                scope_text=self._scope_text(s),
                timezone=s.timezone,
            )
        ]
        notes = [translate_message(AGENTS_NOTE)]
        if data.ended_early:
            span = data.scope.usage_span
            assert span is not None
            notes.append(
                tr(
                    "The range ends now; usage is recorded up to {day_text}, before today "
                    "({day_text2})."
                ).format(
                    day_text=format_weekday_day(span[1]),
                    day_text2=format_weekday_day(data.scope.today),
                )
            )
        if data.note:
            notes.append(translate_message(data.note))
        lines.append(" ".join(notes))
        return "\n".join(lines)

    def _export_title(self) -> str:
        """The PNG's title: what, when, where, and the totals."""
        assert self.data is not None
        s = self.data.statistics
        account = self.context.account
        who = f"{account.name}: " if account is not None else ""
        return tr(
            "{who}sessions by {bucket}, {range_text}, {scope_text} "
            "({timezone})\n{plural}, {plural2}, {plural3}, peak {plural4}"
        ).format(
            who=who,
            bucket=bucket_noun(s.bucket),
            range_text=format_day_range(s.first, s.last),
            scope_text=self._scope_text(s),
            timezone=s.timezone,
            plural=ntr(
                "{n:,} billing session", "{n:,} billing sessions", s.billing_sessions
            ).format(n=s.billing_sessions),
            plural2=ntr("{n:,} alert session", "{n:,} alert sessions", s.alert_sessions).format(
                n=s.alert_sessions
            ),
            plural3=ntr("{n:,} voice session", "{n:,} voice sessions", s.voice_sessions).format(
                n=s.voice_sessions
            ),
            plural4=ntr("{n:,} agent", "{n:,} agents", s.peak_agents).format(n=s.peak_agents),
        )

    def _empty_text(self, data: DashboardData) -> str:
        s = data.statistics
        span = data.scope.usage_span
        if span is None:
            return tr(
                "No usage recorded yet.\nSessions appear here once conversations or alerts "
                "are imported (File ▸ Import…, kinds “conversations” and “alerts”)."
            )
        return tr(
            "No sessions for {scope_text}, {range_text}.\nUsage is recorded from "
            "{day_text} to {day_text2}: pick a range or app with sessions."
        ).format(
            scope_text=self._scope_text(s),
            range_text=format_day_range(s.first, s.last),
            day_text=format_weekday_day(span[0]),
            day_text2=format_weekday_day(span[1]),
        )

    def _failed(self, message: str) -> None:
        self.finish_load(failed=True)
        self.data = None
        self.model.set_rows([])
        self.chart.set_data([], [], [])
        self.caption.setText("")
        self.empty_label.setText(
            tr("Could not read the session statistics: {message}").format(message=message)
        )
        self.stack.setCurrentWidget(self.empty_label)
        self._set_actions_enabled()
        self.loaded.emit()

    def _set_actions_enabled(self) -> None:
        has = self._has_figures()
        for button in (self.png_button, self.csv_button, self.graph_button, self.table_button):
            button.setEnabled(has)

    def _fit_columns(self) -> None:
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            self.table.resizeColumnToContents(column)
            header.resizeSection(column, max(header.sectionSize(column) + 16, 130))

    # Export -----------------------------------------------------------------------------------

    def _default_name(self, suffix: str) -> str:
        s = self.statistics
        if s is None:
            return str(self.last_folder / f"sessions.{suffix}")
        app = f"-{re.sub(r'[^A-Za-z0-9_.-]+', '-', s.app)}" if s.app else ""
        name = f"sessions-{s.first.isoformat()}-to-{s.last.isoformat()}-{s.bucket}{app}.{suffix}"
        return str(self.last_folder / name)

    def _status(self, message: str) -> None:
        """The caption with one more line (an export's outcome)."""
        base = self._caption_text(self.data) if self.data is not None else ""
        self.caption.setText(f"{base}\n{message}" if base else message)

    def choose_png(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, tr("Export the chart as PNG"), self._default_name("png"), tr("PNG images (*.png)")
        )
        if chosen:
            self.export_png(Path(chosen))

    def choose_csv(self) -> None:
        chosen, selected = QFileDialog.getSaveFileName(
            self, tr("Export the table"), self._default_name("csv"), TABLE_FILTERS
        )
        if chosen:
            self.export_csv(chosen_path(chosen, selected))

    def csv_rows(self) -> list[list[object]]:
        """The table as CSV rows: the start as shown, the counts as plain whole numbers."""
        columns = self.model.columns
        rows: list[list[object]] = []
        for bucket in self.model.rows:
            cells: list[object] = []
            for column in columns:
                raw = column.raw(bucket) if column.raw is not None else None
                cells.append(raw if isinstance(raw, int) else column.text(bucket))
            rows.append(cells)
        return rows

    def export_csv(self, path: Path) -> bool:
        """Write the table to ``path``: CSV (UTF-8 with a byte-order mark, formula-safe cells),
        or an Excel workbook when ``path`` ends in ``.xlsx``."""
        if self.statistics is None:
            return False
        try:
            header = [c.title for c in self.model.columns]
            count = write_table(path, header, self.csv_rows(), title="Sessions")
        except OSError as exc:
            self._status(
                tr("Could not save {name}: {value}").format(
                    name=path.name, value=exc.strerror or exc
                )
            )
            return False
        self.last_folder = path.parent
        self._status(tr("Saved {count:,} rows to {path}.").format(count=count, path=path))
        return True

    def export_png(self, path: Path) -> bool:
        """Save the chart (legend, axes and lines) to ``path`` as a PNG image."""
        if self.statistics is None:
            return False
        try:
            self.chart.save_png(path, title=self._export_title())
        except OSError as exc:
            self._status(tr("Could not save {name}: {exc}").format(name=path.name, exc=exc))
            return False
        self.last_folder = path.parent
        self._status(tr("Saved the chart to {path}.").format(path=path))
        return True
