"""Usage Data ▸ Interviews, SMS and Recordings: the bars plotted are the service's figures, the
hover read-out, the PNG export, the campaign filter and the empty states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.services import statistics
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.recording import add_records
from billing_desktop.ui.charts.stacked import PALETTE, count_text, month_label
from billing_desktop.ui.main_window import MainWindow
from billing_desktop.ui.tabs.statistics import (
    HOVER_HINT,
    InterviewsSection,
    RecordingsSection,
    SmsSection,
    StatisticsSection,
)
from billing_desktop.ui.tabs.usage_data import UsageDataTab
from tests.gui.test_main_window import open_window, wait_idle
from tests.gui.workspace_data import TIMEZONE, this_month_start_utc

D = Decimal
METHODS = list(m.InterviewMethod)
SMS_TYPES = ["Invitation", "Invitation", "Shortlisted", "Custom", "Invitation", "Reminder"]
CAMPAIGNS = ["Spring hiring", "Night shift"]


def last_month_start_utc() -> datetime:
    zone = ZoneInfo(TIMEZONE)
    previous = (this_month_start_utc().astimezone(zone) - timedelta(days=1)).date()
    return datetime(previous.year, previous.month, 1, tzinfo=zone).astimezone(UTC)


@pytest.fixture
def stats_store(populated_store: SqlStore) -> SqlStore:
    """The GUI workspace plus interviews, SMS and recordings this month and last month."""
    this_month = this_month_start_utc() + timedelta(hours=3)
    last_month = last_month_start_utc() + timedelta(hours=3)
    with populated_store() as uow:
        interviews, sms, recordings = [], [], []
        for start, count in ((last_month, 23), (this_month, 17)):
            for i in range(count):
                at = start + timedelta(minutes=7 * i)
                key = f"{start:%Y%m}-{i:03}"
                interviews.append(
                    m.Interview(f"int-{key}", METHODS[i % 3 if i % 5 else 3], "Spring hiring", at)
                )
                sms.append(m.Sms(f"sms-{key}", SMS_TYPES[i % len(SMS_TYPES)], "Spring", at))
                recordings.append(
                    m.Recording(f"rec-{key}", CAMPAIGNS[i % 2], D("1.25") * (i + 1), at)
                )
        add_records(uow, "interviews", interviews)
        add_records(uow, "sms", sms)
        add_records(uow, "recordings", recordings)
        uow.commit()
    return populated_store


def open_section(qtbot: Any, store: SqlStore, key: str) -> tuple[MainWindow, Any]:
    window = open_window(qtbot, store)
    tab = window.select_area(Area.USAGE_DATA)
    assert isinstance(tab, UsageDataTab)
    page = tab.show_section(key)
    wait_idle(qtbot, window)
    return window, page


def service_result(store: SqlStore, key: str, campaign: str | None = None) -> Any:
    with store() as uow:
        actor = resolve_actor(uow, None)
        if key == "interviews":
            return statistics.interview_statistics(uow, actor)
        if key == "sms":
            return statistics.sms_statistics(uow, actor)
        return statistics.recording_statistics(uow, actor, campaign)


def expected_series(result: Any) -> list[tuple[str, list[float]]]:
    if isinstance(result, statistics.RecordingStatistics):
        name = result.campaign or "Recorded minutes"
        return [(name, [float(v) for v in result.minutes])]
    return [(s.label, [float(v) for v in s.values]) for s in result.series]


def plotted(page: StatisticsSection) -> list[tuple[str, list[float], list[float], list[float]]]:
    """(name, x, y0, height) of every BarGraphItem the chart holds."""
    return [
        (
            bar.name(),
            [float(v) for v in bar.opts["x"]],
            [float(v) for v in bar.opts["y0"]],
            [float(v) for v in bar.opts["height"]],
        )
        for bar in page.chart.bars
    ]


@pytest.mark.parametrize(
    ("key", "kind"),
    [("interviews", InterviewsSection), ("sms", SmsSection), ("recordings", RecordingsSection)],
)
def test_the_bars_plotted_are_the_service_figures(
    qtbot: Any, qtmodeltester: Any, stats_store: SqlStore, key: str, kind: type
) -> None:
    _window, page = open_section(qtbot, stats_store, key)
    assert isinstance(page, kind) and page.showing_chart
    result = service_result(stats_store, key)
    months = list(result.months)
    assert page.chart.months == months and len(months) == 6
    bars = plotted(page)
    expected = expected_series(result)
    assert [name for name, *_ in bars] == [name for name, _values in expected]
    base = [0.0] * 6
    for (_name, x, y0, height), (_label, values) in zip(bars, expected, strict=True):
        assert x == [float(i) for i in range(6)]
        assert y0 == base
        assert height == values
        base = [b + h for b, h in zip(base, height, strict=True)]
    # The month labels under the bars.
    ticks = page.chart.getPlotItem().getAxis("bottom")._tickLevels[0]
    assert [text for _pos, text in ticks] == [month_label(month) for month in months]
    # The table under the chart: one row per month, the series, then the total.
    model = page.model
    assert model.rowCount() == 6
    totals = [model.data(model.index(r, model.columnCount() - 1)) for r in range(6)]
    last_total = result.total_minutes if key == "recordings" else result.total
    assert sum(D(t.replace(",", "")) for t in totals) == last_total > 0
    qtmodeltester.check(model)


@pytest.mark.parametrize("key", ["interviews", "sms", "recordings"])
def test_hovering_a_bar_reads_out_its_month(qtbot: Any, stats_store: SqlStore, key: str) -> None:
    _window, page = open_section(qtbot, stats_store, key)
    result = service_result(stats_store, key)
    chart = page.chart
    scene = chart.scene()
    with qtbot.waitSignal(chart.hovered, timeout=2_000) as blocker:
        scene.sigMouseMoved.emit(chart.scene_point(5))
    text = blocker.args[0]
    this_month = month_label(result.months[5])
    if key == "recordings":
        total = count_text(result.minutes[5])
        assert text.startswith(f"{this_month}: {total} minutes")
        assert f"Recorded minutes: {total}" in text
    else:
        assert text.startswith(f"{this_month}: {result.totals[5]:,} {page.unit}")
        for series in result.series:
            assert f"{series.label}: {series.values[5]:,}" in text
    assert page.readout.text() == text.replace("\n", " · ")
    # Last month's bar, low down in it.
    scene.sigMouseMoved.emit(chart.scene_point(4, 0.1))
    assert chart.readout.startswith(f"{month_label(result.months[4])}: ")
    # Above the tallest bar (where the legend is) and beside the bars: nothing.
    top = chart.getPlotItem().getViewBox().mapViewToScene(QPointF(5, chart.viewRange()[1][1]))
    scene.sigMouseMoved.emit(top)
    assert chart.readout == "" and page.readout.text() == HOVER_HINT
    scene.sigMouseMoved.emit(chart.getPlotItem().getViewBox().mapViewToScene(QPointF(4.5, 1)))
    assert chart.readout == ""
    # An empty month has no bar to hover.
    scene.sigMouseMoved.emit(chart.scene_point(0))
    assert chart.readout == ""


def has_colour(image: QImage, colour: QColor) -> bool:
    wanted = colour.rgb()
    return any(
        image.pixel(x, y) == wanted
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
    )


@pytest.mark.parametrize("key", ["interviews", "sms", "recordings"])
def test_each_chart_saves_as_a_real_png(
    qtbot: Any, stats_store: SqlStore, key: str, tmp_path: Path
) -> None:
    _window, page = open_section(qtbot, stats_store, key)
    assert page.png_button.isEnabled()
    out = tmp_path / f"{key}.png"
    assert page.save_chart(out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(out))
    assert not image.isNull()
    assert (image.width(), image.height()) == (page.chart.width(), page.chart.height())
    assert has_colour(image.convertToFormat(QImage.Format.Format_RGB32), PALETTE[0])
    assert f"Saved {out.name}." in page.caption.text()
    assert not page.save_chart(tmp_path / "missing" / "folder" / "x.png")
    assert "Could not save" in page.caption.text()


def test_the_campaign_filter_reads_one_campaign(qtbot: Any, stats_store: SqlStore) -> None:
    window, page = open_section(qtbot, stats_store, "recordings")
    assert isinstance(page, RecordingsSection)
    every = service_result(stats_store, "recordings")
    assert page.total_label.text() == f"{count_text(every.total_minutes)} minutes"
    assert "40 recordings" in page.total_detail.text()
    assert "every campaign" in page.total_detail.text()
    choices = [page.campaign_combo.itemText(i) for i in range(page.campaign_combo.count())]
    assert choices == ["All campaigns", "Night shift", "Spring hiring"]
    page.campaign_combo.setCurrentIndex(1)
    wait_idle(qtbot, window)
    night = service_result(stats_store, "recordings", "Night shift")
    assert page.campaign == "Night shift" and page.result.campaign == "Night shift"
    assert plotted(page)[0][0] == "Night shift"
    assert plotted(page)[0][3] == [float(v) for v in night.minutes]
    assert night.total_minutes < every.total_minutes
    assert page.total_label.text() == f"{count_text(night.total_minutes)} minutes"
    assert "campaign “Night shift”" in page.total_detail.text()
    page.set_campaign("Nobody's campaign")
    wait_idle(qtbot, window)
    assert not page.showing_chart and not page.png_button.isEnabled()
    assert "No recordings of “Nobody's campaign”" in page.empty_label.text()
    page.set_campaign(None)
    wait_idle(qtbot, window)
    assert page.showing_chart and page.campaign_combo.currentIndex() == 0


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("interviews", "No completed interviews in"),
        ("sms", "No SMS messages sent in"),
        ("recordings", "No recordings in"),
    ],
)
def test_an_empty_window_says_so(
    qtbot: Any, populated_store: SqlStore, key: str, words: str
) -> None:
    _window, page = open_section(qtbot, populated_store, key)
    assert not page.showing_chart
    assert words in page.empty_label.text() and "File ▸ Import…" in page.empty_label.text()
    assert not page.png_button.isEnabled()
    assert page.model.rowCount() == 6  # the months are still known (all zero)
