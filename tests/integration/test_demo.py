"""The demo workspace: its invariants, determinism, refusal of a used store, the CLI command.

Every test uses the small scale (under a second to build); the large store is measured by
bench/demo_large.py, never built here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import InvalidInput, NotFound
from billing_desktop.domain.metering import rollup_deltas
from billing_desktop.services.demo import DemoReport, build_demo
from billing_desktop.services.task_state import Cancelled, Progress, TaskState

TODAY = date(2026, 11, 21)  # the window 2026-09-01..2026-11-21 holds the end of DST (Nov 1)
ZONE = ZoneInfo("America/New_York")
MONTHS = ("2026-09", "2026-10", "2026-11")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqlStore, DemoReport]]:
    """One small demo store shared by the read-only tests of this module."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = SqlStore(f"sqlite:///{path}")
    report = build_demo(store, seed=7, today=TODAY)
    yield store, report
    store.dispose()


def _month(instant: datetime) -> str:
    return instant.astimezone(ZONE).strftime("%Y-%m")


def _instants(uow: Any) -> dict[str, list[datetime]]:
    return {
        "conversations": [c.started_at for c in uow.conversations.all()]
        + [c.ended_at for c in uow.conversations.all()],
        "alerts": [a.delivered_at for a in uow.alerts.all()],
        "calls": [c.started_at for c in uow.calls.all()],
        "sms": [s.sent_at for s in uow.sms.all()],
        "interviews": [i.completed_at for i in uow.interviews.all()],
        "recordings": [r.recorded_at for r in uow.recordings.all()],
    }


# --- what the workspace holds -----------------------------------------------------------------


def test_the_report_counts_what_was_written(demo: tuple[SqlStore, DemoReport]) -> None:
    store, report = demo
    with store() as uow:
        stored = {
            "products": uow.products.count(),
            "commits": uow.commits.count(),
            "users": uow.users.count(),
            "agents": uow.agents.count(),
            "numbers": uow.numbers.count(),
            "units": uow.units.count(),
            "plans": uow.plans.count(),
            "apps": uow.apps.count(),
            "conversations": uow.conversations.count(),
            "alerts": uow.alerts.count(),
            "calls": uow.calls.count(),
            "sms": uow.sms.count(),
            "interviews": uow.interviews.count(),
            "recordings": uow.recordings.count(),
            "storage": uow.storage.count(),
            "invoices": uow.invoices.count(),
            "ledger": len(uow.ledger.all()),
        }
        teams = {team for user in uow.users.all() for team in user.teams}
    counts = report.counts()
    assert {k: counts[k] for k in stored} == stored
    assert counts["teams"] == len(teams)
    # The small scale: a few thousand records of each kind over three months.
    assert report.calls == 8_000 and report.conversations == 6_000
    assert all(1_000 <= counts[k] <= 10_000 for k in ("alerts", "sms", "interviews", "recordings"))
    assert report.first_day == date(2026, 9, 1) and report.today == TODAY
    summary = report.summary()
    assert "Northwind Contact Center" in summary and "8,000 calls" in summary
    assert 2 <= len(summary.splitlines()) <= 6
    assert json.loads(json.dumps(report.as_dict()))["counts"]["calls"] == 8_000


def test_the_account_is_a_pro_account_in_a_dst_time_zone(
    demo: tuple[SqlStore, DemoReport],
) -> None:
    store, _ = demo
    with store() as uow:
        account = uow.account.get()
    assert account is not None
    assert account.currency == "USD" and account.timezone == "America/New_York"
    assert account.plan == m.PlanTier.PRO
    assert account.payment_method == m.PaymentMethod.CREDIT_CARD
    assert account.commit_scope == m.CommitScope.PRODUCT


def test_the_rate_card_covers_every_rule_source_and_commit_state(
    demo: tuple[SqlStore, DemoReport],
) -> None:
    store, _ = demo
    with store() as uow:
        products = uow.products.all()
        commits = uow.commits.all()
    assert len(products) == 10
    assert {p.metering for p in products} == set(m.Metering)
    assert {p.source for p in products} == set(m.Source)
    assert {p.commit for p in products} == set(m.CommitAvailability)
    assert {p.contact_center_services for p in products} == {True, False}
    for product in products:
        assert isinstance(product.unit_price, Decimal) and product.unit_price > 0
        exponent = product.unit_price.as_tuple().exponent
        assert isinstance(exponent, int) and exponent >= -4
        assert isinstance(product.free_units_per_agent, Decimal)
    voice = next(p for p in products if p.source == m.Source.CALLS)
    assert (voice.metering, voice.unit, voice.unit_price) == (
        m.Metering.SUM, m.Unit.MINUTE, Decimal("0.02"))  # fmt: skip
    assert voice.free_units_per_agent == 1000 and voice.contact_center_services
    assert voice.commit == m.CommitAvailability.ACTIVE
    # Each active product has its own product-level commit; the frequencies are spread.
    active = {p.code for p in products if p.commit == m.CommitAvailability.ACTIVE}
    assert {c.product for c in commits} == active
    assert {c.frequency for c in commits} == set(m.Frequency)
    for commit in commits:
        assert isinstance(commit.amount, Decimal) and commit.amount > 0
        assert commit.started_on < TODAY


def test_every_product_has_usage_in_every_month(demo: tuple[SqlStore, DemoReport]) -> None:
    store, report = demo
    with store() as uow:
        products = uow.products.all()
        calls = uow.calls.all()
        conversations = uow.conversations.all()
        alerts = uow.alerts.all()
        sms = uow.sms.all()
        interviews = uow.interviews.all()
        recordings = uow.recordings.all()
        storage = uow.storage.all()
        seats = uow.agents.all()
        numbers = uow.numbers.all()

    def seat_months() -> set[str]:
        found: set[str] = set()
        day = report.first_day
        while day <= TODAY:
            if any(seat.active_on(day) for seat in seats):
                found.add(day.strftime("%Y-%m"))
            day += timedelta(days=1)
        return found

    def billable(c: m.Conversation) -> int:
        return int((c.ended_at - c.started_at).total_seconds()) - c.human_agent_seconds

    months_of: dict[tuple[m.Source, m.Metering], set[str]] = {
        (m.Source.CALLS, m.Metering.SUM): {
            _month(c.started_at) for c in calls if c.duration_seconds > 0},
        (m.Source.CONVERSATIONS, m.Metering.SESSIONS): {
            _month(c.started_at) for c in conversations if billable(c) > 0},
        (m.Source.CONVERSATIONS, m.Metering.VOICE_SESSIONS): {
            _month(c.started_at) for c in conversations if c.channel == m.Channel.VOICE},
        (m.Source.ALERTS, m.Metering.COUNT): {_month(a.delivered_at) for a in alerts},
        (m.Source.SMS, m.Metering.COUNT): {_month(s.sent_at) for s in sms},
        (m.Source.INTERVIEWS, m.Metering.COUNT): {_month(i.completed_at) for i in interviews},
        (m.Source.RECORDINGS, m.Metering.SUM): {
            _month(r.recorded_at) for r in recordings if r.minutes > 0},
        (m.Source.STORAGE, m.Metering.PEAK_DAY): {
            s.day.strftime("%Y-%m") for s in storage if s.quantity > 0},
        (m.Source.AGENTS, m.Metering.PER_AGENT): seat_months(),
        (m.Source.NUMBERS, m.Metering.PER_NUMBER): set(MONTHS) if numbers else set(),
    }  # fmt: skip
    for product in products:
        months = months_of[(product.source, product.metering)]
        assert set(MONTHS) <= months, f"{product.code} lacks usage in {set(MONTHS) - months}"


def test_the_rollups_equal_a_recomputation_from_the_records(
    demo: tuple[SqlStore, DemoReport],
) -> None:
    """Records go in with their rollups: the hourly rollups hold exactly what the raw records
    of the window add up to, per local day, hour, app and measure."""
    store, report = demo
    kinds = ("conversations", "alerts", "calls", "sms", "interviews", "recordings")
    with store() as uow:
        expected: dict[tuple[date, int, str, str], Decimal] = {}
        for kind in kinds:
            for key, quantity in rollup_deltas(getattr(uow, kind).all(), ZONE).items():
                expected[key] = expected.get(key, Decimal(0)) + quantity
        assert uow.rollups.span() == (report.first_day, TODAY)
        measures = sorted({measure for _day, _hour, _app, measure in expected})
        stored: dict[tuple[date, int, str, str], Decimal] = {}
        for app in sorted({app for _day, _hour, app, _measure in expected}):
            for row in uow.rollups.rows(report.first_day, TODAY, measures, app=app):
                stored[(row.day, row.hour, app, row.measure)] = row.quantity
        totals = uow.rollups.totals(report.first_day, TODAY)
    assert stored == expected
    assert totals["calls"] == report.calls and totals["sms"] == report.sms
    assert totals["conversations"] == report.conversations


def test_users_have_every_role_privilege_and_several_teams(
    demo: tuple[SqlStore, DemoReport],
) -> None:
    store, _ = demo
    with store() as uow:
        users = uow.users.all()
    by_role = {role: [u for u in users if u.role == role] for role in m.Role}
    assert 35 <= len(users) <= 50
    assert len(by_role[m.Role.ADMIN]) == 2 and users[0].id == "u001"
    assert users[0].role == m.Role.ADMIN
    assert len(by_role[m.Role.SUPERVISOR]) == 3 and len(by_role[m.Role.SHARED]) == 2
    assert {g for u in users for g in u.access_groups} == set(m.Privilege)
    assert {t for u in users for t in u.teams} == {"Sales", "Support", "Recruiting", "Billing"}
    assert len({u.id for u in users}) == len(users)
    assert len({u.email for u in users}) == len(users)
    assert all(u.teams for u in users)


def test_agent_seats_start_and_end_around_the_window(demo: tuple[SqlStore, DemoReport]) -> None:
    store, report = demo
    with store() as uow:
        seats = uow.agents.all()
        users = {u.id: u for u in uow.users.all()}
    assert len(seats) == 25
    assert all(users[s.user_id].role == m.Role.AGENT for s in seats)
    whole = [s for s in seats if s.started_on < report.first_day and s.ended_on is None]
    late = [s for s in seats if report.first_day < s.started_on <= TODAY]
    ended = [s for s in seats if s.ended_on is not None]
    assert len(whole) >= 18 and late and 1 <= len(ended) <= 2
    assert all(report.first_day <= s.ended_on < TODAY for s in ended if s.ended_on)


def test_each_number_is_in_at_most_one_unit(demo: tuple[SqlStore, DemoReport]) -> None:
    store, _ = demo
    with store() as uow:
        units = uow.units.all()
        numbers = uow.numbers.all()
        users = uow.users.all()
    assert sorted(u.name for u in units) == ["Recruiting", "Sales", "Support"]
    assert 25 <= len(numbers) <= 35
    for number in numbers:
        assert number.number.startswith("+1") and number.number[2:].isdigit()
        assert len(number.number) == 12 and number.number[5:10] == "55501"
        assert number.label
    assigned = [n for unit in units for n in unit.numbers]
    assert len(assigned) == len(set(assigned)), "a number is in two units"
    assert set(assigned) < {n.number for n in numbers}, "some numbers stay unassigned"
    memberships = [u for unit in units for u in unit.user_ids]
    per_user = {user.id: memberships.count(user.id) for user in users}
    assert max(per_user.values()) >= 2, "some users are in several units"
    assert min(per_user.values()) == 0, "some users are in none"
    assert all(unit.user_ids and unit.numbers for unit in units)


def test_plans_and_apps_cover_every_status_and_information_icon(
    demo: tuple[SqlStore, DemoReport],
) -> None:
    store, _ = demo
    with store() as uow:
        plans = {p.code: p for p in uow.plans.all()}
        apps = uow.apps.all()
        user_ids = {u.id for u in uow.users.all()}
    assert sorted((p.rank, p.name) for p in plans.values()) == [
        (1, "Starter"), (2, "Growth"), (3, "Scale"), (4, "Enterprise")]  # fmt: skip
    assert all(p.monthly_price > 0 and p.included_sessions > 0 for p in plans.values())
    assert len(apps) == 5
    assert {a.status for a in apps} == set(m.AppStatus)
    assert len({a.plan for a in apps}) >= 3
    assert all(a.plan in plans and a.owner_user_id in user_ids for a in apps)
    assert all(isinstance(a.balance, Decimal) for a in apps)
    expiring = [a for a in apps if a.status == m.AppStatus.EXPIRING]
    assert expiring and all(
        a.plan_ends_on is not None and TODAY <= a.plan_ends_on <= TODAY + timedelta(days=30)
        for a in expiring
    )
    downgrades = [a for a in apps if a.pending_plan is not None]
    assert downgrades
    for app in downgrades:
        assert app.pending_plan is not None
        assert plans[app.pending_plan].rank < plans[app.plan].rank


def test_records_lie_in_the_window_during_local_business_hours(
    demo: tuple[SqlStore, DemoReport],
) -> None:
    store, report = demo
    with store() as uow:
        instants = _instants(uow)
        storage = uow.storage.all()
    for kind, values in instants.items():
        assert values, kind
        for instant in values:
            assert instant.utcoffset() == timedelta(0), kind
            local = instant.astimezone(ZONE)
            assert report.first_day <= local.date() <= TODAY, (kind, instant)
            # 07:00-21:00 local on both sides of the DST change (a wrong offset shows as 06:xx).
            assert 7 <= local.hour <= 21, (kind, local)
    calls = [i.astimezone(ZONE) for i in instants["calls"]]
    weekdays = sum(1 for c in calls if c.weekday() < 5)
    assert weekdays > 0.85 * len(calls)
    # Daily snapshots from the 28th of the month before the window (the peak-day window).
    days = [s.day for s in storage]
    assert days[0] == date(2026, 8, 28) and days[-1] == TODAY
    assert days == [days[0] + timedelta(days=i) for i in range(len(days))]


def test_records_have_realistic_unique_fields(demo: tuple[SqlStore, DemoReport]) -> None:
    store, _ = demo
    with store() as uow:
        calls = uow.calls.all()
        conversations = uow.conversations.all()
        recordings = uow.recordings.all()
        numbers = {n.number for n in uow.numbers.all()}
        seats = {s.user_id for s in uow.agents.all()}
        sms = uow.sms.all()
        interviews = uow.interviews.all()
    assert calls[0].id == "call-0000001" and len({c.id for c in calls}) == len(calls)
    assert {c.type for c in calls} == set(m.CallType)
    assert {c.triggered_by for c in calls} == set(m.TriggeredBy)
    assert {c.trigger_source for c in calls} == {"Email", "SMS", "Chat UI", "Phone"}
    assert len({c.campaign for c in calls}) >= 5
    assert all(c.number in numbers for c in calls)
    assert all((c.user_id in seats) == (c.type == m.CallType.LIVE) for c in calls)
    assert all(0 <= c.duration_seconds <= 3600 for c in calls)
    assert {c.channel for c in conversations} == set(m.Channel)
    for conversation in conversations:
        length = (conversation.ended_at - conversation.started_at).total_seconds()
        assert 60 <= length <= 45 * 60
        assert 0 <= conversation.human_agent_seconds <= length
    assert any(c.human_agent_seconds > 0 for c in conversations)
    assert {s.type for s in sms} == {"Invitation", "Shortlisted", "Reminder", "Custom"}
    assert {i.method for i in interviews} == set(m.InterviewMethod)
    for recording in recordings:
        exponent = recording.minutes.as_tuple().exponent
        assert isinstance(exponent, int) and exponent >= -2 and recording.minutes > 0


def test_invoices_before_the_window_are_gap_free(demo: tuple[SqlStore, DemoReport]) -> None:
    store, report = demo
    with store() as uow:
        invoices = uow.invoices.all()
        ledger = uow.ledger.all()
    assert [i.number for i in invoices] == [f"INV-{n:06d}" for n in range(1, 7)]
    assert [i.period for i in invoices] == [date(2026, month, 1) for month in range(3, 9)]
    for invoice in invoices:
        assert invoice.period < report.first_day
        assert invoice.issued_on == date(
            invoice.period.year + invoice.period.month // 12, invoice.period.month % 12 + 1, 1
        )
        assert invoice.due_on == invoice.issued_on + timedelta(days=30)
        assert invoice.amount > 0 and invoice.amount == invoice.amount.quantize(Decimal("0.01"))
    statuses = [i.status for i in invoices]
    assert statuses == [m.InvoiceStatus.PAID] * 4 + [m.InvoiceStatus.OVERDUE,
                                                    m.InvoiceStatus.ISSUED]  # fmt: skip
    kinds = [e.kind for e in ledger]
    assert kinds.count(m.LedgerKind.INVOICE) == 6
    # Four card payments, and a bank transfer paying 40% of the overdue INV-000005.
    assert kinds.count(m.LedgerKind.PAYMENT) == 5
    with store() as uow:
        (partial,) = uow.payments.all()
    assert (partial.number, partial.invoice) == ("PMT-000001", "INV-000005")
    assert partial.amount == (invoices[4].amount * Decimal("0.4")).quantize(Decimal("0.01"))
    assert kinds.count(m.LedgerKind.PURCHASE) >= 2
    assert kinds.count(m.LedgerKind.ONE_TIME_PAYMENT) == 1
    assert all(e.occurred_on <= TODAY for e in ledger)
    paid = {i.number: i.amount for i in invoices if i.status == m.InvoiceStatus.PAID}
    payments = {
        e.reference: e.amount
        for e in ledger
        if e.kind == m.LedgerKind.PAYMENT and e.reference.startswith("INV-")
    }
    assert payments == paid


def test_building_is_audited_once(demo: tuple[SqlStore, DemoReport]) -> None:
    store, report = demo
    with store() as uow:
        audit = uow.audit.recent()
    assert len(audit) == 1
    entry = audit[0]
    assert (entry.action, entry.entity, entry.origin) == ("demo", "workspace", "desktop/local")
    assert entry.actor == "local owner"
    assert entry.after is not None
    assert entry.after["seed"] == 7 and entry.after["scale"] == "small"
    assert entry.after["months"] == 3 and entry.after["calls"] == report.calls


# --- determinism --------------------------------------------------------------------------------


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in storage order; the audit row without its wall-clock time."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]  # fmt: skip
        dump = {}
        for table in tables:
            columns = "*" if table != "audit_log" else "actor, origin, action, entity, after"
            dump[table] = conn.execute(f"SELECT {columns} FROM {table} ORDER BY rowid").fetchall()
    return dump


def test_the_same_seed_and_day_give_identical_stores(
    demo: tuple[SqlStore, DemoReport], tmp_path: Path
) -> None:
    first, report = demo
    path = tmp_path / "again.db"
    again = SqlStore(f"sqlite:///{path}")
    try:
        assert build_demo(again, seed=7, today=TODAY) == report
        with first() as a, again() as b:
            assert a.calls.all() == b.calls.all()
            assert a.conversations.all() == b.conversations.all()
            assert a.users.all() == b.users.all()
            assert a.units.all() == b.units.all()
            assert a.invoices.all() == b.invoices.all()
            assert a.ledger.all() == b.ledger.all()
            assert a.storage.all() == b.storage.all()
        url = first.engine.url.database
        assert url is not None
        assert _dump(Path(url)) == _dump(path)
    finally:
        again.dispose()


def test_another_seed_gives_another_workspace(
    demo: tuple[SqlStore, DemoReport], store: SqlStore
) -> None:
    first, _ = demo
    build_demo(store, seed=8, today=TODAY)
    with first() as a, store() as b:
        assert a.calls.count() == b.calls.count()
        assert a.calls.all() != b.calls.all()
        assert a.users.all() != b.users.all()


# --- refusals and all-or-nothing ----------------------------------------------------------------


def test_a_store_holding_a_workspace_is_refused_and_left_alone(
    demo: tuple[SqlStore, DemoReport],
) -> None:
    store, report = demo
    with pytest.raises(InvalidInput) as refused:
        build_demo(store, seed=9, today=TODAY)
    message = str(refused.value)
    assert "already holds a workspace ('Northwind Contact Center')" in message
    assert message.endswith("the demo needs an empty store")
    with store() as uow:
        assert uow.calls.count() == report.calls
        assert len(uow.audit.recent()) == 1


def test_a_store_with_users_but_no_account_is_refused(store: SqlStore) -> None:
    with store() as uow:
        uow.users.add_many([m.User("x1", "Xavier", "x@example.com", m.Role.ADMIN)])
        uow.commit()
    with pytest.raises(InvalidInput, match="already holds a workspace"):
        build_demo(store, today=TODAY)
    with store() as uow:
        assert uow.account.get() is None and uow.calls.count() == 0


def test_an_unknown_user_is_refused_with_nothing_written(store: SqlStore) -> None:
    with pytest.raises(NotFound, match="--user ghost"):
        build_demo(store, today=TODAY, user_id="ghost")
    with store() as uow:
        assert uow.account.get() is None and uow.users.count() == 0


def test_a_failure_midway_writes_nothing(store: SqlStore) -> None:
    def explode(step: Progress) -> None:
        if step.text.startswith("calls"):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        build_demo(store, today=TODAY, state=TaskState(explode))
    with store() as uow:
        assert uow.account.get() is None
        assert uow.users.count() == 0 and uow.conversations.count() == 0
        assert uow.audit.recent() == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"months": 0}, "--months 0"),
        ({"agents": 0}, "--agents 0"),
        ({"scale": "huge"}, "scale 'huge'"),
    ],
)
def test_bad_arguments_are_refused(
    store: SqlStore, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        build_demo(store, today=TODAY, **arguments)
    with store() as uow:
        assert uow.account.get() is None


# --- other shapes of the window -----------------------------------------------------------------


def test_a_one_day_month_still_has_usage_of_every_kind(store: SqlStore) -> None:
    """Built on the 1st: the current month is one day long and must not be empty."""
    today = date(2027, 3, 1)
    report = build_demo(store, seed=3, months=2, today=today)
    assert report.first_day == date(2027, 2, 1)
    with store() as uow:
        instants = _instants(uow)
        storage = uow.storage.all()
        seats = uow.agents.all()
    for kind, values in instants.items():
        months = {_month(v) for v in values}
        assert months == {"2027-02", "2027-03"}, kind
    assert storage[0].day == date(2027, 1, 28) and storage[-1].day == today
    assert all(s.started_on <= today for s in seats)
    assert any(s.active_on(today) for s in seats)


def test_a_cancelled_demo_writes_nothing(store: SqlStore) -> None:
    """Cancel stops the work itself at its next batch, and nothing is written."""
    state = TaskState(lambda step: state.cancel() if step.text.startswith("calls") else None)
    with pytest.raises(Cancelled, match="the demo was cancelled; nothing was written"):
        build_demo(store, today=TODAY, state=state)
    with store() as uow:
        assert uow.account.get() is None and uow.users.count() == 0


def test_one_month_and_more_agents(store: SqlStore) -> None:
    steps: list[Progress] = []
    report = build_demo(store, months=1, agents=60, today=TODAY, state=TaskState(steps.append))
    progress = [step.text for step in steps]
    assert all(s.fraction is None or 0 <= s.fraction <= 1 for s in steps)
    assert report.first_day == date(2026, 11, 1)
    assert report.agents == 60 and report.users >= 70
    assert report.calls == round(8_000 / 3)
    assert "calls: 2,667 / 2,667" in progress
    with store() as uow:
        assert uow.invoices.all()[-1].period == date(2026, 10, 1)


# --- the command line ---------------------------------------------------------------------------


def test_the_demo_command_builds_once_then_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cli.db"
    args = ["--store", str(path), "demo", "--seed", "7", "--today", "2026-11-21"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Northwind Contact Center" in out and "8,000 calls" in out
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "already holds a workspace ('Northwind Contact Center')" in err[0]


def test_the_command_line_offers_every_scale_and_xlarge_is_ten_times_large() -> None:
    """B9's store: 2,000 agents, ten million calls and three million conversations a quarter."""
    from billing_desktop.cli import build_parser
    from billing_desktop.services import demo

    parser = build_parser()
    args = parser.parse_args(["demo", "--scale", "xlarge"])
    assert args.scale == "xlarge"
    with pytest.raises(SystemExit):
        parser.parse_args(["demo", "--scale", "huge"])
    choices = next(
        action.choices
        for action in parser._subparsers._group_actions[0].choices["demo"]._actions  # type: ignore[union-attr]
        if action.dest == "scale"
    )
    assert tuple(choices) == demo.SCALES
    large, xlarge = demo._VOLUMES["large"], demo._VOLUMES["xlarge"]
    assert (xlarge.agents, xlarge.calls, xlarge.conversations) == (2_000, 10_000_000, 3_000_000)
    assert xlarge.calls == 10 * large.calls and xlarge.conversations == 10 * large.conversations


def test_apps_are_owned_by_real_users_when_ids_grow_a_digit(store: SqlStore) -> None:
    """Beyond 999 users the ids are u0001…: the apps' owners must still be stored users
    (demo --scale xlarge has 2,000 agents)."""
    build_demo(store, months=1, agents=1_000, today=TODAY)
    with store() as uow:
        owners = {app.owner_user_id for app in uow.apps.all()}
        assert owners == {"u0001", "u0002", "u0003", "u0004", "u0005"}
        assert owners <= {user.id for user in uow.users.all()}
