"""Opening an SQL store: engine settings, integrity check, migrations on open."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine

from billing_desktop.domain.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Autocommit at the driver level; SQLAlchemy's explicit BEGIN below gives real transactions.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    # WAL: readers never block the writer; synchronous=FULL so a committed change survives a
    # crash at any instant (NORMAL could lose the last commits on power loss in WAL mode).
    mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode not in ("wal", "memory"):
        raise StoreError(f"cannot switch the store to WAL mode (journal mode {mode})")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def _on_sqlite_begin(conn: sa.Connection) -> None:
    conn.exec_driver_sql("BEGIN")


def _name(sa_url: sa.URL) -> str:
    """How an error names the store: its file, or its URL without the password."""
    if sa_url.get_backend_name() == "sqlite" and sa_url.database:
        return sa_url.database
    return sa_url.render_as_string(hide_password=True)


def create_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings the store relies on.

    SQLite gets its pragmas (WAL, foreign keys, busy timeout) on every connection; any other
    backend is used with its defaults. PostgreSQL is tested through psycopg 3, which a plain
    ``postgresql://`` URL uses too.
    """
    try:
        sa_url = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError(f"{url}: not a file path or an SQLAlchemy URL") from None
    if sa_url.drivername == "postgresql":  # psycopg 3, the driver installed and tested
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    if sa_url.get_backend_name() == "sqlite":
        database = sa_url.database or ""
        if database and database != ":memory:":
            parent = Path(database).expanduser().parent
            if not parent.is_dir():
                raise StoreError(f"cannot create a store in {parent}: no such folder")
        engine = sa.create_engine(sa_url)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    try:
        return sa.create_engine(sa_url, pool_pre_ping=True)
    except sa.exc.NoSuchModuleError:
        raise StoreError(f"{_name(sa_url)}: unsupported kind of store URL") from None
    except ImportError as exc:
        hint = ""
        if sa_url.get_driver_name() == "psycopg":
            hint = " (pip install 'billing-desktop[postgres]')"
        raise StoreError(
            f"{_name(sa_url)}: the database driver is not installed: {exc.name or exc}{hint}"
        ) from None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the store to ``revision`` in one transaction (an older file upgrades in place)."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def sqlite_path(sa_url: sa.URL) -> Path | None:
    """The file of an SQLite URL (None for other backends and in-memory databases)."""
    if sa_url.get_backend_name() != "sqlite":
        return None
    database = sa_url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def open_engine(url: str, *, create: bool = True) -> Engine:
    """Create the engine, check the file is a usable store, and bring it to the newest schema.

    An SQLite file is checked first (``safety.check_before_open``): a missing or empty file
    becomes a new store only with ``create``; a damaged one is moved aside (StoreDamaged). An
    existing store is backed up (``pre-migration``) before its schema is upgraded."""
    from billing_desktop.store.sql import backups, safety

    try:
        sa_url = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError(f"{url}: not a file path or an SQLAlchemy URL") from None
    path = sqlite_path(sa_url)
    if path is not None:
        if not path.parent.is_dir():
            raise StoreError(f"cannot create a store in {path.parent}: no such folder")
        safety.check_before_open(path, create=create)
    engine = create_engine(url)
    try:
        revision = current_revision(engine)
        if revision != head_revision():
            if revision is not None and revision not in known_revisions():
                raise StoreError(
                    f"{_name(engine.url)}: the store was written by a newer "
                    f"version of Billing Desktop (schema {revision}); update the application"
                )
            if revision is None and path is None and not create:
                raise safety.NoStore(
                    f"{_name(engine.url)}: there is no store in this database; {safety.CREATE_HINT}"
                )
            if revision is not None and path is not None:
                backups.take_backup(path, "pre-migration")
            migrate(engine)
    except sa.exc.DatabaseError as exc:
        engine.dispose()
        # One line: PostgreSQL's messages go on with hints and details on further lines.
        detail = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
        raise StoreError(f"{_name(engine.url)}: not a usable store ({detail})") from None
    except StoreError:
        engine.dispose()
        raise
    return engine
