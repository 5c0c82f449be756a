"""B1: cold start, from process start to the main window painted with the Usage tab filled, on
the large store, against a bare script that imports PySide6 and pyqtgraph and paints an empty
window with one plot.

    python bench/gui_start.py STORE [--runs 5] [--importtime FILE]

Each start is a new ``python`` process (offscreen), timed by this script from the moment it
launches the process until the process prints that its window is painted. Ours is the app's own
start, ``billing-desktop --store STORE`` as a user runs it (the command line, ``run_gui``:
opening and checking the store, the window, the workspace read and the Usage tab's first read
off the GUI thread), with one change: the event loop ``run_gui`` enters ends as soon as the
Usage tab is filled; the window is then painted once (``grab()``) and the child says so. Its
settings and cache are fresh folders of this run (no remembered tab or size). Ours and the bare
window alternate after one unmeasured start of each (ours checks the store's integrity there,
which later starts remember, and takes the day's backup), median of ``--runs`` each. "Cold" is
the program's cold start: the operating system's file cache is left as it is (warm, for both),
as a user who starts the app a second time sees it.

Our package's bytecode is compiled first (``compileall``), as ``pip install`` and the bundle
ship it: the bare script's PySide6 and pyqtgraph are installed with theirs, while an editable
checkout run with ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile every one of our
modules from source at each start (about half of our start on this machine).

Each side's CPU time until its window is painted (the process's own count, every thread) is
printed too: less swayed than the wall clock by the load of a shared machine; the target is on
the wall clock.

``--importtime FILE`` also writes ``python -X importtime`` of our start to FILE, the modules
by their own import time, largest first.
Target: ours / bare <= 1.5.
"""

from __future__ import annotations

# What a child (ours or bare) needs is imported here, the rest where used: the children pay it.
import argparse
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

TARGET_RATIO = 1.5
READY = "PAINTED"
HERE = Path(__file__).resolve().parent
WAIT_SECONDS = 120


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
    print(READY, time.process_time(), flush=True)


def paint_when_filled(app: Any, run_event_loop: Any) -> int:
    """In place of ``QApplication.exec``: run the app's event loop until its window shows the
    Usage tab filled (looked at every few milliseconds by a timer, so the loop sleeps between
    events as the app's own does, leaving the GIL to the worker threads), paint it once, say so
    and return as the event loop would."""
    from PySide6.QtCore import QTimer

    from billing_desktop.domain.access import Area
    from billing_desktop.ui.main_window import MainWindow

    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))

    def filled() -> bool:
        if window.runner.busy or window.current_page_name == "loading":
            return False
        page = window.ui.tabs.currentWidget()  # not tab_pages: that builds every tab
        return getattr(page, "area", None) is Area.USAGE and bool(
            getattr(page, "loaded_once", True)
        )

    deadline = time.monotonic() + WAIT_SECONDS
    outcome: list[str] = []

    def look() -> None:
        if filled():
            outcome.append(READY)
        elif time.monotonic() > deadline:
            outcome.append("the Usage tab was not filled within two minutes")
        else:
            return
        watch.stop()
        app.quit()

    watch = QTimer()
    watch.setInterval(5)
    watch.timeout.connect(look)
    watch.start()
    run_event_loop()
    if outcome != [READY]:
        raise SystemExit(outcome[0] if outcome else "the event loop ended early")
    window.grab()
    print(READY, time.process_time(), flush=True)
    return 0


class _EventLoopProbe:
    """Wraps ``QApplication.exec`` in :func:`paint_when_filled` as soon as the app imports
    ``PySide6.QtWidgets`` (not before: the app's own import order is part of its start)."""

    def find_spec(self, name: str, path: Any, target: ModuleType | None = None) -> Any:
        if name != "PySide6.QtWidgets":
            return None
        import importlib.util

        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.loader is not None
        loader = spec.loader
        load = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            load(module)
            run_event_loop = module.QApplication.exec
            module.QApplication.exec = lambda app: paint_when_filled(app, run_event_loop)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def ours(store_path: str) -> None:
    sys.meta_path.insert(0, _EventLoopProbe())
    from billing_desktop.cli import main

    status = main(["--store", store_path])
    if status != 0:
        raise SystemExit(f"{store_path}: the app exited with status {status}")


def compile_package() -> None:
    """Our package's bytecode, as an installed copy has it (see the module's doc)."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("billing_desktop")
    assert spec is not None and spec.submodule_search_locations
    for folder in spec.submodule_search_locations:
        compileall.compile_dir(folder, quiet=1)


def child_environment(folder: Path) -> dict[str, str]:
    """Offscreen, with this run's own settings and cache folders (XDG_CONFIG_HOME for QSettings
    on Linux; XDG_CACHE_HOME for the list of stores whose integrity check passed, which other
    programs of this user would otherwise share and rewrite while the benchmark runs)."""
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_CACHE_HOME": str(folder / "cache"),
    }


def timed_start(arguments: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Seconds from the launch to the painted window, and the CPU seconds the process had
    used by then (all its threads)."""
    import subprocess

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
            if line.split()[:1] == [READY]:
                elapsed = time.perf_counter() - started
                cpu = float(line.split()[1])
                break
        else:
            raise SystemExit(f"{' '.join(arguments)}: exited without painting")
        child.wait()
    return elapsed, cpu


def import_times(store: Path, out: Path, environment: dict[str, str]) -> None:
    """``-X importtime`` of our start: modules by their own time, largest first."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(HERE / "gui_start.py"), "--child", "ours",
         str(store)],
        capture_output=True, text=True, env=environment,
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
    import statistics
    import tempfile

    from results import report

    compile_package()
    me = str(HERE / "gui_start.py")
    mine: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="b1-") as folder:
        environment = child_environment(Path(folder))
        start_ours = [me, "--child", "ours", str(args.store)]
        start_bare = [me, "--child", "bare"]
        # unmeasured: the store's integrity check and daily backup, the file cache
        timed_start(start_ours, environment)
        timed_start(start_bare, environment)
        for _ in range(args.runs):
            mine.append(timed_start(start_ours, environment))
            theirs.append(timed_start(start_bare, environment))
        if args.importtime:
            import_times(args.store, args.importtime, environment)
    ours_s = statistics.median(t for t, _ in mine)
    bare_s = statistics.median(t for t, _ in theirs)
    ours_cpu = statistics.median(c for _, c in mine)
    bare_cpu = statistics.median(c for _, c in theirs)
    ratio = ours_s / bare_s
    ok = ratio <= TARGET_RATIO
    load = os.getloadavg()[0]
    print(
        f"B1 cold start to the painted Usage tab: ours {ours_s:.2f} s "
        f"({', '.join(f'{t:.2f}' for t, _ in mine)}), bare PySide6 + pyqtgraph window "
        f"{bare_s:.2f} s ({', '.join(f'{t:.2f}' for t, _ in theirs)}): {ratio:.2f}x "
        f"(target <= {TARGET_RATIO}x); median of {args.runs}, load average {load:.1f}. "
        f"CPU time until painted (less swayed by the load): ours {ours_cpu:.2f} s, bare "
        f"{bare_cpu:.2f} s: {ours_cpu / bare_cpu:.2f}x"
    )
    report("B1", "cold start to the painted, filled Usage tab", f"{ours_s:.2f} s",
           f"{bare_s:.2f} s (bare PySide6 + pyqtgraph window)", ratio,
           f"<= {TARGET_RATIO}x", ok)  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
