"""Revision 0017 keeps only the calls indexes the call log needs (issue 21, B13), and the call
log's open, last row, sort by cost and campaign list still read them rather than the table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from billing_desktop.bootstrap import SqlStore
from billing_desktop.store.ports import CallFilter, CallOrder
from billing_desktop.store.sql.engine import (
    create_engine,
    current_revision,
    head_revision,
    migrate,
    open_engine,
)
from billing_desktop.store.sql.repositories import queries
from billing_desktop.store.sql.repositories.queries import SqlQueries

# revision 0017 kept these; 0020 and 0021 keep the calls by their hour instead of their
# instant and by steps of their duration instead of their duration and id
KEPT_0017 = {"ix_calls_started_at", "ix_calls_campaign", "ix_calls_duration_seconds"}
KEPT = {"ix_calls_started_hour", "ix_calls_campaign", "ix_calls_duration_step"}
# revision 0014: the sync watermark's order (sync_seq, id); 0018: partial, with the unstamped
SYNC = {"ix_calls_sync_seq", "ix_calls_unstamped"}
DROPPED = {
    "ix_calls_type",
    "ix_calls_triggered_by",
    "ix_calls_trigger_source",
    "ix_calls_candidate_id",
    "ix_calls_number",
}


def _indexes(engine: sa.Engine) -> dict[str, list[str]]:
    """Each calls index's columns, an expression as SQLite writes it in the index's
    statement (SQLAlchemy does not reflect SQLite's indexes on an expression)."""
    found: dict[str, list[str]] = {}
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' "
            "AND name NOT LIKE 'sqlite_autoindex_%'"  # the primary key's
        ).all()
        for name, sql in rows:
            columns = conn.exec_driver_sql(f'PRAGMA index_info("{name}")').all()
            found[str(name)] = [
                str(column) if column is not None else str(sql).split("ON calls ", 1)[1]
                for _seq, _cid, column in columns
            ]
    return found


def test_a_store_with_the_nine_call_indexes_migrates_to_the_compact_set(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    migrate(engine, "0013")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO calls (id, type, triggered_by, trigger_source, campaign, "
                "started_at, duration_seconds) VALUES "
                "('c1', 'live', 'recruiter', 'Email', 'Spring', 1790000000000000, 61)"
            )
        )
    assert set(_indexes(engine)) == KEPT_0017 | DROPPED
    engine.dispose()

    store = SqlStore(url)  # opening runs 0017 (and 0020)
    try:
        assert current_revision(store.engine) == head_revision()
        indexes = _indexes(store.engine)
        assert indexes == {
            "ix_calls_started_hour": ["((started_at / 3600000000))"],
            "ix_calls_campaign": ["campaign"],
            "ix_calls_duration_step": ["((duration_seconds / 4))"],
            "ix_calls_sync_seq": ["sync_seq", "id"],  # partial since 0018
            "ix_calls_unstamped": ["id"],
        }
        with store() as uow:
            assert uow.calls.get_many(["c1"])["c1"].duration_seconds == 61
    finally:
        store.dispose()


def test_0017_downgrades_to_the_nine_indexes(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 's.db'}")
    migrate(engine, "head")
    from alembic import command

    from billing_desktop.store.sql.engine import alembic_config

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0013")
    indexes = _indexes(engine)
    assert set(indexes) == KEPT_0017 | DROPPED
    assert indexes["ix_calls_campaign"] == ["campaign", "id"]
    assert indexes["ix_calls_started_at"] == ["started_at", "id"]  # 0020's downgrade
    assert indexes["ix_calls_duration_seconds"] == ["duration_seconds", "id"]  # 0021's
    engine.dispose()


def _plans(engine: sa.Engine, read: Callable[[SqlQueries], Any]) -> list[str]:
    """The query plan of every statement ``read`` sends, as SQLite's EXPLAIN QUERY PLAN."""
    sent: list[tuple[str, Any]] = []

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, parameters))

    with engine.connect() as conn:
        sa.event.listen(engine, "before_cursor_execute", remember)
        try:
            read(SqlQueries(conn))
        finally:
            sa.event.remove(engine, "before_cursor_execute", remember)
        plans = []
        for statement, parameters in sent:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            plans.append(" | ".join(str(row[-1]) for row in rows))
    assert plans
    return plans


HOUR = "ix_calls_started_hour"
STEP = "ix_calls_duration_step"
OCTOBER = CallFilter(start=datetime(2026, 10, 1, tzinfo=UTC), end=datetime(2026, 11, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("read", "index"),
    [
        (lambda q: q.call_page_where(CallFilter(), CallOrder(), 0, 500), HOUR),
        (lambda q: q.call_page_where(CallFilter(), CallOrder(descending=False), 0, 500), HOUR),
        (lambda q: q.call_page_where(OCTOBER, CallOrder(), 0, 500), HOUR),
        (lambda q: q.call_page_where(CallFilter(), CallOrder(), SEEK, 500), HOUR),
        (lambda q: q.call_page_where(OCTOBER, CallOrder(descending=False), SEEK, 500), HOUR),
        (lambda q: q.call_count_where(OCTOBER), HOUR),
        (lambda q: q.call_span(), HOUR),
        (
            lambda q: q.call_usage_by_number_and_user(
                datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
            ),
            HOUR,
        ),
        (lambda q: q.call_page_where(CallFilter(), CallOrder("duration_seconds"), 0, 500), STEP),
        (
            lambda q: q.call_page_where(
                CallFilter(), CallOrder("duration_seconds", descending=False), SEEK, 500
            ),
            STEP,
        ),
        (lambda q: q.call_campaigns(), "ix_calls_campaign"),
    ],
    ids=[
        "open",
        "last-row",
        "a-month",
        "deep-page",
        "deep-page-of-a-month",
        "count-of-a-month",
        "span",
        "usage-by-number",
        "sort-by-cost",
        "deep-page-by-cost",
        "campaign-list",
    ],
)
def test_the_call_log_reads_what_b6_times_through_a_kept_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read: Callable[[SqlQueries], Any], index: str
) -> None:
    monkeypatch.setattr(queries, "SEEK_FROM", SEEK)
    engine = open_engine(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with engine.begin() as conn:  # a deep page's first statement finds its hour
            conn.execute(
                sa.text(
                    "INSERT INTO calls (id, type, triggered_by, trigger_source, campaign, "
                    f"started_at, duration_seconds) VALUES {', '.join(_CALLS)}"
                )
            )
        for plan in _plans(engine, read):
            assert index in plan
            # an index walk or search, no sort of the calls (the campaign list sorts its few
            # names); in time order only each hour's calls are sorted (the "right part")
            assert "TEMP B-TREE FOR ORDER BY" not in plan or "CO-ROUTINE" in plan
            assert "SCAN calls" not in plan or "USING" in plan  # never the table alone
    finally:
        engine.dispose()


SEEK = 3  # the offset from which a page in time order starts from its hour, in these tests
# October 2026, a call every 20 minutes from the 3rd: more than the seek's offset
_CALLS = [
    f"('c{n}', 'live', 'recruiter', 'Email', 'Spring', {1790985600000000 + n * 1200000000}, 61)"
    for n in range(12)
]


@pytest.mark.parametrize(
    ("stored", "staged", "rebuilt"),
    [(0, 1, True), (1, 3, True), (1, 2, False), (2, 5, False), (2, 6, True)],
)
def test_an_import_rebuilds_the_indexes_only_when_it_is_three_times_the_table(
    tmp_path: Path, stored: int, staged: int, rebuilt: bool
) -> None:
    """The crossover measured with the compact indexes (REBUILD_SHARE): below it, inserting
    into the kept indexes is cheaper than building them again."""
    import pyarrow as pa

    from billing_desktop.store.sql.repositories.staging import REBUILD_SHARE, SqlCallStaging

    assert REBUILD_SHARE == 3
    engine = open_engine(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with engine.connect() as conn:
            with conn.begin():
                for n in range(stored):
                    conn.execute(
                        sa.text(
                            "INSERT INTO calls (id, type, triggered_by, trigger_source, campaign, "
                            "started_at, duration_seconds) VALUES "
                            f"('c{n}', 'live', 'recruiter', 'Email', 'Spring', {n}, 61)"
                        )
                    )
                staging = SqlCallStaging(conn)
                staging.begin(["id"])
                staging.add(pa.record_batch([pa.array([f"s{n}" for n in range(staged)])], ["id"]))
                names = {name for name, _sql in staging._indexes_to_rebuild(skip_stored=False)}
                staging.end()
            staging.release()
        assert names == (KEPT | SYNC if rebuilt else set())
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("staged", "stored"),
    [
        (["a1", "b2"], 0),  # every staged id before the stored ones: one probe says so
        (["d1", "z9"], 0),  # every one after them
        (["c1", "c3"], 0),  # between stored ids, none of them stored
        (["c2", "d1", "z9"], 1),  # only the first batch holds a stored id
        (["c4", "c0"], 2),
    ],
)
def test_the_ids_already_stored_are_found_wherever_the_staged_ids_lie(
    tmp_path: Path, staged: list[str], stored: int
) -> None:
    import pyarrow as pa

    from billing_desktop.store.sql.repositories.staging import SqlCallStaging

    engine = open_engine(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with engine.connect() as conn:
            with conn.begin():
                for n in (0, 2, 4):
                    conn.execute(
                        sa.text(
                            "INSERT INTO calls (id, type, triggered_by, trigger_source, campaign, "
                            "started_at, duration_seconds) VALUES "
                            f"('c{n}', 'live', 'recruiter', 'Email', 'Spring', 0, 61)"
                        )
                    )
                staging = SqlCallStaging(conn)
                staging.begin(["id"])
                for part in (staged[:1], staged[1:]):  # the ids' range is kept across batches
                    staging.add(pa.record_batch([pa.array(part)], ["id"]))
                assert staging.overlap() == (stored, 0)  # (no other column staged: not the same)
                staging.end()
            staging.release()
    finally:
        engine.dispose()
