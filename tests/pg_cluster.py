"""A throwaway PostgreSQL cluster for tests: ``initdb`` + ``pg_ctl`` in a temporary folder.

The cluster listens on 127.0.0.1 only, on a free port, trusts local connections, and runs with
fsync off (its data is thrown away). When the tests run as root (CI, containers), ``initdb``
refuses to, so the server runs as the ``postgres`` OS user (``runuser``), in a folder owned by
it.

Its default collation is ICU's linguistic English order where the server has ICU, as most team
servers have (``en_US.UTF-8``): a store whose results depended on the database's collation
would fail the contract suite here instead of in production.

Test databases are copies of a template that already holds the store's schema
(``CREATE DATABASE ... TEMPLATE``), so no test pays for the migrations. A database given back
is emptied (every row deleted, sequences restarted) and handed to the next test: a few
milliseconds, where a new copy takes a tenth of a second or more.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import sqlalchemy as sa

USER = "postgres"  # the database superuser initdb creates (and the OS user when run as root)


class PostgresMissing(RuntimeError):
    """The PostgreSQL server binaries (initdb, pg_ctl) are not installed."""


def find_bindir() -> Path:
    """The folder holding initdb and pg_ctl: PATH first, then Debian's versioned folders."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(v) if (v := Path(p).parent.name).isdigit() else 0,
        reverse=True,
    )
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise PostgresMissing(
        "PostgreSQL server binaries not found (initdb and pg_ctl are neither on PATH nor in "
        "/usr/lib/postgresql/*/bin): install them, e.g. `apt-get install postgresql` on Debian; "
        ".ci/run does so"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PgCluster:
    """One running PostgreSQL server; ``stop()`` ends it and removes its folder."""

    def __init__(self, bindir: Path, root: Path, port: int, as_root: bool) -> None:
        self.bindir = bindir
        self.root = root
        self.port = port
        self.as_root = as_root
        self.data = root / "data"
        self.log = root / "server.log"
        self._names = itertools.count(1)
        self._admin: sa.Engine | None = None
        self._templates: dict[str, str] = {}
        self._reusable: dict[str, bool] = {}  # template key -> its tables hold no rows
        self._free: dict[str, list[str]] = {}  # template key -> emptied databases

    # -- life cycle --

    @classmethod
    def start(cls) -> PgCluster:
        bindir = find_bindir()
        as_root = os.geteuid() == 0
        # Directly in the system temp folder: pytest's own temp folders are private to root,
        # and the server's socket path must stay short.
        root = Path(tempfile.mkdtemp(prefix="billing-pg-"))
        if as_root:
            shutil.chown(root, USER, USER)
        cluster = cls(bindir, root, 0, as_root)
        try:
            cluster._initdb()
            cluster._launch()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _run(self, args: Sequence[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", USER, "--", *command]
        return subprocess.run(
            command,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def _initdb(self) -> None:
        base = ["initdb", "-D", str(self.data), "-U", USER, "-A", "trust", "-E", "UTF8"]
        base += ["--no-sync", "--no-instructions"]
        # Linguistic order by default, as on most servers; plain C where there is no ICU.
        done = self._run([*base, "--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en-US"])
        if done.returncode != 0:
            shutil.rmtree(self.data, ignore_errors=True)
            done = self._run([*base, "--locale=C.UTF-8"])
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{done.stdout}\n{done.stderr}")

    def _launch(self) -> None:
        settings = (
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=40 -c shared_buffers=32MB"
        )
        for _attempt in range(5):
            self.port = _free_port()
            options = f"-k {self.root} -h 127.0.0.1 -p {self.port} {settings}"
            args = ["pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60"]
            done = self._run([*args, "-o", options, "start"])
            if done.returncode == 0:
                return
            time.sleep(0.2)  # most likely the port was taken meanwhile: try another one
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start:\n{done.stderr}\n{log[-2000:]}")

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None
        if (self.data / "postmaster.pid").exists():
            self._run(["pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"], 60)
        shutil.rmtree(self.root, ignore_errors=True)

    # -- databases --

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> sa.Engine:
        """An autocommit engine on the ``postgres`` database (CREATE/DROP DATABASE)."""
        if self._admin is None:
            self._admin = sa.create_engine(
                self.url("postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
            )
        return self._admin

    def execute(self, statement: str) -> None:
        with self.admin().connect() as conn:
            conn.exec_driver_sql(statement)

    def create_database(self, prefix: str = "db", template: str = "template0") -> str:
        """A new, uniquely named database copied from ``template``; returns its name."""
        name = f"{prefix}_{next(self._names)}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def template(self, key: str, prepare: Callable[[str], None]) -> str:
        """A database prepared once by ``prepare(url)`` and then only copied, never used."""
        if key not in self._templates:
            name = self.create_database(f"template_{key}")
            prepare(self.url(name))
            with self._engine(name).connect() as conn:
                counts = [
                    conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one()
                    for table in _tables(conn)
                ]
            self._reusable[key] = not any(counts)
            self._templates[key] = name
        return self._templates[key]

    def checkout(self, key: str, prepare: Callable[[str], None]) -> str:
        """A database as ``prepare`` left the template: one given back and emptied, or a copy."""
        template = self.template(key, prepare)
        free = self._free.setdefault(key, [])
        return free.pop() if free else self.create_database(key, template)

    def checkin(self, key: str, name: str) -> None:
        """Take back a database from ``checkout`` (its connections closed). It is emptied for
        the next checkout when the template holds no rows (nothing to restore), else dropped."""
        if self._reusable.get(key):
            try:
                self._empty(name)
            except sa.exc.OperationalError:
                pass  # a lock wait timed out (a connection left open): a new copy is safer
            else:
                self._free.setdefault(key, []).append(name)
                return
        self.drop_database(name)

    def _engine(self, name: str) -> sa.Engine:
        return sa.create_engine(self.url(name), poolclass=sa.NullPool)

    def _empty(self, name: str) -> None:
        with self._engine(name).begin() as conn:
            conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            # No foreign-key checks while every table is emptied (superuser only).
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table in _tables(conn):
                conn.exec_driver_sql(f'DELETE FROM "{table}"')
            conn.exec_driver_sql(
                "SELECT setval((quote_ident(schemaname) || '.' || quote_ident(sequencename))"
                "::regclass, start_value, false) "
                "FROM pg_sequences WHERE schemaname = current_schema()"
            )


def _tables(conn: sa.Connection) -> list[str]:
    """The tables of the current schema but Alembic's version table."""
    query = (
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename <> 'alembic_version' ORDER BY tablename"
    )
    return list(conn.exec_driver_sql(query).scalars())
