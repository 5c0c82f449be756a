"""Unit costs as invoiced (issue 20 §4): the units add up to the month's charges exactly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.demo import build_demo
from billing_desktop.services.month_close import close_month
from billing_desktop.services.overview import workspace
from billing_desktop.services.units import unit_report, units_overview

TODAY = date(2026, 11, 21)
MONTHS = [Month.parse(m) for m in ("2026-08", "2026-09", "2026-10", "2026-11")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqlStore, Path]]:
    """The demo with its first month closed (stored rating) and the others open."""
    path = tmp_path_factory.mktemp("invoiced") / "demo.db"
    store = SqlStore(f"sqlite:///{path}")
    build_demo(store, seed=7, today=TODAY)
    actor = store.read(workspace, None).actor
    store.write(close_month, actor, Month.parse("2026-09"), today=TODAY)
    yield store, path
    store.dispose()


def test_every_month_adds_up_to_its_charges_to_the_minor_unit(
    demo: tuple[SqlStore, Path],
) -> None:
    store, _path = demo
    actor = store.read(workspace, None).actor
    seen_closed = seen_charges = False
    for month in MONTHS:
        summary = store.read(usage_summary, actor, month, TODAY)
        charges = sum((p.charged for p in summary.products), Decimal(0))
        report = store.read(unit_report, actor, month, TODAY, "invoiced")
        assert report.basis == "invoiced" and report.closed == summary.closed
        assert report.total == charges
        assert sum((r.total for r in report.rows), Decimal(0)) == charges
        for row in report.rows:
            assert row.total == row.total.quantize(Decimal("0.01"))
        listed = store.read(unit_report, actor, month, TODAY)
        assert listed.basis == "list" and listed.total >= report.total
        seen_closed = seen_closed or summary.closed
        seen_charges = seen_charges or charges > 0
    assert seen_closed and seen_charges


def test_the_command_line_basis(
    demo: tuple[SqlStore, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _store, path = demo
    args = ["--store", str(path), "units", "report", "--month", "2026-10"]
    assert main([*args, "--basis", "invoiced", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["basis"] == "invoiced"
    usage = main(["--store", str(path), "usage", "--month", "2026-10", "--json"])
    assert usage == 0
    products = json.loads(capsys.readouterr().out)["products"]
    charged = sum((Decimal(p["charged"]) for p in products), Decimal(0))
    assert Decimal(data["total"]) == charged
    assert sum((Decimal(u["total"]) for u in data["units"]), Decimal(0)) == charged
    assert main([*args, "--basis", "invoiced"]) == 0
    assert "as invoiced" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        main([*args, "--basis", "wrong"])
    assert refused.value.code == 2
    assert "invalid choice: 'wrong'" in capsys.readouterr().err


def test_overview_follows_the_month_and_names_the_members(demo: tuple[SqlStore, Path]) -> None:
    store, _path = demo
    actor = store.read(workspace, None).actor
    october = Month.parse("2026-10")
    overview = store.read(units_overview, actor, TODAY, october, "invoiced")
    report = store.read(unit_report, actor, october, TODAY, "invoiced")
    assert overview.month == october
    totals = {r.unit_id: r.total for r in report.rows}
    for row in overview.rows:
        assert row.month_total == totals[row.id]
        assert len(row.user_names) == row.users and len(row.number_list) == row.numbers
    assert any(row.user_names for row in overview.rows)
    with pytest.raises(InvalidInput, match="basis 'gross'"):
        store.read(unit_report, actor, october, TODAY, "gross")
