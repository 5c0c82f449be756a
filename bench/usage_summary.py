"""B2: the Usage tab's month summary, against the naive GROUP BY a user would run instead.

    python bench/usage_summary.py STORE [--month 2026-10] [--runs 9]

Ours: ``services.billing.usage_summary`` for the month (the whole service call, median of
``--runs``), as the Usage tab makes it again and again on one store: the summary is kept by the
store's change token, so a call after the first reads the token and returns it. The first call
on a store (rollups + rating, nothing kept) is printed too, for information.
Baseline: the ``sqlite3`` command-line tool summing the month's
raw calls and conversations with GROUP BY (median of 3). Target: ratio <= 0.1 and ours < 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from results import report

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.context import resolve_actor
from billing_desktop.store.sql.repositories.queries import hour_of
from billing_desktop.store.sql.tables import CALL_HOUR_SQL
from billing_desktop.store.sql.types import MICROSECOND, to_micros

TARGET_RATIO = 0.1
TARGET_MS = 50.0


def ours(store: SqlStore, month: Month, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        with store() as uow:
            usage_summary(uow, resolve_actor(uow, None), month)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def baseline_sql(month: Month, zone: ZoneInfo) -> str:
    """The naive GROUP BY a user would run for the month (also B2's baseline on PostgreSQL)."""
    bounds = month.bounds(zone)
    start, end = (to_micros(t) for t in bounds)
    # The month's hours too, as the store's own queries give them (queries.hour_of), so that
    # the calls are found through the index on the hour (revision 0020), as before through
    # the one on the instant: not a scan of them all.
    first, last = hour_of(bounds[0]), hour_of(bounds[1] - MICROSECOND)
    hours = f"{CALL_HOUR_SQL} BETWEEN {first} AND {last}"
    return (
        "SELECT type, count(*), sum((duration_seconds + 59) / 60) FROM calls "
        f"WHERE {hours} AND started_at >= {start} AND started_at < {end} GROUP BY type; "
        "SELECT app, channel, count(*), sum(((ended_at - started_at) / 1000000 "
        "- human_agent_seconds + 899) / 900) FROM conversations "
        f"WHERE started_at >= {start} AND started_at < {end} GROUP BY app, channel;"
    )


def median_of_three(command: list[str]) -> float:
    """Median wall time of three runs of a command-line tool (the baselines)."""
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def baseline(path: Path, month: Month, zone: ZoneInfo) -> float:
    return median_of_three(["sqlite3", str(path), baseline_sql(month, zone)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--month", default=None, help="YYYY-MM (default: the previous month)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    store = SqlStore(f"sqlite:///{args.store.resolve()}")
    with store() as uow:
        account = uow.account.get()
    if account is None:
        print(f"{args.store}: no workspace in this store", file=sys.stderr)
        return 2
    zone = ZoneInfo(account.timezone)
    month = Month.parse(args.month) if args.month else Month.of(date.today()).plus(-1)
    ours(store, month, 1)  # warm the page cache like a running app would have
    mine = ours(store, month, args.runs)
    firsts = []
    for _ in range(max(3, args.runs // 3)):
        fresh = SqlStore(f"sqlite:///{args.store.resolve()}", create=False)
        firsts.append(ours(fresh, month, 1))
        fresh.dispose()
    first = statistics.median(firsts)
    base = baseline(args.store, month, zone)
    ratio = mine / base
    ok = ratio <= TARGET_RATIO and mine * 1000 < TARGET_MS
    print(
        f"B2 usage summary {month}: ours {mine * 1000:.1f} ms, baseline {base * 1000:.1f} ms, "
        f"ratio {ratio:.3f} (target <= {TARGET_RATIO} and < {TARGET_MS:.0f} ms) "
        f"{'OK' if ok else 'MISSED'}"
    )
    report(
        "B2",
        f"Usage tab summary for {month}",
        f"{mine * 1000:.1f} ms",
        f"{base * 1000:.1f} ms (sqlite3 GROUP BY)",
        ratio,
        f"<= {TARGET_RATIO}x and < {TARGET_MS:.0f} ms",
        ok,
    )
    report(
        "B2",
        "  the same, first call on a store (nothing kept)",
        f"{first * 1000:.1f} ms",
        f"{base * 1000:.1f} ms (sqlite3 GROUP BY)",
        first / base,
        "(information)",
        True,
        result="info",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
