"""Offline work on a shared workspace (PRODUCT §13): a local replica, an outbox, replay.

* **Replica**: an SQLite file of the same schema as a local store, in the per-user data folder,
  one per server + workspace + user, holding the rows that user may read (the server filters
  them, ``server/sync.py``). Reads run the use cases on it with the same engine as a local
  store, so they work with the server down.
* **Pull**: table by table in key-ordered chunks with digests (``store.sql.replication``); a
  chunk whose digest matches is not fetched again, so an interrupted first sync resumes where
  it stopped. Afterwards the append-only records and the rollups follow the server's
  watermark: only the rows stamped since the replica's last (number, key) are fetched, and a
  count that differs (a row deleted, a right changed) sends that table back to digests. The
  records are skipped while the server's ``records`` version has not moved.
* **Outbox**: an offline write is applied to the replica and recorded (use case, arguments as
  the API encodes them, Idempotency-Key, the If-Match version it was based on, who, when, the
  API version) in the same SQLite transaction. Money-creating writes are recorded as requests
  without being applied; online-only ones are refused (``api.offline``).
* **Replay**: pending operations go to the ordinary write endpoints in order, one request each
  with its own key (a retry after a lost answer is answered from the server's record, never
  applied twice). A conflict or refusal is kept with its reason and does not stop the
  operations after it; an unreachable server stops the replay, the rest stays pending.
  Nothing is deleted: discarded operations stay in the outbox as a log.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from pydantic import ValidationError

from billing_desktop.api.codec import codec_for
from billing_desktop.api.offline import (
    ORIGIN_HEADER,
    SYNC_API_VERSION,
    SYNC_ORIGIN,
    UNCONDITIONAL,
    is_request,
    offline_refusal,
)
from billing_desktop.api.operations import OPERATIONS, Operation, operation_for
from billing_desktop.config import data_dir
from billing_desktop.domain.errors import (
    BillingError,
    InvalidInput,
    StaleData,
    StoreError,
    Unavailable,
)
from billing_desktop.remote.client import API, HttpStore, server_key
from billing_desktop.services import overview, plans, quotas, units, usage_page
from billing_desktop.services.task_state import TaskState
from billing_desktop.store.ports import UnitOfWork
from billing_desktop.store.sql import replication as rep
from billing_desktop.store.sql.uow import SqlDatabase

log = logging.getLogger(__name__)
T = TypeVar("T")
P = ParamSpec("P")

OFFLINE_ENV = "BILLING_DESKTOP_OFFLINE"  # "1": work offline (File ▸ Work offline, --offline)

# Outbox statuses.
PENDING, APPLIED, CONFLICT, REFUSED, DISCARDED = (
    "pending",
    "applied",
    "conflict",
    "refused",
    "discarded",
)
WAITING = (CONFLICT, REFUSED)  # wait for the user

_meta = sa.MetaData()
offline_state = sa.Table(
    "offline_state",
    _meta,
    sa.Column("key", sa.String(60), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
)
offline_outbox = sa.Table(
    "offline_outbox",
    _meta,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(200), nullable=False, unique=True),  # the Idempotency-Key
    sa.Column("operation", sa.String(100), nullable=False),
    sa.Column("arguments", sa.JSON, nullable=False),
    sa.Column("resource", sa.String(40), nullable=False),
    sa.Column("if_match", sa.String(100), nullable=False),
    sa.Column("user_id", sa.String(100), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("api_version", sa.Integer, nullable=False),
    sa.Column("request", sa.Boolean, nullable=False),  # not applied to the replica
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("reason", sa.String(2000), nullable=False, default=""),
    sa.Column("base", sa.JSON, nullable=True),  # the resource when the change was made
    sa.Column("mine", sa.JSON, nullable=True),  # the resource after the change, here
    sa.Column("server", sa.JSON, nullable=True),  # the server's, when it conflicted
    sa.Column("local_result", sa.JSON, nullable=True),
    sa.Column("result", sa.JSON, nullable=True),
    sa.Column("etag", sa.String(100), nullable=True),  # the version the change led to
    sa.Column("answered_at", sa.String(40), nullable=True),
)

# What an outbox entry did to the replica, row by row: SQL statements that
# put the rows back as they were before it (undo) and as it left them (redo), captured by
# temporary triggers while the change ran. Discarding the entry undoes it at once (the later
# entries are rewound and redone on top), so the screens stop showing it before the next pull.
# Only valid on the replica as that pull left it (``synced_at``): a pull replaces the rows.
offline_undo = sa.Table(
    "offline_undo",
    _meta,
    sa.Column("seq", sa.Integer, primary_key=True),  # the outbox entry
    sa.Column("synced_at", sa.String(40), nullable=True),  # the pull it was made on top of
    sa.Column("undo", sa.JSON, nullable=False),
    sa.Column("redo", sa.JSON, nullable=False),
)

# What a conflict shows of each resource (the same reads the server's 412 answers with).
SNAPSHOTS: dict[str, Callable[..., Any]] = {
    "units": units.units_overview,
    "plans": overview.apps,
    "credits": usage_page.usage_page,
    "quotas": quotas.quota_overview,
}
_ = plans  # plan changes are snapshotted through overview.apps


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:80] or "x"


def replicas_dir() -> Path:
    return data_dir() / "replicas"


def server_folder(url: str) -> Path:
    return replicas_dir() / _slug(server_key(url).split("://", 1)[-1])


# The replica file ---------------------------------------------------------------------------


class Replica:
    """One replica file: the store's schema, the sync state and the outbox."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.sql = SqlDatabase(f"sqlite:///{path}", create=True)

        # The server enforces the store's integrity; the replica holds the rows one user may
        # read (conversations without their apps for a shared-account user).
        @sa.event.listens_for(self.sql.engine, "connect")
        def _no_foreign_keys(dbapi_connection: Any, record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.close()

        self.sql.engine.dispose()
        _meta.create_all(self.sql.engine)

    def close(self) -> None:
        self.sql.dispose()

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        with self.sql.engine.begin() as conn:
            yield conn

    def state(self, key: str, default: Any = None) -> Any:
        with self.sql.engine.connect() as conn:
            value = conn.execute(
                sa.select(offline_state.c.value).where(offline_state.c.key == key)
            ).scalar()
        return default if value is None else value

    @staticmethod
    def set_state(conn: sa.Connection, key: str, value: Any) -> None:
        conn.execute(offline_state.delete().where(offline_state.c.key == key))
        conn.execute(offline_state.insert().values(key=key, value=value))

    def outbox(self, statuses: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        query = sa.select(offline_outbox).order_by(offline_outbox.c.seq)
        if statuses is not None:
            query = query.where(offline_outbox.c.status.in_(statuses))
        with self.sql.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def pending_count(self) -> int:
        with self.sql.engine.connect() as conn:
            value = conn.execute(
                sa.select(sa.func.count()).where(offline_outbox.c.status == PENDING)
            ).scalar()
        return int(value or 0)

    def update_op(self, seq: int, **values: Any) -> None:
        with self.connect() as conn:
            conn.execute(
                offline_outbox.update().where(offline_outbox.c.seq == seq).values(**values)
            )


# The replica store --------------------------------------------------------------------------


@dataclass
class SyncReport:
    """What a sync did: tables and rows fetched, and the outbox afterwards."""

    fetched_rows: int = 0
    fetched_chunks: int = 0
    fetched_pages: int = 0  # requests for rows stamped since the last sync (sync/since)
    tables: list[str] = field(default_factory=list)
    applied: int = 0
    conflicts: int = 0
    refused: int = 0
    pending: int = 0
    synced_at: str | None = None

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class ReplicaStore(HttpStore):
    """The remote store through a local replica: reads from it, writes to the server when it
    answers and to the outbox when it does not (``Gateway``)."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        folder: Path | None = None,
        offline: bool | None = None,
        auto_sync: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(url, token, **options)
        self.folder = folder or server_folder(url)
        self.forced_offline = os.environ.get(OFFLINE_ENV) == "1" if offline is None else offline
        self.online: bool | None = None  # None: not tried yet
        self.offline_since: str | None = None
        self.on_queued: Callable[[int], None] | None = None
        self._replica: Replica | None = None
        self._user_id: str | None = None
        self._sync_lock = threading.RLock()
        self._tried = not auto_sync  # a first read syncs once (quickly given up)

    # Where -------------------------------------------------------------------------------

    @property
    def description(self) -> str:
        return f"Remote store: {server_key(self.url)} (replica)"

    def _index(self) -> Path:
        return self.folder / "last.json"

    def close(self) -> None:
        """The HTTP client's connections, and the replica file's."""
        super().close()
        with self._sync_lock:
            replica = self._replica
        if replica is not None:
            replica.close()

    def _open_known(self) -> Replica | None:
        """The replica this machine last used for this server, if any."""
        try:
            known = json.loads(self._index().read_text("utf-8"))
            path = self.folder / str(known["file"])
        except (OSError, ValueError, KeyError):
            return None
        if not path.exists():
            return None
        self._user_id = str(known["user_id"])
        return Replica(path)

    def _open_for(self, workspace: str, user_id: str) -> Replica:
        name = f"{_slug(workspace)}--{_slug(user_id)}.db"
        current = self._replica
        if current is not None and current.path.name == name:
            return current
        if current is not None:
            current.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        replica = Replica(self.folder / name)
        self._index().write_text(json.dumps({"file": name, "user_id": user_id}), "utf-8")
        self._replica = replica
        self._user_id = user_id
        return replica

    @property
    def replica(self) -> Replica:
        """The replica, after a first sync if none is here yet (and the server answers)."""
        current = self._replica
        if current is not None and self._tried:
            return current  # no lock: reads go on while a sync runs
        with self._sync_lock:
            return self._first_replica()

    def _first_replica(self) -> Replica:
        if self._replica is None:
            self._replica = self._open_known()
        failure: Unavailable | None = None
        if not self._tried and not self.forced_offline:
            self._tried = True
            try:
                self.sync(quick=True)
            except Unavailable as exc:
                self._went_offline(exc)
                failure = exc
        if self._replica is None:
            why = f"{failure}; " if failure else "working offline, and "
            raise Unavailable(
                f"{why}there is no copy of {server_key(self.url)} on this machine yet: "
                "connect once while the server is reachable"
            )
        return self._replica

    @property
    def user_id(self) -> str:
        self.replica  # noqa: B018 - opens it
        assert self._user_id is not None
        return self._user_id

    def _went_offline(self, exc: BaseException) -> None:
        if self.online is not False:
            self.offline_since = _now()
        self.online = False
        log.info("working offline: %s", exc)

    def synced_at(self) -> str | None:
        """When the replica was last brought up to date (None: not opened yet, or never)."""
        replica = self._replica
        return None if replica is None else replica.state("synced_at")

    # Gateway -----------------------------------------------------------------------------

    def read(
        self, service: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        function, all_args, all_kwargs = _unbound(service, args, kwargs)
        replica = self.replica
        operation = operation_for(function)
        if operation is not None and operation.caller == "user_id":
            all_args = (self.user_id, *all_args[1:])
        if function is usage_page.usage_page:
            # Auto-recharge buys credit: only the server does that, never a read of a copy.
            all_kwargs = {**all_kwargs, "auto_recharge": False}
        with replica.sql() as uow:
            # A read never changes the replica (what the pull brings is the only truth there).
            uow.commit = _no_commit  # type: ignore[method-assign]
            result: T = function(uow, *all_args, **all_kwargs)
            return result

    def write(
        self, service: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        function, all_args, all_kwargs = _unbound(service, args, kwargs)
        operation = operation_for(function)
        if operation is None or not operation.writes:
            name = getattr(function, "__qualname__", repr(function))
            raise StoreError(f"{name} is not a change a remote store makes")
        replica = self.replica
        if not self.forced_offline and self.online is not False and not replica.pending_count():
            result: T = self._write_online(replica, operation, all_args, all_kwargs)
            return result
        queued: T = self._queue(replica, operation, all_args, all_kwargs)
        return queued

    def import_csv(self, kind: str, path: Path, *, state: TaskState | None = None) -> Any:
        if self.forced_offline or self.online is False:
            raise Unavailable(
                "offline: an import is checked against the whole store on the server; nothing "
                "was imported — import the file when the server is back"
            )
        report = super().import_csv(kind, path, state=state)
        self._pull_quietly()
        return report

    # Writes ------------------------------------------------------------------------------

    def _if_match(self, replica: Replica, resource: str) -> str:
        versions: dict[str, int] = replica.state("versions", {}) or {}
        # Version 0: never written yet (a stale write is refused all the same).
        return f'"{resource}.{versions.get(resource, 0)}"'

    def _write_online(
        self,
        replica: Replica,
        operation: Operation,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        codec = codec_for(operation)
        body = codec.encode_call(args[1:], kwargs)
        key = str(uuid.uuid4())
        if_match = self._if_match(replica, operation.resource)
        try:
            response = self._post_operation(operation, body, key, if_match)
        except Unavailable as exc:
            self._went_offline(exc)
            if offline_refusal(operation.name) is not None:
                raise
            # The server may have run it before the answer was lost: queue it with the same
            # key (the replay is then answered from the server's record, not run again).
            return self._queue(replica, operation, args, kwargs, key=key, if_match=if_match)
        except StaleData:
            self._pull_quietly()  # the screens show what the server holds now
            raise
        self.online = True
        result = codec.decode_result(response.content)
        self._pull_quietly()
        self.announce_write(operation.function)
        return result

    def _post_operation(self, operation: Operation, body: Any, key: str, if_match: str) -> Any:
        module, function = operation.name.split(".", 1)
        return self._send(
            f"{API}/{module}/{function}",
            json=body,
            # A replay of a change made offline: the server audits it as from "sync".
            headers={"Idempotency-Key": key, "If-Match": if_match, ORIGIN_HEADER: SYNC_ORIGIN},
            retry=True,
        )

    def _queue(
        self,
        replica: Replica,
        operation: Operation,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        key: str | None = None,
        if_match: str | None = None,
    ) -> Any:
        result, _seq = self._queue_entry(
            replica, operation, args, kwargs, key=key, if_match=if_match
        )
        return result

    def _queue_entry(
        self,
        replica: Replica,
        operation: Operation,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        key: str | None = None,
        if_match: str | None = None,
        supersedes: int | None = None,
    ) -> tuple[Any, int]:
        """Apply the change to the replica and record it, in one transaction; the result and
        the entry's number. ``supersedes``: an entry this one replaces (``edit``), taken out
        of the replica and kept in the log as discarded, in the same transaction."""
        refusal = offline_refusal(operation.name)
        if refusal is not None:
            raise Unavailable(refusal)
        codec = codec_for(operation)
        body = codec.encode_call(args[1:], kwargs)
        request = is_request(operation.name)
        actor = args[0]
        result: Any = None
        changes: list[tuple[str, str]] = []
        with replica.sql(write=True) as uow:
            conn = uow.connection
            if supersedes is not None:
                _revert(conn, supersedes)
            base = None if request else _snapshot(uow, actor, operation.resource)
            if not request:
                with _recording(conn) as changes:
                    result = operation.function(uow, *args, **kwargs)
                uow.versions.bump(operation.resource)
            mine = None if request else _snapshot(uow, actor, operation.resource)
            inserted = conn.execute(
                offline_outbox.insert().values(
                    key=key or str(uuid.uuid4()),
                    operation=operation.name,
                    arguments=body,
                    resource=operation.resource,
                    if_match=if_match
                    or (
                        "*"
                        if operation.name in UNCONDITIONAL
                        else self._if_match(replica, operation.resource)
                    ),
                    user_id=self._user_id or "",
                    created_at=_now(),
                    api_version=SYNC_API_VERSION,
                    request=request,
                    status=PENDING,
                    reason="",
                    base=base,
                    mine=mine,
                    local_result=None if request else codec.encode_result(result),
                )
            )
            key_values = inserted.inserted_primary_key
            assert key_values is not None
            seq = int(key_values[0])
            if changes:
                conn.execute(
                    offline_undo.insert().values(
                        seq=seq,
                        synced_at=conn.execute(
                            sa.select(offline_state.c.value).where(
                                offline_state.c.key == "synced_at"
                            )
                        ).scalar(),
                        undo=[undo for undo, _ in changes],
                        redo=[redo for _, redo in changes],
                    )
                )
            if supersedes is not None:
                conn.execute(
                    offline_outbox.update()
                    .where(offline_outbox.c.seq == supersedes)
                    .values(
                        status=DISCARDED,
                        reason=f"superseded by entry {seq} (edited) on {_now()}",
                    )
                )
            uow.commit()
        count = replica.pending_count()
        if self.on_queued is not None:
            self.on_queued(count)
        self.announce_write(operation.function)
        return result, seq

    # Sync --------------------------------------------------------------------------------

    def sync(
        self, progress: Callable[[float, str], None] | None = None, *, quick: bool = False
    ) -> SyncReport:
        """Replay the outbox, then pull. Raises Unavailable when the server does not answer
        (what was done so far is kept: the next sync goes on from there). ``quick``: give up
        at the first failed attempt to reach the server (a read does not wait for it)."""
        with self._sync_lock:
            self._tried = True
            report = SyncReport()
            manifest = self._manifest(retry=not quick)
            replica = self._open_for(str(manifest["workspace"]), str(manifest["user_id"]))
            self.replay(report)
            self.pull(replica, report, progress, manifest)
            self.online = True
            self.offline_since = None
            for op in replica.outbox():
                if op["status"] == CONFLICT:
                    report.conflicts += 1
                elif op["status"] == REFUSED:
                    report.refused += 1
                elif op["status"] == PENDING:
                    report.pending += 1
            return report

    def _pull_quietly(self) -> None:
        try:
            self.sync()
        except Unavailable as exc:
            self._went_offline(exc)

    def _manifest(self, retry: bool = True) -> dict[str, Any]:
        manifest: dict[str, Any] = self._send(f"{API}/sync/manifest", json={}, retry=retry).json()
        return manifest

    def pull(
        self,
        replica: Replica,
        report: SyncReport,
        progress: Callable[[float, str], None] | None = None,
        manifest: dict[str, Any] | None = None,
    ) -> None:
        """Bring the replica to the server's state: the tables whose chunks differ."""
        manifest = manifest or self._manifest()
        versions: dict[str, int] = dict(manifest["versions"])
        known: dict[str, int] = replica.state("versions", {}) or {}
        complete = bool(replica.state("complete", False))
        readable = set(manifest["tables"])
        # Tables the last sync held for this user (a table readable again after a right came
        # back is compared whole, whatever its version says).
        held = set(replica.state("readable", []) or [])
        marks: dict[str, list[Any]] = dict(replica.state("watermarks", {}) or {})
        wanted: list[rep.Replicated] = []
        for spec in rep.TABLES:
            if spec.name not in readable:
                with replica.connect() as conn:  # a right taken away: its rows go
                    if conn.execute(sa.select(spec.table).limit(1)).first() is not None:
                        conn.execute(spec.table.delete())
                        report.tables.append(spec.name)
                marks.pop(spec.name, None)
                continue
            unchanged = complete and known.get(spec.resource) == versions.get(spec.resource)
            if not (spec.append_only and unchanged and spec.name in held):
                wanted.append(spec)
        # Append-only records the replica holds already: only the rows stamped since.
        high: int | None = None
        # (A server from before the watermarks says nothing of them: digests only.)
        marked = [s for s in wanted if s.watermarked] if manifest.get("watermarks") else []
        if marked:
            stamped = self._send(
                f"{API}/sync/watermark", json={"tables": [s.name for s in marked]}
            ).json()
            high = int(stamped["high"])
            held_marks = [
                (spec, marks[spec.name])
                for spec in marked
                if complete and spec.name in held and spec.name in marks
            ]  # the others are compared by digests below (a first time)
            counts = {name: int(n) for name, n in stamped["counts"].items()}
            differ = self._pull_since(replica, held_marks, high, counts, report)
            for spec, _ in held_marks:
                if spec not in differ:
                    wanted.remove(spec)
            if differ:
                for spec in differ:
                    marks.pop(spec.name, None)
                with replica.connect() as conn:
                    Replica.set_state(conn, "watermarks", marks)
        answer = self._send(f"{API}/sync/chunks", json={"tables": [s.name for s in wanted]}).json()[
            "tables"
        ]
        # What differs from the replica, fetched in requests of at most CHUNK rows.
        todo: list[tuple[rep.Replicated, list[str], rep.Chunk]] = []
        with replica.connect() as conn:  # one transaction (one commit) for every table
            for spec in wanted:
                columns: list[str] = answer[spec.name]["columns"]
                chunks = [
                    rep.Chunk(c["first"], c["last"], c["count"], c["digest"])
                    for c in answer[spec.name]["chunks"]
                ]
                for chunk in chunks:
                    if rep.range_digest(conn, spec, chunk.first, chunk.last) != (
                        chunk.count,
                        chunk.digest,
                    ):
                        todo.append((spec, columns, chunk))
                before = rep.count_all(conn, spec)
                rep.delete_outside(conn, spec, chunks)
                if rep.count_all(conn, spec) != before:
                    report.tables.append(spec.name)
        total = sum(chunk.count for _, _, chunk in todo) or 1
        done = 0
        batch: list[tuple[rep.Replicated, list[str], rep.Chunk]] = []
        for item in [*todo, None]:
            if item is not None and (
                not batch or sum(c.count for _, _, c in batch) + item[2].count <= rep.CHUNK
            ):
                batch.append(item)
                continue
            if batch:
                self._fetch_batch(replica, batch, report)
                done += sum(c.count for _, _, c in batch)
                if progress is not None:
                    name = batch[-1][0].name.replace("_", " ")
                    progress(done / total, f"Syncing {name} {done:,} / {total:,} rows")
            batch = [item] if item is not None else []
        with replica.connect() as conn:
            for resource, version in versions.items():
                if known.get(resource) != version:
                    _bump_local(conn, resource)
            synced_at = _now()
            if high is not None:
                for spec in marked:  # every one is now complete up to ``high``
                    marks[spec.name] = [high, None]
            Replica.set_state(conn, "watermarks", marks)
            Replica.set_state(conn, "readable", sorted(readable))
            Replica.set_state(conn, "versions", versions)
            Replica.set_state(conn, "complete", True)
            Replica.set_state(conn, "synced_at", synced_at)
            Replica.set_state(conn, "workspace", manifest["workspace"])
            report.synced_at = synced_at
        if progress is not None:
            progress(1.0, "Synced")

    def _pull_since(
        self,
        replica: Replica,
        marked: list[tuple[rep.Replicated, list[Any]]],
        high: int,
        counts: dict[str, int],
        report: SyncReport,
    ) -> list[rep.Replicated]:
        """Fetch the rows of each table stamped after its watermark up to ``high``: first one
        request for every table (``CHUNK`` rows shared between them), then ``CHUNK`` at a
        time for a table with more; each answer and the watermarks it leads to in one
        transaction (a cut goes on from there). Returns the tables whose rows the replica
        then does not count as the server does (a row deleted there, a right that changed):
        the caller compares them by digests."""
        where: dict[str, tuple[int, Any]] = {s.name: (int(m[0]), m[1]) for s, m in marked}
        asking = [s for s, _ in marked if where[s.name][0] < high or where[s.name][1] is not None]
        while asking:
            limit = max(rep.CHUNK // len(asking), 1)
            ranges = [
                {
                    "table": s.name,
                    "seq": where[s.name][0],
                    "key": where[s.name][1],
                    "high": high,
                    "limit": limit,
                }
                for s in asking
            ]
            pages = self._send(f"{API}/sync/since", json={"ranges": ranges}).json()["ranges"]
            more: list[rep.Replicated] = []
            with replica.connect() as conn:
                marks = dict(replica.state("watermarks", {}) or {})
                for spec, page in zip(asking, pages, strict=True):
                    columns: list[str] = page["columns"]
                    rows: list[list[Any]] = page["rows"]
                    if len(rows) < limit:
                        where[spec.name] = (high, None)
                    else:
                        last = rows[-1]
                        key = [last[columns.index(c.name)] for c in spec.key]
                        where[spec.name] = (int(last[columns.index("sync_seq")]), key)
                        more.append(spec)
                    rep.upsert_rows(conn, spec, columns, rows)
                    marks[spec.name] = list(where[spec.name])
                    report.fetched_rows += len(rows)
                    if rows and spec.name not in report.tables:
                        report.tables.append(spec.name)
                Replica.set_state(conn, "watermarks", marks)
            report.fetched_pages += 1
            asking = more
        with replica.sql.engine.connect() as conn:
            return [s for s, _ in marked if rep.count_all(conn, s) != counts[s.name]]

    def _fetch_batch(
        self,
        replica: Replica,
        batch: list[tuple[rep.Replicated, list[str], rep.Chunk]],
        report: SyncReport,
    ) -> None:
        """Fetch the rows of a few chunks in one request and put them in the replica, one
        transaction for the lot (so a cut leaves whole chunks: the next sync goes on)."""
        ranges = [
            {
                "table": spec.name,
                "first": chunk.first,
                "last": chunk.last,
                "after": False,
                "limit": max(chunk.count, 1),
            }
            for spec, _, chunk in batch
        ]
        pages = self._fetch_ranges(ranges)
        with replica.connect() as conn:
            for (spec, columns, chunk), page in zip(batch, pages, strict=True):
                rep.replace_range(conn, spec, chunk.first, chunk.last, columns, page)
                report.fetched_rows += len(page)
                report.fetched_chunks += 1
                if spec.name not in report.tables:
                    report.tables.append(spec.name)

    def _fetch_ranges(self, ranges: list[dict[str, Any]]) -> list[list[list[Any]]]:
        """The rows of each range, at most as many as its digest counted (rows added since
        change its digest: the next sync fetches that chunk again)."""
        answer = self._send(f"{API}/sync/rows", json={"ranges": ranges}).json()["ranges"]
        return [a["rows"] for a in answer]

    # Replay ------------------------------------------------------------------------------

    def replay(self, report: SyncReport | None = None) -> SyncReport:
        """Send the pending operations in order. Stops (the rest stays pending) when the
        server does not answer; a conflict or refusal is kept and the replay goes on."""
        report = report or SyncReport()
        replica = self._replica
        if replica is None:
            return report
        # What the changes applied so far (in this replay or an earlier, cut-off one) did: a
        # later change based on the same version is based on theirs (its If-Match becomes the
        # version they led to), and a unit made here offline has the server's id.
        moved: dict[str, dict[str, str]] = {}  # resource: {If-Match recorded: ETag after}
        ids: dict[int, int] = {}
        for done in replica.outbox((APPLIED,)):
            _chain(done, moved, ids)
        for op in replica.outbox((PENDING,)):
            outcome = self._replay_one(replica, op, moved, ids)
            if outcome == APPLIED:
                report.applied += 1
        return report

    def _replay_one(
        self,
        replica: Replica,
        op: dict[str, Any],
        moved: dict[str, dict[str, str]],
        ids: dict[int, int],
    ) -> str:
        seq = int(op["seq"])
        operation = OPERATIONS.get(str(op["operation"]))
        if int(op["api_version"]) != SYNC_API_VERSION or operation is None:
            reason = (
                f"written by a client of outbox version {op['api_version']} for "
                f"{op['operation']}; this client replays version {SYNC_API_VERSION} — export "
                "the outbox and redo the change"
            )
            replica.update_op(seq, status=REFUSED, reason=reason, answered_at=_now())
            return REFUSED
        arguments = dict(op["arguments"])
        if isinstance(arguments.get("unit_id"), int) and arguments["unit_id"] in ids:
            arguments["unit_id"] = ids[arguments["unit_id"]]
        if_match = str(op["if_match"])
        if_match = moved.get(operation.resource, {}).get(if_match, if_match)
        try:
            response = self._post_operation(operation, arguments, str(op["key"]), if_match)
        except StaleData as exc:
            replica.update_op(
                seq, status=CONFLICT, reason=str(exc), server=exc.current, answered_at=_now()
            )
            return CONFLICT
        except Unavailable:
            raise
        except BillingError as exc:
            if _sign_in_failure(exc):
                raise
            replica.update_op(seq, status=REFUSED, reason=str(exc), answered_at=_now())
            return REFUSED
        result = response.json()
        tag = response.headers.get("ETag")
        replica.update_op(
            seq, status=APPLIED, result=result, etag=tag, reason="", answered_at=_now()
        )
        _chain({**op, "result": result, "etag": tag}, moved, ids)
        return APPLIED

    def preview(self) -> list[dict[str, Any]]:
        """The server's verdict on every pending operation, from the operations' own code run
        in a transaction it rolls back (nothing is applied)."""
        replica = self.replica
        pending = replica.outbox((PENDING,))
        verdicts: list[dict[str, Any]] = []
        for start in range(0, len(pending), 200):
            batch = pending[start : start + 200]
            body = {
                "operations": [
                    {
                        "operation": op["operation"],
                        "arguments": op["arguments"],
                        "key": op["key"],
                        "if_match": op["if_match"],
                        "api_version": op["api_version"],
                    }
                    for op in batch
                ]
            }
            answer = self._send(f"{API}/sync/preview", json=body).json()
            for op, verdict in zip(batch, answer["verdicts"], strict=True):
                verdicts.append({"seq": op["seq"], "operation": op["operation"], **verdict})
        return verdicts

    # Resolving ---------------------------------------------------------------------------

    def apply_mine(self, seq: int) -> None:
        """Send a conflicting change again on top of the server's current version."""
        op = self._op(seq, (CONFLICT,))
        server = op.get("server") or {}
        version = server.get("version") if isinstance(server, dict) else None
        if_match = f'"{op["resource"]}.{version or 0}"'
        self.replica.update_op(seq, status=PENDING, if_match=if_match, reason="")

    def discard(self, seq: int, why: str = "discarded") -> None:
        """Keep the server's state: the change is taken out of the replica at once (every
        open view follows) and stays in the outbox as a log entry."""
        op = self._op(seq, (PENDING, CONFLICT, REFUSED))
        with self.replica.connect() as conn:
            reverted = _revert(conn, seq)
            if reverted:
                _bump_local(conn, str(op["resource"]))
            conn.execute(
                offline_outbox.update()
                .where(offline_outbox.c.seq == seq)
                .values(status=DISCARDED, reason=f"{why} on {_now()}")
            )
        operation = OPERATIONS.get(str(op["operation"]))
        if reverted and operation is not None:
            self.announce_write(operation.function)

    def edit(self, seq: int, changes: dict[str, Any]) -> int:
        """Replace a conflicting (or refused) change by the same change with some arguments
        edited (as the API encodes them), based on the server's current version; the new
        entry's number. The original is kept in the log as superseded."""
        op = self._op(seq, (CONFLICT, REFUSED))
        operation = OPERATIONS.get(str(op["operation"]))
        if operation is None:
            raise InvalidInput(f"outbox entry {seq}: {op['operation']} is not known here")
        codec = codec_for(operation)
        known = [parameter.name for parameter in codec.parameters]
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise InvalidInput(
                f"outbox entry {seq}: {operation.name} has no argument {unknown[0]} "
                f"(it has {', '.join(known)})"
            )
        arguments = {**dict(op["arguments"]), **changes}
        try:
            model = codec.arguments.model_validate(arguments)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"]) or "arguments"
            raise InvalidInput(f"outbox entry {seq}: {where}: {error['msg']}") from None
        server = op.get("server")
        version = server.get("version") if isinstance(server, dict) else None
        replica = self.replica
        if_match = (
            f'"{op["resource"]}.{version}"'
            if version is not None
            else self._if_match(replica, str(op["resource"]))
        )
        actor = self.read(overview.workspace, None).actor
        _result, new_seq = self._queue_entry(
            replica,
            operation,
            (actor,),
            codec.decode_call(model),
            if_match=if_match,
            supersedes=seq,
        )
        return new_seq

    def _op(self, seq: int, statuses: tuple[str, ...]) -> dict[str, Any]:
        for op in self.replica.outbox():
            if int(op["seq"]) == seq:
                if op["status"] not in statuses:
                    raise BillingError(
                        f"outbox entry {seq} is {op['status']}, not {' or '.join(statuses)}"
                    )
                return op
        raise BillingError(f"no outbox entry {seq}")

    def export_outbox(self, path: Path) -> int:
        """Write the whole outbox (every status) to ``path`` as JSON; the number of entries."""
        entries = self.replica.outbox()
        text = json.dumps(
            {"server": server_key(self.url), "api_version": SYNC_API_VERSION, "outbox": entries},
            indent=2,
            default=str,
        )
        partial = path.with_name(path.name + ".partial")
        partial.write_text(text, "utf-8")
        os.replace(partial, path)
        return len(entries)

    def sign_out(self) -> Path | None:
        """Delete this server's replica and the saved token; the deleted file."""
        replica = self._replica or self._open_known()
        self._replica = None
        gone = None
        if replica is not None:
            replica.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(replica.path) + suffix).unlink(missing_ok=True)
            gone = replica.path
        self._index().unlink(missing_ok=True)
        try:
            import keyring

            keyring.delete_password("billing-desktop", server_key(self.url))
        except Exception as exc:  # no keyring, or no token saved there
            log.info("no token removed from the keyring: %s", type(exc).__name__)
        return gone


def _unbound(
    service: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
    while isinstance(service, functools.partial):
        args = (*service.args, *args)
        kwargs = {**service.keywords, **kwargs}
        service = service.func
    return service, args, kwargs


def _chain(op: dict[str, Any], moved: dict[str, dict[str, str]], ids: dict[int, int]) -> None:
    """Note what an applied change did for the ones after it (``ReplicaStore.replay``)."""
    if op.get("etag"):
        moved.setdefault(str(op["resource"]), {})[str(op["if_match"])] = str(op["etag"])
    local, result = op.get("local_result"), op.get("result")
    if op["operation"] == "units.add_unit" and isinstance(local, dict) and isinstance(result, dict):
        ids[int(local["id"])] = int(result["id"])


def _no_commit() -> None:
    """The commit of a read's unit of work on the replica: nothing (it is rolled back)."""


def _snapshot(uow: Any, actor: Any, resource: str) -> Any:
    function = SNAPSHOTS.get(resource)
    operation = operation_for(function) if function else None
    if function is None or operation is None:
        return None
    extra = {"auto_recharge": False} if function is usage_page.usage_page else {}
    try:
        return codec_for(operation).encode_result(function(uow, actor, **extra))
    except BillingError:
        return None


def _bump_local(conn: sa.Connection, resource: str) -> None:
    from billing_desktop.store.sql.versions import SqlVersions

    SqlVersions(conn).bump(resource)


# Undo and redo of an outbox entry on the replica -------------------------

_UNTRACKED = {"resource_versions", "alembic_version"} | {
    spec.table.name for spec in rep.TABLES if spec.resource == "records"
}  # the versions move by themselves; records are never written offline


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row_values(prefix: str, columns: list[str]) -> str:
    """SQL text building ``rowid, "a", "b"`` values of ``old``/``new`` as literals."""
    parts = [f"{prefix}.rowid"] + [f"quote({prefix}.{_quoted(c)})" for c in columns]
    return " || ',' || ".join(parts)


def _assignments(prefix: str, columns: list[str]) -> str:
    parts = [f"'rowid=' || {prefix}.rowid"] + [
        f"'{_quoted(c).replace(chr(39), chr(39) * 2)}=' || quote({prefix}.{_quoted(c)})"
        for c in columns
    ]
    return " || ',' || ".join(parts)


@contextmanager
def _recording(conn: sa.Connection) -> Iterator[list[tuple[str, str]]]:
    """Record, while the block runs on ``conn``, how to undo and redo each row it changes.
    Temporary triggers on every table of the store do it (made once per connection, and idle
    unless a block runs: creating them for each change costs more than the change). The list
    is filled when the block ends: (undo, redo) statements in order."""
    installed = conn.exec_driver_sql(
        "SELECT count(*) FROM temp.sqlite_master WHERE name = '_offline_recording'"
    ).scalar()
    if not installed:
        _install_recording(conn)
    conn.exec_driver_sql("INSERT INTO _offline_recording VALUES (1)")
    changes: list[tuple[str, str]] = []
    try:
        yield changes
    finally:
        conn.exec_driver_sql("DELETE FROM _offline_recording")
    changes.extend(
        (str(undo), str(redo))
        for undo, redo in conn.exec_driver_sql("SELECT undo, redo FROM _offline_changes ORDER BY n")
    )
    conn.exec_driver_sql("DELETE FROM _offline_changes")


def _install_recording(conn: sa.Connection) -> None:
    conn.exec_driver_sql("CREATE TEMP TABLE _offline_recording (on_ INTEGER)")
    conn.exec_driver_sql(
        "CREATE TEMP TABLE IF NOT EXISTS _offline_changes "
        "(n INTEGER PRIMARY KEY, undo TEXT NOT NULL, redo TEXT NOT NULL)"
    )
    names = [
        str(name)
        for name in conn.exec_driver_sql(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'offline_%'"
        ).scalars()
        if name not in _UNTRACKED
    ]
    for position, name in enumerate(names):
        columns = [
            str(row[1]) for row in conn.exec_driver_sql(f"PRAGMA main.table_info({_quoted(name)})")
        ]
        table = _quoted(name).replace("'", "''")
        listed = ",".join(["rowid", *(_quoted(c).replace("'", "''") for c in columns)])
        insert = f"'INSERT INTO {table}({listed}) VALUES(' || {{values}} || ')'"
        bodies = {
            "INSERT": (
                f"'DELETE FROM {table} WHERE rowid=' || new.rowid",
                insert.format(values=_row_values("new", columns)),
            ),
            "UPDATE": (
                f"'UPDATE {table} SET ' || {_assignments('old', columns)} "
                f"|| ' WHERE rowid=' || new.rowid",
                f"'UPDATE {table} SET ' || {_assignments('new', columns)} "
                f"|| ' WHERE rowid=' || old.rowid",
            ),
            "DELETE": (
                insert.format(values=_row_values("old", columns)),
                f"'DELETE FROM {table} WHERE rowid=' || old.rowid",
            ),
        }
        for event, (undo, redo) in bodies.items():
            conn.exec_driver_sql(
                f"CREATE TEMP TRIGGER _offline_{event.lower()}_{position} AFTER {event} "
                f"ON main.{_quoted(name)} WHEN EXISTS (SELECT 1 FROM _offline_recording) "
                f"BEGIN INSERT INTO _offline_changes(undo, redo) VALUES ({undo}, {redo}); END"
            )


def _revert(conn: sa.Connection, seq: int) -> bool:
    """Take outbox entry ``seq``'s effect out of the replica: the entries after it are
    rewound, its rows put back as they were, the later ones redone on top. False when there
    is nothing to take out (a request, or a pull has replaced the rows since)."""
    synced_at = conn.execute(
        sa.select(offline_state.c.value).where(offline_state.c.key == "synced_at")
    ).scalar()
    logs = conn.execute(
        sa.select(offline_undo).where(offline_undo.c.seq >= seq).order_by(offline_undo.c.seq)
    ).all()
    live = [log for log in logs if log.synced_at == synced_at]
    # What a pull has replaced since is gone from the replica: its undo with it.
    conn.execute(offline_undo.delete().where(offline_undo.c.synced_at.is_distinct_from(synced_at)))
    if not live or live[0].seq != seq:
        conn.execute(offline_undo.delete().where(offline_undo.c.seq == seq))
        return False
    target, later = live[0], live[1:]
    for entry in [*reversed(later), target]:
        for statement in reversed(entry.undo):
            conn.exec_driver_sql(statement)
    for entry in later:
        try:
            with conn.begin_nested():
                for statement in entry.redo:
                    conn.exec_driver_sql(statement)
        except sa.exc.IntegrityError as exc:
            # It needed the discarded change (a name it freed): no longer shown here; it
            # stays pending, and the server answers it.
            log.info("outbox entry %s no longer applies to the replica: %s", entry.seq, exc)
            conn.execute(offline_undo.delete().where(offline_undo.c.seq == entry.seq))
    conn.execute(offline_undo.delete().where(offline_undo.c.seq == seq))
    return True


def _sign_in_failure(exc: BillingError) -> bool:
    return isinstance(exc, StoreError) and "sign-in" in str(exc)


__all__ = ["ReplicaStore", "SyncReport"]
