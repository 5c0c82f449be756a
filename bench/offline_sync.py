"""B8: offline work on a shared workspace (PRODUCT §13) against a real server on 127.0.0.1.

    python bench/offline_sync.py [STORE] [--ops 1000] [--new 10000] [--parts abcdef]

Without STORE the large demo store (PERFORMANCE.md's workload, 1M calls) is built first in a
temporary folder. The server is ``billing-desktop serve`` in its own process.

* B8a first sync (every table into an empty replica) against the export of the whole call
  log to CSV through the same server (``export call-logs`` on a remote store; target: 3x);
* B8b the first sync cut after a third of its chunks, then resumed: the chunks fetched again
  (target: none of those already held);
* B8c incremental sync after ``--new`` calls are added on the server (target < 2 s), by the
  server's watermark (only the rows stamped since are fetched); then, as this run's baseline,
  the same sync of another ``--new`` calls with the replica's watermarks forgotten (every
  table of records compared by digests, as before revision 0014);
* B8d preview and B8e replay of ``--ops`` queued changes (target < 20 s each);
* B8f peak memory (maximum resident set) of the first sync, run in a process of its own that
  does nothing else (target < 300 MB).

``--parts`` picks the figures to measure (B8a and B8f are one run; B8c needs it first). The
first sync runs in a child process started as ``offline_sync.py --first-sync URL FOLDER``,
with the token in the environment (never in an argument); it prints one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from remote_usage_summary import cli, free_port, revoke_token, wait_until_up
from results import build_demo, report

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import Unavailable
from billing_desktop.remote.client import HttpStore, export_call_log_remotely
from billing_desktop.remote.replica import Replica, ReplicaStore
from billing_desktop.server.state import create_token
from billing_desktop.services import overview, units, usage_data
from billing_desktop.services.context import resolve_actor
from billing_desktop.store.sql import tables as t


def timed(work: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


TOKEN_ENV = "BENCH_OFFLINE_TOKEN"


def first_sync_alone(url: str, folder: Path) -> int:
    """The child process of B8a/B8f: a first sync into ``folder``, then one JSON line."""
    store = ReplicaStore(url, os.environ[TOKEN_ENV], folder=folder, offline=False)
    seconds, done = timed(store.sync)
    store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rows": done.fetched_rows,
                      "chunks": done.fetched_chunks, "peak_mb": peak_mb}))  # fmt: skip
    return 0


def add_calls(path: Path, count: int, prefix: str = "bench-new") -> None:
    store = SqlStore(f"sqlite:///{path.resolve()}")
    with store(write=True) as uow:
        start = datetime(2026, 11, 20, 9, tzinfo=UTC)
        uow.connection.execute(
            t.calls.insert(),
            [
                {
                    "id": f"{prefix}-{n:06d}",
                    "type": "outbound",
                    "triggered_by": "agent",
                    "trigger_source": "bench",
                    "candidate_id": None,
                    "campaign": "bench",
                    "number": None,
                    "user_id": None,
                    "started_at": start + timedelta(seconds=n),
                    "duration_seconds": 60,
                }
                for n in range(count)
            ],
        )
        uow.versions.bump("records")
        uow.commit()
    store.dispose()


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--first-sync":
        return first_sync_alone(sys.argv[2], Path(sys.argv[3]))
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("store", type=Path, nargs="?", help="default: build the large demo")
    parser.add_argument("--ops", type=int, default=1000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--parts", default="abcdef", help="which of B8a-f to measure")
    args = parser.parse_args()
    parts = set(args.parts)
    all_ok = True
    with tempfile.TemporaryDirectory(prefix="bench-offline-") as folder:
        path = args.store or Path(folder) / "large.db"
        if args.store is None:
            build_demo(path, "large")
        local = SqlStore(f"sqlite:///{path.resolve()}")
        with local() as uow:
            actor = resolve_actor(uow, None)
            assert actor.user_id is not None
            token = create_token(uow.connection, actor.user_id, "bench")
            uow.commit()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            cli("--store", str(path), "serve", "--port", str(port)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(url, server)
            # B8a/B8f: the first sync, alone in a process of its own.
            replica_folder = Path(folder) / "replica"
            child = subprocess.run(
                [sys.executable, __file__, "--first-sync", url, str(replica_folder)],
                env={**os.environ, TOKEN_ENV: token},
                capture_output=True,
                text=True,
                check=True,
            )
            first_run = json.loads(child.stdout.strip().splitlines()[-1])
            ours, peak_mb = float(first_run["seconds"]), float(first_run["peak_mb"])
            first_chunks = int(first_run["chunks"])
            if "a" in parts:
                out = Path(folder) / "calls.csv"
                remote = HttpStore(url, token)
                query = usage_data.CallQuery(date(2000, 1, 1), date(2026, 12, 31))
                baseline, _ = timed(lambda: export_call_log_remotely(remote, None, query, out))
                remote.close()
                ok = ours <= 3 * baseline
                all_ok &= ok
                print(f"B8a first sync {ours:.1f} s ({first_run['rows']} rows), export "
                      f"call-logs {baseline:.1f} s, ratio {ours / baseline:.2f}")  # fmt: skip
                report("B8a", "first sync of the store (127.0.0.1)", f"{ours:.1f} s",
                       f"{baseline:.1f} s", ours / baseline, "<= 3x", ok)  # fmt: skip
            ok = peak_mb < 300
            all_ok &= ok
            report("B8f", "peak memory of a first sync in its own process", f"{peak_mb:.0f} MB",
                   f"{ours:.1f} s, {first_run['rows']} rows", None, "< 300 MB", ok)  # fmt: skip

            if "b" in parts:  # B8b: cut after a third of the chunks, then resumed.
                cut = ReplicaStore(url, token, folder=Path(folder) / "cut")
                real = cut._fetch_batch
                batches: list[int] = []
                limit = max(first_chunks // 3 // 2, 1)

                def cutting(replica: Any, batch: Any, sync_report: Any) -> None:
                    if len(batches) >= limit:
                        raise Unavailable("cut")
                    batches.append(len(batch))
                    real(replica, batch, sync_report)

                cut._fetch_batch = cutting  # type: ignore[method-assign]
                with contextlib.suppress(Unavailable):
                    cut.sync()
                cut._fetch_batch = real  # type: ignore[method-assign]
                resumed_s, resumed = timed(cut.sync)
                again = resumed.fetched_chunks + sum(batches) - first_chunks
                ok = again == 0
                all_ok &= ok
                report("B8b", "first sync cut after a third, resumed: chunks fetched twice",
                       str(again), f"{resumed_s:.1f} s to finish", None, "0", ok)  # fmt: skip
                cut.close()

            first = ReplicaStore(url, token, folder=replica_folder)
            if "c" in parts:  # B8c: incremental, by the watermark, then by digests.
                # As a background sync finds it: the replica open, synced a moment ago (the
                # open — a check of the whole file — and that sync are reported on their own).
                opened, _ = timed(first.sync)
                report("B8c0", "open the replica and sync with nothing new", f"{opened:.2f} s",
                       "", None, "", True, "info")  # fmt: skip
                add_calls(path, args.new)
                incremental, inc = timed(first.sync)
                add_calls(path, args.new, prefix="bench-digest")
                with first.replica.connect() as conn:  # forget the watermarks
                    Replica.set_state(conn, "watermarks", {})
                by_digest, dig = timed(first.sync)
                ok = incremental < 2.0 and inc.fetched_rows == args.new
                all_ok &= ok
                report("B8c", f"incremental sync of {args.new} new calls ({inc.fetched_rows} "
                       f"rows, {inc.fetched_pages} requests)", f"{incremental:.2f} s",
                       f"{by_digest:.2f} s by digests ({dig.fetched_rows} rows)",
                       incremental / by_digest, "< 2 s", ok)  # fmt: skip

            if "d" in parts or "e" in parts:  # B8d/e: preview and replay of queued changes.
                me = first.read(overview.workspace, None).actor
                unit = first.read(units.units_overview, me).rows[0]
                first.forced_offline = True
                for n in range(args.ops):
                    first.write(units.rename_unit, me, unit.id, f"Bench {n}")
                first.forced_offline = False
                preview_s, verdicts = timed(first.preview)
                ok = preview_s < 20 and all(v["verdict"] == "applies" for v in verdicts)
                all_ok &= ok
                report("B8d", f"preview of {args.ops} queued changes", f"{preview_s:.1f} s", "",
                       None, "< 20 s", ok)  # fmt: skip
                replay_s, replayed = timed(first.replay)
                ok = replay_s < 20 and replayed.applied == args.ops
                all_ok &= ok
                report("B8e", f"replay of {args.ops} queued changes", f"{replay_s:.1f} s", "",
                       None, "< 20 s", ok)  # fmt: skip
            first.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
            with local() as uow:
                revoke_token(uow.connection, token)
                uow.commit()
            local.dispose()
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
