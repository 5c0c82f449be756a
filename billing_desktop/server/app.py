"""The HTTP JSON API (PRODUCT §2, §9, §10): every operation of ``api.operations`` as one endpoint.

``POST /api/v1/<module>/<function>`` runs that service as the user the bearer token names,
after checking the user's rights for the operation's tab (PRODUCT §9) — the services check
finer rules again. Reads answer with the ``ETag`` of the resource they show. Writes need:

* ``Idempotency-Key``: a retry with the same key returns the first response without running
  the write again; the same key with another body is refused (422); no key is refused (400).
* ``If-Match``: the resource version the client last read (or ``*`` when the change does not
  depend on what was read, such as appending records). A stale version is refused (412) with
  the current value in the body, and nothing is written. No header is refused (428).

The write, its audit rows (tagged with the key), the new version and the stored response are
committed in one transaction. The server keeps nothing in memory between requests.

Nothing of a request is read before its token is checked (401), failed sign-ins are limited
per client address (429) and bodies past a size limit are refused (413): see ``gate``. Arguments
are validated
strictly against the OpenAPI document (a number is not a date); a write's date is the
server's clock (``now``/``today`` are not arguments of a write); days and months more than a
year ahead are refused (422). Every error, FastAPI's own included, is an ``ErrorBody``.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the endpoint annotations, which
# name per-operation models built at run time.

import decimal
import hashlib
import json
import logging
import re
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Body, Depends, FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, TypeAdapter, ValidationError, create_model
from starlette.exceptions import HTTPException as StarletteHTTPException

from billing_desktop import __version__
from billing_desktop.api.codec import codec_for
from billing_desktop.api.conditional import CONDITIONAL_READS, DIGEST_HEX
from billing_desktop.api.errors import encode_error, status_of
from billing_desktop.api.offline import SYNC_ORIGIN
from billing_desktop.api.operations import OPERATIONS, Operation
from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import (
    BillingError,
    InvalidInput,
    PermissionDenied,
    StaleData,
    StoreBusy,
)
from billing_desktop.domain.model import AuditEntry
from billing_desktop.domain.periods import Month
from billing_desktop.server import state
from billing_desktop.server.conditional import ConditionalReads
from billing_desktop.server.gate import USER_KEY, Gate, Limits, describe
from billing_desktop.services import overview, quotas, statements, units, usage_page
from billing_desktop.services.changes import BACKUP_BEFORE_CHANGING, declared_changes
from billing_desktop.services.context import resolve_actor
from billing_desktop.store.sql.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

API = "/api/v1"
MAX_KEY = 200
READ_ERRORS = (400, 401, 403, 404, 413, 422, 429, 503)
WRITE_ERRORS = (400, 401, 403, 404, 409, 412, 413, 422, 428, 429, 503)
ORIGIN = "api"
# A client replaying changes made offline says so (remote/replica.py): the change is audited as
# from "sync"; any other value is the server's own origin.
ORIGINS = {SYNC_ORIGIN}
# Arguments a client may not give to a write (see _undated).
CLOCK_ARGUMENTS = frozenset({"now", "today"})
# How far past the server's clock a day or month argument may lie (see _check_horizon).
HORIZON = timedelta(days=366)
# Import kinds that write what the Plans tab shows (PRODUCT §9: not for shared-account users).
PLAN_KINDS = frozenset({"plans", "apps"})

# What a 412 shows as "the current value" of each resource (read as the refused user).
SNAPSHOTS: dict[str, Callable[..., Any]] = {
    "units": units.units_overview,
    "plans": overview.apps,
    "credits": usage_page.usage_page,
    "closing": statements.statement_months,
    "quotas": quotas.quota_overview,
}


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": error, "message": message, "detail": detail}
        self.headers: dict[str, str] = {}


class ErrorBody(BaseModel):
    error: str
    message: str
    detail: dict[str, Any] = {}


def _error_responses(limits: Limits, *codes: int) -> dict[int | str, dict[str, Any]]:
    texts = {
        400: "Bad request (a body that is not JSON text; a write without an Idempotency-Key, "
        "or with an If-Match that is not a version of its resource)",
        401: "No valid bearer token",
        403: "The user's role and access groups do not allow this",
        404: "Not found",
        409: "Conflicts with what the store holds",
        412: "Stale write: the resource changed since it was read; body has the current value",
        413: f"A body larger than the server takes ({describe(limits.json_body)} for an "
        f"operation, {describe(limits.import_body)} for a CSV import); nothing was read past it",
        422: "Invalid input, or an Idempotency-Key reused with another body",
        428: "A write without If-Match",
        429: f"More than {limits.failed_sign_ins} failed sign-ins from this address in "
        f"{int(limits.sign_in_window.total_seconds())} s: wait Retry-After seconds",
        503: "The store is unavailable",
    }
    responses: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorBody, "description": texts[code]} for code in codes
    }
    responses[200] = {"headers": {"ETag": _ETAG_HEADER}}
    return responses


_ETAG_HEADER = {
    "description": 'The version of the resource the operation reads or changed ("units.7"): '
    "send it as If-Match with the next write. A conditional read adds what its answer "
    'depends on ("units.7-<32 hex>"): send it as If-None-Match to get 304 while that holds',
    "schema": {"type": "string"},
}


def _conditional_read() -> dict[str, Any]:
    """The OpenAPI parameter of a conditional read (``api.conditional``)."""
    return {
        "parameters": [
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "The ETag of an earlier answer to the same request: 304 with no "
                "body while nothing it depends on has changed (any write to the store, an "
                "import included, changes it)",
                "schema": {"type": "string"},
            }
        ]
    }


_NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {
        "description": "Not modified: the answer is the one the If-None-Match tag names (no body)",
        "headers": {"ETag": _ETAG_HEADER},
    }
}


def _write_headers(resource: str) -> dict[str, Any]:
    """The OpenAPI parameters of a write: both headers are required (400 and 428 without)."""
    return {
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "description": "A new random key per change (a UUID), the same on every retry "
                "of that change: a retry gets the first answer and changes nothing again",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_KEY,
                    "pattern": r"\S",
                },
            },
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "description": f"The ETag of the last read of {resource} (a write based on a "
                "version someone has changed since is refused with 412), or * when the write "
                "does not depend on what was read",
                "schema": {"type": "string", "pattern": _if_match_pattern(resource)},
            },
        ]
    }


def _if_match_pattern(resource: str) -> str:
    return (
        rf'^(\*|(W/)?"{resource}\.[0-9]{{1,{state.MAX_VERSION_DIGITS}}}'
        rf'(-[0-9a-f]{{{DIGEST_HEX}}})?")$'
    )


def create_app(store: SqlStore, limits: Limits | None = None) -> FastAPI:
    """The API over ``store`` (an SQL store: SQLite for one machine, PostgreSQL for teams),
    taking requests within ``limits`` (body sizes, failed sign-ins; the defaults of
    ``gate.Limits`` unless given)."""
    limits = limits or Limits()
    app = FastAPI(
        title="Billing Desktop API",
        version=__version__,
        description=(
            "The billing workspace over HTTP JSON for Billing Desktop clients. Every request "
            "needs `Authorization: Bearer <token>` (`billing-desktop tokens create`). Writes "
            "need `Idempotency-Key` and `If-Match`."
        ),
    )
    bearer = HTTPBearer(auto_error=False, description="A token from `tokens create`")
    conditional = ConditionalReads()
    # Sign-in, failed sign-ins and body sizes are checked before FastAPI reads a body.
    app.add_middleware(
        Gate,
        store=store,
        limits=limits,
        prefix=f"{API}/",
        public=frozenset({f"{API}/health"}),
    )

    @app.exception_handler(ApiError)
    def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(BillingError)
    def _billing_error(request: Request, exc: BillingError) -> JSONResponse:
        # Busy past the busy timeout: rolled back, so the client may retry (a write with the
        # same Idempotency-Key).
        headers = {"Retry-After": "1"} if isinstance(exc, StoreBusy) else None
        return JSONResponse(encode_error(exc), status_code=status_of(exc), headers=headers)

    @app.exception_handler(StarletteHTTPException)
    def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # FastAPI's own refusals (a body that is not JSON text, an unknown path, a method the
        # path does not take) answer with an ErrorBody too, keeping their headers (Allow).
        name = {400: "BadRequest", 404: "NotFound", 405: "MethodNotAllowed"}
        body = {
            "error": name.get(exc.status_code, "HTTPError"),
            "message": str(exc.detail),
            "detail": {},
        }
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(sa.exc.OperationalError)
    def _store_failed(request: Request, exc: sa.exc.OperationalError) -> JSONResponse:
        # Locked past the busy timeout, connection lost, disk full: the transaction was rolled
        # back, so the client may retry (with the same Idempotency-Key for a write).
        log.warning("store failed on %s: %s", request.url.path, str(exc.orig).splitlines()[0])
        body = {
            "error": "Unavailable",
            "message": "the store is busy or unreachable; nothing was changed — try again",
            "detail": {},
        }
        return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    def _failed(request: Request, exc: Exception) -> JSONResponse:
        # Starlette logs the traceback; the client gets an ErrorBody without internals.
        body = {
            "error": "InternalError",
            "message": "the server failed on this request; nothing was changed",
            "detail": {},
        }
        return JSONResponse(body, status_code=500)

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = exc.errors()
        first = problems[0] if problems else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        message = f"{where or 'request'}: {first.get('msg', 'invalid')}"
        return JSONResponse(
            {"error": "InvalidInput", "message": message, "detail": {}}, status_code=422
        )

    def actor_for(
        uow: SqlUnitOfWork, user_id: str, operation: Operation, origin: str = ORIGIN
    ) -> Actor:
        actor = resolve_actor(uow, user_id, origin=origin if origin in ORIGINS else ORIGIN)
        _require_area(actor, operation)
        return actor

    def call(operation: Operation, uow: SqlUnitOfWork, actor: Actor, arguments: Any) -> Any:
        codec = codec_for(operation)
        kwargs = codec.decode_call(arguments)
        _check_horizon(kwargs)
        caller: Any = actor.user_id if operation.caller == "user_id" else actor
        try:
            result = operation.function(uow, caller, **kwargs)
        except (ValueError, OverflowError, decimal.InvalidOperation) as exc:
            # Values of the right type but beyond what the calendar or the database holds
            # (a month of the year 10000, an id past 64 bits): the caller's input, not a fault.
            log.info("%s refused its arguments: %r", operation.name, exc)
            raise InvalidInput(f"a value is out of the range this takes ({exc})") from None
        return codec.encode_result(result)

    def signed_in(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> str:
        """The user of the bearer token, as the gate found it before anything of the request
        was read (``credentials`` documents the scheme)."""
        user_id = request.scope.get(USER_KEY)
        if not isinstance(user_id, str):
            raise ApiError(401, "Unauthorized", "sign in: send Authorization: Bearer <token>")
        return user_id

    def strictly(model: type[BaseModel]) -> Any:
        """The request's arguments, validated strictly against the documented schema: a
        number is not a date, 0 is not false, 1.0 is not an id. (FastAPI's own validation of
        the body parameter, which documents the schema, is lax.)"""

        async def parse(request: Request) -> BaseModel:
            try:
                return model.model_validate_json(await request.body(), strict=True)
            except ValidationError as exc:
                raise RequestValidationError(exc.errors(include_url=False)) from None

        return Depends(parse)

    def read_endpoint(operation: Operation) -> Callable[..., Any]:
        arguments_model = codec_for(operation).arguments

        conditional_read = operation.name in CONDITIONAL_READS

        def endpoint(
            user_id: Annotated[str, Depends(signed_in)],
            arguments: Annotated[BaseModel, strictly(arguments_model)],
            documented: Annotated[arguments_model, Body()],  # type: ignore[valid-type]
            if_none_match: Annotated[str | None, Header(include_in_schema=False)] = None,
        ) -> Response:
            with store() as uow:
                if conditional_read:
                    answered = conditional.answer(
                        uow,
                        operation,
                        user_id,
                        arguments,
                        if_none_match,
                        lambda u, user: resolve_actor(u, user, origin=ORIGIN),
                        _require_area,
                        lambda u, actor: call(operation, u, actor, arguments),
                    )
                    if answered is not None:
                        return answered
                actor = actor_for(uow, user_id, operation)
                version = uow.versions.get(operation.resource)
                body = call(operation, uow, actor, arguments)
            return _json(body, 200, state.etag(operation.resource, version))

        return endpoint

    def write_endpoint(operation: Operation) -> Callable[..., Any]:
        arguments_model = _undated(codec_for(operation).arguments)

        def endpoint(
            user_id: Annotated[str, Depends(signed_in)],
            arguments: Annotated[BaseModel, strictly(arguments_model)],
            documented: Annotated[arguments_model, Body()],  # type: ignore[valid-type]
            idempotency_key: Annotated[str | None, Header(include_in_schema=False)] = None,
            if_match: Annotated[str | None, Header(include_in_schema=False)] = None,
            x_billing_origin: Annotated[str | None, Header(include_in_schema=False)] = None,
        ) -> Response:
            raw = json.dumps(arguments.model_dump(mode="json"), sort_keys=True).encode()

            def run(uow: SqlUnitOfWork) -> Callable[[], Any]:
                actor = actor_for(uow, user_id, operation, x_billing_origin or ORIGIN)
                return lambda: call(operation, uow, actor, arguments)

            changed = declared_changes(operation.function)
            if changed and changed & BACKUP_BEFORE_CHANGING:  # a month close: back up first
                with store() as uow:
                    actor_for(uow, user_id, operation)  # only for who may close a month
                store.safety_backup("pre-close")
            digest = state.request_hash(operation.name, raw)
            return guarded_write(
                operation.name, operation.resource, user_id, digest, idempotency_key, if_match, run
            )

        return endpoint

    def guarded_write(
        name: str,
        resource: str,
        user_id: str,
        digest: str,
        key: str | None,
        if_match: str | None,
        run: Callable[[SqlUnitOfWork], Callable[[], Any]],
    ) -> Response:
        """Run a write once per Idempotency-Key (``digest``: the request's hash,
        ``state.request_hash``), if ``resource`` is at the If-Match version. ``run(uow)``
        resolves who writes and gives the work, which runs once the resource's version is
        moved: from then until the commit the version's row is locked and every other write
        of the resource waits, so the reads that need no lock (the user's rights) come
        first (B10)."""
        key, expected = _preconditions(key, if_match, resource)
        for attempt in range(2):
            # A writer from its start (on SQLite: the write lock first), so two writes at
            # once queue on the busy timeout and the second sees what the first committed:
            # its replay, or its new version (412).
            with store(write=True) as uow:
                conn = uow.connection
                replay = _replay(conn, user_id, key, name, digest)
                if replay is not None:
                    return replay
                work = run(uow)
                before = uow.versions.get(resource)
                after = uow.versions.bump(resource, expected)
                if after is None:
                    raise stale(uow, user_id, resource, expected, before)
                body = work()
                tag = state.etag(resource, after)
                uow.audit.add(
                    AuditEntry(
                        datetime.now(UTC),
                        user_id,
                        ORIGIN,
                        name,
                        "resource",
                        resource,
                        {"version": before},
                        {"version": after},
                        key,
                    )
                )
                uow.audit.tag(key)
                stored = state.StoredResponse(name, digest, 200, body, tag)
                try:
                    state.store_response(conn, user_id, key, stored)
                    uow.commit()
                except sa.exc.IntegrityError:
                    # The same key arrived twice at once and the other request won: answer as
                    # it did (next attempt replays it).
                    if attempt:
                        raise
                    continue
                return _json(body, 200, tag)
        raise AssertionError("unreachable")

    def _replay(
        conn: sa.Connection, user_id: str, key: str, name: str, digest: str
    ) -> Response | None:
        stored = state.stored_response(conn, user_id, key)
        if stored is None:
            return None
        if stored.operation != name or stored.request_hash != digest:
            raise ApiError(
                422,
                "IdempotencyKeyReused",
                "this Idempotency-Key was used for a different request; use a new key",
            )
        response = _json(stored.body, stored.status, stored.etag)
        response.headers["Idempotent-Replayed"] = "true"
        return response

    def stale(
        uow: SqlUnitOfWork, user_id: str, resource: str, expected: int | None, current: int
    ) -> ApiError:
        snapshot = SNAPSHOTS.get(resource)
        value: Any = None
        if snapshot is not None:
            actor = resolve_actor(uow, user_id, origin=ORIGIN)
            try:
                hints_owner = next(op for op in OPERATIONS.values() if op.function is snapshot)
                value = codec_for(hints_owner).encode_result(snapshot(uow, actor))
            except (BillingError, StopIteration):
                value = None
        error = StaleData(
            f"someone else changed {resource.replace('_', ' ')} since you read them "
            f"(you had version {expected}, it is now {current}); nothing was changed — "
            "look at the current state and try again",
            resource,
            {"version": current, "value": value},
        )
        api_error = ApiError(412, "StaleData", str(error), **encode_error(error)["detail"])
        api_error.headers["ETag"] = state.etag(resource, current)
        return api_error

    for operation in OPERATIONS.values():
        module, function = operation.name.split(".", 1)
        path = f"{API}/{module}/{function}"
        doc = (operation.function.__doc__ or "").strip().splitlines()
        summary = doc[0] if doc else operation.name
        writes = operation.writes
        responses = _error_responses(limits, *(WRITE_ERRORS if writes else READ_ERRORS))
        extra = _write_headers(operation.resource) if writes else None
        if operation.name in CONDITIONAL_READS:
            responses.update(_NOT_MODIFIED)
            extra = _conditional_read()
        app.add_api_route(
            path,
            write_endpoint(operation) if writes else read_endpoint(operation),
            methods=["POST"],
            name=operation.name,
            summary=summary,
            tags=[module],
            response_model=codec_for(operation).result_type,
            responses=responses,
            operation_id=operation.name.replace(".", "_"),
            openapi_extra=extra,
        )

    # Offline clients: replica chunks and the outbox preview.
    from billing_desktop.server import sync as sync_api

    sync_api.install(
        app,
        store,
        actor_for=actor_for,
        call=call,
        arguments_model=_undated,
        stale=stale,
        responses=_error_responses(limits, *READ_ERRORS),
    )

    from billing_desktop.services.imports import KINDS

    ImportKind = StrEnum("ImportKind", {kind: kind for kind in KINDS})  # type: ignore[misc]

    @app.post(
        f"{API}/imports/{{kind}}",
        tags=["imports"],
        operation_id="imports_import_file",
        summary="Import one CSV file of a kind (PRODUCT §12), all or nothing",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"text/csv": {"schema": {"type": "string"}}},
            },
            **_write_headers("records"),
        },
        responses=_error_responses(limits, *WRITE_ERRORS),
    )
    async def import_csv(
        kind: ImportKind,
        request: Request,
        user_id: Annotated[str, Depends(signed_in)],
        file_name: Annotated[str, Query(max_length=200)] = "upload.csv",
        idempotency_key: Annotated[str | None, Header(include_in_schema=False)] = None,
        if_match: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> Response:
        # Rights and headers first: a refused import is refused before its file is read.
        await run_in_threadpool(import_allowed, kind.value, user_id)
        _preconditions(idempotency_key, if_match, "records")  # refused before the file is read
        name = _safe_file_name(file_name)
        operation = f"imports.{kind.value}"
        # The request's hash covers the operation, the file name and the content, as
        # state.request_hash(operation, name + NUL + content) does, computed as it streams.
        digest = hashlib.sha256(operation.encode() + b"\0" + name.encode() + b"\0")
        with tempfile.TemporaryDirectory(prefix="billing-import-") as folder:
            path = Path(folder) / name
            size = 0
            with path.open("wb") as file:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limits.import_body:
                        too_large = ApiError(
                            413,
                            "PayloadTooLarge",
                            f"the request body is larger than the {describe(limits.import_body)} "
                            "this server takes for a CSV import",
                        )
                        too_large.headers["Connection"] = "close"  # the rest is not read
                        raise too_large
                    digest.update(chunk)
                    await run_in_threadpool(file.write, chunk)
            return await run_in_threadpool(
                import_upload,
                kind.value,
                path,
                digest.hexdigest(),
                user_id,
                idempotency_key,
                if_match,
            )

    def import_allowed(kind: str, user_id: str) -> None:
        with store() as uow:
            rights = resolve_actor(uow, user_id, origin=ORIGIN).rights
        rights.require(Area.USAGE, Level.EDIT, "import data")
        if kind in PLAN_KINDS:  # the Plans tab's data: refused to those who may not edit it
            rights.require(Area.PLANS, Level.EDIT, f"import {kind}")

    def import_upload(
        kind: str,
        path: Path,
        digest: str,
        user_id: str,
        key: str | None,
        if_match: str | None,
    ) -> Response:
        from billing_desktop.services.imports import ImportReport, import_into

        operation = f"imports.{kind}"

        def run(uow: SqlUnitOfWork) -> Callable[[], Any]:
            def work() -> Any:
                report = import_into(uow, kind, path, user_id)
                return TypeAdapter(ImportReport).dump_python(report, mode="json")

            return work

        # The import runs in the write's own transaction, after its Idempotency-Key and
        # If-Match are checked under the write lock: two imports at once with one key give one
        # import and a replay, two with one version one import and a 412.
        return guarded_write(operation, "records", user_id, digest, key, if_match, run)

    @app.get(f"{API}/health", tags=["server"], operation_id="server_health")
    def health() -> dict[str, str]:
        """The server is up and its store answers (no sign-in needed)."""
        with store() as uow:
            uow.connection.execute(sa.text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    return app


def _require_area(actor: Actor, operation: Operation) -> None:
    """Refuse (403) a user whose rights do not reach the operation's tab (PRODUCT §9)."""
    area = operation.area
    if area is not None:
        allowed = actor.rights.can_edit(area) if operation.writes else actor.rights.can_view(area)
        if not allowed:
            verb = "change" if operation.writes else "see"
            raise PermissionDenied(f"{actor.name} may not {verb} {area.label}")


def _undated(model: type[BaseModel]) -> type[BaseModel]:
    """A write's arguments without ``now`` and ``today``: the server dates a change by its own
    clock. (Given by a client, they would book a payment into a closed month, or close the
    current month before it has ended.) Sending them is refused like any unknown argument."""
    kept = {
        name: (field.annotation, field)
        for name, field in model.model_fields.items()
        if name not in CLOCK_ARGUMENTS
    }
    if len(kept) == len(model.model_fields):
        return model
    undated: type[BaseModel] = create_model(  # type: ignore[call-overload]
        model.__name__, __config__=model.model_config, **kept
    )
    return undated


def _check_horizon(arguments: dict[str, Any]) -> None:
    """Refuse months that are none, and days and months more than a year past the server's
    clock.

    Nothing is recorded there, and the billing engine would work out every month in between
    (the year 9999 takes it half a minute): one request must not be able to keep a server busy.
    """
    limit = datetime.now(UTC).date() + HORIZON
    for name, value in arguments.items():
        if isinstance(value, datetime):
            late = value.date() > limit
        elif isinstance(value, date):
            late = value > limit
        elif isinstance(value, Month):
            if not (1 <= value.year <= 9999 and 1 <= value.month <= 12):
                raise InvalidInput(f"{name}: {value.year}-{value.month} is not a month")
            late = (value.year, value.month) > (limit.year, limit.month)
        else:
            continue
        if late:
            raise InvalidInput(
                f"{name} {value} is more than a year ahead: nothing is recorded there yet"
            )


def _safe_file_name(given: str) -> str:
    """The name an upload is imported under (reports and errors name it): the last part of
    what the client sent, letters, digits and a few marks only."""
    cleaned = re.sub(r"[^\w .,()+-]", "_", given.replace("\\", "/").rsplit("/", 1)[-1])
    cleaned = cleaned.strip().lstrip(".")[:100]
    return cleaned or "upload.csv"


def _preconditions(key: str | None, if_match: str | None, resource: str) -> tuple[str, int | None]:
    """A write's Idempotency-Key and the version of ``resource`` its If-Match names (None
    for ``*``); 400 or 428 when either is missing or malformed."""
    key = _check_key(key)
    if if_match is None:
        raise ApiError(428, "PreconditionRequired", "a write needs If-Match (a version or *)")
    try:
        return key, state.parse_etag(if_match, resource)
    except ValueError as exc:
        raise ApiError(400, "BadRequest", str(exc)) from None


def _check_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise ApiError(400, "IdempotencyKeyMissing", "a write needs an Idempotency-Key header")
    if len(key) > MAX_KEY:
        raise ApiError(400, "BadRequest", f"Idempotency-Key longer than {MAX_KEY} characters")
    return key


def _json(body: Any, status: int, etag: str | None) -> Response:
    headers = {"ETag": etag} if etag else {}
    return JSONResponse(body, status_code=status, headers=headers)
