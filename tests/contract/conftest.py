"""The implementations the repository contract suite runs against.

``IMPLEMENTATIONS`` maps a name to a factory; every test that takes the ``store`` fixture runs
once per entry. A factory gets the pytest request (for the fixtures it needs, such as a
temporary folder or the PostgreSQL cluster) and returns an empty store at the newest schema,
as an object satisfying ``billing_desktop.store.ports.UnitOfWorkFactory``, plus how to close
it. Adding an implementation (the HTTP store) is one factory and one line in the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.store.ports import UnitOfWorkFactory
from tests.pg_cluster import PgCluster


@dataclass(frozen=True)
class Opened:
    """An empty store opened for one test (or one module), and how to throw it away."""

    store: UnitOfWorkFactory
    close: Callable[[], None]


Factory = Callable[[pytest.FixtureRequest], Opened]


def _sqlite(request: pytest.FixtureRequest) -> Opened:
    folder = request.getfixturevalue("tmp_path_factory").mktemp("sqlite")
    url = f"sqlite:///{folder / 'store.db'}"
    store = SqlStore(url)
    return Opened(store, store.dispose)


def _migrated(url: str) -> None:
    SqlStore(url).dispose()  # opening a store runs the migrations


def _postgres(request: pytest.FixtureRequest) -> Opened:
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    name = cluster.checkout("store", _migrated)
    store = SqlStore(cluster.url(name))

    def close() -> None:
        store.dispose()
        cluster.checkin("store", name)

    return Opened(store, close)


@dataclass(frozen=True)
class EmptyDatabase:
    """The URL of an empty database of one SQL backend, nothing opened on it yet."""

    url: str
    close: Callable[[], None]


def _empty_sqlite(request: pytest.FixtureRequest) -> EmptyDatabase:
    folder = request.getfixturevalue("tmp_path_factory").mktemp("sqlite")
    return EmptyDatabase(f"sqlite:///{folder / 'store.db'}", lambda: None)


def _empty_postgres(request: pytest.FixtureRequest) -> EmptyDatabase:
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    name = cluster.create_database("empty")
    return EmptyDatabase(cluster.url(name), lambda: cluster.drop_database(name))


IMPLEMENTATIONS: dict[str, Factory] = {
    "sqlite": _sqlite,
    "postgres": _postgres,
}
REFERENCE = "sqlite"  # what the other implementations' outputs are compared with
# The SQL implementations (schema and migrations): an empty database of each, not opened yet.
EMPTY_SQL: dict[str, Callable[[pytest.FixtureRequest], EmptyDatabase]] = {
    "sqlite": _empty_sqlite,
    "postgres": _empty_postgres,
}


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A PostgreSQL server for the whole run (started on first use). Missing binaries fail
    the run: CI installs them (.ci/run), and a silently skipped implementation proves nothing."""
    cluster = PgCluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def open_store(name: str, request: pytest.FixtureRequest) -> Opened:
    return IMPLEMENTATIONS[name](request)


@pytest.fixture(params=list(IMPLEMENTATIONS))
def store(request: pytest.FixtureRequest) -> Iterator[UnitOfWorkFactory]:
    """An empty store of each implementation in turn."""
    opened = open_store(request.param, request)
    try:
        yield opened.store
    finally:
        opened.close()


@pytest.fixture(params=list(EMPTY_SQL))
def empty_sql(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of an empty database of each SQL backend (schema and migration checks)."""
    empty = EMPTY_SQL[request.param](request)
    try:
        yield empty.url
    finally:
        empty.close()


@pytest.fixture
def pg_store(pg_cluster: PgCluster) -> Iterator[SqlStore]:
    """A new, empty PostgreSQL store with a pool of 3 connections (PostgreSQL-only tests)."""
    name = pg_cluster.create_database("store")
    store = SqlStore(pg_cluster.url(name), create=True, pool_size=3)
    yield store
    store.dispose()
    pg_cluster.drop_database(name)
