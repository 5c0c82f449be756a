"""The SQL unit of work: one connection, one transaction, rolled back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from billing_desktop.domain import model as m
from billing_desktop.domain.errors import StoreError
from billing_desktop.store.ports import (
    AccountRepository,
    AppRepository,
    AuditRepository,
    BillingUnitRepository,
    ClosingRepository,
    Collection,
    ExtensionRequestRepository,
    LedgerRepository,
    Queries,
    RollupRepository,
    SettingsRepository,
)
from billing_desktop.store.sql import repositories as r
from billing_desktop.store.sql.engine import open_engine, sqlite_path

T = TypeVar("T")


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
    units: BillingUnitRepository
    ledger: LedgerRepository
    audit: AuditRepository
    queries: Queries
    rollups: RollupRepository
    closing: ClosingRepository
    settings: SettingsRepository
    extension_requests: ExtensionRequestRepository

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: sa.Connection | None = None
        self._transaction: sa.RootTransaction | None = None
        self._currency: str | None = None

    # CurrencySource: money columns convert with the account's currency, read once per unit.
    def currency(self) -> str | None:
        if self._currency is None:
            account = self.account.get()
            self._currency = account.currency if account else None
        return self._currency

    def __enter__(self) -> Self:
        self._conn = self._engine.connect()
        self._transaction = self._conn.begin()
        conn = self._conn
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
        self.units = r.SqlBillingUnits(conn)
        self.ledger = r.SqlLedger(conn, self)
        self.audit = r.SqlAudit(conn)
        self.queries = r.SqlQueries(conn)
        self.rollups = r.SqlRollups(conn)
        self.closing = r.SqlClosing(conn, self)
        self.settings = r.SqlSettings(conn)
        self.extension_requests = r.SqlExtensionRequests(conn)
        return self

    @property
    def connection(self) -> sa.Connection:
        """The open connection (for the API server's own bookkeeping in the same transaction)."""
        assert self._conn is not None, "unit of work not entered"
        return self._conn

    def commit(self) -> None:
        assert self._transaction is not None, "unit of work not entered"
        self._transaction.commit()
        self._transaction = self._conn.begin() if self._conn is not None else None

    def rollback(self) -> None:
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self._transaction = None
        self._currency = None


# Services whose change cannot be taken back: a local store is backed up before them.
BACKUP_BEFORE = {"billing.close_month": "pre-close"}


class SqlStore:
    """A unit-of-work factory over one SQL database (SQLite file by default).

    ``create``: a missing or empty SQLite file (or an empty database) becomes a new store; the
    command line and the app pass False except where a store is created on purpose."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = url
        self.engine = open_engine(url, create=create)

    @property
    def path(self) -> Path | None:
        """The SQLite file of the store (None for other databases)."""
        return sqlite_path(self.engine.url)

    def backup(
        self,
        reason: str = "manual",
        *,
        out: Path | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> Path:
        """A consistent copy of the store (``store.sql.backups``); PostgreSQL has pg_dump."""
        from billing_desktop.store.sql import backups

        path = self.path
        if path is None:
            raise StoreError(
                f"{self.description}: back up a database server with its own tools "
                "(PostgreSQL: pg_dump); Billing Desktop backs up local SQLite stores"
            )
        return backups.take_backup(path, reason, out=out, progress=progress)

    def backup_before(self, operation: str) -> Path | None:
        """The backup a local SQLite store takes before ``operation`` (see BACKUP_BEFORE)."""
        reason = BACKUP_BEFORE.get(operation)
        if reason is None or self.path is None:
            return None
        return self.backup(reason)

    @property
    def description(self) -> str:
        sa_url = self.engine.url
        if sa_url.get_backend_name() == "sqlite":
            return f"Local store: {Path(sa_url.database or ':memory:')}"
        return f"SQL store: {sa_url.render_as_string(hide_password=True)}"

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    @property
    def remote(self) -> bool:
        return False

    def read(self, service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a read service in a unit of work of its own (``ports.Store``)."""
        with self() as uow:
            return service(uow, *args, **kwargs)

    def write(self, service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a changing service in a unit of work of its own and commit it.

        A use case of the API (``services.api``) also moves its resource to a new version,
        as a write through the server does: a client of a server on this store that read
        the resource before then sees its next write refused as stale, not applied blindly.
        """
        from billing_desktop.server.state import bump_version
        from billing_desktop.services.api import operation_for

        operation = operation_for(service)
        if operation is not None:
            self.backup_before(operation.name)
        with self() as uow:
            result = service(uow, *args, **kwargs)
            if operation is not None and operation.writes:
                bump_version(uow.connection, operation.resource, None)
            uow.commit()
            return result

    def dispose(self) -> None:
        self.engine.dispose()
