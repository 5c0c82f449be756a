"""Opening an SQL store: engine settings, integrity check, migrations on open.

Also the one place where SQLite's failures become one line for the user (``_on_sqlite_error``):
a store busy past the busy timeout, a read-only file or folder, a full disk.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import shutil
import sqlite3
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from billing_desktop.domain.errors import StoreBusy, StoreError

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (with Mako and Pygments behind it) is imported only to migrate, or when the light
# reading of the scripts below cannot tell: opening a store at its newest schema, what every
# start of the app does, leaves it out (PERFORMANCE.md B1: ~0.8 s of imports on a loaded machine).

MIGRATIONS = Path(__file__).with_name("migrations")

# How long a writer waits for another writer's transaction to end before giving up. The
# longest ordinary write (an import of a month of calls, a month close) takes a few seconds;
# ten seconds lets those finish and still answers a user who is waiting at the command line
# in a time they will wait. ``BUSY_TIMEOUT_ENV`` (seconds) changes it.
BUSY_TIMEOUT = 10.0
BUSY_TIMEOUT_ENV = "BILLING_DESKTOP_BUSY_TIMEOUT"
# The execution option that makes a connection's transactions writers from their start.
WRITE_OPTION = "billing_desktop_write"

BUSY = "the store is busy: another program is writing to it; nothing was changed"
FULL = "the disk is full: nothing was changed"
# SQLite's primary result codes (the low byte of an extended code).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_FULL = 10, 13
# Free space below which a disk I/O error is taken for a full disk.
_NEARLY_FULL = 1024 * 1024


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


_ASSIGNED = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def _read_scripts(folder: str) -> tuple[str, frozenset[str]] | None:
    """(head, every revision) from the ``revision = ...`` and ``down_revision = ...`` lines of
    the scripts, or None when that is not plain (a missing or computed value, branches): then
    Alembic reads them."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted(Path(folder, "versions").glob("*.py")):
        text = script.read_text(encoding="utf-8")
        found = {m.group(1): m.group(2) for m in _ASSIGNED.finditer(text)}
        try:
            revision = ast.literal_eval(found["revision"])
            down = ast.literal_eval(found["down_revision"])
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(revision, str) or revision in revisions:
            return None
        downs = down if isinstance(down, tuple) else () if down is None else (down,)
        if not all(isinstance(d, str) for d in downs):
            return None
        revisions.add(revision)
        parents.update(downs)
    heads = revisions - parents
    if len(heads) != 1 or not parents <= revisions:
        return None
    return next(iter(heads)), frozenset(revisions)


@functools.cache
def _script_revisions(folder: str) -> tuple[str, frozenset[str]]:
    """(head, every revision) of the migration scripts in ``folder``, read once per process:
    the scripts are part of the installed package, and every store open asks for them."""
    plain = _read_scripts(folder)
    if plain is not None:
        return plain
    return _alembic_revisions(folder)


def _alembic_revisions(folder: str) -> tuple[str, frozenset[str]]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", folder)
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    assert head is not None
    return head, frozenset(rev.revision for rev in script.walk_revisions())


def head_revision() -> str:
    return _script_revisions(str(MIGRATIONS))[0]


def busy_timeout() -> float:
    """The busy timeout in seconds: ``BUSY_TIMEOUT_ENV`` when set to a number, else 10."""
    given = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not given:
        return BUSY_TIMEOUT
    try:
        seconds = float(given)
    except ValueError:
        raise StoreError(f"{BUSY_TIMEOUT_ENV}={given!r}: give a number of seconds") from None
    if not 0 <= seconds <= 3600:
        raise StoreError(f"{BUSY_TIMEOUT_ENV}={given!r}: give between 0 and 3600 seconds")
    return seconds


def busy_timeout_ms() -> int:
    """:func:`busy_timeout` in whole milliseconds, as SQLite's ``PRAGMA busy_timeout`` takes it."""
    return round(busy_timeout() * 1000)


class _SqliteFile:
    """What the engine knows of the store's file: where it is and whether it may be written."""

    def __init__(self, database: str) -> None:
        self.path = Path(database).expanduser() if database and database != ":memory:" else None
        self.read_only = False
        self.uri: str | None = None
        if self.path is None or not self.path.exists():
            return
        folder_writable = os.access(self.path.parent, os.W_OK)
        # os.access answers for this process: root may write a file without write bits, and
        # a read-only mount refuses everyone (EROFS).
        if os.access(self.path, os.W_OK) and folder_writable:
            return
        self.read_only = True
        absolute = self.path.resolve().as_uri()  # file:///…, escaped (also on Windows)
        if folder_writable or Path(f"{self.path}-wal").exists():
            # SQLite makes or shares the -shm index next to the file and reads the WAL.
            self.uri = f"{absolute}?mode=ro"
        else:
            # No -shm/-wal can be made in the folder, and none is there: nobody is writing the
            # file (a writer needs its -wal in this folder), so it is read as it stands.
            self.uri = f"{absolute}?mode=ro&immutable=1"

    def reader_uri(self) -> str | None:
        """See the module's :func:`reader_uri` (asked by an export, not by every unit of work)."""
        if self.path is None or not self.path.exists():
            return None
        return self.uri or f"{self.path.resolve().as_uri()}?mode=ro"

    def read_only_part(self) -> Path | None:
        """The file or folder that keeps the store from being written, if one does."""
        if self.path is None:
            return None
        if self.path.exists() and not os.access(self.path, os.W_OK):
            return self.path
        if not os.access(self.path.parent, os.W_OK):
            return self.path.parent
        return self.path if self.read_only else None

    def describe(self, error: sqlite3.Error) -> str | None:
        """The one line for an SQLite failure (None: not one of the causes named here)."""
        code = getattr(error, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        where = self.path or Path("the store")
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return BUSY
        if primary == _SQLITE_READONLY:
            part = self.read_only_part() or where
            return f"{part} is read-only: nothing was changed"
        if primary == _SQLITE_FULL:
            return FULL
        if primary == _SQLITE_IOERR:
            if self._nearly_full():
                return FULL
            return f"{where}: the disk failed to read or write it (disk I/O error)"
        if primary == _SQLITE_PERM:
            return f"{where}: the operating system denied access: nothing was changed"
        return None

    def _nearly_full(self) -> bool:
        if self.path is None:
            return False
        try:
            return shutil.disk_usage(self.path.parent).free < _NEARLY_FULL
        except OSError:
            return False


def _sqlite_hooks(engine: Engine, file: _SqliteFile) -> None:
    """The events that give every SQLite connection of ``engine`` the store's settings."""
    timeout_ms = busy_timeout_ms()

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
        if file.uri is not None:
            cargs[0] = file.uri
            cparams["uri"] = True

    @event.listens_for(engine, "connect")
    def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Autocommit at the driver level; the explicit BEGIN below gives real transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        if not file.read_only:
            # WAL: readers never block the writer; synchronous=FULL so a committed change
            # survives a crash at any instant (NORMAL could lose the last commits on power
            # loss in WAL mode).
            mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode not in ("wal", "memory"):
                raise StoreError(f"cannot switch the store to WAL mode (journal mode {mode})")
            cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_sqlite_begin(conn: sa.Connection) -> None:
        """Writers wait their turn: a write unit of work takes the write lock at its start.

        An SQLite transaction that begins as a reader and writes later must upgrade its lock;
        if another connection committed since it first read, the upgrade fails at once
        (SQLITE_BUSY_SNAPSHOT, "database is locked") whatever the busy timeout. ``BEGIN
        IMMEDIATE`` takes the write lock before anything is read, so a second writer queues
        on the busy timeout instead. Reads stay deferred: in WAL mode they never wait.
        """
        conn.info.pop(_LAST_FAILURE, None)  # a failure of an earlier transaction is over
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "handle_error")
    def _on_sqlite_error(context: sa.engine.ExceptionContext) -> BaseException | None:
        """Locked, read-only, full: the one line naming the cause, as a StoreError."""
        error = context.original_exception
        if not isinstance(error, sqlite3.Error):
            return None
        info = context.connection.info if context.connection is not None else None
        message = file.describe(error)
        if message is None and "no such savepoint" in str(error):
            # SQLite rolled the whole transaction back on an earlier failure (a full disk,
            # an I/O error), taking its savepoints with it: report that failure.
            earlier = info.get(_LAST_FAILURE) if info is not None else None
            message = earlier or "the store failed and undid the change: nothing was changed"
        if message is None:
            return None
        if info is not None:
            info[_LAST_FAILURE] = message
        return StoreBusy(message) if message == BUSY else StoreError(message)


_LAST_FAILURE = "billing_desktop_last_failure"
# The file behind each SQLite engine (see ``read_only``).
_FILES: weakref.WeakKeyDictionary[Engine, _SqliteFile] = weakref.WeakKeyDictionary()


def read_only(engine: Engine) -> bool:
    """True when this process may read the store's file but not write it (a read-only file,
    folder or mount): reads work, every write is refused with one line."""
    file = _FILES.get(engine)
    return file is not None and file.read_only


def reader_uri(engine: Engine) -> str | None:
    """An SQLite URI that opens ``engine``'s store file for reading only (a second connection
    that can never write: ``mode=ro``, or the engine's own ``immutable=1`` for a read-only
    folder with no ``-wal``); None for an in-memory database or a database server."""
    file = _FILES.get(engine)
    return None if file is None else file.reader_uri()


def refuse_write(engine: Engine) -> None:
    """Raise the read-only line when ``engine``'s store cannot be written."""
    file = _FILES.get(engine)
    if file is not None and file.read_only:
        part = file.read_only_part() or file.path
        raise StoreError(f"{part} is read-only: nothing was changed")


def _name(sa_url: sa.URL) -> str:
    """How an error names the store: its file, or its URL without the password."""
    if sa_url.get_backend_name() == "sqlite" and sa_url.database:
        return sa_url.database
    return sa_url.render_as_string(hide_password=True)


def create_engine(url: str, *, pool_size: int | None = None) -> Engine:
    """An engine for ``url`` with the settings the store relies on.

    SQLite gets its pragmas (WAL, foreign keys, busy timeout) on every connection; any other
    backend is used with its defaults but for ``pool_size`` (the API server sizes its pool to
    the requests it runs at once) and the idle ping (``PING_IDLE_AFTER``). PostgreSQL is
    tested through psycopg 3, which a plain ``postgresql://`` URL uses too.
    """
    try:
        sa_url = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError(f"{url}: not a file path or an SQLAlchemy URL") from None
    if sa_url.drivername == "postgresql":  # psycopg 3, the driver installed and tested
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    if sa_url.get_backend_name() == "postgresql":
        from billing_desktop.store.sql.tables import postgresql_options

        postgresql_options()  # the partial indexes' conditions (not set at import: B1)
    if sa_url.get_backend_name() == "sqlite":
        database = sa_url.database or ""
        if database and database != ":memory:":
            path = Path(database).expanduser()
            if not path.parent.is_dir():
                raise StoreError(f"cannot create a store in {path.parent}: no such folder")
            if not path.exists() and not os.access(path.parent, os.W_OK):
                raise StoreError(
                    f"cannot create a store in {path.parent}: the folder is read-only; "
                    "nothing was changed"
                )
        file = _SqliteFile(database)
        engine = sa.create_engine(sa_url)
        _sqlite_hooks(engine, file)
        _FILES[engine] = file
        return engine
    try:
        engine = sa.create_engine(sa_url, **_pool_settings(pool_size))
    except sa.exc.NoSuchModuleError:
        raise StoreError(f"{_name(sa_url)}: unsupported kind of store URL") from None
    except ImportError as exc:
        hint = ""
        if sa_url.get_driver_name() == "psycopg":
            hint = " (pip install 'billing-desktop[postgres]')"
        raise StoreError(
            f"{_name(sa_url)}: the database driver is not installed: {exc.name or exc}{hint}"
        ) from None
    _ping_when_idle(engine)
    return engine


# A pooled connection to a database server unused for this long is pinged before it is handed
# out (a server restarted or a firewall that dropped idle connections would otherwise fail the
# request that gets it). One used more recently is handed out as it is: a ping on every
# checkout (``pool_pre_ping``) was a round trip on every unit of work, two per API request.
# A connection that died within this window fails one request (503, which clients retry); the
# pool then replaces every connection older than the failure.
PING_IDLE_AFTER = 10.0
_LAST_USED = "billing_desktop_last_used"


def _pool_settings(pool_size: int | None) -> dict[str, Any]:
    if pool_size is None:
        return {}
    # Connections beyond the pool's size are closed when given back: a server with more
    # requests at once than its pool would connect anew (a new PostgreSQL backend) for them.
    return {"pool_size": pool_size, "max_overflow": pool_size}


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get(_LAST_USED)
        if last is None or time.monotonic() - last < PING_IDLE_AFTER:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()  # the ping's transaction (not autocommit)
        except engine.dialect.loaded_dbapi.Error as exc:
            if engine.dialect.is_disconnect(exc, dbapi_connection, None):
                # The pool retries the checkout with a new connection.
                raise sa.exc.DisconnectionError(str(exc)) from exc
            raise


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        found = [str(row[0]) for row in rows]
        if len(found) <= 1:
            return found[0] if found else None
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()  # says why not one


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the store to ``revision`` in one transaction (an older file upgrades in place)."""
    from alembic import command

    config = alembic_config()
    with engine.connect() as conn:
        # A writer from the start: two programs opening an older store upgrade it in turn.
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            config.attributes["connection"] = conn
            command.upgrade(config, revision)


def known_revisions() -> frozenset[str]:
    return _script_revisions(str(MIGRATIONS))[1]


def sqlite_path(sa_url: sa.URL) -> Path | None:
    """The file of an SQLite URL (None for other backends and in-memory databases)."""
    if sa_url.get_backend_name() != "sqlite":
        return None
    database = sa_url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def open_engine(url: str, *, create: bool = True, pool_size: int | None = None) -> Engine:
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
    engine = create_engine(url, pool_size=pool_size)
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
            if read_only(engine):
                raise StoreError(
                    f"{_name(engine.url)}: the store needs an upgrade to this version's "
                    "schema but is read-only; nothing was changed"
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
