"""Usage Data ▸ Storage (issue 19 §7): the trend, the peak-day window, and the charge the peak
implies — the same amount the Usage tab bills once the window is over."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from billing_desktop import cli
from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import PermissionDenied
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.demo import build_demo
from billing_desktop.services.recording_storage import recording_storage


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> SqlStore:
    path = tmp_path_factory.mktemp("storage") / "demo.db"
    store = SqlStore(f"sqlite:///{path}")
    build_demo(store, seed=7, today=date(2026, 12, 28))
    return store


def test_the_window_peak_and_charge_match_what_the_month_bills(demo: SqlStore) -> None:
    with demo() as uow:
        actor = resolve_actor(uow, None)
        during = recording_storage(uow, actor, date(2026, 12, 20))
        after = recording_storage(uow, actor, date(2026, 12, 27))
        storage = {s.day: s.quantity for s in uow.storage.all()}
        billed = usage_summary(uow, actor, Month(2026, 12), date(2026, 12, 28))
    assert (during.window_first, during.window_last, during.month) == (
        date(2026, 11, 28), date(2026, 12, 27), "2026-12",
    )  # fmt: skip
    window = {d: q for d, q in storage.items() if date(2026, 11, 28) <= d <= date(2026, 12, 20)}
    assert during.peak == max(window.values())
    assert during.peak_day is not None and storage[during.peak_day] == during.peak
    assert [d.day for d in during.days if d.in_window] == sorted(window)
    assert len(during.days) == 60 and during.days[-1].day == date(2026, 12, 20)
    line = next(p for p in billed.products if p.code == after.product_code)
    assert after.peak == line.quantity
    assert after.charge == line.amount  # the engine's own rating of the window's peak
    assert after.free_units == line.free_units_used
    # From the 28th on, the next month's window is the one shown.
    with demo() as uow:
        nxt = recording_storage(uow, resolve_actor(uow, None), date(2026, 12, 28))
    assert nxt.month == "2027-01" and nxt.window_first == date(2026, 12, 28)


def test_who_may_see_it_and_without_a_storage_product(demo: SqlStore) -> None:
    with demo() as uow:
        users = {u.role: u.id for u in uow.users.all()}
        shared = recording_storage(
            uow, resolve_actor(uow, users[m.Role.SHARED]), date(2026, 12, 20)
        )
        assert "app" not in json.dumps(shared.as_json()).lower()  # no plan or app data
        with pytest.raises(PermissionDenied):
            recording_storage(uow, resolve_actor(uow, users[m.Role.AGENT]), date(2026, 12, 20))


def test_the_command(demo: SqlStore, capsys: Any) -> None:
    path = demo.path
    assert isinstance(path, Path)
    assert cli.main(["--store", str(path), "recording-storage", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["currency"] == "USD" and Decimal(shown["charge"]) >= 0
    assert {"first", "last"} == set(shown["window"])
