"""Filling empty tables in bulk on SQLite (``store.ports.BulkLoad``, the demo's build, B9): the
ordinary indexes of empty tables are built once at the end, keys stay unique throughout, and a
failed load leaves the schema as it was."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import Conflict
from billing_desktop.store.sql.uow import SqlUnitOfWork

AT = datetime(2026, 10, 5, 14, tzinfo=UTC)


def _call(n: int) -> m.Call:
    return m.Call(f"call-{n:07d}", m.CallType.LIVE, m.TriggeredBy.RECRUITER, "Email", None,
                  "Spring", None, None, AT + timedelta(seconds=n), (n * 37) % 900)  # fmt: skip


def _calls(count: int, first: int = 1) -> list[m.Call]:
    return [_call(n) for n in range(first, first + count)]


def _indexes(path: Path, table: str) -> dict[str, str | None]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)
        ).fetchall()
    return {str(name): sql for name, sql in rows}


def _connection(uow: SqlUnitOfWork) -> sa.Connection:
    """The unit of work's own connection: its uncommitted schema changes are seen only there."""
    conn = uow._conn
    assert conn is not None
    return conn


def _indexes_seen_by(uow: SqlUnitOfWork) -> set[str]:
    rows = _connection(uow).exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls'"
    )
    return {str(name) for (name,) in rows}


def _ordinary(indexes: dict[str, str | None]) -> set[str]:
    return {name for name, sql in indexes.items() if sql is not None}


def test_empty_tables_are_filled_with_their_indexes_built_at_the_end(
    store: SqlStore, store_path: Path
) -> None:
    before = _indexes(store_path, "calls")
    assert {"ix_calls_started_hour", "ix_calls_duration_step"} <= _ordinary(before)
    with store(write=True) as uow:
        assert uow.bulk_load is not None
        with uow.bulk_load.loading(["calls", "sms"]):
            inside = _indexes_seen_by(uow)
            # Only the primary key's index is kept while loading.
            assert inside == {name for name, sql in before.items() if sql is None}
            uow.calls.add_many(_calls(3_000))
            uow.calls.add_many(_calls(2_000, first=3_001))
        uow.commit()
    assert _indexes(store_path, "calls") == before
    with sqlite3.connect(store_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # The rebuilt duration index answers like one kept up row by row.
        longest = conn.execute(
            "SELECT id FROM calls INDEXED BY ix_calls_duration_step "
            "ORDER BY duration_seconds / 4 DESC, duration_seconds DESC, id DESC LIMIT 1"
        ).fetchone()
    with store() as uow:
        assert uow.calls.count() == 5_000
        calls = uow.calls.all()
    assert longest[0] == max(calls, key=lambda c: (c.duration_seconds, c.id)).id


def test_the_page_cache_is_raised_while_loading_and_put_back(store: SqlStore) -> None:
    with store(write=True) as uow:
        assert uow.bulk_load is not None
        conn = _connection(uow)
        default = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
        with uow.bulk_load.loading(["calls"]):
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == -256 * 1024
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == default


def test_a_table_holding_rows_keeps_its_indexes(store: SqlStore, store_path: Path) -> None:
    with store(write=True) as uow:
        uow.calls.add_many(_calls(10))
        uow.commit()
    before = _indexes(store_path, "calls")
    with store(write=True) as uow:
        assert uow.bulk_load is not None
        with uow.bulk_load.loading(["calls"]):
            names = _indexes_seen_by(uow)
            assert names == set(before)
            uow.calls.add_many(_calls(10, first=11))
        uow.commit()
    assert _indexes(store_path, "calls") == before


def test_a_key_given_twice_is_refused_while_loading_and_nothing_stays(
    store: SqlStore, store_path: Path
) -> None:
    before = _indexes(store_path, "calls")
    with pytest.raises(Conflict, match="calls call-0000002: given twice"), store(write=True) as uow:
        assert uow.bulk_load is not None
        with uow.bulk_load.loading(["calls"]):
            uow.calls.add_many(_calls(3) + _calls(1, first=2))
        uow.commit()
    # The unit of work was rolled back: no call, and the dropped indexes are back.
    assert _indexes(store_path, "calls") == before
    with store() as uow:
        assert uow.calls.count() == 0
