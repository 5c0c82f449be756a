"""The remote store: runs the operations of ``api.operations`` on a ``billing-desktop serve``.

* **Timeouts** are explicit (connect 5 s, read 120 s for long reports, pool 10 s).
* **Retries**: connection failures and 502/503/504 are retried with exponential backoff and
  jitter, reads freely and writes only with their Idempotency-Key — the same key on every
  attempt, so the server runs a write at most once however often it is sent.
* **Versions**: every read remembers the ETag of its resource; a write sends it as If-Match
  (``*`` when nothing of that resource was read), so a change made by someone else in between
  comes back as :class:`StaleData` with the current value instead of being overwritten.
* **Conditional reads** (``api.conditional``): the answers of the reads the server tags are
  kept (the last ``KEPT_READS``, by request); asking again sends the tag as If-None-Match, and
  a 304 is answered from what is kept, with no body sent. Each caller gets its own objects
  (the kept answer is decoded anew), so one caller's changes never reach another.
* **Errors** come back as the same domain exceptions a local store raises; 401, 5xx, TLS and
  connection failures as :class:`StoreError`/:class:`Unavailable` with a one-line message.
* **Tokens** come from ``BILLING_DESKTOP_TOKEN`` or the OS keyring (never the store, the
  config file or a log), and are sent over plain ``http://`` only to a loopback address
  unless ``--allow-insecure-http`` says otherwise (``plain_http``). Certificates are
  verified (httpx's default, certifi's CA list) unless the caller passes its own ``verify``
  (e.g. a company CA bundle).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import random
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import httpx

from billing_desktop.api.codec import codec_for
from billing_desktop.api.conditional import is_read_tag
from billing_desktop.api.errors import decode_error
from billing_desktop.api.operations import operation_for
from billing_desktop.config import TOKEN_ENV
from billing_desktop.domain.errors import (
    BillingError,
    InvalidInput,
    PermissionDenied,
    StoreError,
    Unavailable,
)
from billing_desktop.remote.plain_http import plain_http_refusal
from billing_desktop.services.changes import WriteAnnouncer
from billing_desktop.services.task_state import TaskState
from billing_desktop.store.ports import RESOURCES, UnitOfWork

log = logging.getLogger(__name__)
T = TypeVar("T")
P = ParamSpec("P")

KEYRING_SERVICE = "billing-desktop"
API = "/api/v1"
RETRY_STATUSES = frozenset({502, 503, 504})
KEPT_READS = 64  # conditional reads' answers kept per remote store (bytes as sent)
TIMEOUT = httpx.Timeout(connect=5.0, read=120.0, write=120.0, pool=10.0)


def saved_token(url: str) -> str | None:
    """The token for ``url`` from the environment, else the OS keyring (None if neither)."""
    token = os.environ.get(TOKEN_ENV)
    if token:
        return token
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, server_key(url))
    except Exception as exc:  # no usable keyring backend on this machine
        log.info("no keyring available: %s", type(exc).__name__)
        return None


def save_token(url: str, token: str) -> None:
    """Keep ``token`` for ``url`` in the OS keyring (Keychain, Credential Manager, Secret
    Service). Raises StoreError when the machine has no keyring."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, server_key(url), token)
    except KeyringError as exc:
        raise StoreError(f"cannot keep the token in the system keyring: {exc}") from None


def server_key(url: str) -> str:
    """The keyring entry name of a server: its URL without path or credentials."""
    parsed = httpx.URL(url)
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}"


class HttpStore(WriteAnnouncer):
    """Satisfies ``ports.Store`` over the HTTP API. Safe to use from several threads."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        verify: Any = True,
        retries: int = 4,
        backoff: float = 0.25,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__()
        self.url = url.rstrip("/")
        self._token = token if token is not None else saved_token(self.url)
        self.retries = retries
        self.backoff = backoff
        self._versions: dict[str, str] = {}
        self._kept: OrderedDict[tuple[str, str], tuple[str, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._client = httpx.Client(
            base_url=self.url,
            timeout=TIMEOUT,
            verify=verify,
            transport=transport,
            headers={"User-Agent": "billing-desktop"},
            follow_redirects=False,
        )

    @property
    def description(self) -> str:
        return f"Remote store: {server_key(self.url)}"

    @property
    def remote(self) -> bool:
        return True

    def __call__(self, *, write: bool = False) -> Any:
        raise StoreError(
            "this works on the store itself and a remote store is reached through its server; "
            "run it where the store is"
        )

    def close(self) -> None:
        self._client.close()

    # ports.Store ------------------------------------------------------------------------

    def read(
        self, service: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        return self._run(service, args, kwargs, write=False)

    def write(
        self, service: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        return self._run(service, args, kwargs, write=True)

    def import_csv(self, kind: str, path: Path, *, state: TaskState | None = None) -> Any:
        """Upload a CSV file for the server to import (all or nothing); its ImportReport.
        ``state`` may cancel it until the upload starts; the server then imports it whole."""
        from pydantic import TypeAdapter

        from billing_desktop.services.imports import ImportReport

        try:
            content = path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"{path}: cannot read the file ({exc.strerror})") from None
        if state is not None:
            state.check("the import")
            state.progress(None, f"sending {len(content):,} bytes to the server")
        response = self._send(
            f"{API}/imports/{kind}",
            content=content,
            params={"file_name": path.name},
            headers={"Content-Type": "text/csv", **self._write_headers("records")},
            retry=True,
        )
        self._remember("records", response)
        report = TypeAdapter(ImportReport).validate_json(response.content, strict=True)
        self.announce(RESOURCES)
        return report

    # Plumbing ---------------------------------------------------------------------------

    def _run(
        self, service: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], write: bool
    ) -> T:
        while isinstance(service, functools.partial):  # a service with arguments bound
            args = (*service.args, *args)
            kwargs = {**service.keywords, **kwargs}
            service = service.func
        adapter = CLIENT_SIDE.get(service)
        if adapter is not None:
            result: T = adapter(self, *args, **kwargs)
            return result
        operation = operation_for(service)
        if operation is None:
            name = getattr(service, "__qualname__", repr(service))
            raise StoreError(f"{name} is not available on a remote store")
        if operation.writes != write:
            raise StoreError(
                f"{operation.name} is a {operation.kind}, not a {'write' if write else 'read'}"
            )
        codec = codec_for(operation)
        body = codec.encode_call(args[1:], kwargs)  # args[0] is the caller: the token decides
        module, function = operation.name.split(".", 1)
        path = f"{API}/{module}/{function}"
        if write:
            headers = self._write_headers(operation.resource)
            response = self._send(path, json=body, headers=headers, retry=True)
            self._remember(operation.resource, response)
            content = response.content
        else:
            content = self._conditional_read(path, body, operation.resource)
        decoded: T = codec.decode_result(content)
        if write:
            self.announce_write(service)
        return decoded

    def _conditional_read(self, path: str, body: Any, resource: str) -> bytes:
        """A read's answer: sent with If-None-Match when an answer to the same request is
        kept, which a 304 then stands for."""
        key = (path, json.dumps(body, sort_keys=True, separators=(",", ":")))
        with self._lock:
            kept = self._kept.get(key)
        headers = {"If-None-Match": kept[0]} if kept is not None else {}
        response = self._send(path, json=body, headers=headers, retry=True)
        self._remember(resource, response)
        if response.status_code == 304 and kept is not None:
            with self._lock:
                if key in self._kept:
                    self._kept.move_to_end(key)
            return kept[1]
        tag = response.headers.get("ETag")
        with self._lock:
            if tag and is_read_tag(tag):
                self._kept[key] = (tag, response.content)
                self._kept.move_to_end(key)
                while len(self._kept) > KEPT_READS:
                    self._kept.popitem(last=False)
            else:
                self._kept.pop(key, None)
        return response.content

    def _write_headers(self, resource: str) -> dict[str, str]:
        with self._lock:
            version = self._versions.get(resource, "*")
        return {"Idempotency-Key": str(uuid.uuid4()), "If-Match": version}

    def _remember(self, resource: str, response: httpx.Response) -> None:
        tag = response.headers.get("ETag")
        if tag:
            with self._lock:
                self._versions[resource] = tag

    def _send(
        self,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        retry: bool = True,
    ) -> httpx.Response:
        if not self._token:
            raise StoreError(
                f"no API token for {server_key(self.url)}: sign in with File ▸ Connect to "
                f"server…, or set {TOKEN_ENV}"
            )
        parsed = httpx.URL(self.url)
        refusal = plain_http_refusal(parsed.scheme, parsed.host)
        if refusal is not None:
            raise StoreError(refusal)
        all_headers = {"Authorization": f"Bearer {self._token}", **(headers or {})}
        attempts = self.retries + 1 if retry else 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._client.post(
                    path, json=json, content=content, params=params, headers=all_headers
                )
            except httpx.ConnectError as exc:
                if _is_certificate_error(exc):
                    raise StoreError(
                        f"{server_key(self.url)}: the server's TLS certificate could not be "
                        f"verified ({_reason(exc)}); not connecting"
                    ) from None
                if last:
                    raise Unavailable(
                        f"cannot reach {server_key(self.url)} ({_reason(exc)}); nothing was "
                        "changed — try again when the server is back"
                    ) from None
            except httpx.TransportError as exc:
                if last:
                    raise Unavailable(
                        f"{server_key(self.url)} did not answer ({type(exc).__name__}); "
                        "nothing was lost — try again"
                    ) from None
            else:
                if response.status_code in RETRY_STATUSES and not last:
                    self._pause(attempt)
                    continue
                if response.status_code >= 400:
                    raise self._error(response)
                return response
            self._pause(attempt)
        raise AssertionError("unreachable")

    def _pause(self, attempt: int) -> None:
        delay = self.backoff * (2**attempt)
        time.sleep(delay + random.uniform(0, delay / 2))

    def _error(self, response: httpx.Response) -> BillingError:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if status == 401:
            message = body.get("message") if isinstance(body, dict) else None
            return StoreError(
                f"{server_key(self.url)} did not accept the sign-in (401: "
                f"{message or 'invalid token'}); sign in again with a new token"
            )
        if status == 429:
            message = body.get("message") if isinstance(body, dict) else None
            return StoreError(
                f"{server_key(self.url)} refused the sign-in for now (429: "
                f"{message or 'too many failed sign-ins'})"
            )
        if status == 403:
            return decode_error(body, PermissionDenied)
        if status >= 500:
            reason = body.get("message") if isinstance(body, dict) else response.reason_phrase
            return Unavailable(f"{server_key(self.url)} failed ({status}: {reason}); try again")
        return decode_error(body, InvalidInput)


def _is_certificate_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "certificate" in text or "ssl" in text or "tls" in text


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


REMOTE_EXPORT_PAGE = 5_000


def export_call_log_remotely(
    store: HttpStore,
    actor: Any,
    query: Any,
    path: Path,
    state: TaskState | None = None,
) -> int:
    """``usage_data.export_call_log`` on a remote store: the server pages the call log out
    (the same rows, order, costs and times as the local export), the file is written here,
    streamed, formula-safe and atomically, with the same progress and cancel."""
    from billing_desktop.exports.csv_export import stream_csv
    from billing_desktop.exports.tables import is_xlsx, money_format
    from billing_desktop.exports.xlsx_export import stream_xlsx
    from billing_desktop.services import usage_data

    xlsx = is_xlsx(path)
    total = store.read(usage_data.call_log_count, actor, query)
    row = usage_data.cells_row if xlsx else usage_data.csv_row

    def chunks() -> Any:
        for offset in range(0, total, REMOTE_EXPORT_PAGE):
            lines = store.read(
                usage_data.call_log_page, actor, query, offset, REMOTE_EXPORT_PAGE, total
            )
            yield [row(line) for line in lines]

    report, stop = usage_data.export_progress(state, total)
    if xlsx:
        start = store.read(usage_data.call_log_start, actor, query, 0)
        cost = {len(usage_data.HEADER) - 1: money_format(start.currency or "USD")}
        written = stream_xlsx(
            path, usage_data.HEADER, chunks(), title="Call log", money=cost,
            progress=report, cancelled=stop,
        )  # fmt: skip
    else:
        written = stream_csv(path, usage_data.HEADER, chunks(), report, stop)
    if written is None:
        raise usage_data.ExportCancelled("the export was cancelled; nothing was written")
    return int(written)


def _client_side() -> dict[Callable[..., Any], Callable[..., Any]]:
    from billing_desktop.services import usage_data

    return {usage_data.export_call_log: export_call_log_remotely}


# Operations the client carries out itself on top of remote reads (they write local files).
CLIENT_SIDE: dict[Callable[..., Any], Callable[..., Any]] = _client_side()
