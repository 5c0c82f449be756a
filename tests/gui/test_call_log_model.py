"""The call log's windowed model over a million calls: every row is a row at once, only the
pages looked at are read (off the GUI thread) and held, and Qt's model tester is content."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView

from billing_desktop.services.usage_data import CallLine
from billing_desktop.store.ports import CallRow
from billing_desktop.ui.models.call_log import CallLogModel
from billing_desktop.ui.models.paged import LOADING, MAX_PAGES, PAGE_SIZE
from billing_desktop.ui.tabs.call_log import CallLogSection, call_columns
from billing_desktop.ui.tasks import GENERIC_ERROR, TaskRunner

MILLION = 1_000_000
NEWEST = datetime(2026, 11, 21, 20, 59, tzinfo=UTC)


def settle(runner: TaskRunner) -> None:
    """Deliver everything the workers posted and run whatever that asked for, until nothing is
    left: "nothing more happened" is then a fact, not a guess after a fixed wait."""
    for _ in range(3):
        assert runner.wait_idle(10)
        QCoreApplication.processEvents()
    assert runner.wait_idle(10)


def call(row: int) -> CallLine:
    """Row ``row`` of a synthetic log, newest first: call-0999999 ... call-0000000."""
    number = MILLION - 1 - row
    seconds = 30 + number % 300
    return CallLine(
        CallRow(
            f"call-{number:07}",
            "live",
            "recruiter",
            "Phone",
            f"cand-{number % 9973:06}",
            "Seasonal Drivers",
            "+12125550106",
            NEWEST - timedelta(minutes=row),
            seconds,
        ),
        (seconds + 59) // 60,
        Decimal("0.0125") * ((seconds + 59) // 60),
    )


class FakeLog:
    """The store's side: pages of the synthetic log, and which thread read each one."""

    def __init__(self, total: int = MILLION, fail: bool = False) -> None:
        self.total = total
        self.fail = fail
        self.reads: list[tuple[int, int]] = []
        self.threads: set[threading.Thread] = set()

    def load_page(self, offset: int, limit: int) -> list[CallLine]:
        self.threads.add(threading.current_thread())
        self.reads.append((offset, limit))
        if self.fail:
            raise RuntimeError("the store went away")
        return [call(row) for row in range(offset, min(offset + limit, self.total))]


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


def make_model(runner: TaskRunner, log: FakeLog) -> CallLogModel:
    model = CallLogModel(call_columns("USD"), CallLogSection.SORT_KEYS, runner, log.load_page)
    model.reset(log.total, [call(row) for row in range(min(PAGE_SIZE, log.total))])
    return model


def resident_mb() -> float | None:
    """This process's resident memory now (Linux), or None where /proc is not there."""
    statm = Path("/proc/self/statm")
    if not sys.platform.startswith("linux") or not statm.exists():
        return None
    import os

    return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def test_a_row_not_read_yet_shows_loading_then_its_page_arrives(
    qtbot: Any, runner: TaskRunner
) -> None:
    log = FakeLog(total=1_234)
    model = make_model(runner, log)
    assert model.rowCount() == 1_234 and not model.canFetchMore(QModelIndex())
    assert model.data(model.index(0, 0)) == "call-0999999"
    far = model.index(1_233, 0)
    with qtbot.waitSignal(model.dataChanged, timeout=5_000) as changed:
        assert model.data(far) == LOADING
        assert model.data(model.index(1_233, 10)) == ""  # the placeholder's other cells
        assert model.data(far, Qt.ItemDataRole.UserRole) is None
    first, last = changed.args[:2]
    assert (first.row(), last.row(), last.column()) == (1_000, 1_233, 10)
    assert log.reads == [(1_000, 234)]  # the last page alone, never the ones in between
    assert log.threads and threading.main_thread() not in log.threads
    assert model.data(far) == "call-0998766"
    assert model.data(model.index(1_233, 10)) == "$0.03"


def test_a_reset_drops_pages_read_for_the_previous_query(qtbot: Any, runner: TaskRunner) -> None:
    log = FakeLog(total=5_000)
    model = make_model(runner, log)
    model.data(model.index(4_999, 0))  # asks for the last page...
    model.reset(3, [call(0), call(1), call(2)])  # ...then the query changes
    settle(runner)
    assert model.rowCount() == 3 and model.held_rows == 3
    assert not model.loading


def test_a_page_that_cannot_be_read_is_reported_once(qtbot: Any, runner: TaskRunner) -> None:
    log = FakeLog(total=2_000)
    model = make_model(runner, log)
    log.fail = True
    with qtbot.waitSignal(model.load_failed, timeout=5_000) as failed:
        model.data(model.index(1_500, 0))
    assert failed.args == [GENERIC_ERROR]
    assert model.data(model.index(1_500, 0)) == ""  # not "Loading…", and not asked again
    settle(runner)
    assert log.reads == [(1_500, 500)]


def test_ctrl_end_in_a_view_reads_the_last_page_only(qtbot: Any, runner: TaskRunner) -> None:
    log = FakeLog()
    model = make_model(runner, log)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.setCurrentIndex(model.index(0, 0))  # the user clicked the first call
    qtbot.wait(10)
    QTest.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: model.is_loaded(MILLION - 1), timeout=5_000)
    assert view.currentIndex().row() == MILLION - 1
    assert log.reads == [(MILLION - PAGE_SIZE, PAGE_SIZE)]
    assert model.data(model.index(MILLION - 1, 0)) == "call-0000000"


@pytest.mark.slow
def test_a_million_calls_pass_the_model_tester(
    qtbot: Any, qtmodeltester: Any, runner: TaskRunner
) -> None:
    """Qt's tester walks every one of the million rows (index, parent, sibling...; two to three
    minutes here, all of it in rowCount and columnCount), but reads data only at the top: no
    page is read. (It walks them all again on every dataChanged, so the scrolling is checked
    on a model of its own below.)"""
    log = FakeLog()
    model = make_model(runner, log)
    qtmodeltester.check(model)
    settle(runner)
    assert log.reads == [] and model.held_rows == PAGE_SIZE
    assert model.rowCount() == MILLION


def test_scrolling_through_a_million_calls_holds_a_few_pages(
    qtbot: Any, runner: TaskRunner
) -> None:
    """A view scrolled to many places holds at most MAX_PAGES pages, reads only the pages it
    showed, and the process barely grows."""
    log = FakeLog()
    model = make_model(runner, log)
    before = resident_mb()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    for row in [*range(0, MILLION, MILLION // 40), MILLION - 1, MILLION // 2]:
        view.scrollTo(model.index(row, 0))
        qtbot.waitUntil(lambda r=row: model.is_loaded(r), timeout=5_000)
        assert model.held_rows <= MAX_PAGES * PAGE_SIZE
    assert runner.wait_idle(10)
    assert model.rowCount() == MILLION
    assert len(log.reads) < 100  # the pages shown, not the rows scrolled past
    assert model.data(model.index(MILLION // 2, 0)) == f"call-{MILLION // 2 - 1:07}"
    after = resident_mb()
    if before is not None and after is not None:
        assert after - before < 60, f"grew {after - before:.0f} MB"
