"""The SQL unit of work: one connection, one transaction, rolled back unless committed.

A unit of work opened to write (``store(write=True)``, ``SqlStore.write``) is a writer from its
first statement: on SQLite it takes the write lock as it begins and waits its turn behind
another writer (up to the busy timeout), see ``engine``. A read stays a plain reader.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from billing_desktop.domain import model as m
from billing_desktop.domain.errors import StoreError
from billing_desktop.domain.receivables import (
    BankLine,
    BankLineDismissal,
    CreditNote,
    Payment,
    PaymentVoid,
)
from billing_desktop.store.ports import (
    AccountRepository,
    AppRepository,
    AuditRepository,
    BillingUnitRepository,
    BulkLoad,
    CallBatches,
    ClosingRepository,
    Collection,
    ExtensionRequestRepository,
    LedgerRepository,
    Queries,
    RollupRepository,
    SettingsRepository,
    VersionRepository,
)
from billing_desktop.store.sql import change_counts
from billing_desktop.store.sql import repositories as r
from billing_desktop.store.sql.change_counts import ChangeCounts
from billing_desktop.store.sql.engine import (
    WRITE_OPTION,
    busy_timeout_ms,
    open_engine,
    read_only,
    reader_uri,
    refuse_write,
    sqlite_path,
)
from billing_desktop.store.sql.repositories.bulk_load import SqlBulkLoad
from billing_desktop.store.sql.repositories.call_batches import SqliteCallBatches
from billing_desktop.store.sql.repositories.staging import SqlCallStaging
from billing_desktop.store.sql.versions import SqlVersions

# The set recording_reads fills, in the DBAPI connection's info while it records.
_RECORDING = "billing_recording_reads"
_WATCHED: weakref.WeakSet[Engine] = weakref.WeakSet()
_WATCHED_LOCK = threading.Lock()


def _note_read(
    conn: sa.Connection, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    seen = conn.connection.info.get(_RECORDING)
    if seen is not None:
        seen |= change_counts.read_tables(statement)


def _watch(engine: Engine) -> None:
    """Listen to ``engine``'s statements for ``recording_reads`` (once per engine, on first
    use: a store that never records pays nothing per statement)."""
    if engine in _WATCHED:
        return
    with _WATCHED_LOCK:
        if engine not in _WATCHED:
            sa.event.listen(engine, "before_cursor_execute", _note_read)
            _WATCHED.add(engine)


# Every DBAPI connection's serial number (in its pool record's info), for change_token.
_SERIAL = "billing_connection_serial"
_CONNECTION_SERIALS = itertools.count(1)


class SqlUnitOfWork:
    """Satisfies ``ports.UnitOfWork``; the repositories exist between ``__enter__`` and exit."""

    account: AccountRepository
    products: Collection[str, m.Product]
    commits: Collection[tuple[str | None, date], m.Commit]
    users: Collection[str, m.User]
    agents: Collection[tuple[str, date], m.AgentSeat]
    numbers: Collection[str, m.PhoneNumber]
    plans: Collection[str, m.Plan]
    apps: AppRepository
    conversations: Collection[str, m.Conversation]
    alerts: Collection[str, m.Alert]
    calls: Collection[str, m.Call]
    sms: Collection[str, m.Sms]
    interviews: Collection[str, m.Interview]
    recordings: Collection[str, m.Recording]
    storage: Collection[date, m.StorageSnapshot]
    invoices: Collection[str, m.Invoice]
    payments: Collection[str, Payment]
    payment_voids: Collection[str, PaymentVoid]
    credit_notes: Collection[str, CreditNote]
    bank_lines: Collection[str, BankLine]
    bank_line_dismissals: Collection[str, BankLineDismissal]
    units: BillingUnitRepository
    ledger: LedgerRepository
    audit: AuditRepository
    queries: Queries
    rollups: RollupRepository
    closing: ClosingRepository
    settings: SettingsRepository
    versions: VersionRepository
    extension_requests: ExtensionRequestRepository
    bulk_calls: SqlCallStaging | None  # the fast path of big imports of calls (SQLite)
    bulk_load: BulkLoad | None  # filling empty tables, e.g. the demo's build (SQLite)

    def __init__(
        self, engine: Engine, *, write: bool = False, commits: Callable[[], Hashable] | None = None
    ) -> None:
        self._engine = engine
        self._write = write
        self._commits = commits
        self._conn: sa.Connection | None = None
        self._currency: str | None = None
        self._recording = 0  # recording_reads blocks open
        self.bulk_calls = None

    # CurrencySource: money columns convert with the account's currency, read once per unit.
    def currency(self) -> str | None:
        if self._currency is None:
            account = self.account.get()
            self._currency = account.currency if account else None
        return self._currency

    def __enter__(self) -> Self:
        if self._write:
            refuse_write(self._engine)
        conn = self._engine.connect()
        try:
            if self._write:
                conn.execution_options(**{WRITE_OPTION: True})
            conn.begin()
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self.account = r.SqlAccount(conn)
        collections: dict[str, Any] = {}
        for name, mapper in r.MAPPERS.items():
            if name == "ledger":
                continue
            cls: type[Any] = r.SqlUsers if name == "users" else r.SqlCollection
            if name == "apps":
                cls = r.SqlApps
            collections[name] = cls(conn, mapper, self)
        self.products = collections["products"]
        self.commits = collections["commits"]
        self.users = collections["users"]
        self.agents = collections["agents"]
        self.numbers = collections["numbers"]
        self.plans = collections["plans"]
        self.apps = collections["apps"]
        self.conversations = collections["conversations"]
        self.alerts = collections["alerts"]
        self.calls = collections["calls"]
        self.sms = collections["sms"]
        self.interviews = collections["interviews"]
        self.recordings = collections["recordings"]
        self.storage = collections["storage"]
        self.invoices = collections["invoices"]
        self.payments = collections["payments"]
        self.payment_voids = collections["payment_voids"]
        self.credit_notes = collections["credit_notes"]
        self.bank_lines = collections["bank_lines"]
        self.bank_line_dismissals = collections["bank_line_dismissals"]
        self.units = r.SqlBillingUnits(conn)
        self.ledger = r.SqlLedger(conn, self)
        self.audit = r.SqlAudit(conn)
        self.queries = r.SqlQueries(conn)
        self.rollups = r.SqlRollups(conn)
        self.closing = r.SqlClosing(conn, self)
        self.settings = r.SqlSettings(conn)
        self.versions = SqlVersions(conn)
        self.extension_requests = r.SqlExtensionRequests(conn)
        self.bulk_calls = SqlCallStaging(conn) if conn.dialect.name == "sqlite" else None
        self.bulk_load = SqlBulkLoad(conn) if conn.dialect.name == "sqlite" else None
        return self

    @property
    def call_batches(self) -> CallBatches | None:
        """The call log as Arrow batches for an export (SQLite file), made when one asks: the
        file's presence is a system call, not for every reading unit of work. A second,
        read-only connection: not for a writer, which would not see its own uncommitted
        changes through it."""
        uri = None if self._write or self._conn is None else reader_uri(self._engine)
        return None if uri is None else SqliteCallBatches(uri, busy_timeout_ms())

    def change_token(self) -> Hashable | None:
        """A value that differs whenever the store may have changed since it was last taken,
        for caches of read results (``services.billing.usage_summary``); None where there is
        none (a writing unit of work, a database other than SQLite or PostgreSQL).

        It joins the store's commits counted in this process (every writing unit of work
        commits through this engine) with SQLite's ``PRAGMA data_version`` of this connection,
        which moves when any other connection, of this process or another, commits; the
        connection's own serial number keeps one connection's version from being taken for
        another's.
        """
        conn = self._conn
        if self._write or self._commits is None or conn is None or self._recording:
            return None
        if conn.dialect.name == "postgresql":
            return _postgres_change_token(conn)
        if conn.dialect.name != "sqlite":
            return None
        info = conn.connection.info
        serial = info.get(_SERIAL)
        if serial is None:
            serial = info[_SERIAL] = next(_CONNECTION_SERIALS)
        version = conn.exec_driver_sql("PRAGMA data_version").scalar()
        return (self._commits(), serial, version)

    def change_counts(self) -> ChangeCounts | None:
        """How often each table has changed, and each resource's version, read in one
        statement (``store/sql/change_counts``); None where the store does not count them (a
        writing unit of work; SQLite, whose reads are kept by ``change_token``)."""
        conn = self._conn
        if self._write or conn is None or conn.dialect.name != "postgresql":
            return None
        return ChangeCounts(conn.exec_driver_sql(change_counts.READ).all())

    @contextmanager
    def recording_reads(self) -> Iterator[set[str]]:
        """The tables of the schema that the statements run inside the block name, gathered in
        the set yielded. Inside it ``change_token()`` is None, so no read result kept by a
        service stands in for statements that were not run, and what this unit of work keeps
        (the account's currency) is read again."""
        assert self._conn is not None, "unit of work not entered"
        _watch(self._engine)
        info = self._conn.connection.info
        seen: set[str] = set()
        outer = info.get(_RECORDING)
        info[_RECORDING] = seen
        self._recording += 1
        self._currency = None
        try:
            yield seen
        finally:
            self._recording -= 1
            if outer is None:
                info.pop(_RECORDING, None)
            else:
                outer |= seen
                info[_RECORDING] = outer

    @property
    def connection(self) -> sa.Connection:
        """The open connection (for the API server's own bookkeeping in the same transaction)."""
        assert self._conn is not None, "unit of work not entered"
        return self._conn

    def commit(self) -> None:
        """Commit what was done so far. Work after it runs in a new transaction, begun (as a
        writer or a reader, like the first) by its first statement: a writer does not queue
        for the write lock again just to end the unit of work."""
        assert self._conn is not None, "unit of work not entered"
        self.audit.seal()  # the audit rows of this write join the chain as it commits
        self._conn.commit()

    def rollback(self) -> None:
        if self._conn is not None and self._conn.in_transaction():
            self._conn.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        staging, self.bulk_calls = self.bulk_calls, None
        if staging is not None:
            staging.release()  # the scratch files of an import, once it is over
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self._currency = None


# Services whose change cannot be taken back: a local store is backed up before them.


class SqlDatabase:
    """A unit-of-work factory over one SQL database (SQLite file by default): the store of
    ``store.ports``. It runs no use case: ``bootstrap.SqlStore`` adds the local gateway
    (``services.gateway.LocalGateway``) that does.

    ``create``: a missing or empty SQLite file (or an empty database) becomes a new store; the
    command line and the app pass False except where a store is created on purpose.
    ``pool_size``: connections kept to a database server (the API server's; SQLAlchemy's
    default of 5 otherwise)."""

    def __init__(self, url: str, *, create: bool = True, pool_size: int | None = None) -> None:
        super().__init__()  # cooperative: the gateway mixed in after this class
        self.url = url
        created = create and _blank_file(url)
        self.engine = open_engine(url, create=create, pool_size=pool_size)
        self._created = created  # a blank SQLite file this process made a store
        self._identity = object()  # this store, in the keys of read caches
        self._commit_count = 0
        sa.event.listen(self.engine, "commit", self._count_commit)

    def _count_commit(self, _conn: sa.Connection) -> None:
        self._commit_count += 1

    def _commits(self) -> Hashable:
        return (self._identity, self._commit_count)

    @property
    def path(self) -> Path | None:
        """The SQLite file of the store (None for other databases)."""
        return sqlite_path(self.engine.url)

    def backup(
        self,
        reason: str = "manual",
        *,
        out: Path | None = None,
        progress: Callable[[float | None, str], None] | None = None,
    ) -> Path:
        """A consistent copy of the store (``store.sql.backups``); PostgreSQL has pg_dump.
        ``progress`` hears the fraction copied and a text."""
        from billing_desktop.store.sql import backups

        path = self.path
        if path is None:
            raise StoreError(
                f"{self.description}: back up a database server with its own tools "
                "(PostgreSQL: pg_dump); Billing Desktop backs up local SQLite stores"
            )
        return backups.take_backup(path, reason, out=out, progress=progress)

    def safety_backup(self, reason: str) -> Path | None:
        """The backup a local SQLite store takes before a change that cannot be taken back (a
        month close: ``reason`` "pre-close"); None for a database server."""
        return None if self.path is None else self.backup(reason)

    @property
    def description(self) -> str:
        sa_url = self.engine.url
        if sa_url.get_backend_name() == "sqlite":
            shown = f"Local store: {Path(sa_url.database or ':memory:')}"
            return f"{shown} (read-only)" if self.read_only else shown
        return f"SQL store: {sa_url.render_as_string(hide_password=True)}"

    @property
    def read_only(self) -> bool:
        """True when the store's file, folder or disk cannot be written by this program:
        reads work, writes are refused with one line."""
        return read_only(self.engine)

    def __call__(self, *, write: bool = False) -> SqlUnitOfWork:
        """A unit of work; ``write=True`` for one that changes the store (a writer from its
        start, refused at once on a read-only store)."""
        return SqlUnitOfWork(self.engine, write=write, commits=self._commits)

    def dispose(self) -> None:
        self.engine.dispose()

    def close(self) -> None:
        """Close every pooled connection (``Gateway.close``). SQLite checkpoints the WAL into
        the file and deletes it when the last connection to the file closes."""
        self.dispose()

    def close_created(self) -> None:
        """Close the store (every connection); when this process created it from a blank file
        (``demo``, which fills it in one transaction), remember it as checked, so its next open
        skips the ``quick_check`` that reads every page (``store.sql.safety``)."""
        from billing_desktop.store.sql import safety

        self.dispose()
        path = self.path
        if self._created and path is not None:
            safety.remember_created(path)


def _blank_file(url: str) -> bool:
    """The URL names an SQLite file that holds no store yet (missing or empty)."""
    from billing_desktop.store.sql import safety

    try:
        path = sqlite_path(sa.make_url(url))
    except sa.exc.ArgumentError:
        return False
    return path is not None and safety.is_blank(path)


def _postgres_change_token(conn: sa.Connection) -> Hashable:
    """PostgreSQL's current snapshot (``xmin:xmax:xip``, database name): a transaction id is
    given to every transaction that writes, so a transaction that wrote and committed since
    the last token either was given its id after it (``xmax`` moved) or was in progress then
    (it has left ``xip``). Equal snapshots thus see the same committed data. Transactions of
    other databases of the cluster move it too, which costs a recomputation, never a stale
    answer. (PostgreSQL 13 and later; ``txid_current_snapshot`` before.)"""
    version = conn.dialect.server_version_info or (0,)  # read once, when the engine connected
    function = "pg_current_snapshot" if version >= (13,) else "txid_current_snapshot"
    snapshot = conn.exec_driver_sql(f"SELECT {function}()::text, current_database()").one()
    return ("postgresql", snapshot[0], snapshot[1])
