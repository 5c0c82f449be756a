"""A horizontal stacked bar chart (pyqtgraph): one bar per row, one colour per series.

Used by the billing units report (usage and recurring charges per unit). Amounts stay
``Decimal`` everywhere else; they become floats only here, as screen coordinates. Hovering a bar
shows its row's exact amounts. ``save_png`` renders the chart as shown (PNG only: pyqtgraph's
SVG export is broken on Qt >= 6.11).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QToolTip, QWidget

from billing_desktop.ui import theme
from billing_desktop.ui.i18n import tr

BAR_HEIGHT = 0.6
INK = theme.CHART_INK  # themed: light and dark (ui.theme)
GRID = theme.CHART_GRID


@dataclass(frozen=True, slots=True)
class Series:
    """One stacked part of every bar, e.g. the usage charges."""

    name: str
    values: Sequence[Decimal]
    colour: QColor


class MoneyAxis(pg.AxisItem):  # type: ignore[misc]
    """An axis whose ticks read as amounts ("$1,200")."""

    def __init__(self, orientation: str, formatter: Callable[[Decimal], str]) -> None:
        super().__init__(orientation)
        self._formatter = formatter

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        whole = spacing >= 1
        texts = []
        for value in values:
            text = self._formatter(round(Decimal(repr(value * scale)), 0 if whole else 2))
            if whole and text[-3:-2] in ".," and text[-2:] == "00":
                text = text[:-3]  # "$200", not "$200.00", on a whole-number axis
            texts.append(text)
        return texts


class HorizontalBarChart(pg.PlotWidget):  # type: ignore[misc]
    """Horizontal bars, the first row at the top, stacked series left to right.

    Signals: none of its own (pyqtgraph's ``PlotWidget`` ones).
    """

    def __init__(
        self, formatter: Callable[[Decimal], str] = str, parent: QWidget | None = None
    ) -> None:
        self._formatter = formatter
        super().__init__(
            parent,
            background=theme.CHART_BACKGROUND,
            axisItems={"bottom": MoneyAxis("bottom", formatter)},
        )
        self.setMenuEnabled(False)
        item = self.getPlotItem()
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.invertY(True)
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(GRID))
            axis.setTextPen(pg.mkPen(INK))
        self._legend = item.addLegend(offset=(-10, 10), labelTextColor=INK)
        self._bars: list[pg.BarGraphItem] = []
        self.labels: list[str] = []
        self.series: list[Series] = []
        self.scene().sigMouseMoved.connect(self._hover)

    def set_data(self, labels: Sequence[str], series: Sequence[Series]) -> None:
        """Show one bar per label; each series' values stack in order."""
        item = self.getPlotItem()
        for bar in self._bars:
            item.removeItem(bar)
        self._legend.clear()
        self._bars = []
        self.labels = list(labels)
        self.series = list(series)
        rows = range(len(self.labels))
        start = [0.0 for _ in rows]
        for part in self.series:
            widths = [float(v) for v in part.values]  # screen coordinates only
            bar = pg.BarGraphItem(
                x0=list(start),
                y=list(rows),
                height=BAR_HEIGHT,
                width=widths,
                brush=pg.mkBrush(part.colour),
                pen=pg.mkPen(part.colour.darker(115)),
                name=part.name,
            )
            item.addItem(bar)
            self._bars.append(bar)
            start = [s + w for s, w in zip(start, widths, strict=True)]
        left = item.getAxis("left")
        left.setTicks([[(i, label) for i, label in enumerate(self.labels)], []])
        metrics = self.fontMetrics()
        left.setWidth(max((metrics.horizontalAdvance(t) for t in self.labels), default=40) + 16)
        widest = max(start, default=0.0)
        item.setYRange(-0.6, max(len(self.labels), 1) - 0.4, padding=0)
        # Room on the right for the legend, so it never hides the longest bar.
        item.setXRange(0, widest * 1.3 if widest > 0 else 1, padding=0)

    def row_at(self, scene_pos: QPointF) -> int | None:
        """The row under a scene position, or None."""
        item = self.getPlotItem()
        if not item.sceneBoundingRect().contains(scene_pos):
            return None
        y: float = item.getViewBox().mapSceneToView(scene_pos).y()
        row = round(y)
        if 0 <= row < len(self.labels) and abs(y - row) <= BAR_HEIGHT / 2:
            return row
        return None

    def describe(self, row: int) -> str:
        """The hover text of a row: its label and each series' exact amount."""
        parts = [self.labels[row]]
        total = Decimal(0)
        for part in self.series:
            value = part.values[row]
            total += value
            parts.append(f"{part.name}: {self._formatter(value)}")
        if len(self.series) > 1:
            parts.append(tr("Total: {formatter}").format(formatter=self._formatter(total)))
        return "\n".join(parts)

    def _hover(self, scene_pos: Any) -> None:
        row = self.row_at(scene_pos)
        if row is None:
            QToolTip.hideText()
            return
        view_pos = self.mapFromScene(scene_pos)
        QToolTip.showText(self.mapToGlobal(view_pos), self.describe(row), self)

    def save_png(self, path: Path) -> None:
        """Save the chart as shown to a PNG file; OSError when it cannot be written."""
        if not self.grab().save(str(path), "PNG"):
            raise OSError(f"cannot write {path}")
