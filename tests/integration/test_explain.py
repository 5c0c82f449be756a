"""Explain a charge (issue 20 §1): every figure is the engine's, and adds up to ``usage --json``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain.errors import NotFound
from billing_desktop.domain.money import HALF_UP, round_money
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.demo import build_demo
from billing_desktop.services.explain import explain_charge
from billing_desktop.services.month_close import close_month
from billing_desktop.services.overview import workspace

TODAY = date(2026, 11, 21)
MONTHS = ("2026-09", "2026-10", "2026-11")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqlStore, Path]]:
    path = tmp_path_factory.mktemp("explain") / "demo.db"
    store = SqlStore(f"sqlite:///{path}")
    build_demo(store, seed=7, today=TODAY)
    yield store, path
    store.dispose()


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(list(args)) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, dict)
    return data


def _check_adds_up(explained: dict[str, object], line: dict[str, object]) -> None:
    """The explanation walks to the very figures of the product's ``usage --json`` line."""
    e: dict[str, object] = explained
    quantity = e["quantity"]
    free = e["free_units"]
    assert isinstance(quantity, dict) and isinstance(free, dict)
    assert quantity["value"] == line["quantity"]
    assert free["total"] == line["free_units_total"]
    assert free["used"] == line["free_units_used"]
    assert Decimal(free["total"]) == Decimal(free["per_agent"]) * free["peak_agents"]
    billable = Decimal(str(e["billable"]))
    assert billable == Decimal(str(line["quantity"])) - Decimal(str(line["free_units_used"]))
    slices = e["slices"]
    assert isinstance(slices, list)
    assert sum((Decimal(s["quantity"]) for s in slices), Decimal(0)) == billable
    exact = sum((Decimal(s["amount"]) for s in slices), Decimal(0))
    assert exact == Decimal(str(e["exact_amount"]))
    assert round_money(exact, "USD", HALF_UP) == Decimal(str(line["amount"]))
    assert e["amount"] == line["amount"]
    assert Decimal(str(e["amount"])) == exact + Decimal(str(e["rounding"]))
    credit = e["credit"]
    assert isinstance(credit, list)
    drawn = sum((Decimal(c["drawn"]) for c in credit), Decimal(0))
    assert drawn == Decimal(str(line["credit_applied"]))
    for c in credit:
        if c["before"] is not None:
            assert Decimal(c["before"]) - Decimal(c["drawn"]) == Decimal(c["left"])
    assert e["charged"] == line["charged"]
    assert Decimal(str(line["amount"])) - drawn == Decimal(str(line["charged"]))
    assert e["balance"] == line["balance"]


def test_every_product_of_every_demo_month_adds_up_to_usage_json(
    demo: tuple[SqlStore, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _store, path = demo
    checked = 0
    for month in MONTHS:
        usage = _run(capsys, "--store", str(path), "usage", "--month", month, "--json")
        products = usage["products"]
        assert isinstance(products, list) and products
        for line in products:
            explained = _run(
                capsys,
                "--store",
                str(path),
                "explain",
                "--month",
                month,
                "--product",
                line["code"],
                "--json",
            )
            _check_adds_up(explained, line)
            checked += 1
    assert checked >= 25


def test_a_closed_month_is_explained_from_its_invoice_lines(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'closed.db'}")
    try:
        build_demo(store, seed=7, today=TODAY)
        actor = store.read(workspace, None).actor
        september = Month.parse("2026-09")
        store.write(close_month, actor, september, today=TODAY)
        summary = store.read(usage_summary, actor, september, TODAY)
        assert summary.closed
        for product in summary.products:
            e = store.read(explain_charge, actor, september, product.code, TODAY)
            assert e.closed and e.invoice_number == summary.invoice_number
            line = summary.as_json()["products"]
            assert isinstance(line, list)
            _check_adds_up(e.as_json(), next(p for p in line if p["code"] == product.code))
    finally:
        store.dispose()


def test_the_records_behind_the_usage(demo: tuple[SqlStore, Path]) -> None:
    store, _path = demo
    actor = store.read(workspace, None).actor
    october = Month.parse("2026-10")
    calls = store.read(explain_charge, actor, october, "voice-minutes", TODAY)
    assert calls.records == "calls" and calls.call_query is not None
    assert calls.call_query.first == october.first_day
    assert calls.record_count > 0
    # per day: the rollups of the month add up to the metered quantity
    assert sum((d.quantity for d in calls.days), Decimal(0)) == calls.quantity
    sessions = store.read(explain_charge, actor, october, "va-sessions", TODAY)
    assert sessions.records == "conversations"
    assert sessions.record_total == sessions.quantity
    assert 0 < len(sessions.conversations) <= sessions.record_count
    listed = sessions.conversations[0]
    assert listed.billing_sessions >= 1 and listed.human_minutes <= listed.minutes
    voice = store.read(explain_charge, actor, october, "voice-bot-sessions", TODAY)
    assert voice.record_total == voice.quantity
    alerts = store.read(explain_charge, actor, october, "alerts", TODAY)
    assert sum(u.count for u in alerts.alerts_by_user) == alerts.quantity == alerts.record_total
    storage = store.read(explain_charge, actor, october, "recording-storage", TODAY)
    assert max(d.quantity for d in storage.days) == storage.quantity
    assert "2026-09-28" in storage.measured


def test_an_unknown_product_or_month_without_usage_is_one_line(
    demo: tuple[SqlStore, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _store, path = demo
    code = main(["--store", str(path), "explain", "--month", "2026-10", "--product", "nope"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err == "billing-desktop: error: no product 'nope' on the rate card"
    store, _ = demo
    actor = store.read(workspace, None).actor
    with pytest.raises(NotFound, match="no usage in 2020-01"):
        store.read(explain_charge, actor, Month.parse("2020-01"), "sms", TODAY)
