"""The server's front door: the bearer token, failed sign-ins and body sizes (issue 15 §4).

An ASGI middleware in front of every ``/api/v1/`` path but the health check. For each request,
in this order, before a byte of its body is read:

1. **Sign-in.** The bearer token is looked up in the store (its hash). A valid token's answer
   is kept in the process for at most ``Limits.sign_in_cache`` (2 s): requests within that
   are signed in by a hash lookup in memory instead of a round of the store (a unit of work
   and a query: about a sixth of a small read's time on PostgreSQL). So a **revoked** token
   gets 401 within 2 s, on a connection that is already open too; an **expired** one at
   once (its expiry is kept with it and compared on every request). Unknown, revoked and
   expired tokens are never kept. A missing or bad token is 401 (``WWW-Authenticate:
   Bearer``).
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

import hashlib
import logging
import time
from collections import OrderedDict
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
    # How long a valid token's sign-in is kept in the process: a revoke applies within this.
    sign_in_cache: timedelta = state.SIGN_IN_KEPT


def describe(size: int) -> str:
    return f"{size // MiB} MiB" if size >= MiB and size % MiB == 0 else f"{size:,} bytes"


@dataclass(frozen=True)
class _Outcome:
    user_id: str | None
    status: int = 200
    message: str = ""
    retry_after: int | None = None
    expires_at: datetime | None = None  # of a valid token


@dataclass(frozen=True)
class _Known:
    """A valid token's sign-in, as the store answered it at ``checked`` (monotonic)."""

    user_id: str
    expires_at: datetime | None
    checked: float


# Signed-in tokens kept per process (by the SHA-256 of the token: the token itself is never
# kept): many more than a team has clients, few enough to hold in memory.
KNOWN_TOKENS = 1024


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
        self._known: OrderedDict[str, _Known] = OrderedDict()  # only touched on the event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefix) or path in self.public:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        token = _bearer(headers.get("authorization"))
        key = hashlib.sha256(token.encode("utf-8")).hexdigest() if token is not None else None
        known = self._recall(key)
        try:
            if known is not None:
                outcome = _Outcome(known)
            else:
                outcome = await anyio.to_thread.run_sync(self._sign_in, token, address)
                if outcome.user_id is not None and key is not None:
                    self._keep(key, outcome)
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

    def _recall(self, key: str | None) -> str | None:
        """The user of a token signed in within ``Limits.sign_in_cache`` and not expired since;
        None: ask the store."""
        if key is None:
            return None
        known = self._known.get(key)
        if known is None:
            return None
        if time.monotonic() - known.checked >= self.limits.sign_in_cache.total_seconds() or (
            known.expires_at is not None and known.expires_at <= datetime.now(UTC)
        ):
            del self._known[key]
            return None
        return known.user_id

    def _keep(self, key: str, outcome: _Outcome) -> None:
        if self.limits.sign_in_cache <= timedelta(0) or outcome.user_id is None:
            return
        self._known[key] = _Known(outcome.user_id, outcome.expires_at, time.monotonic())
        self._known.move_to_end(key)
        while len(self._known) > KNOWN_TOKENS:
            self._known.popitem(last=False)

    def _sign_in(self, token: str | None, address: str) -> _Outcome:
        now = datetime.now(UTC)
        if token is not None:
            with self.store() as uow:
                found = state.sign_in(uow.connection, token, now)
            if found.user_id is not None:
                if found.stale_use and found.token_id is not None:
                    self._mark_used(found.token_id, now)
                return _Outcome(found.user_id, expires_at=found.expires_at)
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
