"""B2 and B6 on PostgreSQL: the large demo store (a million calls) in a PostgreSQL database,
measured as on SQLite (PERFORMANCE.md; issue "Performance at ten million calls", point 6).

    python bench/postgres_figures.py [--runs 9] [--keep-log]

A throwaway PostgreSQL cluster (tests/pg_cluster.py) gets ``billing-desktop demo --scale large
--today 2026-11-21``. Then:

* B2: ``services.billing.usage_summary`` for the previous month (median of ``--runs``; the
  summary is kept by the store's change token — on PostgreSQL the current snapshot — so this
  is what the Usage tab pays on each refresh; the first call on a fresh store is printed too),
  against ``psql`` summing the month's raw calls and conversations with GROUP BY (median of 3).
  Target: ratio <= 0.1 and < 50 ms.
* B6: ``bench/call_log.py`` on the database's URL (the real window, offscreen): open, last
  row, sort by cost, each < 200 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from results import DEMO_TODAY, build_demo, report, rerun
from usage_summary import baseline_sql, median_of_three

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from billing_desktop.bootstrap import SqlStore  # noqa: E402
from billing_desktop.domain.periods import Month  # noqa: E402
from billing_desktop.services.billing import usage_summary  # noqa: E402
from billing_desktop.services.context import resolve_actor  # noqa: E402
from tests.pg_cluster import USER, PgCluster  # noqa: E402

TARGET_RATIO = 0.1
TARGET_MS = 50.0


def summary_seconds(store: SqlStore, month: Month) -> float:
    started = time.perf_counter()
    with store() as uow:
        usage_summary(uow, resolve_actor(uow, None), month)
    return time.perf_counter() - started


def psql_seconds(cluster: PgCluster, database: str, month: Month, zone: ZoneInfo) -> float:
    psql = [str(cluster.bindir / "psql"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", USER]
    return median_of_three([*psql, "-d", database, "-c", baseline_sql(month, zone)])


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    cluster = PgCluster.start()
    try:
        database = cluster.create_database("large")
        url = cluster.url(database)
        build_demo(url, "large")  # loaded into PostgreSQL
        store = SqlStore(url)
        with store() as uow:
            account = uow.account.get()
            assert account is not None
        zone = ZoneInfo(account.timezone)
        month = Month.of(date.fromisoformat(DEMO_TODAY)).plus(-1)
        first = summary_seconds(store, month)
        summary_seconds(store, month)
        ours = statistics.median(summary_seconds(store, month) for _ in range(args.runs))
        store.dispose()
        base = psql_seconds(cluster, database, month, zone)
        ratio = ours / base
        ok = ratio <= TARGET_RATIO and ours * 1000 < TARGET_MS
        print(
            f"B2 on PostgreSQL, {month}: ours {ours * 1000:.1f} ms (first call "
            f"{first * 1000:.0f} ms), psql GROUP BY {base * 1000:.0f} ms, ratio {ratio:.3f}"
        )
        report("B2", f"PostgreSQL: Usage tab summary for {month}", f"{ours * 1000:.1f} ms",
               f"{base * 1000:.1f} ms (psql GROUP BY)", ratio,
               f"<= {TARGET_RATIO}x and < {TARGET_MS:.0f} ms", ok)  # fmt: skip
        report("B2", "  PostgreSQL, first call (nothing kept)", f"{first * 1000:.0f} ms",
               f"{base * 1000:.1f} ms (psql GROUP BY)", first / base, "(information)", True,
               result="info")  # fmt: skip
        b6_ok, status, _figures = rerun(
            HERE / "call_log.py", url, bench_id=None, prefix="PostgreSQL: "
        )
        ok = ok and b6_ok
        if status not in (0, 1):
            return 2
    finally:
        cluster.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
