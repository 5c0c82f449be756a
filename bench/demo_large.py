"""Build the large demo store (PERFORMANCE.md's workload) and report how long it took.

    python bench/demo_large.py [--today 2026-11-21] [--seed 7] [--keep PATH] [--profile FILE]

Builds in a temporary folder (deleted afterwards unless ``--keep`` names where to put the
store), then prints the wall time of ``build_demo`` and the rows per table. The budget is
three minutes on a two-core machine. ``--profile`` writes cProfile statistics for a look at
where the time goes (generation, row mapping, SQLAlchemy, SQLite).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from billing_desktop.bootstrap import SqlStore
from billing_desktop.services.demo import build_demo

BUDGET_SECONDS = 180.0
KINDS = (
    "products", "commits", "users", "agents", "numbers", "plans", "apps", "conversations",
    "alerts", "calls", "sms", "interviews", "recordings", "storage", "invoices",
)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description="Build the large demo store and time it.")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 21))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="save the built store here")
    parser.add_argument("--profile", type=Path, help="write cProfile statistics to this file")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="demo-large-"))
    path = folder / "large.db"
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    try:
        store = SqlStore(f"sqlite:///{path}")
        opened = time.perf_counter()
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        report = build_demo(store, seed=args.seed, scale="large", today=args.today,
                            progress=progress)  # fmt: skip
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        wall = time.perf_counter() - opened
        with store() as uow:
            counts = {kind: getattr(uow, kind).count() for kind in KINDS}
            counts["units"] = uow.units.count()
            counts["ledger"] = len(uow.ledger.all())
        store.dispose()
        size = sum(f.stat().st_size for f in folder.iterdir())
        print(report.summary())
        print(f"build_demo wall time: {wall:.1f} s (budget {BUDGET_SECONDS:.0f} s)")
        print(f"store size: {size / 1e6:.0f} MB")
        width = max(len(k) for k in counts)
        for kind, count in counts.items():
            print(f"  {kind:<{width}} {count:>10,}")
        if args.keep:
            args.keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), args.keep)
            print(f"store kept at {args.keep}")
        return 0 if wall <= BUDGET_SECONDS else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
