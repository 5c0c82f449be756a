"""B9: the figures of a contact centre ten times the large store — ``demo --scale xlarge``
(2,000 agents, ~10M calls, 3M conversations) — and how each grows from 1M to 10M calls.

    python bench/xlarge.py [XLARGE_STORE] [--keep PATH] [--large PATH] [--import-rows 100000]

Without XLARGE_STORE the store is built first (``billing-desktop demo --scale xlarge --today
2026-11-21``), timed: target <= 10 minutes. Then, on it (PERFORMANCE.md's method, each script
in its own process):

* the Usage tab's month summary (bench/usage_summary.py): < 50 ms;
* the call log open / last row / sort by cost in the window (bench/call_log.py): < 200 ms each;
* the statement PDF of a month (``billing-desktop statement``, the whole command): < 5 s;
  the first command after the demo's build included (the demo remembers the store it created
  as checked). Shown for information after the import, too: the first command after a change
  reads every page once (``quick_check``, PRODUCT §10), which grows with the file;
* export throughput (bench/export_call_log.py): its ratio to ``sqlite3 -csv`` within 20 % of
  B4's, measured in the same run on a copy of the large store;
* import throughput per row: ``--import-rows`` new calls imported into the xlarge store
  against the same file into the large store (a million calls: PERFORMANCE.md's baseline for
  B9, "the same figures at 1M") — within 20 % (cost must not grow with the store's size). The
  same file into an empty store (B3's set-up, where the import builds the indexes from sorted
  keys instead of inserting into them) is shown too, with its own ratio: it is the price of
  keeping indexes up to date at all, not of the store's size. Two files, each with ids of its
  own run (so a store that holds an earlier run's calls still gets new ones): B3's calls,
  spread over 2026-11-01…20 among the demo's own calls of those days (a back-fill: every call
  lands among stored ones of the same days), and the same number dated after the
  store's latest call (the daily import of new calls). Before each timed import an untimed
  ``usage`` command has the store checked, so the import's open does not read the whole file
  (``quick_check`` after a change). The import writes into the store: pass a copy you can
  spare, or let the script build one. The large store is copied (``--large``) or built (``demo
  --scale large``) into the temporary folder, a fresh copy for each file.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from import_calls import fresh_store, write_calls
from results import Rerun, build_demo, cli, report, rerun
from sqlalchemy.dialects import sqlite

from billing_desktop.store.sql.repositories.queries import call_span_selects

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD_TARGET_S = 600.0
STATEMENT_TARGET_S = 5.0
# "Within 20 % of the 1M figures": an import at most 1.2x the time, the export's ratio to
# sqlite3 -csv at least 1/1.2 of B4's.
WITHIN_20_PERCENT = 1.20


def relabelled(script: str, *args: str, prefix: str = "xlarge ({id} method): ") -> Rerun:
    """Run a benchmark script and print its figures as B9's."""
    return rerun(HERE / script, *args, bench_id="B9", prefix=prefix)


def export_ratio(figures: list[dict[str, Any]]) -> float | None:
    """The throughput ratio of bench/export_call_log.py's judged export figure."""
    for figure in figures:
        if figure.get("result") != "info" and figure["ratio"] is not None:
            return float(figure["ratio"])
    return None


def statement_seconds(store: Path, month: str, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        cli("--store", str(store), "statement", "--month", month, "--out", str(out)),
        check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    return time.perf_counter() - started


def latest_call(store: Path) -> datetime:
    """The start of the store's latest call, read without a trace: a read-only connection to
    a WAL file would leave -wal/-shm files behind, which the next open takes for a change."""
    with contextlib.closing(sqlite3.connect(f"file:{store}?immutable=1", uri=True)) as conn:
        # the store's own statement (the last hour's greatest: one probe of the hour index)
        last = call_span_selects()[1].compile(dialect=sqlite.dialect())
        (micros,) = conn.execute(str(last)).fetchone()
    return datetime.fromtimestamp(micros // 1_000_000, UTC)


def import_seconds(store_location: str, csv_path: Path) -> float:
    # untimed: a store changed since its last check is read whole on open (quick_check)
    subprocess.run(
        cli("--store", store_location, "usage"), check=True, stdout=subprocess.DEVNULL, cwd=ROOT
    )
    started = time.perf_counter()
    subprocess.run(
        cli("--store", store_location, "import", "calls", str(csv_path)),
        check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("store", type=Path, nargs="?", help="default: build the xlarge demo")
    parser.add_argument("--keep", type=Path, help="save the built store here")
    parser.add_argument("--large", type=Path, help="a large demo store to copy (default: build)")
    parser.add_argument("--import-rows", type=int, default=100_000)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-xlarge-") as folder_name:
        folder = Path(folder_name)
        store = args.store
        if store is None:
            # built where --keep says (so a failure later keeps the half hour of building)
            store = args.keep if args.keep is not None else folder / "xlarge.db"
            seconds = build_demo(store, "xlarge")
            met = seconds <= BUILD_TARGET_S
            ok = ok and met
            size_mb = store.stat().st_size / 1e6
            report("B9", f"demo --scale xlarge built ({size_mb:,.0f} MB)", f"{seconds:.0f} s",
                   "—", None, f"<= {BUILD_TARGET_S / 60:.0f} min", met)  # fmt: skip
        ok = relabelled("usage_summary.py", str(store)).ok and ok
        ok = relabelled("call_log.py", str(store)).ok and ok
        export = relabelled("export_call_log.py", str(store))
        ok = export.ok and ok
        large_source = args.large
        if large_source is None:
            large_source = folder / "large.db"
            build_demo(large_source, "large")
        # B4 again, on a copy of the large store, in this run: the export's ratio at 1M
        large = folder / "large-export.db"
        shutil.copyfile(large_source, large)
        at_1m = relabelled("export_call_log.py", str(large), prefix="large store, 1M ({id}): ")
        large.unlink()
        ratios = export_ratio(export.results), export_ratio(at_1m.results)
        if ratios[0] is not None and ratios[1] is not None:
            kept = ratios[0] / ratios[1]
            met = kept >= 1 / WITHIN_20_PERCENT
            ok = ok and met
            report("B9", "export throughput at 10M against B4's at 1M (ratio to sqlite3 -csv)",
                   f"{ratios[0]:.2f}x", f"{ratios[1]:.2f}x", kept,
                   f">= {1 / WITHIN_20_PERCENT:.2f} (within 20 %)", met)  # fmt: skip
        else:
            ok = False
        pdf_seconds = statement_seconds(store, "2026-10", folder / "statement.pdf")
        met = pdf_seconds < STATEMENT_TARGET_S
        ok = ok and met
        report("B9", "statement PDF of 2026-10 (the whole command)", f"{pdf_seconds:.1f} s", "—",
               None, f"< {STATEMENT_TARGET_S:g} s", met)  # fmt: skip

        run = int(time.time())
        latest = latest_call(store)
        first = latest + timedelta(minutes=1)
        span = min(timedelta(days=10), datetime.now(UTC) - timedelta(hours=1) - first)
        samples: list[tuple[str, dict[str, object]]] = [("among the stored calls (B3's file)", {})]
        if span >= timedelta(days=1):  # else the store holds calls of the last day already
            samples.append(("dated after every stored call", {"first": first, "span": span}))
        else:
            print("no room after the store's latest call for the second import", file=sys.stderr)
        for number, (how, dates) in enumerate(samples):
            calls = folder / f"new-calls-{number}.csv"
            # B3's file names its calls call-0000001…, as the demo does: new ids, or the
            # import into the xlarge store is (rightly) refused as a changed re-import.
            write_calls(calls, args.import_rows, prefix=f"b9-{run}-{number}-call-", **dates)
            empty = fresh_store(folder, number)
            empty.dispose()
            large = folder / f"large-{number}.db"
            shutil.copyfile(large_source, large)
            small = import_seconds(str(folder / f"store-{number}.db"), calls)
            middle = import_seconds(str(large), calls)
            large.unlink()
            big = import_seconds(str(store), calls)
            growth = big / middle
            met = growth <= WITHIN_20_PERCENT
            ok = ok and met
            report("B9", f"import of {args.import_rows:,} new calls {how}: into xlarge (10M) vs "
                   "the large store (1M)", f"{big:.2f} s", f"{middle:.2f} s", growth,
                   f"<= {WITHIN_20_PERCENT:.2f}x", met)  # fmt: skip
            report("B9", "  the same file into an empty store (B3's set-up: indexes built from "
                   "sorted keys)", f"{big:.2f} s", f"{small:.2f} s", big / small,
                   "(information)", True, "info")  # fmt: skip
        # The import changed the store: this statement's open checks the whole file first.
        checked = statement_seconds(store, "2026-10", folder / "statement-checked.pdf")
        again = statement_seconds(store, "2026-10", folder / "statement-again.pdf")
        size_mb = store.stat().st_size / 1e6
        report("B9", f"statement PDF of 2026-10, first command after a change ({size_mb:,.0f} MB "
               "quick_check on open) / the next one", f"{checked:.1f} s / {again:.1f} s", "—",
               None, "(information)", True, "info")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
