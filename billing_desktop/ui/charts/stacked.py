"""A vertical stacked bar chart per month (pyqtgraph): one bar per month, one colour per series.

Used by the Usage Data statistics (interviews by method, SMS by type, recorded minutes). Values
stay ``int`` / ``Decimal`` everywhere else; they become floats only here, as screen
coordinates. Hovering a month's bar reports its total and each series (a read-out beside the
bar, and the ``hovered`` signal); ``save_png`` renders the chart as shown (PNG only: pyqtgraph's
SVG export is broken on Qt >= 6.11). The legend sits in a row above the bars, in headroom kept
free for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from billing_desktop.ui import theme
from billing_desktop.ui.charts.bars import GRID, INK
from billing_desktop.ui.locale_format import format_number, format_short_month

BAR_WIDTH = 0.6
# Room above the tallest bar for the legend row (a share of the tallest bar).
HEADROOM = 0.32
PALETTE = (
    QColor(37, 99, 235),  # blue
    QColor(245, 158, 11),  # amber
    QColor(16, 163, 74),  # green
    QColor(147, 51, 234),  # purple
    QColor(225, 29, 72),  # rose
    QColor(13, 148, 136),  # teal
    QColor(107, 114, 128),  # grey ("Other")
)

Value = int | Decimal


def month_label(month: date) -> str:
    """ "Jun 2026"."""
    return format_short_month(month)


def count_text(value: Value) -> str:
    """Thousands separators, no exponent, no trailing zeros ("12,000", "2.5"), in the GUI's
    locale."""
    if isinstance(value, Decimal):
        normal = value.normalize()
        return format_number(
            normal.to_integral_value() if normal == normal.to_integral_value() else normal
        )
    return format_number(value)


@dataclass(frozen=True, slots=True)
class StackSeries:
    """One stacked part of every bar (e.g. the interviews by phone), one value per month."""

    name: str
    values: Sequence[Value]
    colour: QColor


class CountAxis(pg.AxisItem):  # type: ignore[misc]
    """A value axis reading "1,200" (whole numbers on whole-number spacing)."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        whole = spacing * scale >= 1
        texts = []
        for value in values:
            number = value * scale
            texts.append(f"{round(number):,}" if whole else f"{number:,.2f}".rstrip("0"))
        return texts


class StackedBarChart(pg.PlotWidget):  # type: ignore[misc]
    """Vertical bars, one per month (oldest on the left), series stacked bottom to top.

    Signals:
        hovered(str): the read-out of the bar under the mouse ("" when it leaves the bars).
    """

    hovered = Signal(str)

    def __init__(
        self,
        formatter: Callable[[Value], str] = count_text,
        unit: str = "",
        parent: QWidget | None = None,
    ) -> None:
        self._formatter = formatter
        self._unit = unit
        super().__init__(
            parent, background=theme.CHART_BACKGROUND, axisItems={"left": CountAxis("left")}
        )
        self.setMenuEnabled(False)
        item = self.getPlotItem()
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.showGrid(x=False, y=True, alpha=0.25)
        item.getAxis("left").setZValue(-1000)  # its grid lines behind the bars, not across them
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(GRID))
            axis.setTextPen(pg.mkPen(INK))
        self._legend = item.addLegend(
            offset=(10, 4), labelTextColor=INK, brush=pg.mkBrush(theme.paper(230))
        )
        self.bars: list[pg.BarGraphItem] = []
        self.months: list[date] = []
        self.series: list[StackSeries] = []
        self.totals: list[Value] = []
        self.readout = ""
        # The read-out floats beside the bar under the mouse (a QToolTip would need a native
        # window, which the offscreen platform of the screenshots and tests cannot raise).
        self.label = pg.TextItem(
            color=INK, fill=pg.mkBrush(theme.paper(240)), border=pg.mkPen(GRID), anchor=(0, 0)
        )
        self.label.setZValue(100)
        self.label.hide()
        item.addItem(self.label, ignoreBounds=True)
        self.scene().sigMouseMoved.connect(self._hover)

    @staticmethod
    def colour(index: int) -> QColor:
        return PALETTE[index % len(PALETTE)]

    def set_data(self, months: Sequence[date], series: Sequence[StackSeries]) -> None:
        """One bar per month; each series' values stack in order, the first at the bottom."""
        item = self.getPlotItem()
        for bar in self.bars:
            item.removeItem(bar)
        self._legend.clear()
        self.bars = []
        self.months = list(months)
        self.series = [s for s in series if len(s.values) == len(self.months)]
        positions = list(range(len(self.months)))
        base = [0.0 for _ in positions]
        for part in self.series:
            heights = [float(v) for v in part.values]  # screen coordinates only
            bar = pg.BarGraphItem(
                x=positions,
                y0=list(base),
                height=heights,
                width=BAR_WIDTH,
                brush=pg.mkBrush(part.colour),
                # No outline on an empty part: a zero-height bar would still draw a line.
                pens=[pg.mkPen(part.colour.darker(120) if h else None) for h in heights],
                name=part.name,
            )
            item.addItem(bar)
            self.bars.append(bar)
            base = [b + h for b, h in zip(base, heights, strict=True)]
        self.totals = [
            sum((part.values[i] for part in self.series), Decimal(0))
            if any(isinstance(part.values[i], Decimal) for part in self.series)
            else sum(int(part.values[i]) for part in self.series)
            for i in positions
        ]
        # The legend in one row above the bars (it never covers them).
        self._legend.setColumnCount(max(len(self.series), 1))
        bottom = item.getAxis("bottom")
        bottom.setTicks([[(i, month_label(m)) for i, m in enumerate(self.months)], []])
        tallest = max(base, default=0.0)
        item.setXRange(-0.6, max(len(self.months), 1) - 0.4, padding=0)
        item.setYRange(0, tallest * (1 + HEADROOM) if tallest > 0 else 1, padding=0)
        self.label.hide()
        self._set_readout("")

    # Hover ------------------------------------------------------------------------------------

    def bar_at(self, scene_pos: QPointF) -> int | None:
        """The month (index) whose bar is under a scene position, or None."""
        view = self.getPlotItem().getViewBox()
        if not view.sceneBoundingRect().contains(scene_pos):
            return None
        point: QPointF = view.mapSceneToView(scene_pos)
        index = round(point.x())
        if not 0 <= index < len(self.months) or abs(point.x() - index) > BAR_WIDTH / 2:
            return None
        top = float(self.totals[index]) if self.totals else 0.0
        if top <= 0 or point.y() < 0 or point.y() > top:
            return None  # an empty month has no bar to point at
        return index

    def scene_point(self, index: int, share: float = 0.5) -> QPointF:
        """A scene position inside month ``index``'s bar (``share`` of its height up)."""
        view = self.getPlotItem().getViewBox()
        top = float(self.totals[index]) if self.totals else 0.0
        mapped: QPointF = view.mapViewToScene(QPointF(index, top * share))
        return mapped

    def describe(self, index: int) -> str:
        """The read-out of a month: its total, then each series in legend order."""
        unit = f" {self._unit}" if self._unit else ""
        lines = [f"{month_label(self.months[index])}: {self._formatter(self.totals[index])}{unit}"]
        for part in self.series:
            lines.append(f"{part.name}: {self._formatter(part.values[index])}")
        return "\n".join(lines)

    def _hover(self, scene_pos: Any) -> None:
        index = self.bar_at(scene_pos)
        if index is None:
            self.label.hide()
            self._set_readout("")
            return
        text = self.describe(index)
        self._set_readout(text)
        # Beside the bar, towards the middle of the chart, and up or down from the mouse so
        # it stays inside the plot.
        point = self.getPlotItem().getViewBox().mapSceneToView(scene_pos)
        (_left, _right), (bottom, top) = self.viewRange()
        right_half = index >= len(self.months) / 2
        upper_half = point.y() > (bottom + top) / 2
        self.label.setText(text)
        self.label.setAnchor((1 if right_half else 0, 0 if upper_half else 1))
        edge = index - BAR_WIDTH / 2 - 0.05 if right_half else index + BAR_WIDTH / 2 + 0.05
        self.label.setPos(edge, point.y())
        self.label.show()

    def _set_readout(self, text: str) -> None:
        if text != self.readout:
            self.readout = text
            self.hovered.emit(text)

    # Export -----------------------------------------------------------------------------------

    def save_png(self, path: Path) -> None:
        """Save the chart as shown to a PNG file; OSError when it cannot be written."""
        if not self.grab().save(str(path), "PNG"):
            raise OSError(f"cannot write {path}")
