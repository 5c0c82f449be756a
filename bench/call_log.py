"""B6: the call-log table on the large store (a million calls): open, jump to the last row, sort
by cost, each timed in the real window (offscreen) as a user would see it, median of 5.

    billing-desktop --store /tmp/large.db demo --scale large --today 2026-11-21
    python bench/call_log.py /tmp/large.db [--runs 5]

* open: Refresh (F5) on the Call logs section until the first page is on screen — the count, the
  first page, the date span and the campaign list, read off the GUI thread as the section does;
* last row: Ctrl+End in the table until the last call is on screen (one page, read from the
  far end of the order);
* sort by cost: a click on the Cost header until the first page of the new order is on screen.

Each includes the worker thread's store read, the hand-over to the GUI thread and the paint.
The service calls behind them are timed too (no GUI), for reference. Target: each < 200 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

from results import report, wait_events_until

TARGET_MS = 200.0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    # a file, or an SQLAlchemy URL (bench/postgres_figures.py passes a PostgreSQL one)
    parser.add_argument("store")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from billing_desktop.bootstrap import open_store
    from billing_desktop.domain.access import Area
    from billing_desktop.services import usage_data
    from billing_desktop.services.context import resolve_actor
    from billing_desktop.services.usage_data import CallQuery
    from billing_desktop.ui.app import application
    from billing_desktop.ui.main_window import MainWindow
    from billing_desktop.ui.tabs.call_log import CallLogSection
    from billing_desktop.ui.tabs.usage_data import UsageDataTab

    # No Python message handler for the offscreen plugin's size-hint chatter (stderr): PySide6
    # drops a reference to the handler's None result per message, and Python 3.11 ends with
    # "Fatal Python error: none_dealloc" after enough of them.
    application()
    store = open_store(args.store)

    def until(done: Callable[[], bool]) -> None:
        # asleep between events, as the application's loop is (no core spun polling)
        wait_events_until(done, 60.0, "the call log")

    window = MainWindow(store, None, remember=False)
    window.resize(1280, 800)
    window.show()
    until(lambda: not window.runner.busy and window.current_page_name != "loading")
    tab = window.select_area(Area.USAGE_DATA)
    assert isinstance(tab, UsageDataTab)
    page = tab.show_section("calls")
    assert isinstance(page, CallLogSection)
    until(lambda: page.loaded_once and not page.is_loading)
    model, table = page.paged, page.table
    total = model.total
    titles = [column.title for column in model.columns]
    cost, started = titles.index("Cost"), titles.index("Started")

    def shown() -> bool:
        return not page.is_loading and model.is_loaded(0)

    def open_log() -> None:
        page.refresh()
        until(shown)

    def last_row() -> None:
        table.setCurrentIndex(model.index(0, 0))
        QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        until(lambda: model.is_loaded(total - 1))

    def by_cost() -> None:
        table.sortByColumn(cost, Qt.SortOrder.DescendingOrder)
        until(shown)

    def newest_first() -> None:
        table.sortByColumn(started, Qt.SortOrder.DescendingOrder)
        until(shown)

    def timed(work: Callable[[], object], before: Callable[[], None] | None = None) -> float:
        timings = []
        for _ in range(args.runs):
            if before is not None:
                before()  # untimed: back to the state the timed step starts from
            started_at = time.perf_counter()
            work()
            timings.append((time.perf_counter() - started_at) * 1000)
        return statistics.median(timings)

    opened = timed(open_log)
    last = timed(last_row, open_log)
    sorted_by_cost = timed(by_cost, newest_first)
    every_column = []  # for reference: a header click on each sortable column, both ways
    for number, title in enumerate(titles):
        if model.sort_key(number) is None:
            continue
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):

            def sort(number: int = number, order: Qt.SortOrder = order) -> None:
                table.sortByColumn(number, order)
                until(shown)

            arrow = "up" if order == Qt.SortOrder.AscendingOrder else "down"
            every_column.append(f"{title} {arrow} {timed(sort, newest_first):.0f}")
    window.close()

    with store() as uow:  # the service calls alone, for reference
        actor = resolve_actor(uow, None)
        newest, costly = CallQuery(), CallQuery(sort="cost")
        start_ms = timed(lambda: usage_data.call_log_start(uow, actor, newest, 500))
        last_ms = timed(
            lambda: usage_data.call_log_page(uow, actor, newest, total - 500, 500, total)
        )
        cost_ms = timed(lambda: usage_data.call_log_start(uow, actor, costly, 500))
    print(
        f"B6 call log of {total:,} calls, median of {args.runs} (limit {TARGET_MS:.0f} ms each): "
        f"open {opened:.0f} ms, last row {last:.0f} ms, sort by cost {sorted_by_cost:.0f} ms "
        f"in the window; service calls alone {start_ms:.0f} / {last_ms:.0f} / {cost_ms:.0f} ms"
    )
    print(f"B6 sort by each column in the window (ms): {', '.join(every_column)}")
    ok = True
    for figure, value in (
        ("call log open (count, first page, filters)", opened),
        ("call log jump to the last row (Ctrl+End)", last),
        ("call log sort by cost (header click)", sorted_by_cost),
    ):
        report("B6", f"{figure}, {total:,} calls", f"{value:.0f} ms", "—", None,
               f"< {TARGET_MS:.0f} ms", value < TARGET_MS)  # fmt: skip
        ok = ok and value < TARGET_MS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
