"""The sync watermark of append-only records (revision 0014, ``replication.stamp``/``since``)
on every SQL backend: rows are stamped when a client asks, pages follow (number, key) order,
rights filter what is read, and on PostgreSQL a row committed after a stamp gets a later one."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Area, Level, Rights
from billing_desktop.store.sql import replication as rep
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.engine import create_engine
from tests.pg_cluster import PgCluster

CALLS = rep.replicated("calls")
LEDGER = rep.replicated("ledger")
WATERMARKED = [s for s in rep.TABLES if s.watermarked]


def calls(ids: list[str]) -> list[dict[str, Any]]:
    start = datetime(2026, 11, 20, 9, tzinfo=UTC)
    return [
        {
            "id": name,
            "type": "outbound",
            "triggered_by": "agent",
            "trigger_source": "test",
            "candidate_id": None,
            "campaign": "c",
            "number": None,
            "user_id": None,
            "started_at": start + timedelta(seconds=n),
            "duration_seconds": 60,
        }
        for n, name in enumerate(ids)
    ]


def stamp(store: Any) -> int:
    with store(write=True) as uow:
        high = rep.stamp(uow.connection, WATERMARKED)
        uow.commit()
    return high


def test_records_are_stamped_when_asked_and_read_after_a_watermark(store: Any) -> None:
    with store(write=True) as uow:
        uow.connection.execute(t.calls.insert(), calls(["c", "a", "b"]))
        uow.commit()
    with store() as uow:  # not stamped yet: nothing after any number
        assert rep.since(uow.connection, CALLS, None, -1, None, 10**9, 100) == []
    first = stamp(store)
    assert first == 1
    assert stamp(store) == first  # nothing new: the counter does not move
    with store(write=True) as uow:
        uow.connection.execute(t.calls.insert(), calls(["e", "d"]))
        uow.commit()
    second = stamp(store)
    assert second == 2
    seq = [c.name for c in t.calls.columns].index("sync_seq")
    with store() as uow:
        conn = uow.connection
        everything = rep.since(conn, CALLS, None, -1, None, second, 100)
        assert [(r[0], r[seq]) for r in everything] == [
            ("a", 1),
            ("b", 1),
            ("c", 1),
            ("d", 2),
            ("e", 2),
        ]
        assert [r[0] for r in rep.since(conn, CALLS, None, first, None, second, 100)] == ["d", "e"]
        assert rep.since(conn, CALLS, None, -1, None, first - 1, 100) == []  # up to ``high``
        # Pages of two, each after the (number, key) of the last row of the one before.
        walked: list[str] = []
        mark: tuple[int, list[Any] | None] = (-1, None)
        while True:
            page = rep.since(conn, CALLS, None, mark[0], mark[1], second, 2)
            walked += [r[0] for r in page]
            if len(page) < 2:
                break
            mark = (page[-1][seq], [page[-1][0]])
        assert walked == ["a", "b", "c", "d", "e"]
        assert rep.count_upto(conn, CALLS, None, first) == 3
        assert rep.count_upto(conn, CALLS, None, second) == 5


def test_a_user_without_plans_reads_no_app_funds_after_a_watermark(store: Any) -> None:
    rows = [
        {
            "occurred_on": date(2026, 11, 1),
            "kind": "purchase",
            "product": None,
            "amount_minor": 100,
            "reference": f"R{n}",
            "description": "",
            "pool": pool,
        }
        for n, pool in enumerate(("", "app:x", ""))
    ]
    with store(write=True) as uow:
        uow.connection.execute(t.ledger.insert(), rows)
        uow.commit()
    high = stamp(store)
    shared = Rights({Area.USAGE: Level.VIEW})
    with store() as uow:
        conn = uow.connection
        seen = rep.since(conn, LEDGER, shared, -1, None, high, 100)
        assert [r[5] for r in seen] == ["R0", "R2"]
        assert len(rep.since(conn, LEDGER, None, -1, None, high, 100)) == 3
        assert rep.count_upto(conn, LEDGER, shared, high) == 2


def test_on_postgres_a_row_committed_after_a_stamp_gets_a_later_number(
    pg_cluster: PgCluster,
) -> None:
    """A writer's transaction open across a stamp: its row is not stamped by it (not visible
    yet), so a client that read up to that stamp gets the row with the next one."""
    name = pg_cluster.create_database("watermark")
    url = pg_cluster.url(name)
    store = SqlStore(url)
    engine = create_engine(url)
    try:
        with store(write=True) as uow:
            uow.connection.execute(t.calls.insert(), calls(["early"]))
            uow.commit()
        with engine.connect() as writer:
            late = writer.begin()
            writer.execute(t.calls.insert(), calls(["late"]))
            first = stamp(store)  # the writer has not committed
            late.commit()
        with store() as uow:
            assert [r[0] for r in rep.since(uow.connection, CALLS, None, -1, None, first, 9)] == [
                "early"
            ]
        second = stamp(store)
        assert second == first + 1
        with store() as uow:
            after = rep.since(uow.connection, CALLS, None, first, None, second, 9)
        assert [r[0] for r in after] == ["late"]
        # Two stamps at once: the second waits for the first's lock, numbers follow commits.
        with store(write=True) as uow:
            uow.connection.execute(t.calls.insert(), calls(["x", "y"]))
            uow.commit()
        highs: list[int] = []
        threads = [threading.Thread(target=lambda: highs.append(stamp(store))) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(highs) in ([second + 1, second + 1], [second + 1, second + 2])
        with engine.connect() as conn:
            stamps = conn.execute(
                sa.select(t.calls.c.sync_seq).where(t.calls.c.id.in_(["x", "y"]))
            ).scalars()
            assert set(stamps) == {second + 1}
    finally:
        engine.dispose()
        store.dispose()
        pg_cluster.drop_database(name)


def test_a_rollup_changed_is_stamped_again(store: Any) -> None:
    hourly = rep.replicated("usage_hourly")
    day = date(2026, 11, 2)
    with store(write=True) as uow:
        uow.rollups.add({(day, 9, "", "calls"): Decimal(1), (day, 10, "", "calls"): Decimal(1)})
        uow.commit()
    first = stamp(store)
    with store(write=True) as uow:
        uow.rollups.add({(day, 10, "", "calls"): Decimal(2)})
        uow.commit()
    second = stamp(store)
    assert second == first + 1
    with store() as uow:
        changed = rep.since(uow.connection, hourly, None, first, None, second, 10)
        assert [(r[1], r[4]) for r in changed] == [(10, 3_000_000)]  # micro-units
        assert rep.count_upto(uow.connection, hourly, None, second) == 2
