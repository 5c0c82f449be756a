"""B9: the figures of a contact centre ten times the large store — ``demo --scale xlarge``
(2,000 agents, ~10M calls, 3M conversations) — and how each grows from 1M to 10M calls.

    python bench/xlarge.py [XLARGE_STORE] [--keep PATH] [--import-rows 100000]

Without XLARGE_STORE the store is built first (``billing-desktop demo --scale xlarge --today
2026-11-21``), timed: target <= 10 minutes. Then, on it (PERFORMANCE.md's method, each script
in its own process):

* the Usage tab's month summary (bench/usage_summary.py): < 50 ms;
* the call log open / last row / sort by cost in the window (bench/call_log.py): < 200 ms each;
* the statement PDF of a month (``billing-desktop statement``, the whole command): < 5 s;
  the first command after the demo's build included (the demo remembers the store it created
  as checked). Shown for information after the import, too: the first command after a change
  reads every page once (``quick_check``, PRODUCT §10), which grows with the file;
* export throughput (bench/export_call_log.py): the same ratio to ``sqlite3 -csv`` as B4;
* import throughput per row: ``--import-rows`` new calls imported into the xlarge store
  against the same file into an empty store (B3's set-up) — within 20 % (cost must not grow
  with the store's size). The import writes into the store: pass a copy you can spare, or let
  the script build one.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from import_calls import fresh_store, write_calls
from results import cli, report, rerun

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEMO_TODAY = "2026-11-21"
BUILD_TARGET_S = 600.0
STATEMENT_TARGET_S = 5.0
IMPORT_GROWTH = 1.20


def build(path: Path) -> float:
    print(f"building the xlarge demo store in {path} …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run(
        cli("--store", str(path), "demo", "--scale", "xlarge", "--today", DEMO_TODAY),
        check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    return time.perf_counter() - started


def relabelled(script: str, *args: str) -> bool:
    """Run a benchmark script and print its figures as B9's; True when all met their target."""
    return rerun(HERE / script, *args, bench_id="B9", prefix="xlarge ({id} method): ")[0]


def statement_seconds(store: Path, month: str, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        cli("--store", str(store), "statement", "--month", month, "--out", str(out)),
        check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    return time.perf_counter() - started


def import_seconds(store_location: str, csv_path: Path) -> float:
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
    parser.add_argument("--import-rows", type=int, default=100_000)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-xlarge-") as folder_name:
        folder = Path(folder_name)
        store = args.store
        if store is None:
            # built where --keep says (so a failure later keeps the half hour of building)
            store = args.keep if args.keep is not None else folder / "xlarge.db"
            seconds = build(store)
            met = seconds <= BUILD_TARGET_S
            ok = ok and met
            size_mb = store.stat().st_size / 1e6
            report("B9", f"demo --scale xlarge built ({size_mb:,.0f} MB)", f"{seconds:.0f} s",
                   "—", None, f"<= {BUILD_TARGET_S / 60:.0f} min", met)  # fmt: skip
        ok = relabelled("usage_summary.py", str(store)) and ok
        ok = relabelled("call_log.py", str(store)) and ok
        ok = relabelled("export_call_log.py", str(store)) and ok
        pdf_seconds = statement_seconds(store, "2026-10", folder / "statement.pdf")
        met = pdf_seconds < STATEMENT_TARGET_S
        ok = ok and met
        report("B9", "statement PDF of 2026-10 (the whole command)", f"{pdf_seconds:.1f} s", "—",
               None, f"< {STATEMENT_TARGET_S:g} s", met)  # fmt: skip

        calls = folder / "new-calls.csv"
        write_calls(calls, args.import_rows)
        # B3's file names its calls call-0000001…, as the demo does: new ids, or the import
        # into the xlarge store is (rightly) refused as a changed re-import.
        text = calls.read_text(encoding="utf-8")
        calls.write_text(text.replace("\ncall-", "\nb9-call-"), encoding="utf-8")
        empty = fresh_store(folder, 0)
        empty.dispose()
        small = import_seconds(str(folder / "store-0.db"), calls)
        big = import_seconds(str(store), calls)
        growth = big / small
        met = growth <= IMPORT_GROWTH
        ok = ok and met
        report("B9", f"import of {args.import_rows:,} new calls: into xlarge vs an empty store",
               f"{big:.1f} s", f"{small:.1f} s", growth, f"<= {IMPORT_GROWTH:.2f}x",
               met)  # fmt: skip
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
