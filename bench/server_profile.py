"""Where one API request's time goes (B10's per-request overhead), in this process.

    python bench/server_profile.py [--postgres] [--requests 200] [--profile] [--top 40]

The API app (``server.app.create_app``) on the demo workspace (SQLite in a temporary folder,
or with ``--postgres`` a throwaway PostgreSQL cluster, tests/pg_cluster.py) is called through
httpx's ASGI transport, one request at a time: the same requests as ``bench/server_load.py``
(the Usage summary, the units overview, the first call-log page, quotas, the invoice history,
and a unit write). No sockets, no uvicorn: what is measured is the app itself — the gate's
sign-in, FastAPI's validation, the unit of work, the use case, the JSON.

Printed: the median time per request of each path; with ``--profile``, cProfile's table over
all the requests (worker threads run inline, so one profiler sees everything) and the time
split by package (starlette/fastapi, pydantic, sqlalchemy, the database driver, our code).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server_load import READS, WRITE_PATH  # noqa: E402

from billing_desktop.bootstrap import SqlStore  # noqa: E402
from billing_desktop.server.app import create_app  # noqa: E402
from billing_desktop.server.state import create_token  # noqa: E402
from billing_desktop.services.context import resolve_actor  # noqa: E402
from billing_desktop.services.demo import build_demo  # noqa: E402

TODAY = "2026-11-21"


async def _inline(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
    return func(*args)


def _package(filename: str) -> str:
    for name in ("starlette", "fastapi", "pydantic", "sqlalchemy", "psycopg", "httpx", "anyio",
                 "httpcore", "h11", "billing_desktop/server", "billing_desktop/store",
                 "billing_desktop/services", "billing_desktop/api", "billing_desktop/domain",
                 "sqlite3", "json", "asyncio", "logging"):  # fmt: skip
        if f"/{name}/" in filename or filename.endswith(f"/{name}.py"):
            return name
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    return "other"


def by_package(stats: pstats.Stats) -> dict[str, float]:
    """Own time (tottime) per package."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        package = _package(filename)
        if package == "builtins":
            # A C function: put it with what it does, where the name says.
            text = name.lower()
            if "psycopg" in text or "pq" in text:
                package = "psycopg (C)"
            elif "sqlite3" in text:
                package = "sqlite3 (C)"
            elif "pydantic" in text or "validate" in text or "serializ" in text:
                package = "pydantic (C)"
            else:
                package = "builtins/C"
        totals[package] += row[2]
    return dict(totals)


async def run(url: str, token: str, requests: int, profile: bool, top: int, show_sql: bool) -> None:
    store = SqlStore(url, create=False)
    app = create_app(store)
    statements: list[str] = []
    sa.event.listen(
        store.engine, "before_cursor_execute", lambda *a: statements.append(str(a[2])[:100])
    )
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as http:
        calls = [(path, body, {}) for path, body in READS]
        calls.append((WRITE_PATH, None, {"If-Match": "*"}))

        async def send(path: str, body: Any, extra: dict[str, str]) -> float:
            if body is None:
                body = {"name": f"Load {uuid.uuid4().hex[:12]}"}
                extra = {**extra, "Idempotency-Key": str(uuid.uuid4())}
            started = time.perf_counter()
            response = await http.post(path, json=body, headers=extra)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (path, response.status_code, response.text)
            return elapsed

        for path, body, extra in calls:  # warm: imports, caches, the pool
            for _ in range(3):
                await send(path, body, extra)
        times: dict[str, list[float]] = defaultdict(list)
        counts: dict[str, list[int]] = defaultdict(list)
        shown: set[str] = set()
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        cpu_started = time.process_time()
        for n in range(requests):
            path, body, extra = calls[n % len(calls)]
            statements.clear()
            times[path].append(await send(path, body, extra))
            counts[path].append(len(statements))
            if show_sql and path not in shown:
                shown.add(path)
                print(path, *statements, sep="\n    ")
        cpu = (time.process_time() - cpu_started) / requests
        if profiler is not None:
            profiler.disable()
    store.dispose()
    print(f"{'path':48} {'n':>4} {'median ms':>10} {'p90 ms':>8} {'SQL':>5}")
    for path, values in times.items():
        p90 = statistics.quantiles(values, n=10)[8] if len(values) > 2 else max(values)
        sql = statistics.mean(counts[path])
        print(f"{path:48} {len(values):4} {statistics.median(values) * 1000:10.1f} "
              f"{p90 * 1000:8.1f} {sql:5.1f}")  # fmt: skip
    every = [v for values in times.values() for v in values]
    print(f"{'all':48} {len(every):4} {statistics.median(every) * 1000:10.1f}")
    print(f"CPU time of this process per request: {cpu * 1000:.2f} ms (the app; with "
          "--postgres the database's own time is not in it)")  # fmt: skip
    if profiler is not None:
        stats = pstats.Stats(profiler)
        total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
        print(f"\nown time by package over {requests} requests ({total * 1000 / requests:.1f} ms "
              "per request under the profiler):")  # fmt: skip
        for package, seconds in sorted(by_package(stats).items(), key=lambda kv: -kv[1]):
            print(f"  {package:28} {seconds * 1000 / requests:7.2f} ms/request "
                  f"{seconds / total:6.1%}")  # fmt: skip
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--show-sql", action="store_true", help="each path's statements, once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="server-profile-") as folder:
        cluster = None
        if args.postgres:
            from tests.pg_cluster import PgCluster

            cluster = PgCluster.start()
            url = cluster.url(cluster.create_database("profile"))
        else:
            url = f"sqlite:///{Path(folder) / 'demo.db'}"
        try:
            from datetime import date

            store = SqlStore(url, create=True)
            build_demo(store, seed=7, today=date.fromisoformat(TODAY))
            with store(write=True) as uow:
                actor = resolve_actor(uow, None)
                assert actor.user_id is not None
                token = create_token(uow.connection, actor.user_id, "bench")
                uow.commit()
            store.dispose()
            asyncio.run(run(url, token, args.requests, args.profile, args.top, args.show_sql))
        finally:
            if cluster is not None:
                cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
