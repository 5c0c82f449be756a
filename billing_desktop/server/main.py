"""Starting the API server: ``billing-desktop --store URL serve``."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from billing_desktop.bootstrap import SqlStore
from billing_desktop.remote.plain_http import is_loopback_host
from billing_desktop.server.app import create_app

STORE_VARIABLE = "BILLING_DESKTOP_SERVE_STORE"
# Database connections each server process keeps (and as many more at a peak, closed after):
# one per request running at once — a team's clients, 16 in bench/server_load.py. Two workers
# keep up to 64 of PostgreSQL's default 100.
POOL_SIZE = 16


def create() -> FastAPI:
    """The app for one server process (uvicorn's factory: each worker opens the store)."""
    return create_app(SqlStore(os.environ[STORE_VARIABLE], create=False, pool_size=POOL_SIZE))


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
