"""A timeline chart (pyqtgraph): a few count series over time, one point per bucket.

Used by the Usage Data ▸ Sessions dashboard (billing sessions, voice sessions and agents). The
x coordinates are the buckets' starts as instants (epoch seconds), labelled by a
:class:`~billing_desktop.ui.charts.common.ZoneDateAxis` in the account's time zone. Series on
different scales go on a right-hand axis with a ViewBox of its own. The legend sits above the
plot, never over the data.

Moving the mouse over the plot puts a vertical cursor on the bucket nearest the pointer and
shows that bucket's figures in the read-out label above the chart; with the chart focused, the
Left and Right keys move the cursor from bucket to bucket. ``save_png`` renders the legend and
plot (PNG only: pyqtgraph's SVG export is broken on Qt >= 6.11).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from billing_desktop.ui import theme
from billing_desktop.ui.charts.common import (
    INK,
    CountAxis,
    ZoneDateAxis,
    save_png,
    style_axis,
)
from billing_desktop.ui.i18n import tr

MAX_SYMBOLS = 120  # beyond this many points, markers only clutter the line
CURSOR = QColor(107, 114, 128)
MIN_EXPORT = (800, 450)  # the smallest chart image, in pixels


@dataclass(frozen=True, slots=True)
class LineSeries:
    """One series: its legend name, one value per point, and how a value reads ("3 agents")."""

    name: str
    values: Sequence[int]
    colour: QColor
    singular: str
    plural: str
    right_axis: bool = False
    dashed: bool = False

    def describe(self, value: int) -> str:
        return f"{value:,} {self.singular if value == 1 else self.plural}"


class TimelineChart(QWidget):
    """Count series over time with a hover read-out and a vertical cursor.

    ``plotItem`` is the plot (left axis, bottom date axis); ``right_view`` holds the right-axis
    series; ``scene()`` is the graphics scene whose ``sigMouseMoved`` drives the read-out.

    Signals:
        hovered(int): the index of the point under the cursor, or -1 when the cursor leaves.
    """

    hovered = Signal(int)

    HINT = tr("Point at the chart to read a bucket's figures.")

    def __init__(
        self,
        zone: tzinfo,
        left_label: str = "",
        right_label: str = "",
        bottom_label: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.xs: list[float] = []
        self.labels: list[str] = []
        self.series: list[LineSeries] = []
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.current: int | None = None

        self.readout = QLabel(self.HINT, self)
        self.readout.setObjectName("chartReadout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.view = pg.GraphicsLayoutWidget(self)
        self.view.setBackground(theme.CHART_BACKGROUND)
        self.view.setObjectName("timelinePlot")
        self.view.ci.setContentsMargins(4, 4, 4, 4)
        self.view.ci.setSpacing(0)
        self.legend = pg.LegendItem(colCount=4, labelTextColor=INK, verSpacing=-4)
        self.view.ci.addItem(self.legend, row=0, col=0)
        # As wide as its entries, on the left: not spread over the whole width.
        self.legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.view.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignLeft)
        self.axis = ZoneDateAxis(zone)
        self.plotItem: pg.PlotItem = self.view.addPlot(
            row=1,
            col=0,
            axisItems={"bottom": self.axis, "left": CountAxis("left"), "right": CountAxis("right")},
        )
        item = self.plotItem
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.showGrid(x=False, y=True, alpha=0.35)
        item.showAxis("right")
        for name in ("left", "bottom", "right"):
            style_axis(item.getAxis(name))
            item.getAxis(name).enableAutoSIPrefix(False)
        labels = {"left": left_label, "right": right_label, "bottom": bottom_label}
        for name, text in labels.items():
            if text:
                item.setLabel(name, text, color=INK.name())

        self.right_view = pg.ViewBox(enableMenu=False)
        self.right_view.setMouseEnabled(x=False, y=False)
        item.scene().addItem(self.right_view)
        item.getAxis("right").linkToView(self.right_view)
        self.right_view.setXLink(item)
        item.vb.sigResized.connect(self._sync_right_view)

        self.cursor_line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(CURSOR, width=1, style=Qt.PenStyle.DashLine)
        )
        self.cursor_line.setZValue(-5)
        self.cursor_line.hide()
        item.addItem(self.cursor_line, ignoreBounds=True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.readout)
        layout.addWidget(self.view, 1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.scene().sigMouseMoved.connect(self._hover)

    def scene(self) -> Any:
        return self.view.scene()

    def set_zone(self, zone: tzinfo) -> None:
        self.axis.set_zone(zone)

    # Data ---------------------------------------------------------------------------------

    def set_data(
        self,
        xs: Sequence[float],
        labels: Sequence[str],
        series: Sequence[LineSeries],
        finest: str = "hour",
        margin: float = 0.0,
    ) -> None:
        """One point per x (epoch seconds) with its read-out label, one line per series.

        ``finest`` is the finest tick step of the date axis (the bucket); ``margin`` (seconds)
        is left on both sides of the points so that the end markers show whole.
        """
        item = self.plotItem
        for curve in self.curves.values():
            (self.right_view if curve.getViewBox() is self.right_view else item).removeItem(curve)
        self.legend.clear()
        self.curves = {}
        self.xs = [float(x) for x in xs]
        self.labels = list(labels)
        self.series = list(series)
        self.axis.set_finest(finest)
        symbol = "o" if len(self.xs) <= MAX_SYMBOLS else None
        for part in self.series:
            pen = pg.mkPen(
                part.colour,
                width=2,
                style=Qt.PenStyle.DashLine if part.dashed else Qt.PenStyle.SolidLine,
            )
            curve = pg.PlotDataItem(
                self.xs,
                [float(v) for v in part.values],
                pen=pen,
                symbol=symbol,
                symbolSize=6,
                symbolBrush=pg.mkBrush(part.colour),
                symbolPen=pg.mkPen(part.colour),
                name=part.name,
            )
            if part.right_axis:
                self.right_view.addItem(curve)
            else:
                item.addItem(curve)
            self.legend.addItem(curve, part.name)
            self.curves[part.name] = curve
        left = [v for p in self.series if not p.right_axis for v in p.values]
        right = [v for p in self.series if p.right_axis for v in p.values]
        # A little room below zero, so that the zero tick and the markers on it show whole.
        top = max(max(left, default=0), 1) * 1.08
        item.setYRange(-top * 0.03, top, padding=0)
        top = max(max(right, default=0), 1) * 1.15
        self.right_view.setYRange(-top * 0.03, top, padding=0)
        if self.xs:
            item.setXRange(self.xs[0] - margin, self.xs[-1] + margin, padding=0)
        self.leave()
        self._sync_right_view()

    def _sync_right_view(self) -> None:
        self.right_view.setGeometry(self.plotItem.vb.sceneBoundingRect())
        self.right_view.linkedViewChanged(self.plotItem.vb, self.right_view.XAxis)

    # Hover read-out --------------------------------------------------------------------------

    def index_at(self, scene_pos: QPointF) -> int | None:
        """The point nearest the pointer (by time) when it is over the plot area, else None."""
        box = self.plotItem.vb
        if not self.xs or not box.sceneBoundingRect().contains(scene_pos):
            return None
        x = box.mapSceneToView(scene_pos).x()
        right = bisect.bisect_left(self.xs, x)
        if right == 0:
            return 0
        if right == len(self.xs):
            return len(self.xs) - 1
        return right if self.xs[right] - x < x - self.xs[right - 1] else right - 1

    def describe(self, index: int) -> str:
        """The read-out of a point: "Tue 3 Nov 2026 14:00 — 12 billing sessions, …"."""
        figures = ", ".join(part.describe(part.values[index]) for part in self.series)
        return f"{self.labels[index]} — {figures}"

    def show_point(self, index: int) -> None:
        self.current = index
        self.cursor_line.setPos(self.xs[index])
        self.cursor_line.show()
        self.readout.setText(self.describe(index))
        self.hovered.emit(index)

    def leave(self) -> None:
        changed = self.current is not None
        self.current = None
        self.cursor_line.hide()
        self.readout.setText(self.HINT if self.xs else "")
        if changed:
            self.hovered.emit(-1)

    def _hover(self, scene_pos: Any) -> None:
        index = self.index_at(scene_pos)
        if index is None:
            self.leave()
        elif index != self.current:
            self.show_point(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}.get(Qt.Key(event.key()))
        if step is None or not self.xs:
            super().keyPressEvent(event)
            return
        if self.current is None:
            index = 0 if step > 0 else len(self.xs) - 1
        else:
            index = min(max(self.current + step, 0), len(self.xs) - 1)
        self.show_point(index)

    # Export ---------------------------------------------------------------------------------

    def save_png(self, path: Path, width: int | None = None, title: str = "") -> None:
        """Save the legend and plot (under ``title``, if any) to a PNG file; OSError when it
        cannot be written."""
        if not self.view.isVisible():
            # A chart never shown (the table was chosen first) has not been laid out yet: lay
            # it out at the size its widget has (at least a readable one) before rendering.
            size = self.view.size()
            self.view.ci.setGeometry(
                QRectF(0, 0, max(size.width(), MIN_EXPORT[0]), max(size.height(), MIN_EXPORT[1]))
            )
            self._sync_right_view()
        save_png(self.view.ci, path, width, title)
