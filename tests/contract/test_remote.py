"""The remote store held to the same contract: every use case the GUI and the command line run
gives the same result, and the same error, through the HTTP API (a real uvicorn on 127.0.0.1)
as on the store the server stands in front of — SQLite and PostgreSQL alike.

The HTTP API is made of use cases (``api.operations``), not tables, so this is where the
remote implementation meets the contract; the repository-level suites cover the SQL stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import BillingError
from billing_desktop.domain.periods import Month
from billing_desktop.remote.client import HttpStore
from billing_desktop.services import (
    billing,
    month_close,
    overview,
    plans,
    quotas,
    sessions,
    statements,
    statistics,
    units,
    usage_data,
    usage_page,
)
from billing_desktop.services.demo import build_demo
from billing_desktop.services.task_state import Progress, TaskState
from billing_desktop.services.usage_data import CallQuery
from tests.contract.conftest import Opened, open_store
from tests.live_server import live_server, token_for

TODAY = date(2026, 11, 21)
BACKENDS = ["sqlite", "postgres"]
OVER_DST = (date(2026, 10, 31), date(2026, 11, 2))  # New York's clocks go back on Nov 1
AUTUMN = (date(2026, 9, 1), TODAY)


@dataclass
class Pair:
    """One SQL backend with the demo, and the remote store of a server in front of it."""

    local: SqlStore
    remote: HttpStore
    admin: str
    shared: str


@pytest.fixture(scope="module", params=BACKENDS)
def pair(request: pytest.FixtureRequest) -> Iterator[Pair]:
    opened: Opened = open_store(request.param, request)
    store = opened.store
    assert isinstance(store, SqlStore)
    build_demo(store, seed=7, today=TODAY)
    with store() as uow:
        people = uow.users.all()
    admin = next(u.id for u in people if u.role.value == "admin")
    shared = next(u.id for u in people if u.role.value == "shared")
    try:
        with live_server(store) as url:
            remote = HttpStore(url, token_for(store, admin), retries=0)
            yield Pair(store, remote, admin, shared)
            remote.close()
    finally:
        opened.close()


def _reads(
    unit_id: int, app_id: str, invoice: str
) -> list[tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any]]]:
    month = Month(2026, 10)
    return [
        ("usage summary", billing.usage_summary, (month, TODAY), {}),
        ("usage page", usage_page.usage_page, (month, TODAY), {"auto_recharge": False}),
        ("transactions", usage_page.transactions, (month,), {}),
        ("units overview", units.units_overview, (TODAY,), {}),
        ("unit members", units.unit_members, (unit_id,), {}),
        ("unit report", units.unit_report, (month, TODAY), {}),
        ("apps", overview.apps, (TODAY,), {}),
        ("app plans", plans.app_plans, (app_id, TODAY), {}),
        ("invoice history", statements.invoice_history, (), {"today": TODAY}),
        ("invoice", statements.invoice_document, (invoice, TODAY), {}),
        ("statement", statements.statement, (month, TODAY), {}),
        ("sessions by hour", sessions.session_statistics, OVER_DST, {"bucket": "hour"}),
        ("sessions by week", sessions.session_statistics, AUTUMN, {"bucket": "week"}),
        ("call log start", usage_data.call_log_start, (CallQuery(sort="cost"), 50), {}),
        ("call log page", usage_data.call_log_page, (CallQuery(campaign=None), 200, 100), {}),
        ("interviews", statistics.interview_statistics, (TODAY,), {}),
        ("sms", statistics.sms_statistics, (TODAY,), {}),
        ("recordings", statistics.recording_statistics, (), {"today": TODAY}),
        ("quotas", quotas.quota_overview, (TODAY,), {}),
    ]  # fmt: skip


def _subjects(store: SqlStore) -> tuple[int, str, str]:
    with store() as uow:
        unit_id = uow.units.all()[0].id
        app_id = uow.apps.all()[0].id
        invoice = uow.invoices.all()[0].number
    return unit_id, app_id, invoice


def same_instants(value: Any) -> Any:
    """``value`` with each instant as (UTC, offset). An instant crosses the wire with its
    offset, not its zone's name, and Python's ``==`` calls an instant in a repeated hour
    (the night clocks go back) unequal to the same instant in another tzinfo (PEP 495)."""
    if isinstance(value, datetime):
        return ("instant", value.astimezone(UTC), value.utcoffset())
    if is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            *(same_instants(getattr(value, f.name)) for f in fields(value)),
        )
    if isinstance(value, (list, tuple)):
        return tuple(same_instants(v) for v in value)
    if isinstance(value, dict):
        return {k: same_instants(v) for k, v in value.items()}
    return value


def test_every_read_gives_the_same_result_remotely(pair: Pair) -> None:
    actor = pair.local.read(overview.workspace, pair.admin).actor
    for name, service, args, kwargs in _reads(*_subjects(pair.local)):
        local = pair.local.read(service, actor, *args, **kwargs)
        remote = pair.remote.read(service, actor, *args, **kwargs)
        assert same_instants(remote) == same_instants(local), name


def outcome(call: Callable[[], Any]) -> tuple[str, str]:
    try:
        call()
    except BillingError as exc:
        return type(exc).__name__, str(exc)
    return "ok", ""


def test_the_same_errors_remotely(pair: Pair) -> None:
    actor = pair.local.read(overview.workspace, pair.admin).actor
    names = [u.name for u in pair.local.read(units.units_overview, actor).rows]
    cases: list[tuple[Callable[..., Any], tuple[Any, ...]]] = [
        (units.unit_members, (999_999,)),  # NotFound
        (units.add_unit, (names[0].upper(),)),  # InvalidInput: the name is taken
        (units.rename_unit, (999_999, "x")),
        (plans.app_plans, ("no-such-app",)),
        (month_close.close_month, (Month(2026, 12),)),  # not over yet
        (sessions.session_statistics, (TODAY, date(2026, 1, 1))),  # range backwards
    ]
    for service, args in cases:
        kind = (
            pair.remote.write
            if service in (units.add_unit, units.rename_unit, month_close.close_month)
            else pair.remote.read
        )
        local_kind = pair.local.write if kind == pair.remote.write else pair.local.read
        local = outcome(lambda s=service, a=args, k=local_kind: k(s, actor, *a))
        remote = outcome(lambda s=service, a=args, k=kind: k(s, actor, *a))
        assert local[0] != "ok", service.__name__
        assert remote == local, service.__name__


def test_a_shared_account_user_is_refused_plans_alike(pair: Pair) -> None:
    remote = HttpStore(pair.remote.url, token_for(pair.local, pair.shared), retries=0)
    actor = pair.local.read(overview.workspace, pair.shared).actor
    try:
        local = outcome(lambda: pair.local.read(overview.apps, actor))
        through = outcome(lambda: remote.read(overview.apps, actor))
        assert local[0] == through[0] == "PermissionDenied"
    finally:
        remote.close()


def test_writes_give_the_same_results_remotely(pair: Pair) -> None:
    actor = pair.local.read(overview.workspace, pair.admin).actor
    added = pair.remote.write(units.add_unit, actor, "Remote contract desk")
    assert pair.local.read(units.unit_members, actor, added.id).unit == added
    renamed = pair.remote.write(units.rename_unit, actor, added.id, "Remote desk 2")
    assert renamed == added  # the unit as it was
    gone = pair.remote.write(units.delete_unit, actor, added.id)
    assert gone.name == "Remote desk 2"
    assert added.id not in [u.id for u in pair.local.read(units.units_overview, actor).rows]


def test_the_call_log_export_is_the_same_file_remotely(pair: Pair, tmp_path: Path) -> None:
    actor = pair.local.read(overview.workspace, pair.admin).actor
    query = CallQuery(first=date(2026, 10, 25), last=date(2026, 11, 3), sort="cost")
    local, remote = tmp_path / "local.csv", tmp_path / "remote.csv"
    seen: list[Progress] = []
    rows = pair.local.read(usage_data.export_call_log, actor, query, local)
    through = pair.remote.read(
        usage_data.export_call_log, actor, query, remote, TaskState(seen.append)
    )
    assert through == rows > 500
    assert remote.read_bytes() == local.read_bytes()
    assert seen and seen[-1] == Progress(1.0, f"{rows:,} of {rows:,} calls")
    stopped = TaskState()
    stopped.cancel()
    with pytest.raises(usage_data.ExportCancelled):
        pair.remote.read(usage_data.export_call_log, actor, query, tmp_path / "stop.csv", stopped)
    assert not (tmp_path / "stop.csv").exists()


def test_the_call_log_workbook_holds_the_same_cells_remotely(pair: Pair, tmp_path: Path) -> None:
    import openpyxl

    actor = pair.local.read(overview.workspace, pair.admin).actor
    query = CallQuery(first=date(2026, 10, 25), last=date(2026, 11, 3), sort="cost")
    local, remote = tmp_path / "local.xlsx", tmp_path / "remote.xlsx"
    rows = pair.local.read(usage_data.export_call_log, actor, query, local)
    assert pair.remote.read(usage_data.export_call_log, actor, query, remote) == rows

    def cells(path: Path) -> list[tuple[object, ...]]:
        book = openpyxl.load_workbook(path, read_only=True)
        found = [
            tuple((c.value, c.data_type, c.number_format) for c in row)
            for row in book["Call log"].iter_rows()
        ]
        book.close()
        return found

    assert cells(remote) == cells(local) and len(cells(local)) == rows + 1
