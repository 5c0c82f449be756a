"""The connection pool of a PostgreSQL store: a connection used a moment ago is handed out
without a ping (a round trip saved on every unit of work), one idle for longer is pinged, and
one the server dropped while idle is replaced instead of failing the next unit of work."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from billing_desktop.bootstrap import SqlStore
from billing_desktop.store.sql import engine as engine_module
from tests.pg_cluster import PgCluster


def _backend(store: SqlStore) -> int:
    with store() as uow:
        return int(uow.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def test_a_connection_used_a_moment_ago_is_not_pinged(pg_store: SqlStore) -> None:
    pid = _backend(pg_store)  # the pool now holds one connection, just used
    pings: list[object] = []
    original = pg_store.engine.dialect.do_ping
    pg_store.engine.dialect.do_ping = lambda c: pings.append(c) or original(c)  # type: ignore[method-assign]
    try:
        assert _backend(pg_store) == pid  # the same connection, reused
        assert pings == []
    finally:
        pg_store.engine.dialect.do_ping = original  # type: ignore[method-assign]
    assert pg_store.engine.pool.size() == 3  # type: ignore[attr-defined]


def test_an_idle_connection_the_server_dropped_is_replaced(
    pg_store: SqlStore, pg_cluster: PgCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _backend(pg_store)
    pg_cluster.execute(f"SELECT pg_terminate_backend({pid})")
    monkeypatch.setattr(engine_module, "PING_IDLE_AFTER", 0.0)  # every pooled one is "idle"
    replaced = _backend(pg_store)  # no error: the dead connection was pinged and replaced
    assert replaced != pid
    with pg_store() as uow:
        assert uow.connection.exec_driver_sql("SELECT 1").scalar_one() == 1


def test_a_first_version_committed_by_another_writer_meanwhile_is_not_stale(
    pg_store: SqlStore,
) -> None:
    """Two first writes of a resource at once: the one whose UPDATE found no row while the
    other's INSERT was not yet committed bumps the version the other created (a write with
    ``If-Match: *`` is never refused as stale)."""
    other = SqlStore(pg_store.url, create=False)
    done: list[int | None] = []

    def meanwhile(conn: sa.Connection, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("UPDATE resource_versions") and not done:
            done.append(None)
            with other(write=True) as uow:  # the other writer commits its first version now
                assert uow.versions.bump("units") == 1
                uow.commit()

    try:
        with pg_store(write=True) as uow:
            sa.event.listen(uow.connection, "after_cursor_execute", meanwhile)
            done_version = uow.versions.bump("units")
            uow.commit()
        assert done == [None]  # the other write did come in between
        assert done_version == 2
    finally:
        other.dispose()
