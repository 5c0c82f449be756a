"""A real uvicorn server on 127.0.0.1 in front of a store, for tests of the remote store."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from billing_desktop.bootstrap import SqlStore
from billing_desktop.server.app import create_app
from billing_desktop.server.state import create_token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(
    store: SqlStore | None,
    certfile: Path | None = None,
    keyfile: Path | None = None,
    *,
    app: Any = None,
) -> Iterator[str]:
    """Serve ``store`` on a free port until the block ends; yields the base URL.

    ``app``: serve this ASGI app instead of ``create_app(store)`` (``store`` is then None)."""
    if app is None:
        assert store is not None, "give a store or an app"
        app = create_app(store)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    scheme = "https" if certfile else "http"
    try:
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def token_for(store: SqlStore, user_id: str) -> str:
    with store() as uow:
        token = create_token(uow.connection, user_id, "tests")
        uow.commit()
    return token
