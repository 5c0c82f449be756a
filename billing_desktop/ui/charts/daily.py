"""A vertical bar per day (pyqtgraph): a product's quantity day by day in one month.

Used by the Explain-this-charge dialog. Quantities stay ``Decimal`` everywhere else; they become
floats only here, as screen coordinates. Hovering a bar shows its day and exact quantity.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QToolTip, QWidget

from billing_desktop.ui.charts.common import save_png, style_axis
from billing_desktop.ui.charts.stacked import CountAxis, count_text
from billing_desktop.ui.locale_format import format_date_as

BAR = QColor(37, 99, 235)
BAR_WIDTH = 0.7


class DayAxis(pg.AxisItem):  # type: ignore[misc]
    """Ticks on day numbers of the month ("1", "8", "15"…)."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.days: list[date] = []

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        texts = []
        for value in values:
            i = round(value)
            if not 0 <= i < len(self.days):
                texts.append("")
                continue
            day = self.days[i]
            texts.append(format_date_as(day, f"{day:%b} {day.day}", "d MMM"))
        return texts


class DailyBarChart(pg.PlotWidget):  # type: ignore[misc]
    """One bar per day, oldest on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.day_axis = DayAxis()
        super().__init__(
            parent, background="w", axisItems={"bottom": self.day_axis, "left": CountAxis("left")}
        )
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.getPlotItem().showGrid(x=False, y=True, alpha=0.25)
        for name in ("left", "bottom"):
            style_axis(self.getAxis(name))
        self.days: list[date] = []
        self.values: list[Decimal] = []
        self.unit = ""
        self._bars: Any = None
        self.scene().sigMouseMoved.connect(self._hover)
        self.setMinimumHeight(160)

    def set_data(self, days: Sequence[date], values: Sequence[Decimal], unit: str) -> None:
        self.days, self.values, self.unit = list(days), list(values), unit
        self.day_axis.days = self.days
        plot = self.getPlotItem()
        if self._bars is not None:
            plot.removeItem(self._bars)
            self._bars = None
        if not self.days:
            return
        self._bars = pg.BarGraphItem(
            x=list(range(len(self.days))),
            height=[float(v) for v in self.values],
            width=BAR_WIDTH,
            brush=BAR,
            pen=pg.mkPen(None),
        )
        plot.addItem(self._bars)
        top = max((float(v) for v in self.values), default=0.0) or 1.0
        plot.setXRange(-0.6, len(self.days) - 0.4, padding=0)
        plot.setYRange(0, top * 1.08, padding=0)
        step = 1 if len(self.days) <= 10 else 7
        self.day_axis.setTickSpacing(step, step)

    def bar_at(self, scene_pos: QPointF) -> int | None:
        if not self.days:
            return None
        point = self.getPlotItem().vb.mapSceneToView(scene_pos)
        i = round(float(point.x()))
        if 0 <= i < len(self.days) and abs(point.x() - i) <= BAR_WIDTH / 2 and point.y() >= 0:
            return i
        return None

    def describe(self, index: int) -> str:
        return f"{self.days[index].isoformat()}: {count_text(self.values[index])} {self.unit}"

    def _hover(self, scene_pos: Any) -> None:
        index = self.bar_at(scene_pos)
        if index is None:
            QToolTip.hideText()
            return
        QToolTip.showText(
            self.mapToGlobal(self.mapFromScene(scene_pos).toPoint()), self.describe(index)
        )

    def save_png(self, path: Path) -> None:
        save_png(self.getPlotItem(), path)
