"""What the pyqtgraph charts share: axis styling, whole-number and time-zone aware date axes,
and PNG export.

Dates on a chart are instants (epoch seconds, pyqtgraph's x coordinates); :class:`ZoneDateAxis`
labels them in the account's time zone, never the machine's, and puts its ticks on local hour,
day, week (Monday) or month boundaries. PNG is the only image export: pyqtgraph's SVG export is
broken on Qt >= 6.11.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QImage, QPainter

from billing_desktop.ui import theme
from billing_desktop.ui.charts.bars import GRID, INK
from billing_desktop.ui.locale_format import format_date_as

__all__ = [
    "GRID",
    "INK",
    "STEP_KINDS",
    "CountAxis",
    "ZoneDateAxis",
    "epoch_seconds",
    "save_png",
    "style_axis",
]

BACKGROUND = theme.CHART_BACKGROUND

# Tick steps from the finest to the coarsest: (kind, how many of it, rough length in seconds).
_HOUR, _DAY = 3600, 86400
STEPS: tuple[tuple[str, int, int], ...] = (
    ("hour", 1, _HOUR),
    ("hour", 2, 2 * _HOUR),
    ("hour", 3, 3 * _HOUR),
    ("hour", 6, 6 * _HOUR),
    ("hour", 12, 12 * _HOUR),
    ("day", 1, _DAY),
    ("day", 2, 2 * _DAY),
    ("week", 1, 7 * _DAY),
    ("week", 2, 14 * _DAY),
    ("month", 1, 30 * _DAY),
    ("month", 2, 61 * _DAY),
    ("month", 3, 91 * _DAY),
    ("month", 6, 182 * _DAY),
    ("year", 1, 365 * _DAY),
)
STEP_KINDS = ("hour", "day", "week", "month", "year")


def style_axis(axis: Any) -> None:
    """The charts' quiet axis look: light grey line, dark grey text."""
    axis.setPen(pg.mkPen(GRID))
    axis.setTextPen(pg.mkPen(INK))


def epoch_seconds(start: date | datetime, zone: tzinfo) -> float:
    """An instant as pyqtgraph's x coordinate: a local day starts at its midnight in ``zone``."""
    if isinstance(start, datetime):
        moment = start if start.tzinfo is not None else start.replace(tzinfo=zone)
    else:
        moment = datetime.combine(start, time(0), tzinfo=zone)
    return moment.timestamp()


class CountAxis(pg.AxisItem):  # type: ignore[misc]
    """An axis of whole counts: ticks only on whole numbers, read with thousands separators."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        levels = super().tickValues(minVal, maxVal, size)
        whole = []
        for spacing, values in levels:
            if spacing < 1:
                continue
            whole.append((spacing, [v for v in values if float(v).is_integer()]))
        if not whole and maxVal - minVal >= 0:
            low, high = math.ceil(minVal), math.floor(maxVal)
            whole.append((1.0, [float(v) for v in range(low, high + 1)]))
        return whole

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [f"{round(v * scale):,}" for v in values]


class ZoneDateAxis(pg.AxisItem):  # type: ignore[misc]
    """A bottom axis of instants labelled in ``zone``.

    Ticks fall on local boundaries, the finest step whose labels fit (never finer than
    ``finest``, e.g. "day" for a chart of days): hours read "14:00" (a midnight reads
    "Tue 3 Nov"), days and weeks "3 Nov", months "Nov 2026", years "2026".
    """

    def __init__(self, zone: tzinfo, orientation: str = "bottom", finest: str = "hour") -> None:
        super().__init__(orientation)
        self.zone = zone
        self.finest = finest
        self._kind = "day"

    def set_zone(self, zone: tzinfo) -> None:
        self.zone = zone
        self.picture = None
        self.update()

    def set_finest(self, kind: str) -> None:
        """The finest tick step, one of ``STEP_KINDS`` (hour, day, week, month, year)."""
        if kind not in STEP_KINDS:
            raise ValueError(f"'{kind}' is not one of {', '.join(STEP_KINDS)}")
        self.finest = kind
        self.picture = None
        self.update()

    def _label_width(self, kind: str) -> int:
        sample = {
            "hour": "Wed 30 Sep",
            "day": "30 Sep",
            "week": "30 Sep",
            "month": "Sep 2026",
            "year": "2026",
        }[kind]
        return QFontMetrics(self.style.get("tickFont") or self.font()).horizontalAdvance(sample)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        if not (math.isfinite(minVal) and math.isfinite(maxVal)) or maxVal <= minVal or size <= 0:
            return []
        first = STEP_KINDS.index(self.finest)
        candidates = [s for s in STEPS if STEP_KINDS.index(s[0]) >= first]
        # The finest step whose labels fit side by side, else the coarsest.
        kind, count, seconds = candidates[-1]
        for candidate in candidates:
            if (maxVal - minVal) / candidate[2] * (self._label_width(candidate[0]) + 18) <= size:
                kind, count, seconds = candidate
                break
        self._kind = kind
        values = self._ticks(kind, count, minVal, maxVal)
        return [(float(seconds), values)]

    def _ticks(self, kind: str, count: int, low: float, high: float) -> list[float]:
        zone = self.zone
        start = datetime.fromtimestamp(low, zone)
        end = datetime.fromtimestamp(high, zone)
        values: list[float] = []
        if kind == "hour":
            moment = start.replace(minute=0, second=0, microsecond=0).timestamp()
            while moment <= high:
                local = datetime.fromtimestamp(moment, zone)
                if moment >= low and local.hour % count == 0 and local.minute == 0:
                    values.append(moment)
                moment += _HOUR
            return values
        day = start.date()
        last = end.date()
        while day <= last:
            if (
                (kind == "day" and day.toordinal() % count == 0)
                or (kind == "week" and day.weekday() == 0 and (day.toordinal() // 7) % count == 0)
                or (kind == "month" and day.day == 1 and (day.month - 1) % count == 0)
                or (kind == "year" and day.day == 1 and day.month == 1)
            ):
                moment = epoch_seconds(day, zone)
                if low <= moment <= high:
                    values.append(moment)
            day += timedelta(days=1)
        return values

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [self.label_of(datetime.fromtimestamp(v, self.zone)) for v in values]

    def label_of(self, local: datetime) -> str:
        """The tick's text; month and weekday names in the GUI's language."""
        day = local.date()
        if self._kind == "hour":
            if local.hour == 0 and local.minute == 0:
                return format_date_as(day, f"{local:%a} {local.day} {local:%b}", "EEE d MMM")
            return f"{local:%H:%M}"
        if self._kind in ("day", "week"):
            return format_date_as(day, f"{local.day} {local:%b}", "d MMM")
        if self._kind == "month":
            return format_date_as(day, f"{local:%b %Y}", "MMM y")
        return f"{local:%Y}"


def save_png(item: Any, path: Path, width: int | None = None, title: str = "") -> None:
    """Render a pyqtgraph item (a plot, a layout, a whole scene) to a PNG file, on white.

    ``width`` scales the image (the height follows); by default the item's size on screen.
    ``title`` (e.g. what, when, which zone) is written above the chart, so the image says what
    it shows on its own. Raises OSError when the file cannot be written.
    """
    exporter = ImageExporter(item)
    params = exporter.parameters()
    params["background"] = BACKGROUND
    if width is not None and width > 0:
        params["width"] = int(width)
    image = exporter.export(toBytes=True)
    if image is None or image.isNull():
        raise OSError(f"cannot render the chart for {path}")
    if title:
        image = _with_title(image, title)
    if not image.save(str(path), "PNG"):
        raise OSError(f"cannot write {path}")


def _with_title(chart: QImage, title: str) -> QImage:
    font = QFont()
    font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.1)
    metrics = QFontMetrics(font)
    margin = 10
    lines = title.splitlines() or [title]
    band = margin + metrics.height() * len(lines) + margin // 2
    image = QImage(chart.width(), chart.height() + band, QImage.Format.Format_ARGB32)
    image.fill(BACKGROUND)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setFont(font)
        painter.setPen(INK)
        for number, line in enumerate(lines):
            text = metrics.elidedText(line, Qt.TextElideMode.ElideRight, chart.width() - 2 * margin)
            painter.drawText(margin, margin + metrics.ascent() + number * metrics.height(), text)
        painter.drawImage(0, band, chart)
    finally:
        painter.end()
    return image
