"""Service-level round trip: the demo workspace built into each implementation gives the same
reports, statistics and records as in the reference implementation.

The demo is deterministic (same seed and day, same content), so any difference is the
store's. One small demo per implementation is built for the module; closing a month then
exercises the write paths of the billing services on each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from billing_desktop.domain.periods import Month
from billing_desktop.services import billing, month_close, sessions, units, usage_data
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.demo import build_demo
from billing_desktop.services.usage_data import CallQuery
from billing_desktop.store.ports import UnitOfWork, UnitOfWorkFactory
from tests.contract.conftest import IMPLEMENTATIONS, REFERENCE, Opened, open_store

TODAY = date(2026, 11, 21)  # the window 2026-09-01..2026-11-21 holds the end of DST (Nov 1)
MONTHS = [Month(2026, 8), Month(2026, 9), Month(2026, 10), Month(2026, 11)]  # 08 is closed
CLOSED_AT = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)


def _reports(uow: UnitOfWork) -> dict[str, Any]:
    actor = resolve_actor(uow, None)
    first, last = date(2026, 9, 1), TODAY
    some_app = uow.apps.all()[0].id
    found: dict[str, Any] = {}
    for month in MONTHS:
        found[f"usage summary {month}"] = billing.usage_summary(uow, actor, month, TODAY)
        found[f"units report {month}"] = units.unit_report(uow, actor, month, TODAY)
    found["units overview"] = units.units_overview(uow, actor, TODAY)
    for bucket in ("day", "week", "month"):
        found[f"sessions by {bucket}"] = sessions.session_statistics(
            uow, actor, first, last, bucket=bucket
        )
        found[f"sessions of one app by {bucket}"] = sessions.session_statistics(
            uow, actor, first, last, app=some_app, bucket=bucket
        )
    found["sessions by hour over DST"] = sessions.session_statistics(
        uow, actor, date(2026, 10, 31), date(2026, 11, 2), bucket="hour"
    )
    for sort, descending in (("started_at", True), ("cost", False), ("campaign", False)):
        query = CallQuery(sort=sort, descending=descending)
        found[f"call log by {sort}"] = (
            usage_data.call_log_count(uow, actor, query),
            usage_data.call_log_page(uow, actor, query, 0, 300),
            usage_data.call_log_page(uow, actor, query, 4000, 300),
        )
    return found


def _records(uow: UnitOfWork) -> dict[str, Any]:
    found: dict[str, Any] = {
        name: getattr(uow, name).all()
        for name in (
            "products", "commits", "users", "agents", "numbers", "plans", "apps",
            "conversations", "alerts", "calls", "sms", "interviews", "recordings", "storage",
            "invoices", "units", "ledger",
        )
    }  # fmt: skip
    found["account"] = uow.account.get()
    span = uow.rollups.span()
    assert span is not None
    measures = ["calls", "call_minutes", "billing_sessions", "alerts", "sms", "recording_minutes"]
    found["rollups"] = (span, uow.rollups.rows(span[0], span[1], measures))
    found["rollup totals"] = uow.rollups.totals(span[0], span[1])
    found["closed months"] = [(c, uow.closing.lines(c.month)) for c in uow.closing.all()]
    # The demo's own audit row is stamped with the clock: compare the rest of it.
    found["audit"] = [replace(e, at=CLOSED_AT) for e in uow.audit.recent(1000)]
    return found


@pytest.fixture(scope="module")
def outputs(request: pytest.FixtureRequest) -> Iterator[Callable[[str], dict[str, Any]]]:
    """The reports and records of the demo in one implementation (built on first use)."""
    opened: dict[str, Opened] = {}
    computed: dict[str, dict[str, Any]] = {}

    def get(name: str) -> dict[str, Any]:
        if name not in computed:
            opened[name] = open_store(name, request)
            computed[name] = _build_and_read(opened[name].store)
        return computed[name]

    try:
        yield get
    finally:
        for each in opened.values():
            each.close()


def _build_and_read(store: UnitOfWorkFactory) -> dict[str, Any]:
    report = build_demo(store, seed=7, today=TODAY)
    found: dict[str, Any] = {"demo report": report}
    with store() as uow:
        found.update(_reports(uow))
    with store() as uow:
        actor = resolve_actor(uow, None)
        found["close 2026-09"] = month_close.close_month(
            uow, actor, Month(2026, 9), TODAY, CLOSED_AT
        )
        uow.commit()
    with store() as uow:
        actor = resolve_actor(uow, None)
        found["usage summary 2026-09, closed"] = billing.usage_summary(
            uow, actor, Month(2026, 9), TODAY
        )
        found["usage summary 2026-10, after the close"] = billing.usage_summary(
            uow, actor, Month(2026, 10), TODAY
        )
        found.update(_records(uow))
    return found


OUTPUTS = [
    "demo report",
    *(f"usage summary {month}" for month in MONTHS),
    *(f"units report {month}" for month in MONTHS),
    "units overview",
    "sessions by day",
    "sessions by week",
    "sessions by month",
    "sessions of one app by day",
    "sessions by hour over DST",
    "call log by started_at",
    "call log by cost",
    "call log by campaign",
    "close 2026-09",
    "usage summary 2026-09, closed",
    "usage summary 2026-10, after the close",
    "products", "commits", "users", "agents", "numbers", "plans", "apps", "conversations",
    "alerts", "calls", "sms", "interviews", "recordings", "storage", "invoices", "units",
    "ledger", "account", "rollups", "rollup totals", "closed months", "audit",
]  # fmt: skip
OTHERS = [name for name in IMPLEMENTATIONS if name != REFERENCE]


def test_the_reference_outputs_are_not_empty(outputs: Callable[[str], dict[str, Any]]) -> None:
    reference = outputs(REFERENCE)
    assert set(OUTPUTS) <= set(reference)
    assert len(reference["calls"]) == reference["demo report"].calls > 1000
    assert not reference["close 2026-09"].already_closed
    assert reference["close 2026-09"].lines > 0
    assert any(product.quantity for product in reference["usage summary 2026-10"].products)
    assert reference["units report 2026-10"].rows


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("name", OTHERS)
def test_every_implementation_gives_the_reference_outputs(
    outputs: Callable[[str], dict[str, Any]], name: str, output: str
) -> None:
    assert outputs(name)[output] == outputs(REFERENCE)[output]
