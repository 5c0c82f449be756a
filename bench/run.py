"""Run every benchmark (PERFORMANCE.md) and print one table of the results.

    python bench/run.py [--store PATH] [--only B4 B6] [--keep PATH]

Without ``--store`` the large demo store (a million calls) is built once into a temporary
folder and every benchmark that needs it reads that same file (``--keep`` saves it for the next
run). Each script runs in a process of its own, so one's memory peak or imports never colour
another's, and prints ``BENCH {...}`` lines (bench/results.py) that this runner collects. A
figure without a script is listed as "not measured". Exit status 0 when every measured figure
meets its target.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from results import build_demo, parse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STORE = "{store}"  # replaced by the large store's path

# id -> (what PERFORMANCE.md measures, the script and its arguments)
BENCHMARKS: dict[str, tuple[str, list[str] | None]] = {
    "B1": ("cold start to the painted Usage tab", ["gui_start.py", STORE]),
    "B2": ("Usage tab summary for one month", ["usage_summary.py", STORE]),
    "B3": ("import 1,000,000 call rows from CSV", ["import_calls.py"]),
    "B4": ("export 1,000,000 call-log rows to CSV", ["export_call_log.py", STORE]),
    "B5": ("statement PDF with 10,000 lines", ["statement_pdf.py"]),
    "B6": ("call-log table: open, last row, sort by cost", ["call_log.py", STORE]),
    "B7": ("Usage summary through the remote store", ["remote_usage_summary.py", STORE]),
    "B8": ("GUI memory with the large store on every tab", ["gui_memory.py", STORE]),
    "B9": ("the same figures on demo --scale xlarge (10M calls)", ["xlarge.py", "--large", STORE]),
    "B10": ("server load: 16 clients, 90/10, PostgreSQL, 2 workers", ["server_load.py"]),
    "B20": ("explain a conversation product's charge", ["explain_records.py", STORE]),
    "B13": ("store size per call against the CSV", ["store_size.py", STORE]),
}
HELPERS = {"run.py", "results.py", "demo_large.py"}
TIMEOUT_SECONDS = 3600  # B9 builds a ten-million-call store first


def run_script(bench_id: str, command: list[str], store: Path) -> list[dict[str, Any]]:
    args = [str(store) if part == STORE else part for part in command]
    print(f"{bench_id}: python bench/{' '.join(args)}", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(
            [sys.executable, str(HERE / args[0]), *args[1:]],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        return [_failed(bench_id, f"no result within {TIMEOUT_SECONDS // 60} minutes")]
    for line in done.stdout.splitlines():
        if parse(line) is None and line.strip():
            print(f"  {line}", file=sys.stderr)
    results = [r for r in map(parse, done.stdout.splitlines()) if r is not None]
    if not results:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return [_failed(bench_id, f"the script failed (exit {done.returncode}): {last}")]
    return results


def _failed(bench_id: str, why: str) -> dict[str, Any]:
    return {"id": bench_id, "figure": why, "ours": "—", "baseline": "—", "ratio": None,
            "target": "—", "ok": False}  # fmt: skip


def table(rows: list[dict[str, Any]]) -> str:
    headings = ("id", "figure", "ours", "baseline", "ratio", "target", "result")
    cells = [
        (
            r["id"],
            r["figure"],
            r["ours"],
            r["baseline"],
            "—" if r.get("ratio") is None else f"{r['ratio']:.2f}",
            r["target"],
            r.get("result") or ("OK" if r["ok"] else "MISS"),
        )
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in [headings, *cells]) for i in range(len(headings))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headings, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--store", type=Path, help="an existing large demo store to read")
    parser.add_argument("--keep", type=Path, help="save the store built here for next time")
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these (e.g. B4 B6)")
    args = parser.parse_args()
    unknown = sorted(
        p.name for p in HERE.glob("*.py")
        if p.name not in HELPERS and p.name not in {c[0] for _, c in BENCHMARKS.values() if c}
    )  # fmt: skip
    for name in unknown:
        print(f"bench/{name} is not in run.py's BENCHMARKS: not run", file=sys.stderr)
    chosen = {b.upper() for b in args.only} if args.only else set(BENCHMARKS)
    needs_store = any(
        command and STORE in command
        for bench_id, (_, command) in BENCHMARKS.items()
        if bench_id in chosen
    )
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        store = args.store
        if store is None and needs_store:
            store = folder / "large.db"
            build_demo(store, "large")
            if args.keep:
                shutil.copyfile(store, args.keep)
        rows: list[dict[str, Any]] = []
        for bench_id, (figure, command) in BENCHMARKS.items():
            if bench_id not in chosen:
                continue
            if command is None or not (HERE / command[0]).exists():
                rows.append({"id": bench_id, "figure": figure, "ours": "—", "baseline": "—",
                             "ratio": None, "target": "—", "ok": True,
                             "result": "not measured (no script)"})  # fmt: skip
                continue
            assert store is not None or STORE not in command
            rows.extend(run_script(bench_id, command, store or folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(table(rows))
    measured = [r for r in rows if not r.get("result")]
    return 0 if all(r["ok"] for r in measured) else 1


if __name__ == "__main__":
    raise SystemExit(main())
