"""The fast path of a calls import (services.bulk_calls, PERFORMANCE.md B3) stores exactly what
the row-by-row path stores (calls, hourly rollups, the report), and hands every file it cannot
vouch for to the row path, whose messages name file, line and column."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import ImportFailed
from billing_desktop.services import bulk_calls, imports
from billing_desktop.services.imports import import_file
from billing_desktop.store.sql import tables as t

ACCOUNT = m.Account(
    "Acme", "USD", "Europe/Berlin", m.PlanTier.PRO, m.PaymentMethod.INVOICE, m.CommitScope.PRODUCT
)
USERS = [
    m.User("u1", "Ann", "ann@example.com", m.Role.ADMIN),
    m.User("u2", "Bob", "bob@example.com", m.Role.AGENT),
]
HEADER = (
    "id,type,triggered_by,trigger_source,candidate_id,campaign,number,user_id,started_at,"
    "duration_seconds"
)
ROWS = (
    "c1,live,candidate,Phone,cand-1,Night Shift,+12125550100,u2,2026-10-24T23:59:59Z,61",
    "c2,autocall,recruiter,Email,,Night Shift,,,2026-10-25T00:30:00Z,0",
    # Berlin leaves summer time at 01:00Z on 2026-10-25: 02:xx local happens twice.
    "c3,robocall,recruiter,SMS,cand-2,Customer Care Reps,,u1,2026-10-25T00:59:00Z,3600",
    "c4,robocall,candidate,Chat UI,cand-2,Customer Care Reps,,,2026-10-25T01:00:00Z,59",
    "c5,live,candidate,Phone,cand-3,Café Crew,+442071838750,,2026-10-31T22:45:00Z,604800",
)
TODAY = date(2026, 11, 20)


def _store(tmp_path: Path, name: str, zone: str) -> SqlStore:
    store = SqlStore(f"sqlite:///{tmp_path / name}")
    with store() as uow:
        uow.account.save(dataclasses.replace(ACCOUNT, timezone=zone))
        uow.users.add_many(USERS)
        uow.commit()
    return store


def _file(tmp_path: Path, name: str, lines: list[str], ending: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(ending.join(lines).encode("utf-8") + ending.encode())
    return path


def _contents(store: SqlStore) -> tuple[list[m.Call], list[tuple[Any, ...]], list[Any]]:
    """The calls, the rollups, and the calls table's indexes (a fast import rebuilds them)."""
    with store() as uow:
        calls = uow.calls.all()
        rollups = [tuple(r) for r in uow.connection.execute(sa.select(t.usage_hourly)).all()]
        indexes = uow.connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' "
            "ORDER BY name"
        ).all()
    return calls, sorted(rollups), [tuple(row) for row in indexes]


class Spy:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.outcomes: list[object] = []
        real = bulk_calls.import_calls

        def spy(*args: Any, **kwargs: Any) -> object:
            outcome = real(*args, **kwargs)
            self.outcomes.append(outcome)
            return outcome

        monkeypatch.setattr(bulk_calls, "import_calls", spy)


def _both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str, files: list[Path]
) -> tuple[list[object], list[object], list[object]]:
    """Import ``files`` in order into a store by the fast path and another by the row path:
    (fast results, row results, what the fast path answered each time)."""
    results: dict[bool, list[object]] = {True: [], False: []}
    spy = Spy(monkeypatch)
    for fast in (True, False):
        store = _store(tmp_path, f"fast-{fast}.db", zone)
        with monkeypatch.context() as patch:
            if not fast:
                patch.setattr(imports._Run, "_fast", lambda self: None)
            for path in files:
                try:
                    report = import_file(store, "calls", path, today=TODAY)
                    results[fast].append(report)
                except ImportFailed as exc:
                    results[fast].append(str(exc))
            results[fast].append(_contents(store))
        store.dispose()
    return results[True], results[False], spy.outcomes


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Kathmandu", "America/St_Johns"])
def test_the_fast_path_stores_what_the_row_path_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    first = _file(tmp_path, "calls.csv", [HEADER, *ROWS[:3]])
    again = _file(tmp_path, "more.csv", [HEADER, *ROWS], ending="\r\n")  # 3 stored, 2 new
    fast, rows, taken = _both(tmp_path, monkeypatch, zone, [first, again, again])
    assert fast == rows
    assert [(r.rows, r.added, r.skipped) for r in fast[:3]] == [(3, 3, 0), (5, 2, 3), (5, 0, 5)]
    assert all(isinstance(outcome, bulk_calls.Outcome) for outcome in taken)
    calls, rollups, indexes = fast[3]  # type: ignore[misc]
    assert {name for name, _sql in indexes} >= {"ix_calls_started_hour", "ix_calls_campaign"}
    assert len(calls) == 5 and rollups  # type: ignore[arg-type]


def test_columns_in_another_order_and_optional_ones_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        "\ufeffduration_seconds,started_at,campaign,trigger_source,triggered_by,type,id",
        "61,2026-10-24T23:59:59Z,Night Shift,Phone,candidate,live,c1",
        "",
        "7,2026-10-26T08:00:00Z,Night Shift,Email,recruiter,live,c2",
    ]
    path = _file(tmp_path, "calls.csv", lines)
    fast, rows, taken = _both(tmp_path, monkeypatch, "Europe/Berlin", [path])
    assert fast == rows
    assert [type(outcome) for outcome in taken] == [bulk_calls.Outcome]


def test_a_batch_of_mostly_distinct_values_still_goes_fast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every duration and number differs: a short last batch of a big file looks like this.
    # It once sent the whole file down the row path (28 s instead of 4.5 s at 1M calls).
    lines = [HEADER] + [
        f"d{n},live,candidate,Phone,cand-{n},Night Shift,+1212555{n:04},,"
        f"2026-10-2{n % 7}T{n % 24:02}:{n % 60:02}:00Z,{n * 7}"
        for n in range(1, 400)
    ]
    path = _file(tmp_path, "calls.csv", lines)
    fast, rows, taken = _both(tmp_path, monkeypatch, "Europe/Berlin", [path])
    assert fast == rows
    assert [type(outcome) for outcome in taken] == [bulk_calls.Outcome]


BAD_FILES = {
    "a bad cell": [HEADER, *ROWS[:2], ROWS[2].replace(",3600", ",36oo")],
    "an id twice, other values": [HEADER, *ROWS[:2], ROWS[0].replace(",61", ",62")],
    "an id twice, same values": [HEADER, *ROWS[:2], ROWS[0]],
    "a user not stored": [HEADER, ROWS[0].replace(",u2,", ",u9,")],
    "a time with an offset": [HEADER, ROWS[0].replace("23:59:59Z", "23:59:59+00:00")],
    "a padded cell": [HEADER, ROWS[0].replace(",live,", ", live,")],
    "a short row": [HEADER, ROWS[0], "c9,live"],
    "in the future": [HEADER, ROWS[0].replace("2026-10-24", "2026-12-24")],
    "a hidden character": [HEADER, ROWS[0].replace("Night Shift", "Night\u202eShift")],
    "non-ASCII ids": [HEADER, ROWS[0].replace("c1,", "ｃ１,")],
    "a blank row of cells": [HEADER, ROWS[0], ",,,,,,,,,"],
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_files_the_fast_path_cannot_vouch_for_go_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    path = _file(tmp_path, "calls.csv", BAD_FILES[case])
    fast, rows, taken = _both(tmp_path, monkeypatch, "Europe/Berlin", [path])
    assert fast == rows
    assert taken == [None]


def test_a_refused_file_leaves_nothing_and_names_the_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path, "store.db", "Europe/Berlin")
    path = _file(tmp_path, "calls.csv", BAD_FILES["a bad cell"])
    with pytest.raises(ImportFailed) as raised:
        import_file(store, "calls", path, today=TODAY)
    assert str(raised.value).startswith(
        "calls.csv, line 4, column 'duration_seconds': '36oo' is not a whole number"
    )
    calls, rollups, _indexes = _contents(store)
    assert (calls, rollups) == ([], [])
    with store() as uow:  # the staging table went with the transaction
        names = uow.connection.exec_driver_sql("SELECT name FROM temp.sqlite_master").all()
    assert names == []


# -- how the fast path reads the file (Arrow, or the csv module for quoted cells) --


def _readings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The readers the fast path uses, in order ('arrow', 'csv')."""
    used: list[str] = []
    for name, label in (("_arrow_batches", "arrow"), ("_csv_batches", "csv")):
        real = getattr(bulk_calls, name)

        def reading(*args: Any, _real: Any = real, _label: str = label) -> Any:
            used.append(_label)
            return _real(*args)

        monkeypatch.setattr(bulk_calls, name, reading)
    return used


def test_quoted_cells_are_read_again_by_the_csv_module_and_still_go_fast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quoted = [
        ROWS[0].replace("Night Shift", '"Night, Shift"'),
        ROWS[1].replace("Night Shift", '"Say ""hi"" to Bob"'),
        ROWS[2],
    ]
    path = _file(tmp_path, "calls.csv", [HEADER, *quoted])
    used = _readings(monkeypatch)
    fast, rows, taken = _both(tmp_path, monkeypatch, "Europe/Berlin", [path])
    assert fast == rows
    assert [type(outcome) for outcome in taken] == [bulk_calls.Outcome]
    assert used == ["arrow", "csv"]
    calls = fast[1][0]  # type: ignore[index]
    assert {call.campaign for call in calls} == {
        "Night, Shift",
        'Say "hi" to Bob',
        "Customer Care Reps",
    }


def test_a_plain_file_is_read_once_by_arrow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path, "calls.csv", [HEADER, *ROWS], ending="\r")
    used = _readings(monkeypatch)
    fast, rows, taken = _both(tmp_path, monkeypatch, "Europe/Berlin", [path])
    assert fast == rows
    assert [type(outcome) for outcome in taken] == [bulk_calls.Outcome]
    assert used == ["arrow"]


_NEWLINE_CAMPAIGN = ROWS[0].replace("Night Shift", '"Night\nShift"')
_NUL_CAMPAIGN = ROWS[0].replace("Night", "Ni\x00ght")
_LATE = "live,candidate,Phone,,N,,,2026-10-24T10:00:00Z,1"
RAW_BAD_FILES = {
    "a broken quote": "\n".join([HEADER, ROWS[0], f'"c9"x,{_LATE}', ""]),
    "an unterminated quote": "\n".join([HEADER, ROWS[0], f'"c9,{_LATE}', ""]),
    "a NUL in a cell": "\n".join([HEADER, _NUL_CAMPAIGN, ""]),
    "a row of spaces": "\n".join([HEADER, ROWS[0], "   ", ""]),
    "a quoted newline": "\n".join([HEADER, _NEWLINE_CAMPAIGN, ""]),
}


@pytest.mark.parametrize("case", sorted(RAW_BAD_FILES))
def test_malformed_files_are_refused_as_the_row_path_refuses_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    path = tmp_path / "calls.csv"
    path.write_bytes(RAW_BAD_FILES[case].encode("utf-8"))
    fast, rows, taken = _both(tmp_path, monkeypatch, "Europe/Berlin", [path])
    assert fast == rows
    assert taken == [None]


def test_bytes_that_are_not_utf8_go_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "calls.csv"
    # Past the first block the header's reading decodes, so that the fast path starts.
    good = [ROWS[1].replace("c2,", f"c{n:04},") for n in range(1, 400)]
    bad = ROWS[0].encode().replace(b"Night", b"N\xe9ight")
    path.write_bytes("\n".join([HEADER, *good]).encode() + b"\n" + bad + b"\n")
    fast, rows, taken = _both(tmp_path, monkeypatch, "Europe/Berlin", [path])
    assert fast == rows
    assert taken == [None]
    assert "UTF-8" in str(rows[0]) or "utf-8" in str(rows[0])


# -- the scratch file the rows are staged in --


def _scratch_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("billing-import-*"))


def _attached(store: SqlStore) -> list[str]:
    with store() as uow:
        rows = uow.connection.exec_driver_sql("PRAGMA database_list").all()
    return sorted(str(name) for _seq, name, _file in rows)


@pytest.mark.parametrize("case", ["imported", "refused"])
def test_the_scratch_file_is_detached_and_deleted_when_the_import_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    store = _store(tmp_path, "store.db", "Europe/Berlin")
    lines = [HEADER, *ROWS] if case == "imported" else BAD_FILES["a user not stored"]
    path = _file(tmp_path, "calls.csv", lines)
    seen: list[list[str]] = []
    real = imports.import_into

    def watching(uow: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return real(uow, *args, **kwargs)
        finally:
            seen.append(_scratch_files(scratch))

    monkeypatch.setattr(imports, "import_into", watching)
    try:
        import_file(store, "calls", path, today=TODAY)
    except ImportFailed:
        assert case == "refused"
    # Attached until the unit of work ends; deleted at once when never read.
    assert len(seen[0]) == (1 if case == "imported" else 0)
    assert _scratch_files(scratch) == []
    assert not [name for name in _attached(store) if name.startswith("import_scratch")]
    store.dispose()


def test_a_failing_scratch_file_fails_the_import_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import adbc_driver_sqlite.dbapi

    def no_room(*args: Any, **kwargs: Any) -> Any:
        raise OSError("No space left on device")

    monkeypatch.setattr(adbc_driver_sqlite.dbapi, "connect", no_room)
    store = _store(tmp_path, "store.db", "Europe/Berlin")
    path = _file(tmp_path, "calls.csv", [HEADER, *ROWS])
    with pytest.raises(ImportFailed) as raised:
        import_file(store, "calls", path, today=TODAY)
    assert str(raised.value) == (
        "calls.csv: the store failed during the import, nothing was written "
        "(No space left on device)"
    )
    calls, rollups, _indexes = _contents(store)
    assert (calls, rollups) == ([], [])
    assert not [name for name in _attached(store) if name.startswith("import_scratch")]
    store.dispose()


# -- any bytes: the fast path and the row path agree --


@st.composite
def mutated_calls(draw: st.DrawFn) -> bytes:
    """A good calls file with bytes replaced or inserted anywhere, and some cells quoted."""
    lines = [HEADER, *draw(st.lists(st.sampled_from(ROWS), min_size=1, max_size=5, unique=True))]
    if draw(st.booleans()):
        lines = [",".join(f'"{cell}"' for cell in line.split(",")) for line in lines]
    data = bytearray(draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines).encode() + b"\n")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(len(HEADER) + 1, len(data) - 1))
        chunk = draw(
            st.one_of(
                st.binary(min_size=1, max_size=3),
                st.sampled_from([b'"', b",", b"\r", b"\n", b"\x00", b" ", b"\xff", b"\xc3"]),
            )
        )
        if draw(st.booleans()):
            data[at : at + len(chunk)] = chunk
        else:
            data[at:at] = chunk
    return bytes(data)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("templates")
    _store(folder, "template.db", "Europe/Berlin").dispose()
    return folder / "template.db"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=mutated_calls())
def test_whatever_the_bytes_the_fast_path_imports_what_the_row_path_imports(
    templates: Path, tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "calls.csv"
    path.write_bytes(data)
    results: dict[bool, list[object]] = {}
    for fast in (True, False):
        copy = tmp_path / f"fast-{fast}.db"
        copy.unlink(missing_ok=True)
        shutil.copyfile(templates, copy)
        store = SqlStore(f"sqlite:///{copy}")
        with pytest.MonkeyPatch.context() as patch:
            if not fast:
                patch.setattr(imports._Run, "_fast", lambda self: None)
            try:
                outcome: object = import_file(store, "calls", path, today=TODAY)
            except ImportFailed as exc:
                outcome = str(exc)
        results[fast] = [outcome, _contents(store)]
        store.dispose()
    assert results[True] == results[False]
