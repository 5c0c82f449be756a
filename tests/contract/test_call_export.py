"""The call-log CSV export on every store (SQLite, PostgreSQL): the same bytes as csv.writer
through safe_cell, across a zone transition, with cells needing quotes or starting like a
formula (SQLite's Arrow batches; PostgreSQL's streamed call_chunks through the fast path)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from billing_desktop.services import overview, usage_data
from billing_desktop.services.usage_data import CallQuery
from billing_desktop.store.ports import UnitOfWorkFactory
from tests.integration.test_call_log_export import (
    TRANSITIONS,
    calls_around,
    reference,
    store_calls,
)


def test_the_export_is_the_same_on_every_store(
    store: UnitOfWorkFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zone = "Australia/Lord_Howe"
    calls = calls_around(TRANSITIONS[zone])
    calls += [dataclasses.replace(calls[4], id="+fast", campaign='Sales, "East"')]
    store_calls(store, zone, calls)
    monkeypatch.setattr(usage_data, "EXPORT_CHUNK", 13)  # the Python path (PostgreSQL)
    monkeypatch.setattr(usage_data, "ARROW_BATCH_ROWS", 13)  # the Arrow path (SQLite)
    out = tmp_path / "calls.csv"
    with store() as uow:
        actor = overview.workspace(uow, "ada").actor
        assert usage_data.export_call_log(uow, actor, CallQuery(), out) == len(calls)
    assert out.read_bytes() == reference(store, CallQuery())  # type: ignore[arg-type]
    assert b"'+fast," in out.read_bytes() and b'"Sales, ""East"""' in out.read_bytes()
