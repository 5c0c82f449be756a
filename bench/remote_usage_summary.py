"""B7: the Usage tab's month summary through the remote store, against the same call on the
local store.

    python bench/remote_usage_summary.py [STORE] [--month 2026-10] [--runs 20]

Without STORE the large demo store (PERFORMANCE.md's workload) is built first in a temporary
folder (``billing-desktop demo --scale large --today 2026-11-21``, about half a minute).

Ours: ``services.billing.usage_summary`` through ``HttpStore.read`` against a real
``billing-desktop serve`` on 127.0.0.1 (its own process: sign-in check, the service, JSON both
ways, the HTTP round trip), median of ``--runs``. Baseline: the same call through
``SqlStore.read`` on the same file, median of ``--runs``. Both warm (three untimed calls
first). Target: ratio (ours / baseline) <= 2.

Both sides compute the summary each time (``BILLING_DESKTOP_SUMMARY_CACHE=0`` here and in the
server): the figure is the remote store's overhead on the same work. With the summary kept by
the store's change token (the default), the local call is a look-up well under a millisecond
and the remote one costs the HTTP round trip.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa
from results import build_demo, cli, median_seconds, report

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.periods import Month
from billing_desktop.remote.client import HttpStore
from billing_desktop.server.state import create_token, hash_token
from billing_desktop.services.billing import SUMMARY_CACHE_ENV, usage_summary
from billing_desktop.services.context import resolve_actor
from billing_desktop.store.sql import tables as t

TARGET_RATIO = 2.0
WARM_UP = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server at {url} did not answer within {seconds:.0f} s")


def measure(path: Path, month: Month, runs: int) -> tuple[float, float]:
    """(remote median, local median) in seconds."""
    local = SqlStore(f"sqlite:///{path.resolve()}")
    with local() as uow:
        if uow.account.get() is None:
            raise SystemExit(f"{path}: no workspace in this store")
        actor = resolve_actor(uow, None)
        assert actor.user_id is not None
        token = create_token(uow.connection, actor.user_id, "bench")
        uow.commit()

    os.environ[SUMMARY_CACHE_ENV] = "0"  # this process and the server it starts
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        cli("--store", str(path), "serve", "--port", str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(url, server)
        remote = HttpStore(url, token)
        try:
            expected = local.read(usage_summary, actor, month)
            if remote.read(usage_summary, None, month) != expected:
                raise SystemExit("the remote summary differs from the local one")
            for _ in range(WARM_UP):
                local.read(usage_summary, actor, month)
                remote.read(usage_summary, None, month)
            baseline = median_seconds(lambda: local.read(usage_summary, actor, month), runs)
            ours = median_seconds(lambda: remote.read(usage_summary, None, month), runs)
        finally:
            remote.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        with local() as uow:  # the bench's token signs nobody in afterwards
            revoke_token(uow.connection, token)
            uow.commit()
        local.dispose()
    return ours, baseline


def revoke_token(conn: sa.Connection, token: str) -> None:
    c = t.api_tokens.c
    conn.execute(
        t.api_tokens.update()
        .where(c.token_hash == hash_token(token))
        .values(revoked_at=datetime.now(UTC))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("store", type=Path, nargs="?", help="default: build the large demo")
    parser.add_argument("--month", default=None, help="YYYY-MM (default: the previous month)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    month = Month.parse(args.month) if args.month else Month.of(date.today()).plus(-1)

    with tempfile.TemporaryDirectory(prefix="bench-remote-") as folder:
        path = args.store
        if path is None:
            path = Path(folder) / "large.db"
            build_demo(path, "large")
        ours, baseline = measure(path, month, args.runs)

    ratio = ours / baseline
    ok = ratio <= TARGET_RATIO
    print(
        f"B7 usage summary {month} through the server on 127.0.0.1: ours {ours * 1000:.1f} ms, "
        f"local store {baseline * 1000:.1f} ms, ratio {ratio:.2f} (target <= {TARGET_RATIO:g}) "
        f"{'OK' if ok else 'MISSED'}"
    )
    report(
        "B7",
        f"usage summary {month} through the remote store (127.0.0.1), median of {args.runs}",
        f"{ours * 1000:.1f} ms",
        f"{baseline * 1000:.1f} ms",
        ratio,
        f"<= {TARGET_RATIO:g}x",
        ok,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
