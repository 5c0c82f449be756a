"""The call-log CSV export's Arrow path (SQLite: the calls read as Arrow batches through the
ADBC driver, every cell made by pyarrow.compute) writes the bytes of the Python path
(``usage_data.csv_chunks``, which PostgreSQL and the remote store take, and which is the
oracle): for any text, zone, order, filter and batch size. It reads one snapshot on a
read-only connection, and keeps the export's progress and cancel."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.services import overview, usage_data
from billing_desktop.services.recording import add_records
from billing_desktop.services.task_state import Progress, TaskState
from billing_desktop.services.usage_data import SORT_KEYS, CallQuery, ExportCancelled
from billing_desktop.store.ports import CallBatches, CallFilter, CallOrder
from billing_desktop.store.sql import engine, safety
from tests.gui.workspace_data import ACCOUNT, PRODUCTS, USERS
from tests.integration.test_call_log_export import (
    TRANSITIONS,
    calls_around,
    reference,
    store_calls,
)

# Zones with transitions on the hour, off it (Lord Howe's half hour within a UTC hour), odd
# offsets (St John's -03:30, Chatham +12:45 / +13:45) and none.
ZONES = {
    "America/New_York": [datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC)],
    "Australia/Lord_Howe": [datetime(2026, 10, 3, 15, 30, tzinfo=UTC)],
    "America/St_Johns": [datetime(2026, 3, 8, 5, 30, tzinfo=UTC)],
    "Pacific/Chatham": [datetime(2026, 9, 26, 14, tzinfo=UTC)],
    "Europe/Berlin": [datetime(2026, 3, 29, 1, tzinfo=UTC)],
    "Asia/Kolkata": [datetime(1969, 12, 31, 23, tzinfo=UTC)],  # and calls before 1970
}
# Pieces of text that make a cell need quotes or look like a formula under some separator.
NASTY = [",", '"', "\n", "\r", "\r\n", "=", "+", "-", "@", "\t", " ", ";", "|", "'", "＝",
         "＋", "－", "＠", "1", "2.5", ".", "é", "€", "日本", "a", "Sales", ""]  # fmt: skip
PIECE = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=3),
)
TEXT = st.lists(PIECE, max_size=5).map("".join)


def export(store: SqlStore, query: CallQuery, out: Path, arrow: bool) -> int:
    with store() as uow:
        actor = overview.workspace(uow, "ada").actor
        previous = usage_data.ARROW_EXPORT
        usage_data.ARROW_EXPORT = arrow
        try:
            return usage_data.export_call_log(uow, actor, query, out)
        finally:
            usage_data.ARROW_EXPORT = previous


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    """One store for the examples: each replaces the calls and the account's zone."""
    store = SqlStore(f"sqlite:///{tmp_path_factory.mktemp('arrow') / 'store.db'}")
    with store() as uow:
        uow.account.save(ACCOUNT)
        uow.products.add_many(PRODUCTS)
        uow.users.add_many(USERS)
        uow.commit()
    yield store
    store.dispose()


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, list[m.Call], CallQuery, int]:
    zone = draw(st.sampled_from(sorted(ZONES)))
    moment = draw(st.sampled_from(ZONES[zone]))
    ids = draw(st.lists(TEXT.filter(bool), min_size=1, max_size=12, unique=True))
    campaigns = draw(st.lists(TEXT, min_size=1, max_size=3))
    calls = [
        m.Call(
            call_id,
            draw(st.sampled_from(list(m.CallType))),
            draw(st.sampled_from(list(m.TriggeredBy))),
            draw(TEXT),
            draw(st.none() | TEXT),
            draw(st.sampled_from(campaigns)),
            draw(st.none() | TEXT),
            None,
            moment + timedelta(seconds=draw(st.integers(-3 * 3600, 3 * 3600))),
            draw(st.integers(0, 40) | st.integers(0, 20_000)),  # a table of them, or not
        )
        for call_id in ids
    ]
    local = [c.started_at.astimezone(ZoneInfo(zone)).date() for c in calls]
    first = draw(st.none() | st.sampled_from(local))
    last = draw(st.none() | st.sampled_from(local).filter(lambda d: first is None or d >= first))
    query = CallQuery(
        first=first,
        last=last,
        type=draw(st.none() | st.sampled_from(list(m.CallType))),
        campaign=draw(st.none() | st.sampled_from(campaigns)),
        sort=draw(st.sampled_from(sorted(SORT_KEYS))),
        descending=draw(st.booleans()),
    )
    return zone, calls, query, draw(st.sampled_from([1, 2, 5, 16_384]))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases())
def test_the_arrow_export_writes_the_python_exports_bytes(
    shared: SqlStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[str, list[m.Call], CallQuery, int],
) -> None:
    zone, calls, query, batch_rows = case
    with shared() as uow:
        uow.connection.exec_driver_sql("DELETE FROM calls")
        uow.account.save(dataclasses.replace(ACCOUNT, timezone=zone))
        uow.calls.add_many(calls)
        uow.commit()
    python_out, arrow_out = tmp_path / "python.csv", tmp_path / "arrow.csv"
    expected = export(shared, query, python_out, arrow=False)
    with monkeypatch.context() as patch:
        patch.setattr(usage_data, "ARROW_BATCH_ROWS", batch_rows)
        patch.setattr(usage_data, "csv_chunks", None)  # the Python path must not be taken
        assert export(shared, query, arrow_out, arrow=True) == expected
    assert arrow_out.read_bytes() == python_out.read_bytes()


@pytest.mark.parametrize("zone", sorted(TRANSITIONS))
def test_the_arrow_export_is_what_csv_writer_would_write(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    """Against the test suite's own reference (csv.writer over the call-log lines), across a
    transition, for every order, in batches of 7 (memos carried from batch to batch)."""
    store_calls(store, zone, calls_around(TRANSITIONS[zone]))
    monkeypatch.setattr(usage_data, "ARROW_BATCH_ROWS", 7)
    monkeypatch.setattr(usage_data, "csv_chunks", None)
    out = tmp_path / "calls.csv"
    for sort in sorted(SORT_KEYS):
        for query in (CallQuery(sort=sort), CallQuery(sort=sort, descending=False)):
            assert export(store, query, out, arrow=True) == 155
            assert out.read_bytes() == reference(store, query)


def test_the_sqlite_store_offers_batches_to_readers_only(store: SqlStore) -> None:
    with store() as uow:
        assert isinstance(uow.call_batches, CallBatches)
    with store(write=True) as uow:
        assert uow.call_batches is None  # it would not see the writer's own changes
    memory = SqlStore("sqlite://")
    try:
        with memory() as uow:
            assert uow.call_batches is None
    finally:
        memory.dispose()


def seeded(store: SqlStore, count: int) -> list[m.Call]:
    calls = calls_around(TRANSITIONS["America/New_York"])[:count]
    store_calls(store, "America/New_York", calls)
    return calls


def test_a_snapshot_reads_the_store_as_it_was_at_its_first_read(store: SqlStore) -> None:
    calls = seeded(store, 40)
    late = dataclasses.replace(calls[0], id="call-late", started_at=calls[-1].started_at)
    with store() as uow:
        assert uow.call_batches is not None
        with uow.call_batches.snapshot() as snapshot:
            assert snapshot.call_count_where(CallFilter()) == 40
            with store() as writer:
                add_records(writer, "calls", [late])
                writer.commit()
            span = snapshot.call_span()
            batches = list(snapshot.call_batches(CallFilter(), CallOrder(), 16))
    ids = [call_id for batch in batches for call_id in batch.column("id").to_pylist()]
    assert len(ids) == 40 and "call-late" not in ids and [len(b) for b in batches] == [16, 16, 8]
    assert span == (calls[0].started_at, calls[-1].started_at)
    with store() as uow:
        assert uow.call_batches is not None
        with uow.call_batches.snapshot() as snapshot:
            assert snapshot.call_count_where(CallFilter()) == 41  # a new snapshot sees it


def test_the_export_reads_without_writing(store: SqlStore, store_path: Path) -> None:
    """The second connection is read-only: the file and its WAL are left as they were, so the
    integrity check's remembered stamp (store.sql.safety) still holds after an export."""
    seeded(store, 30)
    before = safety.file_stamp(store_path)
    with store() as uow:
        assert uow.call_batches is not None
        with uow.call_batches.snapshot() as snapshot:
            assert snapshot.call_count_where(CallFilter()) == 30
    export(store, CallQuery(), store_path.with_name("calls.csv"), arrow=True)
    assert safety.file_stamp(store_path) == before


def test_the_snapshot_connection_refuses_to_write(store: SqlStore) -> None:
    from adbc_driver_sqlite import dbapi

    seeded(store, 3)
    with store() as uow:
        assert uow.call_batches is not None
        uri = uow.call_batches._uri  # type: ignore[attr-defined]
    assert uri.endswith("?mode=ro")
    conn = dbapi.connect(uri)
    try:
        with conn.cursor() as cursor, pytest.raises(dbapi.Error, match="readonly"):
            cursor.execute("DELETE FROM calls")
    finally:
        conn.close()


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_progress_and_cancel_between_batches(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded(store, 50)
    monkeypatch.setattr(usage_data, "ARROW_BATCH_ROWS", 20)
    monkeypatch.setattr(usage_data, "csv_chunks", None)
    out = tmp_path / "calls.csv"
    seen: list[Progress] = []
    with store() as uow:
        actor = overview.workspace(uow, "ada").actor
        state = TaskState(seen.append)
        assert usage_data.export_call_log(uow, actor, CallQuery(), out, state) == 50
    assert [p.text for p in seen] == ["20 of 50 calls", "40 of 50 calls", "50 of 50 calls"]
    assert [p.fraction for p in seen] == [0.4, 0.8, 1.0]

    out.write_text("previous")
    state = TaskState(lambda progress: state.cancel())  # cancelled after the first batch
    with store() as uow, pytest.raises(ExportCancelled):
        usage_data.export_call_log(uow, actor, CallQuery(), out, state)
    assert out.read_text() == "previous"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".calls")]
    with store() as uow:  # the snapshot's statement and connection were closed
        assert usage_data.export_call_log(uow, actor, CallQuery(), out) == 50


def test_a_date_range_is_read_in_the_snapshot(store: SqlStore, tmp_path: Path) -> None:
    """A range whose end lies past the last call is dropped from the SQL (store_filter), its
    start kept; the span that decides it is read in the export's own snapshot."""
    calls = seeded(store, 30)
    zone = ZoneInfo("America/New_York")
    day = calls[0].started_at.astimezone(zone).date()
    query = CallQuery(first=day - timedelta(days=1), last=day)
    out = tmp_path / "calls.csv"
    assert export(store, query, out, arrow=True) == sum(
        1 for c in calls if c.started_at.astimezone(zone).date() <= day
    )
    assert out.read_bytes() == reference(store, query)


@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("column", ["candidate_id", "number"])
def test_missing_and_empty_optional_cells_keep_the_stores_order(
    store: SqlStore, tmp_path: Path, column: str, descending: bool
) -> None:
    """Both write an empty cell, but the store orders NULL apart from '' (first ascending,
    last descending): the batches order by the stored column, not by the cell."""
    calls = seeded(store, 12)
    with store() as uow:
        uow.connection.exec_driver_sql(
            f"UPDATE calls SET {column} = CASE WHEN rowid % 2 = 0 THEN NULL ELSE '' END"
        )
        uow.commit()
    query = CallQuery(sort=column, descending=descending)
    out, python = tmp_path / "arrow.csv", tmp_path / "python.csv"
    assert export(store, query, out, arrow=True) == export(store, query, python, arrow=False)
    assert out.read_bytes() == python.read_bytes() == reference(store, query)
    assert len(calls) == 12


def test_a_read_only_store_is_read_through_the_engines_own_uri(
    store: SqlStore, store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store in a folder this user may not write, with no -wal (closed cleanly), is read by
    the engine as ``immutable=1`` (no -shm can be made there): the export's connection takes
    that same URI, and exports the same bytes."""
    seeded(store, 25)
    query = CallQuery()
    expected = reference(store, query)
    store.dispose()  # the last connection: the WAL is checkpointed and removed
    safety.remember_created(store_path)  # checked: the open reads nothing before the engine
    monkeypatch.setattr(engine.os, "access", lambda *_args: False)
    frozen = SqlStore(f"sqlite:///{store_path}", create=False)
    try:
        assert frozen.read_only
        own = engine._FILES[frozen.engine].uri
        assert own is not None and own.endswith("?mode=ro&immutable=1")
        with frozen() as uow:
            assert uow.call_batches is not None
            assert uow.call_batches._uri == own  # type: ignore[attr-defined]
        out = tmp_path / "calls.csv"
        monkeypatch.setattr(usage_data, "csv_chunks", None)
        assert export(frozen, query, out, arrow=True) == 25
        assert out.read_bytes() == expected
    finally:
        frozen.dispose()
