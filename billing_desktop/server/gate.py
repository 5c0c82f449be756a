"""The server's front door: the bearer token, failed sign-ins and body sizes (issue 15 §4).

An ASGI middleware in front of every ``/api/v1/`` path but the health check. For each request,
in this order, before a byte of its body is read:

1. **Sign-in.** The bearer token is looked up in the store (its hash), on every request: no
   cache, so a revoked or expired token gets 401 on its very next request, on a connection
   that is already open too. A missing or bad token is 401 (``WWW-Authenticate: Bearer``).
2. **Failed sign-ins** are counted per client address in the store (``sign_in_failures``): past
   ``Limits.failed_sign_ins`` (10) in ``Limits.sign_in_window`` (a minute) the address gets
   429 with ``Retry-After`` for its bad tokens until the window ends. A valid token is never
   refused for its address's failures (colleagues behind one NAT, or every client of a reverse
   proxy that does not forward addresses, are not locked out by one bad script). In the store
   rather than in the process: several server processes (``--workers``, or servers behind a
   load balancer) share one count, and a restart does not reset it.
3. **Body size.** A ``Content-Length`` above the limit gets 413 at once. An operation's JSON
   body (at most ``Limits.json_body``, 1 MiB) is read here, up to the limit, and handed on;
   a body sent without a length that passes the limit gets 413 as soon as it does, so the
   server never holds more than the limit. A CSV import is streamed to a temporary file by
   its endpoint, which stops at ``Limits.import_body`` (512 MiB) the same way.

The signed-in user's id goes on to the endpoints in the request scope (``USER_KEY``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio.to_thread
import sqlalchemy as sa
from starlette.datastructures import Headers
from starlette.responses import JSONResponse

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import StoreError
from billing_desktop.server import state

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

USER_KEY = "billing_desktop.user_id"
MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What the server accepts of one request."""

    json_body: int = 1 * MiB  # an operation's arguments: a few hundred bytes in practice
    import_body: int = 512 * MiB  # one CSV file (a million calls is about 150 MB)
    failed_sign_ins: int = 10  # per client address and window
    sign_in_window: timedelta = timedelta(minutes=1)


def describe(size: int) -> str:
    return f"{size // MiB} MiB" if size >= MiB and size % MiB == 0 else f"{size:,} bytes"


@dataclass(frozen=True)
class _Outcome:
    user_id: str | None
    status: int = 200
    message: str = ""
    retry_after: int | None = None


class Gate:
    """The middleware (see the module's docstring)."""

    def __init__(
        self, app: ASGIApp, *, store: SqlStore, limits: Limits, prefix: str, public: frozenset[str]
    ) -> None:
        self.app = app
        self.store = store
        self.limits = limits
        self.prefix = prefix
        self.public = public

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefix) or path in self.public:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        try:
            outcome = await anyio.to_thread.run_sync(
                self._sign_in, _bearer(headers.get("authorization")), address
            )
        except sa.exc.OperationalError as exc:
            log.warning("store failed on sign-in: %s", str(exc.orig).splitlines()[0])
            await _refuse(
                scope,
                receive,
                send,
                503,
                "Unavailable",
                "the store is busy or unreachable; nothing was changed — try again",
                {"Retry-After": "1"},
            )
            return
        if outcome.user_id is None:
            # A refused request's body is never read: past a small one, the connection is
            # closed after the answer rather than drained (uvicorn would read and drop a
            # 100 MB body). Small ones keep the connection for the client's next request.
            unread = {"Connection": "close"} if _large_body(headers) else {}
            if outcome.status == 429:
                await _refuse(
                    scope,
                    receive,
                    send,
                    429,
                    "TooManySignIns",
                    outcome.message,
                    {"Retry-After": str(outcome.retry_after), **unread},
                )
            else:
                await _refuse(
                    scope,
                    receive,
                    send,
                    401,
                    "Unauthorized",
                    outcome.message,
                    {"WWW-Authenticate": "Bearer", **unread},
                )
            return
        scope[USER_KEY] = outcome.user_id
        streamed = path.startswith(f"{self.prefix}imports/")
        limit = self.limits.import_body if streamed else self.limits.json_body
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _too_large(scope, receive, send, limit, streamed)
            return
        if streamed:
            await self.app(scope, receive, send)  # the import endpoint streams and counts
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await _too_large(scope, receive, send, limit, streamed)
                return
            chunks.append(body)
            more = bool(message.get("more_body", False))
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    def _sign_in(self, token: str | None, address: str) -> _Outcome:
        now = datetime.now(UTC)
        if token is not None:
            with self.store() as uow:
                found = state.sign_in(uow.connection, token, now)
            if found.user_id is not None:
                if found.stale_use and found.token_id is not None:
                    self._mark_used(found.token_id, now)
                return _Outcome(found.user_id)
            message = found.refusal
        else:
            message = "sign in: send Authorization: Bearer <token>"
        limits = self.limits
        with self.store(write=True) as uow:
            wait = state.failed_sign_in(
                uow.connection, address, now, limits.failed_sign_ins, limits.sign_in_window
            )
            uow.commit()
        if wait is not None:
            log.warning("too many failed sign-ins from %s", address)
            return _Outcome(
                None,
                429,
                f"too many failed sign-ins from your address (more than "
                f"{limits.failed_sign_ins} in {int(limits.sign_in_window.total_seconds())} s); "
                f"try again in {wait} s",
                wait,
            )
        return _Outcome(None, 401, message)

    def _mark_used(self, token_id: int, now: datetime) -> None:
        """Best effort: a store busy with a long write does not hold up or fail a sign-in
        for the sake of a "last used" time (the next request a minute on tries again)."""
        try:
            with self.store(write=True) as uow:
                state.mark_used(uow.connection, token_id, now)
                uow.commit()
        except (sa.exc.OperationalError, StoreError) as exc:
            log.info("last-used time of token %s not written: %s", token_id, exc)


DRAINED = 64 * 1024  # a refused body up to this size is read and dropped by uvicorn


def _large_body(headers: Headers) -> bool:
    length = headers.get("content-length", "0").strip()
    return "transfer-encoding" in headers or not length.isdigit() or int(length) > DRAINED


def _bearer(value: str | None) -> str | None:
    if value is None:
        return None
    scheme, _, credentials = value.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() != "bearer" or not credentials:
        return None
    return credentials


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: the disconnect, when it comes

    return replay


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int, import_: bool) -> None:
    what = "a CSV import" if import_ else "an operation's arguments"
    await _refuse(
        scope,
        receive,
        send,
        413,
        "PayloadTooLarge",
        f"the request body is larger than the {describe(limit)} this server takes for {what}",
        {"Connection": "close"},
    )


async def _refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    error: str,
    message: str,
    headers: dict[str, str],
) -> None:
    body = {"error": error, "message": message, "detail": {}}
    await JSONResponse(body, status_code=status, headers=headers)(scope, receive, send)
