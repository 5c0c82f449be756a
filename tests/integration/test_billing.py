"""The billing engine end to end: imports -> rollups -> rating -> month close -> ledger."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import InvalidInput, PermissionDenied
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import CREDITS_POOL, BillingEngine, usage_summary
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.month_close import close_month, next_invoice_number

D = Decimal
TODAY = date(2026, 11, 21)
OCTOBER = Month(2026, 10)


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def import_workspace(
    store_path: Path,
    tmp_path: Path,
    minutes_per_month: dict[str, int],
    frequency: str = "monthly",
    commit: str = "30.00",
) -> None:
    """The worked example of PRODUCT §4.3, as CSV files through the real import command."""
    files = [
        (
            "account",
            write(
                tmp_path / "account.csv",
                "name,currency,timezone,plan,payment_method,commit_scope",
                ["Acme,USD,Europe/Berlin,pro,credit_card,product"],
            ),
        ),
        (
            "rate-card",
            write(
                tmp_path / "rate.csv",
                "code,name,unit,unit_price,free_units_per_agent,contact_center_services,metering,"
                "source,commit",
                ["VOICE,Voice minutes,minute,0.02,1000,true,sum,calls,active"],
            ),
        ),
        (
            "commits",
            write(
                tmp_path / "commits.csv",
                "product,amount,frequency,started_on",
                [f"VOICE,{commit},{frequency},2026-09-01"],
            ),
        ),
        (
            "users",
            write(
                tmp_path / "users.csv",
                "id,name,email,role",
                [f"u{i:02d},Agent {i},a{i}@example.com,agent" for i in range(10)]
                + ["boss,Boss,boss@example.com,admin"],
            ),
        ),
        (
            "agents",
            write(
                tmp_path / "agents.csv",
                "user_id,started_on",
                [f"u{i:02d},2026-09-01" for i in range(10)],
            ),
        ),
    ]
    calls = []
    for month, minutes in minutes_per_month.items():
        for n in range(minutes // 60):  # hour-long calls, spread over the month's days
            calls.append(
                f"{month}-{n % 28 + 1:02d}c{n},autocall,candidate,Email,,Fall,,,"
                f"{month}-{n % 28 + 1:02d}T09:00:00+02:00,3600"
            )
    files.append(
        (
            "calls",
            write(
                tmp_path / "calls.csv",
                "id,type,triggered_by,trigger_source,candidate_id,campaign,number,user_id,started_at,"
                "duration_seconds",
                [c.replace("c", "-c", 1) for c in calls],
            ),
        )
    )
    for kind, path in files:
        assert main(["--store", str(store_path), "import", kind, str(path)]) == 0


def test_the_worked_example_from_csv_to_usage_json(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_workspace(store_path, tmp_path, {"2026-10": 12_000})
    capsys.readouterr()
    assert main(["--store", str(store_path), "usage", "--month", "2026-10", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["month"] == "2026-10" and data["currency"] == "USD"
    assert data["balance"] == "-10.00"
    assert data["products"] == [
        {
            "code": "VOICE",
            "name": "Voice minutes",
            "unit": "minute",
            "unit_price": "0.02",
            "quantity": "12000",
            "free_units_total": "10000",
            "free_units_used": "10000",
            "amount": "40.00",
            "credit_applied": "30.00",
            "charged": "10.00",
            "balance": "-10.00",
            "commit": {
                "amount": "30.00",
                "frequency": "monthly",
                "last_recharge": "2026-10-01",
                "next_recharge": "2026-11-01",
            },
            "contact_center_services": True,
        }
    ]
    assert main(["--store", str(store_path), "usage", "--month", "2026-10"]) == 0
    text = capsys.readouterr().out
    assert "-$10.00" in text and "Voice minutes [CC]" in text


def _close(store: SqlStore, month: Month, user: str | None = None):  # type: ignore[no-untyped-def]
    with store() as uow:
        report = close_month(uow, resolve_actor(uow, user), month, today=TODAY)
        uow.commit()
    return report


def test_month_close_issues_one_invoice_and_is_idempotent(store_path: Path, tmp_path: Path) -> None:
    import_workspace(store_path, tmp_path, {"2026-09": 9_000, "2026-10": 12_000})
    store = SqlStore(f"sqlite:///{store_path}")
    september = _close(store, Month(2026, 9))
    assert september.invoice is None  # 9,000 minutes: all free
    october = _close(store, OCTOBER)
    assert october.invoice is not None
    assert (october.invoice.number, october.invoice.amount) == ("INV-000001", D("10.00"))
    assert october.invoice.issued_on == date(2026, 11, 1)
    with store() as uow:
        ledger_before = uow.ledger.all()
        invoices_before = uow.invoices.all()
    again = _close(store, OCTOBER)
    assert again.already_closed and again.invoice is None
    with store() as uow:
        assert uow.ledger.all() == ledger_before
        assert uow.invoices.all() == invoices_before
        kinds = [(e.kind, e.amount, e.pool) for e in ledger_before]
        summary = usage_summary(uow, resolve_actor(uow, None), OCTOBER, today=TODAY)
        audit = [a for a in uow.audit.recent() if a.action == "close-month"]
    assert kinds == [
        (m.LedgerKind.COMMIT_RECHARGE, D("30.00"), "commit:VOICE:2026-09-01"),
        (m.LedgerKind.COMMIT_EXPIRY, D("-30.00"), "commit:VOICE:2026-09-01"),
        (m.LedgerKind.COMMIT_RECHARGE, D("30.00"), "commit:VOICE:2026-10-01"),
        (m.LedgerKind.USAGE_DEBIT, D("-30.00"), "commit:VOICE:2026-10-01"),
        (m.LedgerKind.INVOICE, D("-10.00"), ""),
    ]
    assert summary.closed and summary.invoice_number == "INV-000001"
    assert [(p.code, p.charged) for p in summary.products] == [("VOICE", D("10.00"))]
    assert [a.entity_id for a in audit] == ["2026-10", "2026-09"]
    store.dispose()


def test_months_close_in_order_and_only_once_over(store_path: Path, tmp_path: Path) -> None:
    import_workspace(store_path, tmp_path, {"2026-09": 12_000, "2026-10": 12_000})
    store = SqlStore(f"sqlite:///{store_path}")
    with pytest.raises(InvalidInput, match="close 2026-09 first"):
        _close(store, OCTOBER)
    _close(store, Month(2026, 9))
    with pytest.raises(InvalidInput, match="2026-11 is not over yet"):
        _close(store, Month(2026, 11))
    with store() as uow:
        agent = resolve_actor(uow, "u01")
        with pytest.raises(PermissionDenied):
            close_month(uow, agent, OCTOBER, today=TODAY)
    store.dispose()


def test_quarterly_commit_credit_is_shared_across_the_months_of_its_period(
    store_path: Path, tmp_path: Path
) -> None:
    # 100.00 a quarter from 1 September; each month 12,600 min -> 2,600 billable -> 52.00
    import_workspace(
        store_path,
        tmp_path,
        {"2026-09": 12_600, "2026-10": 12_600},
        frequency="quarterly",
        commit="100.00",
    )
    store = SqlStore(f"sqlite:///{store_path}")
    with store() as uow:
        actor = resolve_actor(uow, None)
        open_october = usage_summary(uow, actor, OCTOBER, today=TODAY)
    assert [(p.amount, p.credit_applied, p.balance) for p in open_october.products] == [
        (D("52.00"), D("48.00"), D("-4.00"))  # September used 52.00 of the 100.00
    ]
    _close(store, Month(2026, 9))
    with store() as uow:
        closed_then = usage_summary(uow, resolve_actor(uow, None), OCTOBER, today=TODAY)
    assert closed_then.products == open_october.products  # folding == closing
    assert closed_then.balance == open_october.balance
    store.dispose()


def test_invoice_numbers_are_gap_free() -> None:
    assert next_invoice_number([]) == "INV-000001"
    assert next_invoice_number(["INV-000006", "INV-000002", "other"]) == "INV-000007"


# --- properties: the ledger is the truth of every credit balance ----------------------------

ACCOUNT = m.Account(
    "Prop", "USD", "UTC", m.PlanTier.PRO, m.PaymentMethod.CREDIT_CARD, m.CommitScope.PRODUCT
)


@pytest.fixture(scope="module")
def property_store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    store = SqlStore(f"sqlite:///{tmp_path_factory.mktemp('prop') / 's.db'}")
    with store() as uow:
        uow.account.save(ACCOUNT)
        uow.users.add_many(
            [m.User("admin", "Admin", "a@example.com", m.Role.ADMIN)]
            + [m.User(f"a{i}", f"Agent {i}", f"a{i}@example.com", m.Role.AGENT) for i in range(5)]
        )
        uow.commit()
    yield store
    store.dispose()


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    prices=st.lists(st.decimals(min_value=0, max_value=1, places=4), min_size=1, max_size=3),
    minutes=st.lists(
        st.lists(st.integers(0, 50_000), min_size=3, max_size=3), min_size=3, max_size=3
    ),
    commit=st.decimals(min_value=0, max_value=500, places=2),
    frequency=st.sampled_from(list(m.Frequency)),
    purchase=st.decimals(min_value=0, max_value=300, places=2),
    agents=st.integers(0, 5),
)
def test_pool_balances_are_the_sum_of_their_ledger_rows(
    property_store: SqlStore,
    prices: list[Decimal],
    minutes: list[list[int]],
    commit: Decimal,
    frequency: m.Frequency,
    purchase: Decimal,
    agents: int,
) -> None:
    months = [Month(2026, 7), Month(2026, 8), Month(2026, 9)]
    with property_store() as uow:  # never committed: every example rolls back
        products = [
            m.Product(
                f"P{i}",
                f"P{i}",
                m.Unit.MINUTE,
                price,
                D(100),
                i == 0,
                m.Metering.SUM,
                m.Source.CALLS if i == 0 else m.Source.RECORDINGS,
                m.CommitAvailability.ACTIVE,
            )
            for i, price in enumerate(prices[:2])
        ]
        uow.products.add_many(products)
        uow.commits.add_many([m.Commit("P0", commit, frequency, date(2026, 7, 1))])
        uow.agents.add_many([m.AgentSeat(f"a{i}", date(2026, 7, 1)) for i in range(agents)])
        if purchase:
            uow.ledger.add_many(
                [
                    m.LedgerEntry(
                        date(2026, 7, 5), m.LedgerKind.PURCHASE, purchase, pool=CREDITS_POOL
                    )
                ]
            )
        deltas = {}
        for month, per_product in zip(months, minutes, strict=True):
            deltas[(month.first_day, 9, "", "call_minutes")] = D(per_product[0])
            deltas[(month.first_day, 9, "", "recording_minutes")] = D(per_product[1])
        uow.rollups.add(deltas)
        actor = resolve_actor(uow, None)
        for month in months:
            engine = BillingEngine(uow, TODAY)
            rating = engine.rate(month)
            periods = engine.commit_periods(month)
            report = close_month(uow, actor, month, today=TODAY)
            assert not report.already_closed
            ledger = uow.ledger.all()

            def total(pool: str, rows: list[m.LedgerEntry] = ledger) -> Decimal:
                return sum((e.amount for e in rows if e.pool == pool), D(0))

            assert total(CREDITS_POOL) == rating.pools_after[CREDITS_POOL]
            for key, (_c, period) in (
                (f"commit:P0:{p.recharged_on}", (c, p)) for c, p in periods.values()
            ):
                expected = D(0) if period.last_month == month else rating.pools_after[key]
                assert total(key) == expected
            invoiced = -sum((e.amount for e in ledger if e.kind == m.LedgerKind.INVOICE), D(0))
            assert invoiced == sum((i.amount for i in uow.invoices.all()), D(0))
            # closing twice changes nothing
            assert close_month(uow, actor, month, today=TODAY).already_closed
            assert uow.ledger.all() == ledger


# --- golden: peak-day storage and billing months in a non-UTC zone across DST -------------


def _small_workspace(
    store_path: Path, tmp_path: Path, calls: list[str], storage: list[str]
) -> None:
    files = [
        (
            "account",
            write(
                tmp_path / "a.csv",
                "name,currency,timezone,plan,payment_method,commit_scope",
                ["NY,USD,America/New_York,pro,invoice,none"],
            ),
        ),
        (
            "rate-card",
            write(
                tmp_path / "r.csv",
                "code,name,unit,unit_price,free_units_per_agent,contact_center_services,metering,"
                "source,commit",
                [
                    "MIN,Minutes,minute,1.00,0,false,sum,calls,not_available",
                    "STORE,Storage,GB,0.10,0,false,peak_day,storage,not_available",
                ],
            ),
        ),
        ("users", write(tmp_path / "u.csv", "id,name,email,role", ["a,A,a@example.com,admin"])),
        (
            "calls",
            write(
                tmp_path / "c.csv",
                "id,type,triggered_by,trigger_source,candidate_id,campaign,number,user_id,"
                "started_at,duration_seconds",
                calls,
            ),
        ),
        ("storage", write(tmp_path / "s.csv", "day,quantity", storage)),
    ]
    for kind, path in files:
        assert main(["--store", str(store_path), "import", kind, str(path)]) == 0


def _quantities(store: SqlStore, month: Month, today: date) -> dict[str, Decimal]:
    with store() as uow:
        summary = usage_summary(uow, resolve_actor(uow, None), month, today=today)
    return {p.code: p.quantity for p in summary.products}


def test_peak_day_storage_bills_the_highest_day_from_the_28th_to_the_27th(
    store_path: Path, tmp_path: Path
) -> None:
    _small_workspace(
        store_path,
        tmp_path,
        [],
        [
            "2026-09-27,500",  # September's window
            "2026-09-28,100",  # first day of October's window
            "2026-10-15,300",  # October's peak
            "2026-10-27,200",  # last day of October's window
            "2026-10-28,900",  # November's window
            "2026-11-20,50",
        ],
    )
    store = SqlStore(f"sqlite:///{store_path}")
    assert _quantities(store, OCTOBER, TODAY)["STORE"] == D(300)
    assert _quantities(store, Month(2026, 9), TODAY)["STORE"] == D(500)
    # the open month shows storage only from the 28th, when its window is complete
    assert "STORE" not in _quantities(store, Month(2026, 11), date(2026, 11, 27))
    assert _quantities(store, Month(2026, 11), date(2026, 11, 28))["STORE"] == D(900)
    store.dispose()


def test_billing_months_follow_the_account_time_zone_across_the_dst_change(
    store_path: Path, tmp_path: Path
) -> None:
    call = "{0},live,recruiter,Phone,,Fall,,,{1},60"
    _small_workspace(
        store_path,
        tmp_path,
        [
            call.format("oct-last", "2026-11-01T03:30:00Z"),  # 31 Oct 23:30 EDT: October
            call.format("nov-first", "2026-11-01T04:30:00Z"),  # 1 Nov 00:30 EDT: November
            call.format("nov-repeat", "2026-11-01T05:30:00Z"),  # 1 Nov 01:30 EDT
            call.format("nov-after", "2026-11-01T06:30:00Z"),  # 1 Nov 01:30 EST (hour repeats)
            call.format("nov-last", "2026-12-01T04:59:59Z"),  # 30 Nov 23:59:59 EST: November
            call.format("dec-first", "2026-12-01T05:00:00Z"),  # 1 Dec 00:00 EST: December
        ],
        [],
    )
    store = SqlStore(f"sqlite:///{store_path}")
    december = date(2026, 12, 15)
    assert _quantities(store, OCTOBER, december)["MIN"] == D(1)
    assert _quantities(store, Month(2026, 11), december)["MIN"] == D(4)
    assert _quantities(store, Month(2026, 12), december)["MIN"] == D(1)
    store.dispose()


def test_months_older_than_the_closed_history_rate_alone_and_cannot_be_closed(
    store_path: Path, tmp_path: Path
) -> None:
    import_workspace(store_path, tmp_path, {"2026-09": 12_000, "2026-10": 12_000})
    store = SqlStore(f"sqlite:///{store_path}")
    _close(store, Month(2026, 9))
    with store() as uow:
        old = usage_summary(uow, resolve_actor(uow, None), Month(2020, 1), today=TODAY)
    assert not old.closed and old.products == ()  # answers at once: no endless fold
    with pytest.raises(InvalidInput, match="before the last closed month 2026-09"):
        _close(store, Month(2020, 1))
    store.dispose()
