"""Starting the API server: ``billing-desktop --store URL serve``."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI

from billing_desktop.bootstrap import SqlStore
from billing_desktop.remote.plain_http import is_loopback_host
from billing_desktop.server.app import create_app

STORE_VARIABLE = "BILLING_DESKTOP_SERVE_STORE"


# Requests one server process runs at once (the rest wait their turn in its event loop;
# ``THREADS_VARIABLE`` changes it). The use cases are Python: threads beyond a few only take
# the interpreter lock from each other, and a write holding its resource's version (and, as
# it commits, the audit chain's lock) waits its turn at the interpreter after every database
# round trip while the other writes of that resource queue behind it. bench/server_load.py
# (16 clients, 2 workers, PostgreSQL, this 2-core machine, one run each, minutes apart):
#
#   threads   requests/s   read p99   write p99
#   8         226-231/s    288-319    556-655 ms
#   6         194/s        231        253 ms      (a run that got 1.2 of the 2 cores)
#   4         252-278/s    244-259    272-305 ms
#   3         281-285/s    226-234    240-244 ms
#   2         292/s        219        230 ms
#
# 4: every target met with margin, and a slow request (an export's page, a statement) still
# leaves three threads to the others. With AnyIO's default of 40, an earlier run had write
# median/p99 639/2,431 ms.
THREADS_VARIABLE = "BILLING_DESKTOP_SERVE_THREADS"
THREADS = 4
# The database connections each server process keeps are as many (a request's sign-in and
# endpoint run in those threads), and as many more at a peak: two workers, at most 16 of
# PostgreSQL's default 100.


def server_threads() -> int:
    given = os.environ.get(THREADS_VARIABLE, "").strip()
    if not given:
        return THREADS
    if not given.isdigit() or not 1 <= int(given) <= 256:
        raise SystemExit(f"{THREADS_VARIABLE}={given!r}: give a number of threads from 1 to 256")
    return int(given)


def create() -> FastAPI:
    """The app for one server process (uvicorn's factory: each worker opens the store)."""
    threads = server_threads()
    app = create_app(SqlStore(os.environ[STORE_VARIABLE], create=False, pool_size=threads))

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    app.router.lifespan_context = lifespan
    return app


def plain_http_warning(host: str, certfile: Path | None) -> str | None:
    """What ``serve`` says when it would take tokens over plain HTTP from other machines."""
    if certfile is not None or is_loopback_host(host):
        return None
    return (
        f"warning: serving plain HTTP on {host}: API tokens and billing data cross the network "
        "unencrypted. Give --certfile and --keyfile, or put a TLS proxy in front and listen "
        "on 127.0.0.1. (Clients refuse to send a token to http:// on another machine unless "
        "given --allow-insecure-http.)"
    )


def serve(
    url: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    workers: int = 1,
    certfile: Path | None = None,
    keyfile: Path | None = None,
) -> None:
    import uvicorn

    SqlStore(url, create=False).dispose()  # open once first: migrations run, a bad store fails
    os.environ[STORE_VARIABLE] = url
    uvicorn.run(
        "billing_desktop.server.main:create",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        log_level="info",
        # The token is in the Authorization header, which uvicorn never logs.
        access_log=True,
    )
