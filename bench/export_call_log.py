"""B4: export the call log (a million rows on the large store) to a formula-safe CSV, against
``sqlite3 -csv`` running the same query into a file.

    python bench/export_call_log.py STORE [--runs 3]

Ours: ``services.usage_data.export_call_log`` for every call, newest first (what Export CSV…
and ``export call-logs`` write: local start times with their offset, started minutes, list-price
cost, formula neutralisation, progress after each chunk), median of ``--runs``. Baseline: the
``sqlite3`` command-line tool writing the same rows in the same order with ``-csv`` (minutes
computed in SQL, the start time as stored), median of ``--runs``. Both run warm (one untimed
read first). Target: throughput ratio (baseline time / ours) >= 0.5 and peak memory < 200 MB
(this process's peak RSS, which holds nothing but the export).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from results import median_seconds, peak_rss_mb, report

from billing_desktop.bootstrap import open_store
from billing_desktop.services import usage_data
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.usage_data import CallQuery

TARGET_RATIO = 0.5
TARGET_MB = 200.0
SQL = (
    "SELECT id, type, triggered_by, trigger_source, candidate_id, campaign, number, started_at, "
    "(duration_seconds + 59) / 60, duration_seconds FROM calls ORDER BY started_at DESC, id DESC"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    store = open_store(str(args.store))
    with tempfile.TemporaryDirectory() as folder:
        ours_csv, raw_csv = Path(folder) / "calls.csv", Path(folder) / "raw.csv"

        def ours() -> int:
            with store() as uow:
                actor = resolve_actor(uow, None)
                return usage_data.export_call_log(uow, actor, CallQuery(), ours_csv)

        def baseline() -> None:
            with raw_csv.open("wb") as out:
                subprocess.run(["sqlite3", "-csv", str(args.store), SQL], stdout=out, check=True)

        baseline()  # warm the page cache for both
        rows = ours()
        mine = median_seconds(ours, args.runs)
        theirs = median_seconds(baseline, args.runs)
        size = ours_csv.stat().st_size
    peak = peak_rss_mb()
    ratio = theirs / mine
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
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
