"""B4: export the call log (a million rows on the large store) to a formula-safe CSV, against
``sqlite3 -csv`` running the same query into a file.

    python bench/export_call_log.py STORE [--runs 3] [--no-python]

Ours: ``services.usage_data.export_call_log`` for every call, newest first (what Export CSV…
and ``export call-logs`` write: local start times with their offset, started minutes, list-price
cost, formula neutralisation, progress after each chunk): on SQLite the Arrow path (ADBC
batches, cells by pyarrow.compute), median of ``--runs``. Baseline: the ``sqlite3`` command-line
tool writing the same rows in the same order with ``-csv`` (minutes computed in SQL, the start
time as stored, read in the order of the store's index as ours are), median of ``--runs``.
The runs alternate (ours, baseline, ours, …), so a burst of load from elsewhere falls on both.
Both run warm (one untimed read first). Target: throughput ratio (baseline time / ours) >= 0.5
and peak memory < 200 MB (this process's peak RSS, which holds nothing but the export, taken
before the runs below).

For context, after those runs: the Python path (``usage_data.csv_chunks``, what PostgreSQL and
the remote store take, and what every store took before the Arrow path), its ratio to the same
baseline, and a check that both paths wrote the same bytes (``--no-python`` leaves it out). The
load average before and after is printed.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

from results import median_seconds, peak_rss_mb, report

from billing_desktop.bootstrap import open_store
from billing_desktop.services import usage_data
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.usage_data import CallQuery
from billing_desktop.store.sql.tables import CALL_HOUR_SQL

TARGET_RATIO = 0.5
TARGET_MB = 200.0
# Newest first as the store's index has the calls (revision 0020: by the hour they started in,
# each hour's sorted), as ours reads them: ORDER BY started_at alone would have sqlite3 sort
# every call first, a baseline slower than the store allows.
SQL = (
    "SELECT id, type, triggered_by, trigger_source, candidate_id, campaign, number, started_at, "
    "(duration_seconds + 59) / 60, duration_seconds FROM calls "
    f"ORDER BY {CALL_HOUR_SQL} DESC, started_at DESC, id DESC"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-python", action="store_true", help="leave out the Python path")
    args = parser.parse_args()
    print(f"load average before: {load()}")
    store = open_store(str(args.store))
    with tempfile.TemporaryDirectory() as folder:
        ours_csv, raw_csv = Path(folder) / "calls.csv", Path(folder) / "raw.csv"
        python_csv = Path(folder) / "python.csv"

        def ours(arrow: bool = True, out: Path = ours_csv) -> int:
            usage_data.ARROW_EXPORT = arrow
            try:
                with store() as uow:
                    actor = resolve_actor(uow, None)
                    return usage_data.export_call_log(uow, actor, CallQuery(), out)
            finally:
                usage_data.ARROW_EXPORT = True

        def baseline() -> None:
            with raw_csv.open("wb") as out:
                subprocess.run(["sqlite3", "-csv", str(args.store), SQL], stdout=out, check=True)

        def python_path() -> int:
            return ours(arrow=False, out=python_csv)

        baseline()  # warm the page cache for both
        rows = ours()
        works = {"ours": ours, "baseline": baseline}
        timings: dict[str, list[float]] = {name: [] for name in works}
        for _ in range(args.runs):
            for name, work in works.items():
                timings[name].append(median_seconds(work, 1))
        peak = peak_rss_mb()  # the export's, before the Python path's runs
        mine = statistics.median(timings["ours"])
        theirs = statistics.median(timings["baseline"])
        size = ours_csv.stat().st_size
        same = None
        if not args.no_python:
            timings["python"] = [median_seconds(python_path, 1) for _ in range(args.runs)]
            same = filecmp.cmp(ours_csv, python_csv, shallow=False)
    ratio = theirs / mine
    print(f"load average after: {load()}")
    for name, seconds in timings.items():
        print(f"  {name}: " + ", ".join(f"{s:.2f} s" for s in seconds))
    ok = ratio >= TARGET_RATIO and peak < TARGET_MB
    print(
        f"B4 export {rows:,} rows ({size / 1e6:.0f} MB) in {mine:.2f} s, sqlite3 -csv "
        f"{theirs:.2f} s: {ratio:.2f}x its throughput (target >= {TARGET_RATIO}x); "
        f"peak RSS {peak:.0f} MB (target < {TARGET_MB:.0f} MB); median of {args.runs}"
    )
    report(
        "B4",
        f"export {rows:,} call-log rows to CSV",
        f"{mine:.2f} s, peak {peak:.0f} MB",
        f"{theirs:.2f} s (sqlite3 -csv)",
        ratio,
        f">= {TARGET_RATIO}x, < {TARGET_MB:.0f} MB",
        ok,
    )
    if "python" in timings:
        before = statistics.median(timings["python"])
        report(
            "B4",
            "the same export through the Python path (PostgreSQL's, main's before)",
            f"{before:.2f} s",
            f"{theirs:.2f} s (sqlite3 -csv)",
            theirs / before,
            "for context; " + ("the same bytes as ours" if same else "NOT the same bytes"),
            bool(same),
            result="info",
        )
    return 0 if ok and same is not False else 1


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    raise SystemExit(main())
