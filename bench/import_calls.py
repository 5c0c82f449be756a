"""B3: import a million call rows from CSV (validated, idempotent, all-or-nothing), against
``sqlite3 .import`` of the same file into a bare table.

    python bench/import_calls.py [--rows 1000000] [--runs 3]

The CSV is made once (deterministic: calls spread over the first three weeks of an open month,
every column of PRODUCT §12's ``calls`` kind filled). Ours: ``services.imports.import_file``
into a fresh store holding only the account and one admin (set up untimed), median of
``--runs`` — parsing, checking every value, looking up every id already stored, hourly rollups,
one transaction. Baseline: the ``sqlite3`` command-line tool's ``.import`` of the same file into
a new database (a table made from the header, no checks, no index), median of ``--runs``.
Target: throughput ratio (baseline time / ours) >= 0.3.
"""

from __future__ import annotations

import argparse
import csv
import logging
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from results import median_seconds, report

from billing_desktop.bootstrap import SqlStore
from billing_desktop.services.imports import import_file

TARGET_RATIO = 0.3
HEADER = (
    "id", "type", "triggered_by", "trigger_source", "candidate_id", "campaign", "number",
    "user_id", "started_at", "duration_seconds",
)  # fmt: skip
TYPES = ("autocall", "robocall", "live")
SOURCES = ("Email", "SMS", "Chat UI", "Phone")
CAMPAIGNS = ("Seasonal Drivers", "Warehouse Associates", "Customer Care Reps", "Night Shift")


def write_calls(
    path: Path,
    rows: int,
    *,
    first: datetime = datetime(2026, 11, 1, tzinfo=UTC),
    span: timedelta = timedelta(days=20),
    prefix: str = "call-",
) -> None:
    """``rows`` calls spread evenly over ``span`` from ``first``, ids ``{prefix}0000000``…"""
    step = span / rows
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            started = first + step * n
            writer.writerow(
                (
                    f"{prefix}{n:07}",
                    TYPES[n % 3],
                    "candidate" if n % 2 else "recruiter",
                    SOURCES[n % 4],
                    f"cand-{n * 7919 % 150_000:06}" if n % 10 else "",
                    CAMPAIGNS[n % 4],
                    f"+1212555{n % 90:04}" if n % 7 else "",
                    "",
                    started.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    30 + n * 37 % 1800,
                )
            )


def fresh_store(folder: Path, run: int) -> SqlStore:
    """A new store with the account and one admin, as a workspace is before its first usage."""
    store = SqlStore(f"sqlite:///{folder / f'store-{run}.db'}")
    account, users = folder / "account.csv", folder / "users.csv"
    account.write_text(
        "name,currency,timezone,plan,payment_method,commit_scope\n"
        "Bench,USD,America/New_York,pro,invoice,none\n"
    )
    users.write_text("id,name,email,role\nada,Ada,ada@example.com,admin\n")
    import_file(store, "account", account)
    import_file(store, "users", users)
    return store


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--phases", action="store_true", help="print where each import's time goes (to stderr)"
    )
    args = parser.parse_args()
    if args.phases:
        logging.basicConfig(format="%(message)s")
        logging.getLogger("billing_desktop.services.bulk_calls").setLevel(logging.DEBUG)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        calls = folder / "calls.csv"
        write_calls(calls, args.rows)
        timings: list[float] = []
        added = 0
        for run in range(args.runs):
            store = fresh_store(folder, run)
            started = time.perf_counter()
            added = import_file(store, "calls", calls, user_id="ada").added
            timings.append(time.perf_counter() - started)
            store.dispose()
        mine = sorted(timings)[len(timings) // 2]
        bare = iter(range(args.runs))

        def baseline() -> None:
            database = folder / f"bare-{next(bare)}.db"
            subprocess.run(
                ["sqlite3", str(database), "-cmd", ".mode csv", f".import {calls} calls"],
                check=True,
            )

        theirs = median_seconds(baseline, args.runs)
    ratio = theirs / mine
    ok = ratio >= TARGET_RATIO and added == args.rows
    print(
        f"B3 import {added:,} call rows: ours {mine:.1f} s ({args.rows / mine:,.0f} rows/s), "
        f"sqlite3 .import {theirs:.1f} s: {ratio:.2f}x its throughput "
        f"(target >= {TARGET_RATIO}x); median of {args.runs}"
    )
    report(
        "B3",
        f"import {args.rows:,} call rows from CSV",
        f"{mine:.1f} s",
        f"{theirs:.1f} s (sqlite3 .import)",
        ratio,
        f">= {TARGET_RATIO}x",
        ok,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
