"""The fast path of a calls import (services.bulk_calls, PERFORMANCE.md B3) stores exactly what
the row-by-row path stores (calls, hourly rollups, the report), and hands every file it cannot
vouch for to the row path, whose messages name file, line and column."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

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
    assert {name for name, _sql in indexes} >= {"ix_calls_started_at", "ix_calls_campaign"}
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
