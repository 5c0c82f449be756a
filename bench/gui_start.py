"""B1: cold start, from process start to the main window painted with the Usage tab filled, on
the large store, against a bare script that imports PySide6 and pyqtgraph and paints an empty
window with one plot.

    python bench/gui_start.py STORE [--runs 5] [--importtime FILE]

Each start is a new ``python`` process (offscreen), timed by this script from the moment it
launches the process until the process prints that its window is painted: the interpreter's
start, every import, opening and checking the store, the window, the workspace read and the
Usage tab's summary off the GUI thread, the layout and one paint (``grab()``). Ours and the bare
window alternate, median of ``--runs`` each. "Cold" is the program's cold start: the operating
system's file cache is left as it is (warm after the first run, for both), as a user who
starts the app a second time sees it.

``--importtime FILE`` also writes ``python -X importtime`` of our start to FILE, the modules
by their own import time, largest first.
Target: ours / bare <= 1.5.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from results import report

TARGET_RATIO = 1.5
READY = "PAINTED"
HERE = Path(__file__).resolve().parent


def bare() -> None:
    import pyqtgraph
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    plot = pyqtgraph.PlotWidget()
    plot.plot([1, 2, 3, 4], [3, 1, 4, 1])
    window.setCentralWidget(plot)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    window.grab()
    print(READY, flush=True)


def ours(store_path: str) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    from billing_desktop.domain.access import Area
    from billing_desktop.ui.app import application, open_at_start
    from billing_desktop.ui.main_window import MainWindow

    application()
    store = open_at_start(store_path)  # as run_gui opens it (the integrity check included)
    if store is None:
        raise SystemExit(f"{store_path}: not opened")
    window = MainWindow(store, None, remember=False)
    window.resize(1280, 800)
    window.show()
    deadline = time.monotonic() + 120

    def filled() -> bool:
        if window.runner.busy or window.current_page_name == "loading":
            return False
        page = window.ui.tabs.currentWidget()  # not tab_pages: that builds every tab
        return getattr(page, "area", None) is Area.USAGE and bool(
            getattr(page, "loaded_once", True)
        )

    while not filled():
        if time.monotonic() > deadline:
            raise SystemExit("the Usage tab was not filled within two minutes")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    QCoreApplication.processEvents()
    window.grab()
    print(READY, flush=True)


def timed_start(arguments: list[str]) -> float:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=environment,
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == READY:
                elapsed = time.perf_counter() - started
                break
        else:
            raise SystemExit(f"{' '.join(arguments)}: exited without painting")
        child.wait()
    return elapsed


def import_times(store: Path, out: Path) -> None:
    """``-X importtime`` of our start: modules by their own time, largest first."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(HERE / "gui_start.py"), "--child", "ours",
         str(store)],
        capture_output=True, text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = (part.strip() for part in line[12:].split("|"))
        rows.append((int(own), int(cumulative), name))
    rows.sort(reverse=True)
    total = sum(own for own, _, _ in rows)
    lines = [f"{total / 1e6:.2f} s of imports in all; by own time:"]
    lines += [f"{own / 1000:8.1f} ms {cum / 1000:8.1f} ms  {name}" for own, cum, name in rows[:60]]
    out.write_text("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("store", type=Path, nargs="?")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--importtime", type=Path)
    parser.add_argument("--child", choices=("ours", "bare"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "bare":
        bare()
        return 0
    if args.store is None:
        parser.error("the large store is needed")
    if args.child == "ours":
        ours(str(args.store))
        return 0
    me = str(HERE / "gui_start.py")
    mine, theirs = [], []
    for _ in range(args.runs):
        mine.append(timed_start([me, "--child", "ours", str(args.store)]))
        theirs.append(timed_start([me, "--child", "bare"]))
    if args.importtime:
        import_times(args.store, args.importtime)
    ours_s, bare_s = statistics.median(mine), statistics.median(theirs)
    ratio = ours_s / bare_s
    ok = ratio <= TARGET_RATIO
    print(
        f"B1 cold start to the painted Usage tab: ours {ours_s:.2f} s "
        f"({', '.join(f'{t:.2f}' for t in mine)}), bare PySide6 + pyqtgraph window "
        f"{bare_s:.2f} s ({', '.join(f'{t:.2f}' for t in theirs)}): {ratio:.2f}x "
        f"(target <= {TARGET_RATIO}x); median of {args.runs}"
    )
    report("B1", "cold start to the painted, filled Usage tab", f"{ours_s:.2f} s",
           f"{bare_s:.2f} s (bare PySide6 + pyqtgraph window)", ratio,
           f"<= {TARGET_RATIO}x", ok)  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
