"""Usage Data ▸ Sessions: the plotted figures are the service's (and ``sessions --json``'s),
the hover read-out, ranges and buckets, the graph/table toggle, PNG and CSV exports, the
empty state, and the time-zone aware date axis."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from PySide6.QtCore import QDate, QPointF, Qt
from PySide6.QtGui import QImage

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.services import overview
from billing_desktop.services.recording import add_records
from billing_desktop.services.session_ranges import (
    bucket_label,
    day_text,
    default_bucket,
    last_24_hours,
    preset_range,
    range_end,
    refusal,
)
from billing_desktop.services.sessions import (
    SessionsScope,
    SessionStatistics,
    local_hours,
    session_statistics,
)
from billing_desktop.ui.charts.common import ZoneDateAxis, epoch_seconds
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.tabs.sessions_dashboard import SessionsSection
from billing_desktop.ui.tabs.usage_data import UsageDataTab
from billing_desktop.ui.tasks import TaskRunner
from tests.gui.test_main_window import open_window, wait_idle
from tests.gui.workspace_data import ACCOUNT, TIMEZONE, USERS

ZONE = ZoneInfo(TIMEZONE)
SERIES = ("Billing sessions", "Alert sessions", "Voice sessions", "Agents (peak, right axis)")


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def last_usage_day() -> date:
    """The data ends today (in the account's zone): preset ranges end now."""
    return datetime.now(ZONE).date()


def fill_sessions(store: SqlStore, end: date) -> None:
    """Two apps' chats and voice calls over the ten days up to ``end``, alerts, and agents
    coming and going."""
    with store() as uow:
        uow.account.save(ACCOUNT)
        uow.users.add_many(USERS)
        uow.plans.add_many([m.Plan("growth", "Growth", Decimal("199.00"), 10_000, 2)])
        uow.apps.add_many(
            [
                m.App("careers", "Careers bot", "ada", "growth", m.AppStatus.ACTIVE, Decimal(0)),
                m.App("faq", "FAQ bot", "sam", "growth", m.AppStatus.ACTIVE, Decimal(0)),
            ]
        )
        uow.agents.add_many(
            [
                m.AgentSeat("ada", end - timedelta(days=60)),
                m.AgentSeat("sam", end - timedelta(days=10), end - timedelta(days=2)),
                m.AgentSeat("alex", end - timedelta(days=3)),
            ]
        )
        conversations = []
        for back in range(10):
            day = end - timedelta(days=back)
            start = _local(day, 9)
            conversations.append(
                m.Conversation(
                    f"chat-{back}",
                    "careers",
                    m.Channel.CHAT,
                    start,
                    start + timedelta(minutes=10 + 7 * back),
                    0,
                )
            )
            conversations.append(
                m.Conversation(
                    f"voice-{back}",
                    "faq",
                    m.Channel.VOICE,
                    _local(day, 14),
                    _local(day, 14, 40),
                    300,
                )
            )
        conversations.append(
            m.Conversation(
                "late", "careers", m.Channel.CHAT, _local(end, 23), _local(end, 23, 50), 0
            )
        )
        add_records(uow, "conversations", conversations)
        add_records(
            uow,
            "alerts",
            [
                m.Alert(f"al-{i}", "faq", "ada", _local(end - timedelta(days=i), 8))
                for i in range(3)
            ],
        )
        uow.commit()


@pytest.fixture
def end() -> date:
    return last_usage_day()


@pytest.fixture
def sessions_store(store: SqlStore, end: date) -> SqlStore:
    fill_sessions(store, end)
    return store


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


def wait_loaded(qtbot: Any, page: SessionsSection) -> None:
    qtbot.waitUntil(lambda: not page.is_loading and page.loaded_once, timeout=10_000)


def open_section(qtbot: Any, store: SqlStore, runner: TaskRunner) -> SessionsSection:
    """The section on its own (faster than the whole window), shown at a fixed size."""
    with store() as uow:
        workspace = overview.workspace(uow, None)
    page = SessionsSection(TabContext(store, workspace, runner))
    qtbot.addWidget(page)
    page.resize(1100, 650)
    page.show()
    page.ensure_loaded()
    wait_loaded(qtbot, page)
    return page


def service(
    store: SqlStore, first: date, last: date, bucket: str, app: str | None = None
) -> SessionStatistics:
    with store() as uow:
        actor = overview.workspace(uow, None).actor
        return session_statistics(uow, actor, first, last, app=app, bucket=bucket)


def cli_json(
    store_path: Path,
    capsys: pytest.CaptureFixture[str],
    first: date,
    last: date,
    bucket: str,
    app: str | None,
) -> dict[str, Any]:
    capsys.readouterr()
    args = ["--store", str(store_path), "sessions", "--from", first.isoformat()]
    args += ["--to", last.isoformat(), "--bucket", bucket, "--json"]
    if app is not None:
        args += ["--app", app]
    assert main(args) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def plotted(page: SessionsSection) -> dict[str, tuple[list[float], list[int]]]:
    """Each curve's (x, y) as the chart holds them."""
    result = {}
    for name, curve in page.chart.curves.items():
        xs, ys = curve.getData()
        result[name] = ([float(x) for x in xs], [int(y) for y in ys])
    return result


# Figures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "days", "bucket", "app"),
    [
        ("7d", 7, "day", None),
        ("24h", 1, "hour", None),
        ("custom", 14, "week", "faq"),
        ("custom", 12, "day", "careers"),
    ],
)
def test_the_plotted_figures_are_the_services_and_the_clis(
    qtbot: Any,
    sessions_store: SqlStore,
    store_path: Path,
    runner: TaskRunner,
    capsys: pytest.CaptureFixture[str],
    end: date,
    preset: str,
    days: int,
    bucket: str,
    app: str | None,
) -> None:
    page = open_section(qtbot, sessions_store, runner)
    first, last = end - timedelta(days=days - 1), end
    if preset == "custom":
        page.set_range("custom", first, last)
        wait_loaded(qtbot, page)
        if bucket != page.statistics.bucket:  # type: ignore[union-attr]
            assert page.set_bucket(bucket)
            wait_loaded(qtbot, page)
    else:
        page.set_range(preset)
        wait_loaded(qtbot, page)
    if app is not None:
        page.set_app(app)
        wait_loaded(qtbot, page)
    shown = page.statistics
    assert shown is not None and page.data is not None
    now = page.data.scope.now
    assert now is not None and now.date() == end
    if preset == "24h":  # the 24 hours ending now: two local days read, 24 hours kept
        expected = last_24_hours(service(sessions_store, end - timedelta(days=1), end, "hour"), now)
        first = expected.first
        assert len(expected.buckets) in (23, 24, 25)  # a clock change drops or adds one
    else:
        expected = service(sessions_store, first, last, bucket, app)
    assert (shown.first, shown.last, shown.bucket, shown.app) == (first, last, bucket, app)
    assert shown == expected
    buckets = expected.buckets
    xs = [epoch_seconds(b.start, ZONE) for b in buckets]
    curves = plotted(page)
    assert list(curves) == list(SERIES)
    assert curves[SERIES[0]] == (xs, [b.billing_sessions for b in buckets])
    assert curves[SERIES[1]] == (xs, [b.alert_sessions for b in buckets])
    assert curves[SERIES[2]] == (xs, [b.voice_sessions for b in buckets])
    assert curves[SERIES[3]] == (xs, [b.agents for b in buckets])

    data = cli_json(store_path, capsys, first, last, bucket, app)
    starts = [b.start.isoformat() for b in buckets]
    cli = [b for b in data["buckets"] if b["start"] in starts]  # 24h: the hours kept
    assert [b["start"] for b in cli] == starts
    assert curves[SERIES[0]][1] == [b["billing_sessions"] for b in cli]
    assert curves[SERIES[1]][1] == [b["alert_sessions"] for b in cli]
    assert curves[SERIES[2]][1] == [b["voice_sessions"] for b in cli]
    assert curves[SERIES[3]][1] == [b["agents"] for b in cli]
    assert page.model.rows == list(buckets)
    caption = page.caption.text()
    assert f"{sum(b['billing_sessions'] for b in cli):,} billing session" in caption
    assert f"{sum(b['alert_sessions'] for b in cli):,} alert session" in caption
    assert f"{sum(b['voice_sessions'] for b in cli):,} voice session" in caption
    assert TIMEZONE in caption


def test_the_dashboard_is_the_first_usage_data_section(
    qtbot: Any, sessions_store: SqlStore
) -> None:
    window = open_window(qtbot, sessions_store)
    tab = window.select_area(Area.USAGE_DATA)
    assert isinstance(tab, UsageDataTab)
    wait_idle(qtbot, window)
    page = tab.current
    assert isinstance(page, SessionsSection)
    assert tab.sections.tabText(0) == "Sessions"
    assert page.loaded_once and page.showing_chart
    assert page.app_combo.itemText(0) == "All apps"
    assert [page.app_combo.itemText(i) for i in range(1, page.app_combo.count())] == [
        "Careers bot",
        "FAQ bot",
    ]
    assert tab.show_section("sessions") is page


# Ranges and buckets ---------------------------------------------------------------------------


def test_preset_ranges_end_now_with_their_default_buckets(
    qtbot: Any, sessions_store: SqlStore, runner: TaskRunner, end: date
) -> None:
    page = open_section(qtbot, sessions_store, runner)
    shown = page.statistics
    assert shown is not None
    assert (shown.first, shown.last, shown.bucket) == (end - timedelta(days=6), end, "day")
    assert len(shown.buckets) == 7
    assert "recorded up to" not in page.caption.text()  # usage reaches today

    page.range_combo.setCurrentIndex(page.range_combo.findData("24h"))
    wait_loaded(qtbot, page)
    shown = page.statistics
    assert shown is not None and shown.bucket == "hour" and page.data is not None
    now = page.data.scope.now
    assert now is not None
    hour = now.replace(minute=0, second=0, microsecond=0)
    hours = local_hours(end - timedelta(days=1), ZONE) + local_hours(end, ZONE)
    assert [b.start for b in shown.buckets] == [
        h for h in hours if hour - timedelta(hours=23) <= h <= hour
    ]
    assert shown.buckets[-1].start == hour
    assert page.bucket_combo.currentData() == "hour"
    assert not page.from_edit.isVisible()

    page.set_range("3m")
    wait_loaded(qtbot, page)
    shown = page.statistics
    assert shown is not None and shown.bucket == "week"
    assert shown.first == preset_range("3m", end)[0]
    # Hours over three months are refused, and say why.
    hour = page.bucket_combo.model().item(page.bucket_combo.findData("hour"))  # type: ignore[attr-defined]
    assert not hour.isEnabled()
    assert "up to 31 days" in hour.toolTip()
    assert not page.set_bucket("hour")
    assert "Hour buckets are for ranges of up to 31 days" in page.caption.text()
    assert not page.is_loading and page.bucket_combo.currentData() == "week"
    page.bucket_combo.setCurrentIndex(page.bucket_combo.findData("month"))
    wait_loaded(qtbot, page)
    assert page.statistics is not None and page.statistics.bucket == "month"
    assert page.model.rowCount() == len(page.statistics.buckets)


def test_a_custom_range_takes_its_own_days_and_bucket(
    qtbot: Any, sessions_store: SqlStore, runner: TaskRunner, end: date
) -> None:
    page = open_section(qtbot, sessions_store, runner)
    page.range_combo.setCurrentIndex(page.range_combo.findData("custom"))
    wait_loaded(qtbot, page)
    assert page.from_edit.isVisible() and page.to_edit.isVisible()
    # Switching to Custom keeps the days shown.
    assert page.statistics is not None
    assert (page.statistics.first, page.statistics.last) == (end - timedelta(days=6), end)

    first = end - timedelta(days=39)
    page.from_edit.setDate(QDate(first.year, first.month, first.day))  # applies after a pause
    qtbot.waitUntil(lambda: page.statistics is not None and page.statistics.first == first)
    wait_loaded(qtbot, page)
    assert page.statistics is not None and page.statistics.bucket == "week"  # over 31 days

    page.set_range("custom", end, end - timedelta(days=1))
    assert "after" in page.caption.text() and not page.is_loading


def test_range_rules() -> None:
    today = date(2026, 11, 21)
    scope = SessionsScope((), TIMEZONE, today, (date(2026, 9, 1), date(2026, 10, 31)))
    assert range_end(scope) == today  # not the last day with usage (issue 20 §6)
    assert range_end(SessionsScope((), TIMEZONE, today, (date(2026, 9, 1), today))) == today
    assert range_end(SessionsScope((), TIMEZONE, today, None)) == today
    assert preset_range("24h", today) == (date(2026, 11, 20), today)
    assert preset_range("7d", today) == (date(2026, 11, 15), today)
    assert preset_range("3m", today) == (date(2026, 8, 22), today)
    assert default_bucket("custom", date(2026, 11, 1), date(2026, 12, 1)) == "day"
    assert default_bucket("custom", date(2026, 11, 1), date(2026, 12, 2)) == "week"
    assert refusal("hour", date(2026, 11, 1), date(2026, 12, 1)) is None
    assert refusal("hour", date(2026, 11, 1), date(2026, 12, 2)) is not None
    assert bucket_label(datetime(2026, 11, 3, 14, tzinfo=ZONE), "hour") == "Tue 3 Nov 2026 14:00"
    assert bucket_label(date(2026, 11, 2), "week") == "Week of Mon 2 Nov 2026"
    assert bucket_label(date(2026, 11, 1), "month") == "November 2026"


def test_the_range_ends_now_when_usage_stopped_days_ago(
    qtbot: Any, store: SqlStore, runner: TaskRunner
) -> None:
    today = datetime.now(ZONE).date()
    fill_sessions(store, today - timedelta(days=3))
    page = open_section(qtbot, store, runner)
    shown = page.statistics
    assert shown is not None and shown.last == today and len(shown.buckets) == 7
    assert [b.billing_sessions for b in shown.buckets[-3:]] == [0, 0, 0]
    assert f"usage is recorded up to {day_text(today - timedelta(days=3))}" in page.caption.text()


# Hover, toggle, table ---------------------------------------------------------------------------


def test_hovering_reads_out_the_bucket_under_the_cursor(
    qtbot: Any, sessions_store: SqlStore, runner: TaskRunner, end: date
) -> None:
    page = open_section(qtbot, sessions_store, runner)
    chart = page.chart
    shown = page.statistics
    assert shown is not None
    index = 4
    bucket = shown.buckets[index]
    point = chart.plotItem.vb.mapViewToScene(
        QPointF(chart.xs[index] + 3600, bucket.billing_sessions)
    )
    with qtbot.waitSignal(chart.hovered) as signal:
        chart.scene().sigMouseMoved.emit(point)
    assert signal.args == [index]
    day = bucket.start
    assert isinstance(day, date)
    assert chart.readout.text() == (
        f"{day:%a} {day.day} {day:%b %Y} — {bucket.billing_sessions} billing sessions, "
        f"{bucket.alert_sessions} alert session{'' if bucket.alert_sessions == 1 else 's'}, "
        f"{bucket.voice_sessions} voice sessions, {bucket.agents} agents"
    )
    assert chart.cursor_line.isVisible() and chart.cursor_line.value() == chart.xs[index]

    # The keyboard moves the cursor too.
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.current == index + 1
    assert chart.readout.text().startswith(bucket_label(shown.buckets[index + 1].start, "day"))

    # Off the plot: no cursor, the hint again.
    outside = chart.plotItem.vb.sceneBoundingRect().bottomRight() + QPointF(5, 5)
    chart.scene().sigMouseMoved.emit(outside)
    assert not chart.cursor_line.isVisible() and chart.readout.text() == chart.HINT


def test_the_table_toggle_shows_the_same_buckets(
    qtbot: Any, qtmodeltester: Any, sessions_store: SqlStore, runner: TaskRunner
) -> None:
    page = open_section(qtbot, sessions_store, runner)
    assert page.showing_chart and page.graph_button.isChecked()
    page.table_button.click()
    assert page.showing_table and not page.graph_button.isChecked()
    shown = page.statistics
    assert shown is not None
    model = page.model
    assert model.rowCount() == len(shown.buckets)
    for row, bucket in enumerate(shown.buckets):
        cells = [model.data(model.index(row, c)) for c in range(model.columnCount())]
        assert cells == [
            bucket.start.isoformat(),
            f"{bucket.billing_sessions:,}",
            f"{bucket.alert_sessions:,}",
            f"{bucket.voice_sessions:,}",
            f"{bucket.agents:,}",
        ]
        for column in (1, 2, 3, 4):
            assert model.data(model.index(row, column), Qt.ItemDataRole.TextAlignmentRole) & (
                Qt.AlignmentFlag.AlignRight
            )
    qtmodeltester.check(model)
    # The view survives a reload, and the keyboard switches back.
    page.set_bucket("week")
    wait_loaded(qtbot, page)
    assert page.showing_table
    page.graph_button.setFocus()
    qtbot.keyClick(page.graph_button, Qt.Key.Key_Space)
    assert page.showing_chart and page.graph_button.isChecked()


# Exports ----------------------------------------------------------------------------------------


def _distinct_colours(image: QImage) -> int:
    colours = set()
    for y in range(0, image.height(), 7):
        for x in range(0, image.width(), 7):
            colours.add(image.pixel(x, y))
    return len(colours)


def test_the_chart_exports_as_a_png(
    qtbot: Any, sessions_store: SqlStore, runner: TaskRunner, tmp_path: Path
) -> None:
    page = open_section(qtbot, sessions_store, runner)
    out = tmp_path / "sessions.png"
    assert page.export_png(out)
    image = QImage(str(out))
    assert not image.isNull() and image.width() > 400 and image.height() > 200
    assert _distinct_colours(image) > 5  # lines, text and background, not a blank picture
    assert "Saved the chart" in page.caption.text()
    # From the table view too: the same chart.
    page.show_table(True)
    again = tmp_path / "again.png"
    assert page.export_png(again)
    assert QImage(str(again)).size() == image.size()


def test_a_never_shown_chart_still_exports(
    qtbot: Any, sessions_store: SqlStore, runner: TaskRunner, tmp_path: Path
) -> None:
    with sessions_store() as uow:
        workspace = overview.workspace(uow, None)
    page = SessionsSection(TabContext(sessions_store, workspace, runner))
    qtbot.addWidget(page)
    page.show_table(True)
    page.resize(900, 600)
    page.show()
    page.ensure_loaded()
    wait_loaded(qtbot, page)
    assert page.showing_table
    out = tmp_path / "hidden.png"
    assert page.export_png(out)
    image = QImage(str(out))
    assert not image.isNull() and _distinct_colours(image) > 5
    assert image.width() >= 800 and image.height() >= 450


def test_the_table_exports_as_csv(
    qtbot: Any, sessions_store: SqlStore, runner: TaskRunner, tmp_path: Path
) -> None:
    page = open_section(qtbot, sessions_store, runner)
    page.set_range("24h")
    wait_loaded(qtbot, page)
    out = tmp_path / "sessions.csv"
    assert page.export_csv(out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    model = page.model
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert rows[0] == header == ["Start (Europe/Berlin)", *SERIES[:3], "Agents"]
    table = [
        [model.data(model.index(r, c)) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    # The same cells, counts as plain numbers (no thousands separators) for a spreadsheet.
    assert [[row[0], *(int(c) for c in row[1:])] for row in rows[1:]] == [
        [row[0], *(int(c.replace(",", "")) for c in row[1:])] for row in table
    ]
    first_hour = page.statistics.buckets[0].start  # type: ignore[union-attr]
    assert rows[1][0] == first_hour.strftime("%Y-%m-%d %H:%M")
    assert f"Saved {len(table):,} rows" in page.caption.text()
    workbook = tmp_path / "sessions.xlsx"
    assert page.export_csv(workbook)
    sheet = openpyxl.load_workbook(workbook)["Sessions"]
    assert [c.value for c in sheet[1]] == header
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        [row[0], *(int(c) for c in row[1:])] for row in rows[1:]
    ]  # counts as numbers


# Empty states and the date axis --------------------------------------------------------------


def test_a_range_without_usage_shows_an_empty_state(
    qtbot: Any, sessions_store: SqlStore, runner: TaskRunner, end: date
) -> None:
    page = open_section(qtbot, sessions_store, runner)
    page.set_range("custom", end - timedelta(days=40), end - timedelta(days=30))
    wait_loaded(qtbot, page)
    assert page.showing_empty
    text = page.empty_label.text()
    assert "No sessions for all apps" in text and "Usage is recorded from" in text
    assert not page.png_button.isEnabled() and not page.csv_button.isEnabled()
    assert not page.table_button.isEnabled()
    page.set_range("7d")
    wait_loaded(qtbot, page)
    assert page.showing_chart and page.png_button.isEnabled()


def test_a_workspace_without_usage_says_how_to_get_some(
    qtbot: Any, store: SqlStore, runner: TaskRunner
) -> None:
    with store() as uow:
        uow.account.save(ACCOUNT)
        uow.users.add_many(USERS)
        uow.commit()
    page = open_section(qtbot, store, runner)
    assert page.showing_empty
    assert "No usage recorded yet" in page.empty_label.text()
    shown = page.statistics
    assert shown is not None and shown.last == datetime.now(ZONE).date()


def test_the_date_axis_labels_in_the_accounts_zone() -> None:
    zone = ZoneInfo("Pacific/Auckland")  # far from UTC and from the machine's zone
    axis = ZoneDateAxis(zone, finest="day")
    first = epoch_seconds(date(2026, 11, 2), zone)
    last = epoch_seconds(date(2026, 11, 8), zone)
    [(_spacing, values)] = axis.tickValues(first, last, 2000)
    assert values == [epoch_seconds(date(2026, 11, d), zone) for d in range(2, 9)]
    assert axis.tickStrings(values, 1, 86400) == [f"{d} Nov" for d in range(2, 9)]
    # Hours: local hours, a midnight names its day.
    axis.set_finest("hour")
    start = epoch_seconds(date(2026, 11, 3), zone)
    [(_spacing, hours)] = axis.tickValues(start - 3 * 3600, start + 3 * 3600, 2000)
    labels = axis.tickStrings(hours, 1, 3600)
    assert "Tue 3 Nov" in labels and "23:00" in labels and "01:00" in labels
    local = [datetime.fromtimestamp(v, UTC).astimezone(zone) for v in hours]
    assert all(t.minute == 0 for t in local)
    assert labels[local.index(datetime(2026, 11, 3, tzinfo=zone))] == "Tue 3 Nov"
