"""A TCP proxy between a client and a live server that can drop, stall or cut connections.

Modes (``proxy.mode``): ``"pass"`` forwards both ways; ``"drop"`` closes every new connection at
once (a server that is gone); ``"stall"`` accepts and never answers (a dead network: the client
times out); ``"cut"`` forwards the request and closes the connection after ``cut_after`` bytes
of the answer (a connection lost mid-response, after the server has done the work); ``"slow"``
forwards everything but holds each piece of an answer ``delay`` seconds first (a slow link: the
server has done the work well before the client hears of it).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class FaultProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._mode = "pass"
        self.cut_after = 20
        self.delay = 0.5
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._stop = threading.Event()
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True, name="fault-proxy")
        self._thread.start()

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        """Takes effect at once: the connections open now are closed (a client's next request
        opens a new one, which meets the new mode)."""
        self._mode = mode
        self.close_connections()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            mode = self.mode
            if mode == "drop":
                client.close()
                continue
            self._open.append(client)
            if mode == "stall":
                continue  # held open, never answered, closed at the end
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            self._open.append(upstream)
            limit = self.cut_after if mode == "cut" else None
            delay = self.delay if mode == "slow" else 0.0
            threading.Thread(target=self._pipe, args=(client, upstream, None), daemon=True).start()
            threading.Thread(
                target=self._pipe, args=(upstream, client, limit, delay), daemon=True
            ).start()

    def _pipe(
        self, source: socket.socket, sink: socket.socket, limit: int | None, delay: float = 0.0
    ) -> None:
        sent = 0
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if delay:
                    time.sleep(delay)
                if limit is not None and sent + len(data) >= limit:
                    sink.sendall(data[: max(limit - sent, 0)])
                    break
                sink.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def close_connections(self) -> None:
        """Close every connection open now (the server died under them)."""
        for sock in self._open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._open.clear()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        for sock in self._open:
            with contextlib.suppress(OSError):
                sock.close()
        self._thread.join(timeout=2)


@contextmanager
def fault_proxy(server_url: str) -> Iterator[FaultProxy]:
    port = int(server_url.rsplit(":", 1)[1])
    proxy = FaultProxy(port)
    try:
        yield proxy
    finally:
        proxy.close()
