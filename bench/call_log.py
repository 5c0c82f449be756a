"""B4 and B6 (PERFORMANCE.md) on a large store: call-log CSV export against ``sqlite3 -csv`` of
the same query, and the call-log queries behind open / jump to the last row / sort by cost.

    billing-desktop --store /tmp/large.db demo --scale large --today 2026-11-21
    python bench/call_log.py /tmp/large.db
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from billing_desktop.bootstrap import open_store
from billing_desktop.services import usage_data
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.usage_data import CallQuery

SQL = (
    "SELECT id, type, triggered_by, trigger_source, candidate_id, campaign, number, started_at, "
    "(duration_seconds + 59) / 60, duration_seconds FROM calls ORDER BY started_at DESC, id DESC"
)


def median_ms(work: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(path: str) -> None:
    store = open_store(path)
    with store() as uow:
        actor = resolve_actor(uow, None)
        newest, by_cost = CallQuery(), CallQuery(sort="cost")
        total = usage_data.call_log_count(uow, actor, newest)
        print(f"{total:,} calls")
        opened = median_ms(lambda: usage_data.call_log_start(uow, actor, newest, 500))
        last = median_ms(
            lambda: usage_data.call_log_page(uow, actor, newest, total - 500, 500, total)
        )
        cost = median_ms(lambda: usage_data.call_log_start(uow, actor, by_cost, 500))
        cost_last = median_ms(
            lambda: usage_data.call_log_page(uow, actor, by_cost, total - 500, 500, total)
        )
        print(
            f"B6 open {opened:.0f} ms, last page {last:.0f} ms, sort by cost {cost:.0f} ms, "
            f"last page by cost {cost_last:.0f} ms (median of 5; limit 200 ms)"
        )
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "calls.csv"
            start = time.perf_counter()
            rows = usage_data.export_call_log(uow, actor, newest, out)
            ours = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            start = time.perf_counter()
            with (Path(folder) / "raw.csv").open("wb") as raw:
                subprocess.run(["sqlite3", "-csv", path, SQL], stdout=raw, check=True)
            theirs = time.perf_counter() - start
    print(
        f"B4 export {rows:,} rows in {ours:.1f} s, sqlite3 -csv {theirs:.1f} s: "
        f"{theirs / ours:.2f}x its throughput (target >= 0.5x); peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/large.db")
