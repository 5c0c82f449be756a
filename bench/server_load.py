"""B10: the server under load — 16 concurrent clients, 90 % reads / 10 % writes, PostgreSQL,
2 server workers, 60 s (PERFORMANCE.md's method: one run, figures from the whole run).

    python bench/server_load.py [--clients 16] [--seconds 60] [--workers 2] [--scale default]

A throwaway PostgreSQL cluster (tests/pg_cluster.py: initdb + pg_ctl on 127.0.0.1, fsync off
as a team server with a battery-backed disk would not need, durable enough for a benchmark) gets
the demo workspace (``billing-desktop demo``); ``billing-desktop serve --workers 2`` runs on
it. Each client is a thread with its own HTTP connection sending the API's real requests (the
JSON bodies the desktop's remote store sends, built with the same codec):

* reads (90 %), in turn: the Usage tab's summary, the Billing Units overview, the first page
  of the call log, the quota overview, the invoice history;
* writes (10 %): a new billing unit with a unique name, with an Idempotency-Key.

Like the remote store (``remote/client.HttpStore``), a client sends a read again with
``If-None-Match`` naming the tag of its last answer to it; a 304 is a success (its answer is
the one the client has). ``--unconditional`` leaves the header out (every read answered in
full), to compare.

Measured: requests per second over the run, read and write p99 latency, errors (any status
but 2xx; a 412 counts too), and afterwards that every acknowledged write is in the database
exactly once (the units' names are counted in PostgreSQL). Targets: >= 200 requests/s, read
p99 < 300 ms, write p99 < 500 ms, 0 errors, every write once.

The clients run in this process (threads; the server and PostgreSQL have the other cores):
on a 2-core machine all three share two cores, which the figure includes.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from remote_usage_summary import free_port, wait_until_up
from results import cli, report

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from billing_desktop.api.codec import codec_for  # noqa: E402
from billing_desktop.api.operations import operation_for  # noqa: E402
from billing_desktop.bootstrap import SqlStore  # noqa: E402
from billing_desktop.server.state import create_token  # noqa: E402
from billing_desktop.services import billing, quotas, statements, units, usage_data  # noqa: E402
from billing_desktop.services.context import resolve_actor  # noqa: E402
from billing_desktop.services.usage_data import CallQuery  # noqa: E402
from tests.pg_cluster import PgCluster  # noqa: E402

DEMO_TODAY = "2026-11-21"
WRITE_SHARE = 0.10
TARGET_RPS = 200.0
TARGET_READ_P99 = 0.300
TARGET_WRITE_P99 = 0.500
UNIT_PREFIX = "Load "


def _request(service: Any, *args: Any, **kwargs: Any) -> tuple[str, dict[str, Any]]:
    """The path and JSON body the remote store sends for ``service(uow, caller, *args)``
    (the caller is the token's user: not sent)."""
    operation = operation_for(service)
    assert operation is not None, service
    module, function = operation.name.split(".", 1)
    return f"/api/v1/{module}/{function}", codec_for(operation).encode_call(args, kwargs)


READS = [
    _request(billing.usage_summary),
    _request(units.units_overview),
    _request(usage_data.call_log_page, CallQuery(), 0, 100),
    _request(quotas.quota_overview),
    _request(statements.invoice_history),
]
WRITE_PATH, _ = _request(units.add_unit, "x")


@dataclass
class Tally:
    reads: list[float] = field(default_factory=list)
    by_path: dict[str, list[float]] = field(default_factory=dict)
    writes: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)  # unit names the server confirmed
    not_modified: int = 0  # reads answered 304


def client(
    url: str, token: str, number: int, until: float, tally: Tally, conditional: bool = True
) -> None:
    rng = random.Random(number)
    headers = {"Authorization": f"Bearer {token}"}
    written = 0
    tags: dict[str, str] = {}  # the tag of the last answer to each read
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
        while time.monotonic() < until:
            write = rng.random() < WRITE_SHARE
            if write:
                written += 1
                name = f"{UNIT_PREFIX}{number:02d}-{written:05d}"
                body = {"name": name}
                extra = {"Idempotency-Key": str(uuid.uuid4()), "If-Match": "*"}
                path = WRITE_PATH
            else:
                path, body = READS[rng.randrange(len(READS))]
                extra = {"If-None-Match": tags[path]} if conditional and path in tags else {}
            started = time.perf_counter()
            try:
                response = http.post(path, json=body, headers=extra)
            except httpx.HTTPError as exc:
                tally.errors.append(f"{path}: {type(exc).__name__}")
                continue
            elapsed = time.perf_counter() - started
            if response.status_code == 304 and not write and extra:
                tally.not_modified += 1
            elif not response.is_success:
                tally.errors.append(f"{path}: HTTP {response.status_code} {response.text[:120]}")
                continue
            if not write and "ETag" in response.headers:
                tags[path] = response.headers["ETag"]
            (tally.writes if write else tally.reads).append(elapsed)
            tally.by_path.setdefault(path, []).append(elapsed)
            if write:
                tally.acknowledged.append(name)


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes() -> dict[int, tuple[int, str, float]]:
    """Every process: pid -> (parent pid, command name, CPU seconds so far)."""
    found: dict[int, tuple[int, str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / _TICK)
    return found


def _tree(processes: dict[int, tuple[int, str, float]], root: int) -> set[int]:
    members = {root}
    grew = True
    while grew:
        grew = False
        for pid, (parent, _name, _cpu) in processes.items():
            if parent in members and pid not in members:
                members.add(pid)
                grew = True
    return members


def cpu_seconds(server: int, postmaster: int | None) -> dict[str, float]:
    """CPU seconds used so far by the server's processes, PostgreSQL's and this one (the
    clients); on Linux, else empty."""
    if not Path("/proc/self/stat").exists():
        return {}
    processes = _processes()
    server_cpu = sum(processes[p][2] for p in _tree(processes, server) if p in processes)
    pg_cpu = 0.0
    if postmaster is not None:
        pg_cpu = sum(processes[p][2] for p in _tree(processes, postmaster) if p in processes)
    own = os.times()
    return {"server": server_cpu, "postgres": pg_cpu, "clients": own.user + own.system}


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale", default=None, help="demo --scale (default: the demo's own)")
    parser.add_argument("--unconditional", action="store_true", help="reads without If-None-Match")
    args = parser.parse_args()

    cluster = PgCluster.start()
    server: subprocess.Popen[bytes] | None = None
    try:
        database = cluster.create_database("load")
        store_url = cluster.url(database)
        demo = ["--store", store_url, "demo", "--today", DEMO_TODAY]
        if args.scale:
            demo += ["--scale", args.scale]
        print("loading the demo into PostgreSQL …", file=sys.stderr, flush=True)
        subprocess.run(cli(*demo), check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        store = SqlStore(store_url)
        with store() as uow:
            actor = resolve_actor(uow, None)
            assert actor.user_id is not None
            token = create_token(uow.connection, actor.user_id, "bench")
            uow.commit()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            cli("--store", store_url, "serve", "--port", str(port), "--workers", str(args.workers)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
            env={**os.environ},
        )
        wait_until_up(url, server)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as warm:
            for path, body in READS:  # each worker's first request pays imports: not the figure
                for _ in range(args.workers * 2):
                    warm.post(path, json=body).raise_for_status()

        tally = Tally()
        pid_file = cluster.data / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0]) if pid_file.exists() else None
        cpu_before = cpu_seconds(server.pid, postmaster)
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        until = started + args.seconds
        threads = [
            threading.Thread(
                target=client, args=(url, token, n, until, tally, not args.unconditional)
            )
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        load_after = os.getloadavg()[0]
        cpu_after = cpu_seconds(server.pid, postmaster)

        with store() as uow:
            names = (
                uow.connection.execute(
                    sa.text("SELECT name FROM billing_units WHERE name LIKE :p"),
                    {"p": f"{UNIT_PREFIX}%"},
                )
                .scalars()
                .all()
            )
        store.dispose()
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        cluster.stop()

    done = len(tally.reads) + len(tally.writes)
    rps = done / elapsed
    read_p99, write_p99 = p99(tally.reads), p99(tally.writes)
    stored = sorted(names)
    once = stored == sorted(tally.acknowledged) and len(set(stored)) == len(stored)
    print(
        f"B10 {args.clients} clients, {args.workers} workers, {elapsed:.0f} s: {done:,} requests "
        f"({len(tally.writes):,} writes, {tally.not_modified:,} reads answered 304), "
        f"{rps:.0f}/s; read p99 {read_p99 * 1000:.0f} ms, write "
        f"p99 {write_p99 * 1000:.0f} ms; {len(tally.errors)} errors; {len(tally.acknowledged)} "
        f"acknowledged writes, {len(stored)} in the database "
        f"({'each once' if once else 'MISMATCH'})"
    )
    print(f"  load average (1 min) {load_before:.1f} before the run, {load_after:.1f} at its end "
          f"(this run's own processes included; {os.cpu_count()} cores)")  # fmt: skip
    if cpu_before and done:
        used = {k: cpu_after[k] - cpu_before[k] for k in cpu_before}
        per = {k: v * 1000 / done for k, v in used.items()}
        total = sum(per.values())
        print(f"  CPU per request: server {per['server']:.1f} ms, PostgreSQL "
              f"{per['postgres']:.1f} ms, clients {per['clients']:.1f} ms = {total:.1f} ms; "
              f"{sum(used.values()) / elapsed:.2f} of {os.cpu_count()} cores were ours "
              f"(the rest went to other work on the machine); all {os.cpu_count()} cores for "
              f"this alone: ~{(os.cpu_count() or 1) * 1000 / total:.0f} requests/s")  # fmt: skip
    for path, times in sorted(tally.by_path.items()):
        print(f"  {path}: {len(times)} requests, median {statistics.median(times) * 1000:.0f} ms, "
              f"p99 {p99(times) * 1000:.0f} ms")  # fmt: skip
    for error in tally.errors[:5]:
        print(f"  error: {error}")
    figure = (
        f"{args.clients} clients 90/10 on PostgreSQL, {args.workers} workers, {args.seconds:g} s"
    )
    report("B10", f"{figure}: requests/s", f"{rps:.0f}/s", "—", None, f">= {TARGET_RPS:g}/s",
           rps >= TARGET_RPS)  # fmt: skip
    report("B10", "read p99", f"{read_p99 * 1000:.0f} ms", "—", None,
           f"< {TARGET_READ_P99 * 1000:g} ms", read_p99 < TARGET_READ_P99)  # fmt: skip
    report("B10", "write p99", f"{write_p99 * 1000:.0f} ms", "—", None,
           f"< {TARGET_WRITE_P99 * 1000:g} ms", write_p99 < TARGET_WRITE_P99)  # fmt: skip
    report("B10", "errors; acknowledged writes stored once",
           f"{len(tally.errors)} errors; {len(stored)}/{len(tally.acknowledged)}", "—", None,
           "0; all once", not tally.errors and once)  # fmt: skip
    ok = rps >= TARGET_RPS and read_p99 < TARGET_READ_P99 and write_p99 < TARGET_WRITE_P99
    return 0 if ok and once and not tally.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
