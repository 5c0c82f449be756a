"""The one machine-readable line every benchmark prints per figure, which ``bench/run.py`` reads.

    BENCH {"id": "B4", "figure": "...", "ours": "1.9 s", "baseline": "1.1 s", "ratio": 0.58,
           "target": ">= 0.5x", "ok": true}

``ours`` and ``baseline`` are shown as given (with their units); ``ratio`` is a number or null
(absolute targets such as B6 have no baseline).
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

PREFIX = "BENCH "


def report(
    bench_id: str,
    figure: str,
    ours: str,
    baseline: str,
    ratio: float | None,
    target: str,
    ok: bool,
    result: str | None = None,
) -> None:
    """``result`` (e.g. "info") marks a line shown for context, not judged against a target."""
    line: dict[str, Any] = {
        "id": bench_id,
        "figure": figure,
        "ours": ours,
        "baseline": baseline,
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
        "ok": ok,
    }
    if result is not None:
        line["result"] = result
    print(PREFIX + json.dumps(line, ensure_ascii=False), flush=True)


def parse(line: str) -> dict[str, Any] | None:
    """The result on a line of a benchmark's output, or None for any other line."""
    if not line.startswith(PREFIX):
        return None
    result: dict[str, Any] = json.loads(line[len(PREFIX) :])
    return result


def median_seconds(work: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def cli(*args: str) -> list[str]:
    """The command line of ``billing-desktop ARGS`` in this interpreter."""
    return [sys.executable, "-m", "billing_desktop", *args]


DEMO_TODAY = "2026-11-21"  # the day every benchmark's demo store is built as of


def build_demo(store: str | Path, scale: str) -> float:
    """``billing-desktop demo --scale SCALE`` into ``store`` (a file or a database URL), as of
    ``DEMO_TODAY``: the seconds it took (also printed to stderr)."""
    import subprocess

    print(f"building the {scale} demo store in {store} …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run(
        cli("--store", str(store), "demo", "--scale", scale, "--today", DEMO_TODAY),
        check=True, stdout=subprocess.DEVNULL, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    print(f"built in {seconds:.0f} s", file=sys.stderr, flush=True)
    return seconds


class Rerun(NamedTuple):
    ok: bool  # every judged figure met its target
    status: int  # the script's exit status
    results: list[dict[str, Any]]  # its figures, as it reported them


def rerun(script: Path, *args: str, bench_id: str | None, prefix: str) -> Rerun:
    """Run another benchmark script and print its figures again, ``prefix`` before each
    figure (``{id}`` in it: the script's own id) and, with ``bench_id``, under that id (B9
    reruns B2, B4 and B6 on ten million calls)."""
    import subprocess

    done = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=script.parent.parent, capture_output=True, text=True, check=False, timeout=3600,
    )  # fmt: skip
    results = []
    for line in done.stdout.splitlines():
        result = parse(line)
        if result is not None:
            results.append(result)
        elif line.strip():
            print(line)
    if done.returncode not in (0, 1):
        print(done.stderr[-2000:], file=sys.stderr)
    if not results:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        failed = f"{prefix.format(id='?')}{script.name}: failed (exit {done.returncode}): {last}"
        report(bench_id or "?", failed, "—", "—", None, "—", False)
        return Rerun(False, done.returncode, [])
    ok = True
    for result in results:
        ok = ok and (result.get("result") == "info" or bool(result["ok"]))
        figure = prefix.format(id=result["id"]) + result["figure"]
        report(bench_id or result["id"], figure, result["ours"],
               result["baseline"], result["ratio"], result["target"], bool(result["ok"]),
               result.get("result"))  # fmt: skip
    return Rerun(ok, done.returncode, results)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1024


def process_events_until(done: Callable[[], bool], timeout: float, what: str) -> None:
    """Let a Qt window work until ``done()`` (then once more, for the paint of what arrived);
    stop the benchmark when ``what`` does not answer within ``timeout`` seconds."""
    from PySide6.QtCore import QEventLoop

    # An event loop's own processEvents. (This PySide6 drops a reference to None on every Qt
    # call that returns nothing; billing_desktop.ui's guard, ui/qt_runtime.py, keeps None
    # alive for every script that opens a window.)
    loop = QEventLoop()
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not answer within {timeout:.0f} s")
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)


def wait_events_until(done: Callable[[], bool], timeout: float, what: str) -> None:
    """As :func:`process_events_until`, but asleep between events as the application's own
    event loop is: it wakes for each event (a worker's result, a paint, a timer) and at least
    every 20 ms for the deadline. Polling instead, with ``processEvents(..., 5)`` returning at
    once when nothing is queued, spins a core that the worker threads being timed need (two
    cores here, shared with other jobs: B6)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    tick = QTimer()
    tick.start(20)
    flags = QEventLoop.ProcessEventsFlag
    waiting = flags.AllEvents | flags.WaitForMoreEvents
    deadline = time.monotonic() + timeout
    try:
        while not done():
            if time.monotonic() > deadline:
                raise SystemExit(f"{what} did not answer within {timeout:.0f} s")
            loop.processEvents(waiting)
        loop.processEvents(flags.AllEvents)
    finally:
        tick.stop()
