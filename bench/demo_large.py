"""Build the large demo store (PERFORMANCE.md's workload) and report how long it took.

    python bench/demo_large.py [--scale large] [--months 3] [--today 2026-11-21] [--seed 7]
                               [--keep PATH] [--profile FILE]

Builds in a temporary folder (deleted afterwards unless ``--keep`` names where to put the
store), then prints the wall time of ``build_demo``, the time of each phase (the set-up, each
kind of record, the indexes and the rest) and the rows per table. The budget is three minutes
for the large scale on a two-core machine; ``--scale xlarge`` (B9) has ten. ``--months 1``
builds a third of the records, for a quicker look. ``--profile`` writes cProfile statistics
for a look at where the time goes (generation, row mapping, SQLite).
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
from billing_desktop.services.task_state import Progress, TaskState

BUDGET_SECONDS = {"small": 180.0, "large": 180.0, "xlarge": 600.0}
KINDS = (
    "products", "commits", "users", "agents", "numbers", "plans", "apps", "conversations",
    "alerts", "calls", "sms", "interviews", "recordings", "storage", "invoices",
)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description="Build the large demo store and time it.")
    parser.add_argument("--scale", choices=tuple(BUDGET_SECONDS), default="large")
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 21))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="save the built store here")
    parser.add_argument("--profile", type=Path, help="write cProfile statistics to this file")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="demo-large-"))
    path = folder / "large.db"
    started = time.perf_counter()

    phases: dict[str, float] = {}  # phase -> when it ended (seconds since the start)
    current = ["set-up"]

    def progress(step: Progress) -> None:
        phase = step.text.split(":")[0] or current[0]
        now = time.perf_counter() - opened
        if phase != current[0]:
            phases[current[0]] = now
            current[0] = phase
        print(f"[{time.perf_counter() - started:7.1f} s] {step.text}", file=sys.stderr, flush=True)

    try:
        store = SqlStore(f"sqlite:///{path}", create=True)
        opened = time.perf_counter()
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        report = build_demo(store, seed=args.seed, scale=args.scale, months=args.months,
                            today=args.today, state=TaskState(progress))  # fmt: skip
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        wall = time.perf_counter() - opened
        phases[current[0]] = wall
        with store() as uow:
            counts = {kind: getattr(uow, kind).count() for kind in KINDS}
            counts["units"] = uow.units.count()
            counts["ledger"] = len(uow.ledger.all())
        store.dispose()
        size = sum(f.stat().st_size for f in folder.iterdir())
        print(report.summary())
        budget = BUDGET_SECONDS[args.scale]
        print(f"build_demo wall time: {wall:.1f} s (budget {budget:.0f} s at 3 months)")
        began = 0.0
        for phase, ended in phases.items():
            print(f"  phase {phase:<22} {ended - began:7.1f} s")
            began = ended
        print(f"store size: {size / 1e6:.0f} MB")
        width = max(len(k) for k in counts)
        for kind, count in counts.items():
            print(f"  {kind:<{width}} {count:>10,}")
        if args.keep:
            args.keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), args.keep)
            print(f"store kept at {args.keep}")
        return 0 if wall <= budget else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
