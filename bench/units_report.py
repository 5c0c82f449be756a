"""The units cost report on a large store, with and without dated assignments (issue 20 §5).

    python bench/units_report.py STORE [--month 2026-10] [--runs 5] [--dated]

Times ``services.units.unit_report`` for the month, at list price and as invoiced (the whole
service call, median of ``--runs``, after one warm-up run). With ``--dated`` a phone number with
calls in the month is first moved to another unit from the month's 15th, so the month is cut in
two and every call and alert query runs once per part: the cost of the feature where it is
used. Run it on a copy: ``--dated`` writes to the store.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.periods import Month
from billing_desktop.services import units
from billing_desktop.services.context import resolve_actor


def timed(store: SqlStore, month: Month, basis: str, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds (CPU time is steadier on a shared machine: SQLite runs in
    this process)."""
    walls, cpus = [], []
    for _ in range(runs + 1):
        started, cpu = time.perf_counter(), time.process_time()
        with store() as uow:
            units.unit_report(uow, resolve_actor(uow, None), month, basis=basis)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls[1:]), statistics.median(cpus[1:])


def move_a_busy_number(store: SqlStore, month: Month) -> str:
    """Move the number with the most calls of the month to another unit from the 15th."""
    with store() as uow:
        start, end = month.bounds(store_zone(store))
        rows = uow.queries.call_usage_by_number_and_user(start, end)
        held = {n: u for u in uow.units.all() for n in u.numbers}
        busiest = max((r for r in rows if r.number in held), key=lambda r: r.calls)
        number = busiest.number
        assert number is not None
        target = next(u for u in uow.units.all() if u.id != held[number].id)
        actor = resolve_actor(uow, None)
        change = units.assign(
            uow,
            actor,
            target.id,
            numbers=[number],
            move=True,
            from_date=month.first_day.replace(day=15),
        )
        uow.commit()
    return change.describe()


def store_zone(store: SqlStore):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    with store() as uow:
        account = uow.account.get()
    assert account is not None
    return ZoneInfo(account.timezone)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--month", default=None, help="YYYY-MM (default: the previous month)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dated", action="store_true", help="cut the month with a dated move")
    args = parser.parse_args()
    store = SqlStore(f"sqlite:///{args.store.resolve()}")
    month = Month.parse(args.month) if args.month else Month.of(date.today()).plus(-1)
    if args.dated:
        print(move_a_busy_number(store, month))
    for basis in ("list", "invoiced"):
        wall, cpu = timed(store, month, basis, args.runs)
        print(
            f"units report {month} --basis {basis}: {wall * 1000:.0f} ms wall, "
            f"{cpu * 1000:.0f} ms CPU (median of {args.runs})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
