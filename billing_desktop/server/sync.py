"""What offline clients need of the server (PRODUCT §13): their replica's rows and a preview of
their outbox.

* ``sync/manifest``: who the token is, the workspace, the resource versions, the API version
  and which tables this user's replica holds.
* ``sync/chunks``: a table as key-ordered chunks with digests (``store.sql.replication``),
  computed over the rows the user may read: a shared-account user gets no plan, app or
  ``app:`` ledger row, whatever the client asks.
* ``sync/rows``: the rows of one key range, at most ``replication.CHUNK`` at a time.
* ``sync/watermark``: stamps the append-only records not stamped yet and answers the number
  every one of them is stamped up to, with the count of each table's rows up to it that the
  user may read (``replication.stamp``);
* ``sync/since``: the rows of append-only tables stamped after a (number, key) watermark, at
  most ``replication.CHUNK`` at a time — an incremental sync reads only the new records.
* ``sync/preview``: a verdict per queued operation — applies, conflict (with the current
  value), refused (with the reason) or applied already (its Idempotency-Key is known) — from the
  operations' own code, run in one write transaction that is rolled back.

Replay itself uses the ordinary write endpoints, one operation per request with its own
Idempotency-Key and If-Match: the path the preview mirrors is the one that applies.
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from billing_desktop import __version__
from billing_desktop.api.codec import codec_for
from billing_desktop.api.operations import OPERATIONS
from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import BillingError, InvalidInput, NotFound, PermissionDenied
from billing_desktop.server import state
from billing_desktop.server.gate import USER_KEY
from billing_desktop.services.context import resolve_actor
from billing_desktop.store.sql import replication as rep
from billing_desktop.store.sql.uow import SqlUnitOfWork

API = "/api/v1"
# The version of the outbox format and of this protocol: a client whose outbox was written by
# another major version gets a clear refusal per operation, never a guess.
SYNC_API_VERSION = 1
PREVIEW_LIMIT = 200  # operations per preview request
MAX_ROWS = 5_000  # rows per sync/rows answer


class _Strict(BaseModel):
    """Every sync request is validated strictly: false is not 0, as for every operation."""

    model_config = ConfigDict(strict=True)


class ChunksRequest(_Strict):
    tables: list[str] = Field(max_length=100)


class RowRange(_Strict):
    table: str = Field(max_length=60)
    first: list[Any] | None = None
    last: list[Any] | None = None
    after: bool = False
    limit: int = Field(default=MAX_ROWS, ge=1, le=MAX_ROWS)


class RowsRequest(_Strict):
    ranges: list[RowRange] = Field(max_length=1000)


class WatermarkRequest(_Strict):
    tables: list[str] = Field(max_length=100)


class SinceRange(_Strict):
    table: str = Field(max_length=60)
    seq: int = Field(ge=-1, le=2**62)
    key: list[Any] | None = Field(default=None, max_length=10)
    high: int = Field(ge=0, le=2**62)
    limit: int = Field(default=MAX_ROWS, ge=1, le=MAX_ROWS)


class SinceRequest(_Strict):
    ranges: list[SinceRange] = Field(max_length=100)


class QueuedOperation(_Strict):
    operation: str = Field(max_length=100)
    arguments: dict[str, Any]
    key: str = Field(min_length=1, max_length=200)
    if_match: str = Field(max_length=100)
    api_version: int = SYNC_API_VERSION


class PreviewRequest(_Strict):
    operations: list[QueuedOperation] = Field(max_length=PREVIEW_LIMIT)


def install(
    app: FastAPI,
    store: SqlStore,
    *,
    actor_for: Callable[..., Any],
    call: Callable[..., Any],
    arguments_model: Callable[[Any], type[BaseModel]],
    stale: Callable[..., Any],
    responses: dict[int | str, dict[str, Any]],
) -> None:
    """Add the sync endpoints to ``app`` (``create_app`` passes its own checks: the rights of an
    operation, running one, the arguments a write takes, the body of a 412)."""

    def user(request: Request) -> str:
        user_id = request.scope.get(USER_KEY)
        if not isinstance(user_id, str):
            raise PermissionDenied("sign in: send Authorization: Bearer <token>")
        return user_id

    def rights(uow: SqlUnitOfWork, user_id: str) -> Any:
        return resolve_actor(uow, user_id, origin="api").rights

    def spec(name: str) -> rep.Replicated:
        try:
            return rep.replicated(name)
        except KeyError:
            raise NotFound(f"{name} is not a table a replica holds") from None

    @app.post(
        f"{API}/sync/manifest", tags=["sync"], operation_id="sync_manifest", responses=responses
    )
    def manifest(user_id: Annotated[str, Depends(user)]) -> dict[str, Any]:
        """Who the token is, the workspace, its resource versions and the replica's tables."""
        with store() as uow:
            granted = rights(uow, user_id)
            account = uow.account.get()
            versions = uow.versions.all()
        return {
            "user_id": user_id,
            "workspace": account.name if account else "",
            "versions": versions,
            "api_version": SYNC_API_VERSION,
            "server_version": __version__,
            "server_time": datetime.now(UTC).isoformat(),
            "tables": [s.name for s in rep.TABLES if rep.may_read(s, granted)],
            # sync/watermark and sync/since are here (a server before them: digests only).
            "watermarks": True,
        }

    @app.post(f"{API}/sync/chunks", tags=["sync"], operation_id="sync_chunks", responses=responses)
    def chunks(request: ChunksRequest, user_id: Annotated[str, Depends(user)]) -> Response:
        """Tables as key-ordered chunks with digests, of the rows this user may read."""
        specs = [spec(name) for name in request.tables]
        answer: dict[str, Any] = {}
        with store() as uow:
            granted = rights(uow, user_id)
            for table in specs:
                found = (
                    [c.as_json() for c in rep.chunks(uow.connection, table, granted)]
                    if rep.may_read(table, granted)
                    else []
                )
                answer[table.name] = {"columns": rep.column_names(table), "chunks": found}
        return _compact({"tables": answer})

    def read_ranges(
        ranges: list[Any],
        user_id: str,
        read: Callable[[sa.Connection, rep.Replicated, Any, Any], list[list[Any]]],
        *,
        watermarked_only: bool = False,
    ) -> Response:
        """The rows ``read`` finds for each asked range (at most ``MAX_ROWS`` in all): none
        for a table this user may not read. Shared by ``/sync/rows`` and ``/sync/since``."""
        if sum(r.limit for r in ranges) > MAX_ROWS:
            raise InvalidInput(f"ask for at most {MAX_ROWS} rows at a time")
        answer: list[dict[str, Any]] = []
        with store() as uow:
            granted = rights(uow, user_id)
            for wanted in ranges:
                table = spec(wanted.table)
                if watermarked_only and not table.watermarked:
                    raise InvalidInput(f"{table.name} has no watermark: compare it by chunks")
                found = (
                    read(uow.connection, table, granted, wanted)
                    if rep.may_read(table, granted)
                    else []
                )
                answer.append({"columns": rep.column_names(table), "rows": found})
        return _compact({"ranges": answer})

    @app.post(f"{API}/sync/rows", tags=["sync"], operation_id="sync_rows", responses=responses)
    def rows(request: RowsRequest, user_id: Annotated[str, Depends(user)]) -> Response:
        """The rows of key ranges (at most ``MAX_ROWS`` in all), of the rows this user may
        read."""

        def read(conn: sa.Connection, table: rep.Replicated, granted: Any, wanted: Any) -> Any:
            try:
                return rep.rows(
                    conn,
                    table,
                    granted,
                    wanted.first,
                    wanted.last,
                    after=wanted.after,
                    limit=wanted.limit,
                )
            except (ValueError, TypeError, sa.exc.StatementError) as exc:
                raise InvalidInput(
                    f"{table.name}: first/last are not keys of this table ({exc})"
                ) from None

        return read_ranges(request.ranges, user_id, read)

    @app.post(
        f"{API}/sync/watermark", tags=["sync"], operation_id="sync_watermark", responses=responses
    )
    def watermark(request: WatermarkRequest, user_id: Annotated[str, Depends(user)]) -> Response:
        """Stamp the records not stamped yet; the number they are all stamped up to, and the
        count of each asked table's rows up to it that this user may read."""
        specs = [spec(name) for name in request.tables]
        with store(write=True) as uow:
            granted = rights(uow, user_id)
            high = rep.stamp(uow.connection, [s for s in rep.TABLES if s.watermarked])
            counts = {
                s.name: rep.count_upto(uow.connection, s, granted, high)
                for s in specs
                if s.watermarked and rep.may_read(s, granted)
            }
            uow.commit()
        return _compact({"high": high, "counts": counts})

    @app.post(f"{API}/sync/since", tags=["sync"], operation_id="sync_since", responses=responses)
    def since(request: SinceRequest, user_id: Annotated[str, Depends(user)]) -> Response:
        """The rows stamped after a watermark (at most ``MAX_ROWS`` in all), of the rows this
        user may read."""

        def read(conn: sa.Connection, table: rep.Replicated, granted: Any, wanted: Any) -> Any:
            try:
                return rep.since(
                    conn, table, granted, wanted.seq, wanted.key, wanted.high, wanted.limit
                )
            except (ValueError, TypeError, OverflowError, sa.exc.StatementError) as exc:
                raise InvalidInput(
                    f"{table.name}: key is not a key of this table ({exc})"
                ) from None

        return read_ranges(request.ranges, user_id, read, watermarked_only=True)

    @app.post(
        f"{API}/sync/preview", tags=["sync"], operation_id="sync_preview", responses=responses
    )
    def preview(request: PreviewRequest, user_id: Annotated[str, Depends(user)]) -> JSONResponse:
        """A verdict per queued operation, from a transaction that is rolled back."""
        verdicts: list[dict[str, Any]] = []
        moved: dict[str, tuple[int, int]] = {}  # resource: (version before, after) in this run
        with store(write=True) as uow:
            conn = uow.connection
            for queued in request.operations:
                verdicts.append(verdict(uow, conn, user_id, queued, moved))
            uow.rollback()
        return JSONResponse({"verdicts": verdicts})

    def verdict(
        uow: SqlUnitOfWork,
        conn: Any,
        user_id: str,
        queued: QueuedOperation,
        moved: dict[str, tuple[int, int]],
    ) -> dict[str, Any]:
        def answer(kind: str, reason: str = "", **more: Any) -> dict[str, Any]:
            return {"key": queued.key, "verdict": kind, "reason": reason, **more}

        if queued.api_version != SYNC_API_VERSION:
            return answer(
                "refused",
                f"queued by a client of API version {queued.api_version}; this server takes "
                f"version {SYNC_API_VERSION} — export the outbox and redo the change",
            )
        if state.stored_response(conn, user_id, queued.key) is not None:
            return answer("applied", "already applied (its Idempotency-Key is known)")
        operation = OPERATIONS.get(queued.operation)
        if operation is None or not operation.writes:
            return answer("refused", f"this server has no change called {queued.operation}")
        try:
            model = arguments_model(codec_for(operation).arguments)
            arguments = model.model_validate_json(json.dumps(queued.arguments), strict=True)
            base = state.parse_etag(queued.if_match, operation.resource)
        except (ValidationError, ValueError) as exc:
            return answer("refused", f"its arguments no longer fit this server ({exc})")
        # An earlier operation of this outbox moved the resource on from the same base: the
        # client's replay sends the version that one's answer named.
        expected = base
        chained = moved.get(operation.resource)
        if chained is not None and base == chained[0]:
            expected = chained[1]
        nested = conn.begin_nested()
        try:
            actor = actor_for(uow, user_id, operation)
            before = uow.versions.get(operation.resource)
            after = uow.versions.bump(operation.resource, expected)
            if after is None:
                error = stale(uow, user_id, operation.resource, expected, before)
                nested.rollback()
                return answer("conflict", str(error), current=error.body.get("detail", {}))
            call(operation, uow, actor, arguments)
        except BillingError as exc:
            nested.rollback()
            return answer("refused", str(exc))
        nested.commit()
        if base is not None:
            moved[operation.resource] = (base, after)
        return answer("applies")


def _compact(body: Any) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")
