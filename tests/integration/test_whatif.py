"""What-if (issue 20 §3): no change gives today's figures exactly; changes move the invoice and
the unit costs; nothing is written."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import Frequency
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.demo import build_demo
from billing_desktop.services.month_close import close_month
from billing_desktop.services.overview import workspace
from billing_desktop.services.units import unit_report
from billing_desktop.services.whatif import (
    Changes,
    CommitChange,
    Move,
    PriceChange,
    parse_commit,
    parse_move,
    parse_price,
    what_if,
)

TODAY = date(2026, 11, 21)
NOVEMBER = Month.parse("2026-11")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqlStore, Path]]:
    path = tmp_path_factory.mktemp("whatif") / "demo.db"
    store = SqlStore(f"sqlite:///{path}")
    build_demo(store, seed=7, today=TODAY)
    yield store, path
    store.dispose()


def test_no_change_returns_todays_figures_exactly(demo: tuple[SqlStore, Path]) -> None:
    store, _path = demo
    actor = store.read(workspace, None).actor
    for month in (Month.parse("2026-10"), NOVEMBER, NOVEMBER.plus(1)):
        result = store.read(what_if, actor, month, Changes(), "invoiced", TODAY)
        assert result.projected == result.today
        assert result.today == store.read(usage_summary, actor, month, TODAY)
        assert result.units_projected == result.units_today
        assert result.units_today == store.read(unit_report, actor, month, TODAY, "invoiced")
        for line in result.lines:
            assert line.today_charged == line.projected_charged
            assert line.today_balance == line.projected_balance


def test_changes_move_the_invoice_and_the_units(demo: tuple[SqlStore, Path]) -> None:
    store, _path = demo
    actor = store.read(workspace, None).actor
    today = store.read(usage_summary, actor, NOVEMBER, TODAY)
    interviews = next(p for p in today.products if p.code == "interviews")
    doubled = Changes(prices=(PriceChange("interviews", Decimal("0.70")),))
    result = store.read(what_if, actor, NOVEMBER, doubled, "list", TODAY)
    line = next(ln for ln in result.lines if ln.code == "interviews")
    assert line.today_amount == interviews.amount
    assert line.projected_amount == interviews.amount * 2  # 521 x 0.70 against 521 x 0.35
    assert result.units_projected.total - result.units_today.total == interviews.amount

    more = store.read(what_if, actor, NOVEMBER, Changes(agents=30), "invoiced", TODAY)
    assert (more.today.agents, more.projected.agents) == (23, 30)
    sms = next(p for p in more.projected.products if p.code == "sms")
    assert sms.free_units_total == 30 * 50
    fewer = store.read(what_if, actor, NOVEMBER, Changes(agents=20), "invoiced", TODAY)
    seats = next(p for p in fewer.projected.products if p.code == "agent-seats")
    assert seats.quantity == 20 and fewer.projected.agents <= 20

    commit = Changes(commits=(CommitChange("voice-bot-sessions", Decimal(100), Frequency.MONTHLY),))
    covered = store.read(what_if, actor, NOVEMBER, commit, "invoiced", TODAY)
    bot = next(ln for ln in covered.lines if ln.code == "voice-bot-sessions")
    assert bot.today_charged > 0 and bot.projected_charged == 0
    assert covered.invoice_projected == covered.invoice_today - bot.today_charged


def test_nothing_is_written(
    demo: tuple[SqlStore, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _store, path = demo
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    args = ["--store", str(path), "whatif", "--month", "2026-11", "--agents", "40"]
    args += ["--commit", "account=1000/quarterly", "--commit", "sms=20/monthly"]
    assert main([*args, "--price", "sms=0.02", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"month", "changes", "invoice", "balance", "lines", "units"}
    assert data["agents"] == {"today": 23, "projected": 40}
    assert sum(Decimal(u["projected"]) for u in data["units"]["rows"]) == Decimal(
        data["units"]["projected_total"]
    )
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_bad_input_is_one_line(
    demo: tuple[SqlStore, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _store, path = demo
    for bad, message in (
        (["--price", "nope=1"], "--price: no product 'nope' on the rate card"),
        (["--commit", "sms=abc"], "--commit 'sms=abc': write PRODUCT=AMOUNT/FREQ"),
        (["--commit", "sms=5/weekly"], "FREQ monthly, quarterly or yearly"),
        (["--agents", "-1"], "--agents: give 0 to 100,000"),
    ):
        assert main(["--store", str(path), "whatif", "--month", "2026-11", *bad]) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1
    assert parse_commit("account=10/yearly") == CommitChange(None, Decimal(10), Frequency.YEARLY)
    assert parse_price("sms=0.0075") == PriceChange("sms", Decimal("0.0075"))
    closed = SqlStore(f"sqlite:///{tmp_path / 'closed.db'}")
    try:
        build_demo(closed, seed=7, today=TODAY)
        actor = closed.read(workspace, None).actor
        closed.write(close_month, actor, Month.parse("2026-09"), today=TODAY)
        with pytest.raises(InvalidInput, match="2026-09 is closed"):
            closed.read(what_if, actor, Month.parse("2026-09"), Changes(), "invoiced", TODAY)
    finally:
        closed.dispose()


def test_moving_numbers_previews_the_allocation(demo: tuple[SqlStore, Path]) -> None:
    """Moving a number that Recruiting holds (and an unassigned one) to Sales: the invoice is
    the same, Recruiting's share goes down and Sales' up, the total stays."""
    store, _path = demo
    actor = store.read(workspace, None).actor
    move = Changes(moves=(parse_move("Sales=+16465550103, +12125550110"),))
    result = store.read(what_if, actor, NOVEMBER, move, "list", TODAY)
    assert result.projected == result.today  # charges do not depend on units
    rows = {u.name: u for u in result.units}
    assert rows["Recruiting"].projected < rows["Recruiting"].today
    assert rows["Sales"].projected > rows["Sales"].today
    assert result.units_projected.total == result.units_today.total
    with store() as uow:  # nothing was assigned
        sales = next(u for u in uow.units.all() if u.name == "Sales")
        assert "+16465550103" not in sales.numbers
    with pytest.raises(InvalidInput, match="no billing unit named 'Nowhere'"):
        store.read(what_if, actor, NOVEMBER, Changes(moves=(Move("Nowhere", ("u001",)),)))
    with pytest.raises(InvalidInput, match="'zzz' is no user or phone number"):
        store.read(what_if, actor, NOVEMBER, Changes(moves=(Move("Sales", ("zzz",)),)))
