"""Month-end forecast (issue 20 §2): a backtest on the demo — the forecast made on day 10 of a
month against the month's real figures — and the run-out dates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.demo import build_demo
from billing_desktop.services.explain import explain_charge
from billing_desktop.services.forecast import month_forecast
from billing_desktop.services.overview import workspace
from billing_desktop.services.quotas import set_quota

TODAY = date(2026, 11, 21)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqlStore, Path]]:
    path = tmp_path_factory.mktemp("forecast") / "demo.db"
    store = SqlStore(f"sqlite:///{path}")
    build_demo(store, seed=7, today=TODAY)
    yield store, path
    store.dispose()


@pytest.mark.parametrize("month", ["2026-09", "2026-10"])
def test_backtest_day_10_against_the_real_month(demo: tuple[SqlStore, Path], month: str) -> None:
    """Measured (README): quantities within 0.1-9.5 % of the real month, every run-rate product
    inside its band; October's invoice forecast $140.48 (band $39.62-$241.35) against $116.20."""
    store, _path = demo
    actor = store.read(workspace, None).actor
    real_month = Month.parse(month)
    forecast = store.read(month_forecast, actor, real_month.first_day.replace(day=10))
    assert (forecast.observed_days, forecast.days_left) == (9, len(real_month.days()) - 9)
    real = store.read(usage_summary, actor, real_month, TODAY)
    actual = {p.code: p for p in real.products}
    errors = []
    for product in forecast.products:
        quantity = actual[product.code].quantity
        if product.method == "run-rate":
            assert product.low <= quantity <= product.high, product.code
            errors.append(abs(product.projected - quantity) / quantity)
        elif product.code != "recording-storage":  # peak day: the highest day so far
            assert product.projected == quantity
    assert errors and max(errors) < Decimal("0.10")
    assert sum(errors, Decimal(0)) / len(errors) < Decimal("0.04")
    charged = sum((p.charged for p in real.products), Decimal(0))
    assert forecast.charge_low <= charged <= forecast.charge_high
    assert abs(forecast.charge - charged) <= Decimal("30")


def test_free_units_and_commit_credit_run_out_dates(demo: tuple[SqlStore, Path]) -> None:
    """On the month's last day every day is observed: the run-out dates are the real ones."""
    store, _path = demo
    actor = store.read(workspace, None).actor
    october = Month.parse("2026-10")
    forecast = store.read(month_forecast, actor, october.last_day)
    sms = next(p for p in forecast.products if p.code == "sms")
    days = store.read(explain_charge, actor, october, "sms", TODAY).days
    running, crossed = Decimal(0), None
    for day in days:
        running += day.quantity
        if crossed is None and running >= sms.free_units_total:
            crossed = day.day
    assert sms.free_units_run_out == crossed is not None
    pools = {c.pool: c for c in forecast.credits}
    voice = pools["commit:voice-minutes:2026-10-01"]
    assert voice.available == Decimal("50.00") and voice.runs_out_on is not None
    assert voice.left_at_month_end == 0
    seats = pools["commit:agent-seats:2025-11-01"]
    assert seats.runs_out_on is None and seats.left_at_month_end > 0


def test_quota_exceeded_dates(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'q.db'}")
    try:
        build_demo(store, seed=7, today=TODAY)
        actor = store.read(workspace, None).actor
        store.write(set_quota, actor, "sms", 1000)
        forecast = store.read(month_forecast, actor, date(2026, 10, 10))
        (quota,) = [q for q in forecast.quotas if q.statistic == "sms"]
        # 523 SMS over 9 days (58.11 a day): beyond 1,000 on day 18
        assert quota.used == Decimal("523") and quota.exceeded_on == date(2026, 10, 18)
        assert quota.projected > 1000
    finally:
        store.dispose()


def test_forecast_command(demo: tuple[SqlStore, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _store, path = demo
    assert main(["--store", str(path), "forecast", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"month", "method", "charge", "products", "credits", "quotas", "balance"}
    assert data["method"].startswith("Run-rate")
    assert main(["--store", str(path), "forecast"]) == 0
    assert "Projected invoice" in capsys.readouterr().out
