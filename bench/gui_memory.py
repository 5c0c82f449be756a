"""B8: memory of the GUI with the large store open: every tab visited, the call log scrolled to
its end and back.

    python bench/gui_memory.py STORE

In a process of its own (offscreen): the main window on the large store, each tab selected in
turn until it has loaded, then Usage Data ▸ Call logs: Ctrl+End until the last call is on screen,
Ctrl+Home until the first is again. Reported: the resident set (RSS) at that point, and the
process's peak on the way. Target: RSS < 400 MB.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from results import peak_rss_mb, process_events_until, report

TARGET_MB = 400.0


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux /proc; the peak elsewhere)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return peak_rss_mb()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("store", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from billing_desktop.bootstrap import open_store
    from billing_desktop.domain.access import Area
    from billing_desktop.ui.app import application
    from billing_desktop.ui.main_window import MainWindow
    from billing_desktop.ui.tabs.call_log import CallLogSection
    from billing_desktop.ui.tabs.usage_data import UsageDataTab

    # No Python message handler for the offscreen plugin's size-hint chatter (stderr): PySide6
    # drops a reference to the handler's None result per message, and Python 3.11 ends with
    # "Fatal Python error: none_dealloc" after enough of them.
    application()
    store = open_store(str(args.store))

    def until(done: Callable[[], bool]) -> None:
        process_events_until(done, 120.0, "the window")

    def settled() -> bool:
        return not window.runner.busy and window.current_page_name != "loading"

    window = MainWindow(store, None, remember=False)
    window.resize(1280, 800)
    window.show()
    until(settled)
    started = rss_mb()
    visited = []
    for area in window.tab_pages:
        window.select_area(area)
        until(settled)
        window.grab()
        visited.append(area.name.lower())
    tab = window.select_area(Area.USAGE_DATA)
    assert isinstance(tab, UsageDataTab)
    page = tab.show_section("calls")
    assert isinstance(page, CallLogSection)
    until(lambda: page.loaded_once and not page.is_loading)
    model, table = page.paged, page.table
    total = model.total
    table.setFocus()
    table.setCurrentIndex(model.index(0, 0))
    QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    until(lambda: model.is_loaded(total - 1))
    window.grab()
    QTest.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    until(lambda: model.is_loaded(0) and settled())
    window.grab()
    now = rss_mb()
    peak = max(now, peak_rss_mb())
    window.close()
    ok = now < TARGET_MB
    print(
        f"B8 GUI memory on the large store: {now:.0f} MB RSS after visiting "
        f"{', '.join(visited)} and the call log's {total:,} rows to the end and back "
        f"(peak {peak:.0f} MB; {started:.0f} MB with the first tab shown); "
        f"target < {TARGET_MB:.0f} MB"
    )
    report("B8", f"GUI RSS, every tab, call log ({total:,} rows) to the end and back",
           f"{now:.0f} MB (peak {peak:.0f} MB)", "—", None, f"< {TARGET_MB:.0f} MB",
           ok)  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
