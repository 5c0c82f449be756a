"""Usage Data ▸ Storage (issue 19 §7): recording storage per day, the peak-day billing window
shaded, its peak marked, and the charge that peak implies (services.recording_storage)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from billing_desktop.services.recording_storage import RecordingStorage, recording_storage
from billing_desktop.ui.charts.common import style_axis
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tabs.statistics import LoadingSection

BAR = QColor(59, 130, 246)
OUTSIDE = QColor(156, 163, 175)
PEAK = QColor(192, 28, 40)
WINDOW = QColor(59, 130, 246, 28)


class DayAxis(pg.AxisItem):  # type: ignore[misc]
    """Days counted from ``origin``, labelled as dates ("Dec 4")."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.origin = date(2000, 1, 1)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [
            (self.origin + timedelta(days=round(v))).strftime("%b %d").replace(" 0", " ")
            for v in values
        ]


class RecordingStorageSection(LoadingSection):
    """The storage trend with the billing window and the month-to-date charge it implies."""

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.result: RecordingStorage | None = None
        self.summary = QLabel(self)
        self.summary.setObjectName("storageSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.axis = DayAxis()
        self.chart = pg.PlotWidget(axisItems={"bottom": self.axis}, background="w")
        self.chart.setObjectName("storageChart")
        self.chart.setMenuEnabled(False)
        self.chart.setMouseEnabled(x=False, y=False)
        self.chart.hideButtons()
        self.chart.showGrid(x=False, y=True, alpha=0.25)
        for name in ("left", "bottom"):
            style_axis(self.chart.getAxis(name))
        self.chart.setLabel("left", tr("Storage"))
        self.empty = QLabel(
            tr(
                "Recording storage appears here once storage snapshots are imported (File ▸ "
                "Import…, kind “storage”)."
            ),
            self,
        )
        self.empty.setObjectName("storageEmpty")
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.empty)
        self.empty.hide()

    def start_load(self) -> None:
        self.summary.setText(tr("Loading…"))
        self.load(recording_storage)

    def show_failure(self, message: str) -> None:
        self.summary.setText(
            tr("Could not load recording storage: {message}").format(message=message)
        )

    def show_result(self, result: Any) -> None:
        found: RecordingStorage = result
        self.result = found
        self.summary.setText(translate_message(found.summary()))
        self.chart.clear()
        self.empty.setVisible(not found.days)
        self.chart.setVisible(bool(found.days))
        if not found.days:
            return
        origin = found.days[0].day
        self.axis.origin = origin

        def x(day: date) -> float:
            return float((day - origin).days)

        self.chart.addItem(
            pg.LinearRegionItem(
                (x(found.window_first) - 0.5, x(found.window_last) + 0.5),
                movable=False,
                brush=pg.mkBrush(WINDOW),
                pen=pg.mkPen(BAR, style=Qt.PenStyle.DashLine),
            )
        )
        brushes = [
            pg.mkBrush(PEAK if d.day == found.peak_day else BAR if d.in_window else OUTSIDE)
            for d in found.days
        ]
        self.chart.addItem(
            pg.BarGraphItem(
                x=[x(d.day) for d in found.days],
                height=[float(d.quantity) for d in found.days],  # screen coordinates only
                width=0.8,
                brushes=brushes,
                pen=pg.mkPen(None),
            )
        )
        self.chart.setLabel("left", tr("Storage ({unit})").format(unit=found.unit))
        self.chart.setXRange(-0.5, max(x(found.window_last), x(found.today)) + 0.5, padding=0)
