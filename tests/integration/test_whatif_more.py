"""What-if of the commit scope, of a product's price tiers and of an app's plan (issue 20 §3):
each projection is checked against a copy of the store that really has the change."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain.errors import InvalidInput, PermissionDenied
from billing_desktop.domain.model import Commit, CommitScope, Frequency, Tier
from billing_desktop.domain.periods import Month
from billing_desktop.domain.plans import Change
from billing_desktop.domain.rating import list_price
from billing_desktop.services import plans
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.demo import build_demo
from billing_desktop.services.overview import workspace
from billing_desktop.services.units import unit_report
from billing_desktop.services.whatif import (
    AppPlanChange,
    Changes,
    CommitChange,
    TierChange,
    parse_plan,
    parse_scope,
    parse_tiers,
    plan_in_force,
    what_if,
)

TODAY = date(2026, 11, 21)
NOVEMBER = Month.parse("2026-11")
DECEMBER = NOVEMBER.plus(1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqlStore, Path]]:
    path = tmp_path_factory.mktemp("whatif-more") / "demo.db"
    store = SqlStore(f"sqlite:///{path}")
    build_demo(store, seed=7, today=TODAY)
    yield store, path
    store.dispose()


@pytest.fixture
def copy(demo: tuple[SqlStore, Path], tmp_path: Path) -> Iterator[tuple[SqlStore, Path]]:
    """A copy of the demo store, to change for real."""
    _store, path = demo
    target = tmp_path / "copy.db"
    with sqlite3.connect(path) as source, sqlite3.connect(target) as dest:
        source.backup(dest)
    store = SqlStore(f"sqlite:///{target}")
    yield store, target
    store.dispose()


def _same_as_real(result: object, real: SqlStore, month: Month) -> None:
    actor = real.read(workspace, None).actor
    assert result.projected == real.read(usage_summary, actor, month, TODAY)  # type: ignore[attr-defined]
    units = real.read(unit_report, actor, month, TODAY, "invoiced")
    assert result.units_projected == units  # type: ignore[attr-defined]


@pytest.mark.parametrize("months", [(NOVEMBER, DECEMBER)])
def test_commit_scope_is_what_a_store_with_that_scope_rates(
    demo: tuple[SqlStore, Path], copy: tuple[SqlStore, Path], months: tuple[Month, ...]
) -> None:
    store, _path = demo
    real, _target = copy
    actor = store.read(workspace, None).actor
    account_commit = CommitChange(None, Decimal(800), Frequency.MONTHLY)
    to_account = Changes(commit_scope=CommitScope.ACCOUNT, commits=(account_commit,))
    projected = {m: store.read(what_if, actor, m, to_account, "invoiced", TODAY) for m in months}
    nothing = {
        m: store.read(what_if, actor, m, Changes(commit_scope=CommitScope.NONE), "invoiced", TODAY)
        for m in months
    }
    # The demo draws on product commits: without any, every line pays more or the same.
    for result in nothing.values():
        assert result.invoice_projected > result.invoice_today
        assert all(ln.projected_charged >= ln.today_charged for ln in result.lines)
    with real(write=True) as uow:
        account = uow.account.get()
        assert account is not None and account.commit_scope == CommitScope.PRODUCT
        uow.account.save(dataclasses.replace(account, commit_scope=CommitScope.ACCOUNT))
        uow.commits.add_many([Commit(None, Decimal(800), Frequency.MONTHLY, NOVEMBER.first_day)])
        uow.commit()
    for month in months:
        _same_as_real(projected[month], real, month)
    with real(write=True) as uow:
        account = uow.account.get()
        assert account is not None
        uow.account.save(dataclasses.replace(account, commit_scope=CommitScope.NONE))
        uow.commit()
    for month in months:
        _same_as_real(nothing[month], real, month)


def test_tiers_are_what_a_store_with_that_table_rates(
    demo: tuple[SqlStore, Path], copy: tuple[SqlStore, Path]
) -> None:
    store, _path = demo
    real, target = copy
    actor = store.read(workspace, None).actor
    table = parse_tiers("alerts=100:0.02,500:0.015,0.01")
    assert table == TierChange(
        "alerts",
        Decimal("0.02"),
        (Tier(Decimal(100), Decimal("0.015")), Tier(Decimal(500), Decimal("0.01"))),
    )
    result = store.read(what_if, actor, NOVEMBER, Changes(tiers=(table,)), "list", TODAY)
    line = next(ln for ln in result.lines if ln.code == "alerts")
    rated = next(p for p in result.projected.products if p.code == "alerts")
    billable = rated.quantity - rated.free_units_used
    assert billable > 500  # every band is used
    exact = 100 * Decimal("0.02") + 400 * Decimal("0.015") + (billable - 500) * Decimal("0.01")
    assert line.projected_amount == exact.quantize(Decimal("0.01"))
    assert line.projected_amount != line.today_amount
    assert list_price(billable, table.unit_price, table.tiers) == exact
    with sqlite3.connect(target) as db:  # the rate card as an import would store it
        db.execute(
            "UPDATE products SET unit_price = ?, tiers = ? WHERE code = 'alerts'",
            ("0.02", "100:0.015;500:0.01"),
        )
    real_actor = real.read(workspace, None).actor
    assert result.projected == real.read(usage_summary, real_actor, NOVEMBER, TODAY)
    assert result.units_projected == real.read(unit_report, real_actor, NOVEMBER, TODAY, "list")


def test_an_apps_plan_is_what_the_plans_tab_would_leave(
    demo: tuple[SqlStore, Path], copy: tuple[SqlStore, Path]
) -> None:
    store, _path = demo
    real, _target = copy
    actor = store.read(workspace, None).actor
    asked = Changes(
        plans=(
            parse_plan("Sales Assistant=scale"),  # an upgrade, by the app's name
            AppPlanChange("app-voice-ivr", "Growth"),  # a downgrade, by the plan's name
            AppPlanChange("app-support-bot", "enterprise"),  # cancels its pending downgrade
        )
    )
    results = {
        m: store.read(what_if, actor, m, asked, "invoiced", TODAY) for m in (NOVEMBER, DECEMBER)
    }
    for result in results.values():  # plan fees are not on the account's invoice
        assert result.projected == result.today
        assert result.units_projected == result.units_today
    by_app = {m: {p.app: p for p in r.plans} for m, r in results.items()}
    sales, ivr, bot = (
        by_app[NOVEMBER][a] for a in ("app-sales-assistant", "app-voice-ivr", "app-support-bot")
    )
    assert (sales.change, sales.takes_effect_on) == (Change.UPGRADE, None)
    assert (ivr.change, ivr.takes_effect_on) == (Change.DOWNGRADE, NOVEMBER.last_day)
    assert bot.change == Change.SAME
    # The real changes, made by the Plans tab's service on the copy.
    outcomes = {}
    for change in (
        ("app-sales-assistant", "scale"),
        ("app-voice-ivr", "growth"),
        ("app-support-bot", "enterprise"),
    ):
        try:
            real.write(plans.change_plan, actor, *change, today=TODAY)
            outcomes[change[0]] = ""
        except InvalidInput as exc:
            outcomes[change[0]] = str(exc)
    with real() as uow:
        apps = {a.id: a for a in uow.apps.all()}
        catalogue = {p.code: p for p in uow.plans.all()}
    for month, comparisons in by_app.items():
        for app_id, seen in comparisons.items():
            if outcomes[app_id]:  # refused for real: the what-if says why
                assert not seen.eligible and seen.reason in outcomes[app_id]
                continue
            assert seen.eligible
            assert seen.projected == catalogue[plan_in_force(apps[app_id], month)], (app_id, month)
    assert by_app[NOVEMBER]["app-voice-ivr"].projected == by_app[NOVEMBER]["app-voice-ivr"].today
    assert by_app[DECEMBER]["app-support-bot"].today == catalogue["scale"]
    assert by_app[DECEMBER]["app-support-bot"].projected == catalogue["enterprise"]
    sessions = store.read(plans.app_plans, actor, "app-sales-assistant", TODAY).usage
    assert sales.usage == sessions
    # A plan that cannot carry the app's sessions: the what-if shows it, and says why not.
    small = store.read(
        what_if,
        actor,
        NOVEMBER,
        Changes(plans=(AppPlanChange("app-support-bot", "starter"),)),
        "invoiced",
        TODAY,
    ).plans[0]
    assert (
        not small.eligible
        and small.reason == f"needs {small.usage:,} sessions a month; includes 500"
    )
    with pytest.raises(InvalidInput, match=small.reason):
        real.write(plans.change_plan, actor, "app-support-bot", "starter", today=TODAY)
    data = results[DECEMBER].as_json()
    assert {p["app"] for p in data["plans"]} == set(outcomes)  # type: ignore[union-attr]


def test_the_cli_takes_the_new_changes_and_writes_nothing(
    demo: tuple[SqlStore, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _store, path = demo
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    args = ["--store", str(path), "whatif", "--month", "2026-11", "--commit-scope", "none"]
    args += ["--tiers", "sms=100:0.01,0.005", "--plan", "app-voice-ivr=growth", "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["changes"] == [
        "commit scope none",
        "sms priced 100:0.01,0.005",
        "app-voice-ivr on plan growth",
    ]
    assert data["plans"][0]["projected"]["code"] == "scale"  # a downgrade waits for the month's end
    assert Decimal(data["invoice"]["projected"]) > Decimal(data["invoice"]["today"])
    assert main(args[:-1]) == 0
    text = capsys.readouterr().out
    assert "Plans in force in 2026-11" in text and "Voice IVR" in text
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (["--commit-scope", "global"], "--commit-scope 'global': give one of account, product"),
        (["--tiers", "sms"], "--tiers 'sms': write PRODUCT=UPTO:PRICE"),
        (["--tiers", "sms=100:x,0.1"], "--tiers 'sms=100:x,0.1': PRICE 'x' is not a number"),
        (
            ["--tiers", "sms=100:0.1,50:0.2,0.1"],
            "band '50:0.2': UPTO must be more than 0 and increase",
        ),
        (["--tiers", "sms=100:0.1,200:0.05"], "the last band '200:0.05' has no upper bound"),
        (["--tiers", "sms=100,0.05"], "band '100' is not UPTO:PRICE"),
        (["--tiers", "nope=0.1"], "--tiers: no product 'nope' on the rate card"),
        (
            ["--tiers", "sms=0.1", "--price", "sms=0.2"],
            "--tiers sms: --price changes the same product",
        ),
        (["--plan", "app-voice-ivr"], "--plan 'app-voice-ivr': write APP=PLAN"),
        (["--plan", "nobody=growth"], "--plan: no app 'nobody' in this workspace"),
        (["--plan", "app-voice-ivr=platinum"], "--plan: no plan 'platinum' in the catalogue"),
    ],
)
def test_bad_changes_are_one_line_naming_the_option(
    demo: tuple[SqlStore, Path], capsys: pytest.CaptureFixture[str], bad: list[str], message: str
) -> None:
    _store, path = demo
    assert main(["--store", str(path), "whatif", "--month", "2026-11", *bad]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_parsing() -> None:
    assert parse_scope(" Account ") == CommitScope.ACCOUNT
    assert parse_tiers("sms=0.01") == TierChange("sms", Decimal("0.01"), ())
    assert parse_tiers("sms=10:0.02,:0.01").tiers == (Tier(Decimal(10), Decimal("0.01")),)
    assert parse_tiers("sms=1000:0.01,5000:0.008,0.006").text() == "1000:0.01,5000:0.008,0.006"


def test_a_plan_change_needs_the_plans_right(
    demo: tuple[SqlStore, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """u004 (a supervisor) sees Usage and Billing Units but not Plans: the what-if works for
    them without plans, and a plan change is refused (the Plans tab is not theirs)."""
    store, path = demo
    supervisor = store.read(workspace, "u004").actor
    result = store.read(what_if, supervisor, NOVEMBER, Changes(), "invoiced", TODAY)
    assert result.plans == () and result.as_json()["plans"] == []
    with pytest.raises(PermissionDenied):
        store.read(
            what_if,
            supervisor,
            NOVEMBER,
            Changes(plans=(AppPlanChange("app-voice-ivr", "growth"),)),
        )
    args = ["--store", str(path), "--user", "u004", "whatif", "--month", "2026-11"]
    assert main([*args, "--plan", "app-voice-ivr=growth"]) == 2
    assert "plans" in capsys.readouterr().err
