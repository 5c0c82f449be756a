"""The server's edges (issue 15 §4): the token before the body, body limits, token lifecycle
(expiry, last use, revoke on an open connection), failed sign-ins, plain HTTP.

Bodies are sent over raw sockets, so a test controls exactly what goes out and when, and a
counting layer between uvicorn and the app measures how many body bytes the server pulled:
"the token is checked before the body is read" is then a number (0), and "bodies above the
limit get 413" comes with "the server read at most the limit".
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa

from billing_desktop import cli
from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import StoreError
from billing_desktop.remote.client import HttpStore
from billing_desktop.remote.plain_http import INSECURE_HTTP_ENV, is_loopback_host
from billing_desktop.server.app import create_app
from billing_desktop.server.gate import Limits
from billing_desktop.server.state import create_token, hash_token
from billing_desktop.services import overview
from billing_desktop.store.sql import tables as t
from tests.live_server import live_server
from tests.server.conftest import Switch

API = "/api/v1"
MiB = 1 << 20
CHUNK = 64 * 1024
UVICORN_BUFFER = 64 * 1024 + 256 * 1024  # its high-water mark and one read of the socket


# --- plumbing: a counting server and raw HTTP/1.1 -------------------------------------------


@dataclass
class Counting:
    """An ASGI layer counting the request body bytes the app behind it pulled."""

    app: Any
    pulled: list[int] = field(default_factory=list)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.pulled.append(0)
        index = len(self.pulled) - 1

        async def counted() -> Any:
            message = await receive()
            self.pulled[index] += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@dataclass
class Served:
    url: str
    store: SqlStore
    users: Mapping[str, str]
    counting: Counting

    @property
    def address(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        assert parts.hostname and parts.port
        return parts.hostname, parts.port

    def token(self, role: str = "admin", **kwargs: Any) -> str:
        with self.store() as uow:
            token = create_token(uow.connection, self.users[role], "tests", **kwargs)
            uow.commit()
        return token


@pytest.fixture
def serve(
    demo_store: SqlStore, users: Mapping[str, str], switch_server: tuple[Switch, str]
) -> Iterator[Any]:
    """Put ``create_app(demo_store, limits)`` behind the session's server; returns Served."""
    switch, url = switch_server

    def start(limits: Limits | None = None) -> Served:
        counting = Counting(create_app(demo_store, limits))
        switch.app = counting
        return Served(url, demo_store, users, counting)

    yield start
    switch.app = None


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def read_reply(sock: socket.socket) -> Reply:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a reply: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed in the middle of a reply"
        rest += chunk
    return Reply(status, headers, rest[:length])


def request_head(path: str, headers: Mapping[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def connect(served: Served) -> socket.socket:
    sock = socket.create_connection(served.address, timeout=30)
    return sock


def send_declared(served: Served, path: str, token: str | None, declared: int) -> Reply:
    """Announce a body of ``declared`` bytes, send one chunk of it, and read the reply."""
    with connect(served) as sock:
        headers = {
            **auth(token),
            "Content-Type": "application/json",
            "Content-Length": str(declared),
            "Idempotency-Key": "k-big",
            "If-Match": "*",
        }
        sock.sendall(request_head(path, headers) + b" " * CHUNK)
        return read_reply(sock)


def send_chunked(served: Served, path: str, token: str | None, total: int) -> Reply:
    """Send ``total`` bytes with chunked transfer coding (no length announced), then read."""
    with connect(served) as sock:
        headers = {
            **auth(token),
            "Content-Type": "text/csv",
            "Transfer-Encoding": "chunked",
            "Idempotency-Key": "k-chunked",
            "If-Match": "*",
        }
        sock.sendall(request_head(path, headers))
        sent = 0
        try:
            while sent < total:
                size = min(CHUNK, total - sent)
                sock.sendall(f"{size:x}\r\n".encode() + b"x" * size + b"\r\n")
                sent += size
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the end: read what it said
        return read_reply(sock)


# --- the token before the body; body limits ------------------------------------------------


def test_a_huge_body_without_a_token_is_401_and_never_read(serve: Any) -> None:
    served = serve()
    for path in (f"{API}/units/add_unit", f"{API}/imports/calls"):
        reply = send_declared(served, path, None, 100 * MiB)
        assert reply.status == 401, reply.body
        assert reply.json()["error"] == "Unauthorized"
        assert reply.headers["connection"] == "close"  # closed, not drained
        assert served.counting.pulled[-1] == 0, path
    reply = send_chunked(served, f"{API}/units/add_unit", "bdt_wrong", 4 * MiB)
    assert reply.status == 401
    assert served.counting.pulled[-1] == 0


def test_a_json_body_over_the_limit_is_413_read_at_most_to_the_limit(serve: Any) -> None:
    served = serve()
    token = served.token()
    limit = Limits().json_body
    assert limit == MiB
    reply = send_declared(served, f"{API}/units/add_unit", token, 100 * MiB)
    assert reply.status == 413, reply.body
    assert reply.json()["error"] == "PayloadTooLarge"
    assert "1 MiB" in reply.json()["message"]
    assert served.counting.pulled[-1] == 0  # the announced length was enough to refuse it
    reply = send_chunked(served, f"{API}/units/add_unit", token, limit + 4 * CHUNK)
    assert reply.status == 413, reply.body
    # Never much more than the limit: uvicorn buffers at most 64 KiB and one socket read
    # (256 KiB) of a body before it stops reading, and the gate stops once past the limit.
    assert limit < served.counting.pulled[-1] <= limit + UVICORN_BUFFER
    with served.store() as uow:
        assert len(uow.units.all()) == 3  # the demo's units: nothing was added


def test_a_json_body_just_within_the_limit_works(serve: Any) -> None:
    served = serve()
    arguments = json.dumps({"name": "Quality"}).encode()
    padded = arguments + b" " * (MiB - len(arguments))  # exactly the limit
    response = httpx.post(
        f"{served.url}{API}/units/add_unit",
        content=padded,
        headers={
            **auth(served.token()),
            "Content-Type": "application/json",
            "Idempotency-Key": "k-pad",
            "If-Match": "*",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Quality"


def test_an_import_streams_and_stops_at_its_limit(serve: Any) -> None:
    served = serve(Limits(import_body=256 * 1024))
    token = served.token()
    path = f"{API}/imports/sms?file_name=sms.csv"
    reply = send_declared(served, path, token, 10 * MiB)
    assert reply.status == 413, reply.body
    assert "CSV import" in reply.json()["message"]
    assert served.counting.pulled[-1] == 0
    reply = send_chunked(served, path, token, 2 * MiB)
    assert reply.status == 413, reply.body
    assert served.counting.pulled[-1] <= 256 * 1024 + UVICORN_BUFFER
    # Within the limit an import goes through as before.
    text = "id,type,campaign,sent_at\nedge-1,outbound,Fall hiring,2026-11-20T10:00:00Z\n"
    response = httpx.post(
        f"{served.url}{path}",
        content=text.encode(),
        headers={**auth(token), "Content-Type": "text/csv", "Idempotency-Key": "k-ok"}
        | {"If-Match": "*"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 1


# --- tokens: revoke on an open connection, expiry, last use -----------------------------------


def get_on(sock: socket.socket, token: str) -> Reply:
    body = b"{}"
    headers = {
        **auth(token),
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
    }
    sock.sendall(request_head(f"{API}/overview/workspace", headers) + body)
    return read_reply(sock)


def tokens_cli(served: Served, *args: str) -> list[str]:
    return ["--store", str(served.store.engine.url.database), "tokens", *args]


# A short sign-in cache for the tests that wait it out (the default is 2 s).
SHORT_CACHE = Limits(sign_in_cache=timedelta(seconds=0.3))


def refused_within(sock: socket.socket, token: str, bound: timedelta) -> tuple[Reply, float]:
    """Send requests until one is refused; the refusal and the seconds it took (fails if
    none is refused within ``bound`` and a margin for a loaded machine)."""
    started = time.monotonic()
    while True:
        reply = get_on(sock, token)
        waited = time.monotonic() - started
        if reply.status != 200 or waited > bound.total_seconds() + 2:
            return reply, waited
        time.sleep(0.05)


def test_a_revoked_token_is_refused_on_the_connection_it_already_has(
    serve: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    served = serve(SHORT_CACHE)
    token = served.token("supervisor")
    with served.store() as uow:
        token_id = uow.connection.execute(
            sa.select(t.api_tokens.c.id).where(t.api_tokens.c.token_hash == hash_token(token))
        ).scalar_one()
    with connect(served) as sock:
        assert get_on(sock, token).status == 200
        assert get_on(sock, token).status == 200  # the connection is kept open
        assert cli.main(tokens_cli(served, "revoke", str(token_id))) == 0
        assert f"Revoked token {token_id}" in capsys.readouterr().out
        reply, waited = refused_within(sock, token, SHORT_CACHE.sign_in_cache)  # same socket
        assert reply.status == 401, reply.body
        assert "revoked" in reply.json()["message"]
        assert waited <= SHORT_CACHE.sign_in_cache.total_seconds() + 1.0
        assert get_on(sock, token).status == 401  # and from then on
    assert cli.main(tokens_cli(served, "revoke", str(token_id))) == 0
    assert "already revoked" in capsys.readouterr().out
    assert cli.main(tokens_cli(served, "revoke", "9999")) == 2
    assert "no API token 9999" in capsys.readouterr().err


def test_a_signed_in_token_is_not_looked_up_again_within_the_cache_bound(serve: Any) -> None:
    served = serve(SHORT_CACHE)
    token = served.token("supervisor")
    lookups: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM api_tokens" in statement:
            lookups.append(statement)

    sa.event.listen(served.store.engine, "before_cursor_execute", count)
    try:
        with connect(served) as sock:
            assert get_on(sock, token).status == 200
            assert len(lookups) == 1
            for _ in range(3):
                assert get_on(sock, token).status == 200
            assert len(lookups) == 1  # a hash lookup in memory, not a round of the store
            time.sleep(SHORT_CACHE.sign_in_cache.total_seconds())
            assert get_on(sock, token).status == 200
            assert len(lookups) == 2  # past the bound the store is asked again
            assert get_on(sock, "bdt_not-a-token").status == 401
            assert get_on(sock, "bdt_not-a-token").status == 401
            assert len(lookups) == 4  # an unknown token is never kept
    finally:
        sa.event.remove(served.store.engine, "before_cursor_execute", count)


def test_an_expired_token_is_401(serve: Any) -> None:
    served = serve()
    soon = served.token(expires_at=datetime.now(UTC) + timedelta(seconds=2))
    gone = served.token(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    with connect(served) as sock:
        assert get_on(sock, soon).status == 200
        time.sleep(2.1)
        reply = get_on(sock, soon)
        assert reply.status == 401
        assert "expired" in reply.json()["message"]
    with connect(served) as sock:
        assert get_on(sock, gone).status == 401


def test_tokens_create_expires_list_and_never_the_secret(
    serve: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    served = serve()
    supervisor = served.users["supervisor"]
    assert cli.main(tokens_cli(served, "create", "--user", supervisor, "--expires", "90d")) == 0
    token = capsys.readouterr().out.strip()
    assert cli.main(tokens_cli(served, "create", "--user", supervisor, "--expires", "12h")) == 0
    short = capsys.readouterr().out.strip()
    with connect(served) as sock:
        assert get_on(sock, token).status == 200

    assert cli.main(tokens_cli(served, "list", "--json")) == 0
    out = capsys.readouterr().out
    assert token not in out and short not in out and hash_token(token) not in out
    rows = {row["expires_at"][:10] if row["expires_at"] else None: row for row in json.loads(out)}
    now = datetime.now(UTC)
    in_90 = rows[(now + timedelta(days=90)).date().isoformat()]
    assert in_90["user_id"] == supervisor and in_90["status"] == "active"
    assert in_90["last_used_at"] is not None  # it signed in above
    assert set(in_90) >= {"id", "user_id", "created_at", "last_used_at", "expires_at", "status"}
    twelve = datetime.fromisoformat(
        rows[(now + timedelta(hours=12)).date().isoformat()]["expires_at"]
    )
    assert abs(twelve - (now + timedelta(hours=12))) < timedelta(minutes=1)

    assert cli.main(tokens_cli(served, "list")) == 0
    text = capsys.readouterr().out
    assert token not in text and "Last used" in text and "never" in text
    assert f"{supervisor} (" in text

    for bad in ("90", "90x", "0d", "99999w", "-1d"):
        with pytest.raises(SystemExit) as refused:  # argparse: usage and one error line
            cli.main(tokens_cli(served, "create", "--user", supervisor, "--expires", bad))
        assert refused.value.code == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and "--expires" in err


def test_only_an_admin_lists_and_revokes_tokens(
    serve: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    served = serve()
    served.token("shared")
    store = str(served.store.engine.url.database)
    for args in (["list"], ["revoke", "1"]):
        command = ["--store", store, "--user", served.users["supervisor"], "tokens", *args]
        assert cli.main(command) == 2
        assert "is not an admin" in capsys.readouterr().err
    with served.store() as uow:
        revoked = uow.connection.execute(
            sa.select(sa.func.count()).where(t.api_tokens.c.revoked_at.is_not(None))
        ).scalar()
    assert revoked == 0


def test_last_use_is_written_at_most_once_a_minute(serve: Any) -> None:
    served = serve(SHORT_CACHE)
    token = served.token("shared")
    column = t.api_tokens.c.last_used_at
    where = t.api_tokens.c.token_hash == hash_token(token)

    def last_used() -> datetime | None:
        with served.store() as uow:
            value: datetime | None = uow.connection.execute(sa.select(column).where(where)).scalar()
            return value

    assert last_used() is None
    with connect(served) as sock:
        assert get_on(sock, token).status == 200
        first = last_used()
        assert first is not None
        for _ in range(5):
            assert get_on(sock, token).status == 200
        assert last_used() == first  # five more requests, no write
        earlier = first - timedelta(minutes=2)
        with served.store() as uow:
            uow.connection.execute(t.api_tokens.update().where(where).values(last_used_at=earlier))
            uow.commit()
        time.sleep(SHORT_CACHE.sign_in_cache.total_seconds())  # the store is asked again
        assert get_on(sock, token).status == 200
        later = last_used()
        assert later is not None and later > first


# --- failed sign-ins ---------------------------------------------------------------------------


def test_failed_sign_ins_are_limited_per_address(serve: Any) -> None:
    served = serve(Limits(failed_sign_ins=10, sign_in_window=timedelta(seconds=3)))
    good = served.token("shared")
    with connect(served) as sock:
        for attempt in range(10):
            reply = get_on(sock, f"bdt_guess-{attempt}")
            assert reply.status == 401, attempt
        started = time.monotonic()
        reply = get_on(sock, "bdt_guess-10")
        assert reply.status == 429, reply.body
        assert reply.json()["error"] == "TooManySignIns"
        assert 1 <= int(reply.headers["retry-after"]) <= 3
        assert get_on(sock, good).status == 200  # a valid token is never locked out
        assert get_on(sock, "bdt_guess-11").status == 429
    time.sleep(max(0.0, 3.1 - (time.monotonic() - started)))
    with connect(served) as sock:
        assert get_on(sock, "bdt_guess-12").status == 401  # a new window


def test_the_count_is_shared_by_every_server_on_the_store(demo_store: SqlStore) -> None:
    """Two servers on one database (two apps, two engines, two ports) count together."""
    other = SqlStore(str(demo_store.engine.url))
    try:
        with (
            live_server(None, app=create_app(demo_store)) as first,
            live_server(None, app=create_app(other)) as second,
        ):
            headers = {"Authorization": "Bearer bdt_guess"}
            statuses = [
                httpx.post(f"{url}{API}/units/units_overview", json={}, headers=headers)
                for url in [first, second] * 5 + [first]
            ]
        assert [response.status_code for response in statuses] == [401] * 10 + [429]
    finally:
        other.dispose()


# --- plain HTTP ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.3.2.1", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("billing.example.com", False),
        ("::", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_the_client_keeps_a_token_off_plain_http_to_another_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(INSECURE_HTTP_ENV, raising=False)
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(401, json={"error": "Unauthorized", "message": "no"})

    transport = httpx.MockTransport(handler)
    for url in ("http://192.168.1.20:8765", "http://billing.example.com"):
        store = HttpStore(url, "bdt_secret", transport=transport, retries=0)
        with pytest.raises(StoreError, match="--allow-insecure-http"):
            store.read(overview.workspace, None)
    assert sent == []  # nothing left the machine
    for url in ("http://127.0.0.1:8765", "http://localhost:1", "https://billing.example.com"):
        store = HttpStore(url, "bdt_secret", transport=transport, retries=0)
        with pytest.raises(StoreError, match="did not accept the sign-in"):
            store.read(overview.workspace, None)
    assert len(sent) == 3
    monkeypatch.setenv(INSECURE_HTTP_ENV, "1")
    store = HttpStore("http://192.168.1.20:8765", "bdt_secret", transport=transport, retries=0)
    with pytest.raises(StoreError, match="did not accept the sign-in"):
        store.read(overview.workspace, None)
    assert len(sent) == 4


def test_the_command_line_refuses_plain_http_until_told(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Set (to "no") so that monkeypatch removes what --allow-insecure-http sets below.
    monkeypatch.setenv(INSECURE_HTTP_ENV, "0")
    monkeypatch.setenv("BILLING_DESKTOP_TOKEN", "bdt_secret")
    assert cli.main(["--store", "http://192.0.2.10:8765", "usage"]) == 2
    err = capsys.readouterr().err
    assert "--allow-insecure-http" in err and "BILLING_DESKTOP_ALLOW_INSECURE_HTTP" in err
    assert len(err.strip().splitlines()) == 1
    # With the flag the client goes on to the server (here: a port nobody listens on).
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    free = port.getsockname()[1]
    port.close()
    monkeypatch.setattr(HttpStore, "__init__", _fast_init(HttpStore.__init__, free))
    assert cli.main(["--allow-insecure-http", "--store", "http://192.0.2.10:8765", "usage"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach" in err and "insecure" not in err
    assert os.environ[INSECURE_HTTP_ENV] == "1"  # for the GUI and the processes it starts


def _fast_init(init: Any, port: int) -> Any:
    """HttpStore.__init__ sending to 127.0.0.1:port whatever the URL (no real network)."""

    def patched(self: HttpStore, url: str, *args: Any, **kwargs: Any) -> None:
        real = httpx.HTTPTransport()

        class Redirect(httpx.BaseTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                request.url = request.url.copy_with(host="127.0.0.1", port=port)
                return real.handle_request(request)

        init(self, url, *args, **{**kwargs, "retries": 0, "transport": Redirect()})

    return patched


def test_serve_warns_about_plain_http_beyond_loopback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(
        "billing_desktop.server.main.serve", lambda url, **kwargs: calls.append(kwargs)
    )
    store = str(tmp_path / "serve.db")
    SqlStore(f"sqlite:///{store}").dispose()  # serve needs a store; it never creates one
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    for host, certfile, warned in (
        ("0.0.0.0", None, True),
        ("192.168.1.20", None, True),
        ("127.0.0.1", None, False),
        ("localhost", None, False),
        ("0.0.0.0", cert, False),
    ):
        args = ["--store", store, "serve", "--host", host]
        if certfile is not None:
            args += ["--certfile", str(certfile), "--keyfile", str(certfile)]
        assert cli.main(args) == 0
        err = capsys.readouterr().err
        assert ("warning: serving plain HTTP" in err) is warned, (host, err)
    assert [call["host"] for call in calls] == [
        "0.0.0.0",
        "192.168.1.20",
        "127.0.0.1",
        "localhost",
        "0.0.0.0",
    ]
