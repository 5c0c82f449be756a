"""Revision 0018: the calls' sync watermark indexes leave out the calls stamped 0 (stored
before the watermarks), on SQLite and PostgreSQL, and the sync still finds every call it
stamps and counts every call (B13)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command

from billing_desktop.store.sql import replication as rep
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.engine import alembic_config, create_engine, migrate
from tests.contract.test_sync_watermark import CALLS, WATERMARKED, calls


def _index_text(conn: sa.Connection, name: str) -> str:
    if conn.dialect.name == "sqlite":
        query = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
    else:
        query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
    return str(conn.execute(sa.text(query), {"name": name}).scalar_one())


def _in_index(conn: sa.Connection, name: str) -> int:
    """How many calls the index holds (its rows, read through the index itself)."""
    if conn.dialect.name == "sqlite":
        where = "sync_seq > 0" if name == "ix_calls_sync_seq" else "sync_seq IS NULL"
        query = f"SELECT count(*) FROM calls INDEXED BY {name} WHERE {where}"
        return int(conn.execute(sa.text(query)).scalar_one())
    # PostgreSQL: the index's own tuple count after an ANALYZE
    conn.execute(sa.text("ANALYZE calls"))
    query = "SELECT reltuples FROM pg_class WHERE relname = :name"
    return int(conn.execute(sa.text(query), {"name": name}).scalar_one())


def test_calls_stamped_before_the_watermarks_stay_out_of_the_sync_indexes(
    empty_sql: str,
) -> None:
    engine = create_engine(empty_sql)
    try:
        migrate(engine, "0017")
        with engine.begin() as conn:
            conn.execute(t.calls.insert(), calls(["old-a", "old-b", "old-c", "new-a"]))
            # stored before 0014: stamped 0 by that migration
            conn.execute(t.calls.update().where(t.calls.c.id.like("old-%")).values(sync_seq=0))
        migrate(engine)
        with engine.begin() as conn:
            assert "sync_seq > 0" in _index_text(conn, "ix_calls_sync_seq")
            assert "sync_seq IS NULL" in _index_text(conn, "ix_calls_unstamped")
            assert _in_index(conn, "ix_calls_sync_seq") == 0
            assert _in_index(conn, "ix_calls_unstamped") == 1  # new-a, not stamped yet
            high = rep.stamp(conn, WATERMARKED)
            assert high == 1
        with engine.begin() as conn:
            assert _in_index(conn, "ix_calls_sync_seq") == 1
            assert _in_index(conn, "ix_calls_unstamped") == 0
            # A replica that synced before (watermark 0) gets the new call only; the count
            # up to the stamp is every call, the ones stamped 0 with them.
            assert [r[0] for r in rep.since(conn, CALLS, None, 0, None, high, 100)] == ["new-a"]
            assert rep.count_upto(conn, CALLS, None, high) == 4
            assert rep.count_upto(conn, CALLS, None, 0) == 3
            conn.execute(t.calls.insert(), calls(["new-b"]))
            assert rep.count_upto(conn, CALLS, None, high) == 4  # new-b: not stamped yet
            assert rep.stamp(conn, WATERMARKED) == 2
            assert [r[0] for r in rep.since(conn, CALLS, None, high, None, 2, 100)] == ["new-b"]
    finally:
        engine.dispose()


def test_0018_downgrades_to_the_one_watermark_index(empty_sql: str) -> None:
    engine = create_engine(empty_sql)
    try:
        migrate(engine)
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0017")
        indexes = {i["name"]: i["column_names"] for i in sa.inspect(engine).get_indexes("calls")}
        assert "ix_calls_unstamped" not in indexes
        assert indexes["ix_calls_sync_seq"] == ["sync_seq", "id"]
        with engine.begin() as conn:
            assert "WHERE" not in _index_text(conn, "ix_calls_sync_seq").upper()
            conn.execute(t.calls.insert(), calls(["a"]))
            assert rep.stamp(conn, WATERMARKED) == 1
        migrate(engine)  # and up again
        with engine.begin() as conn:
            assert "sync_seq > 0" in _index_text(conn, "ix_calls_sync_seq")
            assert [r[0] for r in rep.since(conn, CALLS, None, 0, None, 1, 10)] == ["a"]
    finally:
        engine.dispose()


def test_the_sync_reads_the_calls_through_the_partial_indexes(tmp_path: Path) -> None:
    """SQLite uses a partial index only when the query states its condition: the stamp's
    look-up, the rows after a watermark and the counts each read one of the two."""
    engine = create_engine(f"sqlite:///{tmp_path / 's.db'}")
    try:
        migrate(engine)
        sent: list[tuple[str, object]] = []

        def remember(_c: object, _k: object, statement: str, params: object, *_: object) -> None:
            if statement.lstrip().upper().startswith(("SELECT", "UPDATE")):
                sent.append((statement, params))

        with engine.begin() as conn:
            conn.execute(t.calls.insert(), calls(["a", "b"]))
            sa.event.listen(engine, "before_cursor_execute", remember)
            try:
                high = rep.stamp(conn, [CALLS])
                rep.since(conn, CALLS, None, 0, None, high, 10)
                rep.since(conn, CALLS, None, high, ["a"], high, 10)
                rep.count_upto(conn, CALLS, None, high)
            finally:
                sa.event.remove(engine, "before_cursor_execute", remember)
            plans = [
                " | ".join(
                    str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + s, p)
                )
                for s, p in sent
                if "calls" in s and "sync_seq" in s
            ]
        assert len(plans) == 5, plans  # look-up, UPDATE, two pages, the count
        for plan in plans:
            assert "ix_calls_sync_seq" in plan or "ix_calls_unstamped" in plan, plan
        assert "ix_calls_unstamped" in plans[0] and "ix_calls_unstamped" in plans[1]
        assert "ix_calls_sync_seq" in plans[2] and "ix_calls_sync_seq" in plans[3]
        assert "ix_calls_sync_seq" in plans[4] and "ix_calls_unstamped" in plans[4]
        with engine.connect() as conn:  # the stamped rows came out, in order
            found = rep.since(conn, CALLS, None, 0, None, high, 10)
            assert [r[0] for r in found] == ["a", "b"]
    finally:
        engine.dispose()
