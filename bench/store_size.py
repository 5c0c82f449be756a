"""B13: the store's size per call (the calls table and each of its indexes, SQLite's ``dbstat``)
against the call's CSV size (what ``export call-logs`` writes for the same calls).

    python bench/store_size.py STORE

The store is opened read-only. The CSV is written once by the export service into a temporary
folder (every call, the export's own columns). Prints the bytes per call of the table and of
each index, and the free pages the file holds (space a later import reuses; VACUUM returns it).
Target: (table + indexes) per call <= 2x the CSV per call.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from pathlib import Path

from results import report

from billing_desktop.bootstrap import open_store
from billing_desktop.services import usage_data
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.usage_data import CallQuery

TARGET_RATIO = 2.0


def sizes(store: Path) -> tuple[int, dict[str, int], int]:
    """(calls, bytes of the table and of each of its indexes, free bytes in the file)."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
        calls = int(conn.execute("SELECT count(*) FROM calls").fetchone()[0])
        objects = [
            "calls",
            *(
                str(name)
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls'"
                )
            ),
        ]
        found = {
            str(name): int(size)
            for name, size in conn.execute(
                f"SELECT name, sum(pgsize) FROM dbstat WHERE name IN "
                f"({', '.join('?' for _ in objects)}) GROUP BY name",
                objects,
            )
        }
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    return calls, found, int(free) * int(page)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("store", type=Path)
    args = parser.parse_args()
    calls, found, free = sizes(args.store)
    if not calls:
        raise SystemExit(f"{args.store}: no calls")
    store = open_store(str(args.store))
    with tempfile.TemporaryDirectory() as name:
        out = Path(name) / "calls.csv"
        with store() as uow:
            usage_data.export_call_log(uow, resolve_actor(uow, None), CallQuery(), out)
        csv_bytes = out.stat().st_size
    store.dispose()
    total = sum(found.values())
    per_call, csv_per_call = total / calls, csv_bytes / calls
    ratio = per_call / csv_per_call
    for name, size in sorted(found.items(), key=lambda item: -item[1]):
        print(f"  {name:32} {size / 1e6:8.1f} MB {size / calls:7.1f} bytes a call")
    print(
        f"B13 {calls:,} calls: table + {len(found) - 1} indexes {total / 1e6:.1f} MB = "
        f"{per_call:.0f} bytes a call; the exported CSV {csv_bytes / 1e6:.1f} MB = "
        f"{csv_per_call:.0f} bytes a call: {ratio:.2f}x (target <= {TARGET_RATIO}x); "
        f"{free / 1e6:.1f} MB of free pages in the file"
    )
    report("B13", "store size per call (calls table + its indexes)", f"{per_call:.0f} B",
           f"{csv_per_call:.0f} B (exported CSV per call)", ratio, f"<= {TARGET_RATIO}x",
           ratio <= TARGET_RATIO)  # fmt: skip
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
