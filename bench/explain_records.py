"""B20: explain a charge of a conversation product on the large store (issue 20 §1).

    python bench/explain_records.py STORE [--month 2026-10] [--runs 5]

Ours: ``services.explain.explain_charge`` for ``va-sessions`` and ``voice-bot-sessions`` (the
whole service call, median of ``--runs``): the month's conversations are counted, their sessions
summed and the first page listed by the store in SQL (``Queries.conversation_totals`` and
``conversation_page``). Baseline: the ``sqlite3`` command-line tool counting the month's
conversations and their sessions (median of 3). Target: under 1 s (the panel opens on a click).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from results import report
from usage_summary import median_of_three

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.periods import Month
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.explain import explain_charge
from billing_desktop.store.sql.types import to_micros

TARGET_MS = 1000.0
PRODUCTS = ("va-sessions", "voice-bot-sessions")


def ours(store: SqlStore, month: Month, product: str, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        with store() as uow:
            explain_charge(uow, resolve_actor(uow, None), month, product)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def baseline(path: Path, month: Month, zone: ZoneInfo) -> float:
    start, end = (to_micros(t) for t in month.bounds(zone))
    sql = (
        "SELECT count(*), sum(((ended_at - started_at) / 1000000 - human_agent_seconds + 899) "
        f"/ 900) FROM conversations WHERE started_at >= {start} AND started_at < {end};"
    )
    return median_of_three(["sqlite3", str(path), sql])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--month", default=None, help="YYYY-MM (default: the previous month)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    store = SqlStore(f"sqlite:///{args.store.resolve()}")
    with store() as uow:
        account = uow.account.get()
    if account is None:
        print(f"{args.store}: no workspace in this store", file=sys.stderr)
        return 2
    month = Month.parse(args.month) if args.month else Month.of(date.today()).plus(-1)
    base = baseline(args.store, month, ZoneInfo(account.timezone))
    ok_all = True
    for product in PRODUCTS:
        ours(store, month, product, 1)  # warm the page cache like a running app would have
        mine = ours(store, month, product, args.runs)
        ok = mine * 1000 < TARGET_MS
        ok_all = ok_all and ok
        print(
            f"B20 explain {product} {month}: ours {mine * 1000:.0f} ms, baseline "
            f"{base * 1000:.0f} ms (target < {TARGET_MS:.0f} ms) {'OK' if ok else 'MISSED'}"
        )
        report(
            "B20",
            f"Explain {product} for {month} (records in SQL)",
            f"{mine * 1000:.0f} ms",
            f"{base * 1000:.0f} ms (sqlite3 count and sum)",
            mine / base,
            f"< {TARGET_MS:.0f} ms",
            ok,
        )
    return 0 if ok_all else 1


if __name__ == "__main__":
    raise SystemExit(main())
