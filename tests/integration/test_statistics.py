"""Usage Data statistics and quotas on a real store (SQLite and PostgreSQL): exact counts per
month in the account's zone across a DST change, the six-month window, the campaign filter,
quotas against this month's usage, their rights, audit and persistence."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Actor
from billing_desktop.domain.errors import InvalidInput, PermissionDenied
from billing_desktop.domain.quotas import AddOnPack, QuotaState, Statistic
from billing_desktop.services import quotas, statistics
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.recording import add_records
from billing_desktop.store.ports import UnitOfWork
from tests.pg_cluster import PgCluster, PostgresMissing

D = Decimal
ZONE = ZoneInfo("America/New_York")  # DST ends on 1 November 2026 at 02:00 local
TODAY = date(2026, 11, 21)
WINDOW = tuple(date(2026, month, 1) for month in range(6, 12))  # June .. November 2026

USERS = [
    m.User("ada", "Ada Admin", "ada@example.com", m.Role.ADMIN),
    m.User("sam", "Sam Supervisor", "sam@example.com", m.Role.SUPERVISOR),
    m.User("shay", "Shared Desk", "desk@example.com", m.Role.SHARED),
    m.User("alex", "Alex Agent", "alex@example.com", m.Role.AGENT),
    m.User("eve", "Eve Editor", "eve@example.com", m.Role.AGENT, (), (m.Privilege.EDIT_BILLING,)),
]


def product(code: str, price: str, source: m.Source, metering: m.Metering) -> m.Product:
    return m.Product(
        code,
        code.title(),
        m.Unit.SESSION,
        D(price),
        D(0),
        False,
        metering,
        source,
        m.CommitAvailability.NOT_AVAILABLE,
    )


PRODUCTS = [
    product("interviews", "0.35", m.Source.INTERVIEWS, m.Metering.COUNT),
    product("sms", "0.0079", m.Source.SMS, m.Metering.COUNT),
    # No product prices recordings: their overage has "no price on the rate card".
]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZONE).astimezone(UTC)


# (completed_at UTC, method): the month each one belongs to in New York is in the comment.
INTERVIEWS = [
    (utc(2026, 5, 31, 12), m.InterviewMethod.PHONE),  # May: before the window
    (utc(2026, 6, 1, 3, 59, 59), m.InterviewMethod.PHONE),  # 31 May 23:59:59 EDT: before
    (utc(2026, 6, 1, 4), m.InterviewMethod.MESSENGER),  # 1 June 00:00 EDT: June
    (utc(2026, 8, 15, 12), m.InterviewMethod.SMS),  # August
    (utc(2026, 8, 15, 13), m.InterviewMethod.SMS),  # August
    (utc(2026, 10, 1, 3, 59, 59, 999_999), m.InterviewMethod.PHONE),  # 30 Sep: September
    (utc(2026, 11, 1, 3, 59, 59), m.InterviewMethod.LANDING_PAGE),  # 31 Oct 23:59:59: October
    (utc(2026, 11, 1, 4), m.InterviewMethod.LANDING_PAGE),  # 1 Nov 00:00 EDT: November
    (utc(2026, 11, 1, 6, 30), m.InterviewMethod.PHONE),  # 1 Nov 01:30 EST (after DST)
    (utc(2026, 11, 20, 15), m.InterviewMethod.MESSENGER),  # November
    (utc(2026, 12, 1, 4, 59, 59), m.InterviewMethod.PHONE),  # 30 Nov 23:59:59 EST: November
    (utc(2026, 12, 1, 5), m.InterviewMethod.PHONE),  # 1 Dec 00:00 EST: after the window
]
EXPECTED_INTERVIEWS = {
    "messenger": (1, 0, 0, 0, 0, 1),
    "phone": (0, 0, 0, 1, 0, 2),
    "sms": (0, 0, 2, 0, 0, 0),
    "landing_page": (0, 0, 0, 0, 1, 1),
}

SMS_TYPES = ["Invitation"] * 6 + ["Reminder"] * 4 + ["Shortlisted"] * 3 + ["Custom"] * 2
SMS_TYPES += ["Rejection", "Offer", "Survey"]  # three types of one message each

RECORDINGS = [
    ("Spring", D("0.1"), utc(2026, 9, 3, 12)),
    ("Spring", D("0.2"), utc(2026, 9, 4, 12)),  # 0.1 + 0.2 must be exactly 0.3
    ("Spring", D("12.345678"), utc(2026, 11, 1, 4)),  # first instant of November
    ("Autumn", D("0.000001"), utc(2026, 11, 1, 3, 59, 59)),  # still October locally
    ("Autumn", D("45"), utc(2026, 11, 30, 23)),
    ("Autumn", D("7.5"), utc(2026, 5, 1, 12)),  # before the window
]


def fill(uow: UnitOfWork) -> None:
    uow.account.save(
        m.Account(
            "Acme Recruiting",
            "USD",
            "America/New_York",
            m.PlanTier.PRO,
            m.PaymentMethod.CREDIT_CARD,
            m.CommitScope.PRODUCT,
        )
    )
    uow.products.add_many(PRODUCTS)
    uow.users.add_many(USERS)
    add_records(
        uow,
        "interviews",
        [
            m.Interview(f"int-{i:03}", method, "Spring", at)
            for i, (at, method) in enumerate(INTERVIEWS)
        ],
    )
    add_records(
        uow,
        "sms",
        [
            m.Sms(f"sms-{i:03}", kind, "Spring", local(2026, 10 + i % 2, 2 + i, 10))
            for i, kind in enumerate(SMS_TYPES)
        ],
    )
    add_records(
        uow,
        "recordings",
        [
            m.Recording(f"rec-{i:03}", campaign, minutes, at)
            for i, (campaign, minutes, at) in enumerate(RECORDINGS)
        ],
    )


@pytest.fixture(scope="module")
def pg_cluster() -> Iterator[PgCluster]:
    try:
        cluster = PgCluster.start()
    except PostgresMissing as exc:  # fail, never skip: .ci/run installs PostgreSQL
        pytest.fail(str(exc))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def filled(request: pytest.FixtureRequest, store: SqlStore) -> Iterator[SqlStore]:
    """The workspace above, in SQLite and in PostgreSQL (the queries are portable SQL)."""
    if request.param == "sqlite":
        opened = store
        close = None
    else:
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        name = cluster.create_database("statistics")
        opened = SqlStore(cluster.url(name))

        def close() -> None:
            opened.dispose()
            cluster.drop_database(name)

    with opened() as uow:
        fill(uow)
        uow.commit()
    try:
        yield opened
    finally:
        if close is not None:
            close()


def as_user(store: SqlStore, user: str | None = None) -> Actor:
    with store() as uow:
        return resolve_actor(uow, user)


def read(store: SqlStore, service: Any, *args: Any, **kwargs: Any) -> Any:
    with store() as uow:
        return service(uow, *args, **kwargs)


# -- statistics ----------------------------------------------------------------------------------


def test_the_window_is_the_six_months_ending_with_this_month() -> None:
    assert tuple(m.first_day for m in statistics.window(TODAY)) == WINDOW
    assert statistics.window(date(2026, 2, 1))[0].first_day == date(2025, 9, 1)
    bounds = statistics.month_bounds(statistics.window(TODAY), ZONE)
    assert bounds[0] == utc(2026, 6, 1, 4)  # EDT
    assert bounds[-2] == utc(2026, 11, 1, 4)  # November starts on summer time...
    assert bounds[-1] == utc(2026, 12, 1, 5)  # ...and ends on winter time


def test_interviews_per_month_and_method_in_the_account_zone(filled: SqlStore) -> None:
    result = read(filled, statistics.interview_statistics, as_user(filled), TODAY)
    assert result.months == WINDOW
    assert result.zone == "America/New_York"
    assert [s.label for s in result.series] == ["Messenger", "Phone", "SMS", "Landing Page"]
    assert {s.key: s.values for s in result.series} == EXPECTED_INTERVIEWS
    assert result.totals == (1, 0, 2, 1, 1, 4)
    assert result.total == 9 and not result.empty


def test_an_earlier_window_moves_every_month(filled: SqlStore) -> None:
    result = read(filled, statistics.interview_statistics, as_user(filled), date(2026, 10, 5))
    assert result.months[0] == date(2026, 5, 1) and result.months[-1] == date(2026, 10, 1)
    assert result.totals == (2, 1, 0, 2, 1, 1)  # May .. October


def test_a_window_without_records_is_empty_but_keeps_its_series(filled: SqlStore) -> None:
    result = read(filled, statistics.interview_statistics, as_user(filled), date(2030, 1, 1))
    assert result.empty and result.totals == (0,) * 6
    assert len(result.series) == 4


def test_sms_per_month_by_type_with_the_smallest_types_summed(filled: SqlStore) -> None:
    result = read(filled, statistics.sms_statistics, as_user(filled), TODAY)
    labels = [s.label for s in result.series]
    # Seven types, biggest first: five keep their own series (of the three one-message types
    # only the first by name, Offer), the other two are summed as "Other types".
    assert labels == ["Invitation", "Reminder", "Shortlisted", "Custom", "Offer", "Other types"]
    by_label = {s.label: s.values for s in result.series}
    expected: dict[str, list[int]] = {}
    for i, kind in enumerate(SMS_TYPES):
        label = kind if kind in labels else "Other types"
        month = 4 + i % 2  # October or November
        expected.setdefault(label, [0] * 6)[month] += 1
    assert by_label == {k: tuple(v) for k, v in expected.items()}
    assert result.total == len(SMS_TYPES)


def test_recorded_minutes_are_exact_per_month_and_per_campaign(filled: SqlStore) -> None:
    every = read(filled, statistics.recording_statistics, as_user(filled), None, TODAY)
    assert every.months == WINDOW
    assert every.minutes == (D(0), D(0), D(0), D("0.3"), D("0.000001"), D("57.345678"))
    assert every.recordings == (0, 0, 0, 2, 1, 2)
    assert every.total_minutes == D("57.645679")
    assert every.campaigns == ("Autumn", "Spring")
    assert every.campaign is None
    autumn = read(filled, statistics.recording_statistics, as_user(filled), "Autumn", TODAY)
    assert autumn.minutes == (D(0), D(0), D(0), D(0), D("0.000001"), D(45))
    assert autumn.recordings == (0, 0, 0, 0, 1, 1)
    assert autumn.campaign == "Autumn"
    nobody = read(filled, statistics.recording_statistics, as_user(filled), "Winter", TODAY)
    assert nobody.empty and nobody.total_minutes == 0


@pytest.mark.parametrize(
    "service",
    [
        statistics.interview_statistics,
        statistics.sms_statistics,
        statistics.recording_statistics,
        quotas.quota_overview,
    ],
)
def test_users_without_usage_data_rights_are_refused(store: SqlStore, service: Any) -> None:
    with store() as uow:
        fill(uow)
        uow.commit()
    with pytest.raises(PermissionDenied, match="Usage Data"):
        read(store, service, as_user(store, "alex"))
    read(store, service, as_user(store, "shay"))  # shared-account users may look


# -- quotas --------------------------------------------------------------------------------------


def overview(store: SqlStore, user: str | None = None) -> quotas.QuotaOverview:
    result: quotas.QuotaOverview = read(store, quotas.quota_overview, as_user(store, user), TODAY)
    return result


def set_quota(store: SqlStore, user: str | None, statistic: str, value: int | None) -> Any:
    with store() as uow:
        change = quotas.set_quota(uow, resolve_actor(uow, user), statistic, value)
        uow.commit()
        return change


def test_usage_this_month_comes_from_the_rollups_in_the_account_zone(filled: SqlStore) -> None:
    view = overview(filled)
    assert view.month == date(2026, 11, 1) and view.currency == "USD"
    assert view.line("interviews").usage == 4
    assert view.line("sms").usage == 9  # the odd-numbered messages, sent in November
    assert view.line("recording_minutes").usage == D("57.345678")
    assert all(line.quota is None for line in view.lines)
    assert all(line.state == QuotaState.UNSET and not line.message for line in view.lines)
    assert view.warnings == ()


@pytest.mark.parametrize(
    ("quota", "state", "percent"),
    [
        (12, QuotaState.OK, 75),  # 9 of 12
        (11, QuotaState.WARNING, 81),
        (9, QuotaState.WARNING, 100),  # reached, no cost yet
        (8, QuotaState.EXCEEDED, 112),
    ],
)
def test_quota_states_and_the_cost_beyond(
    store: SqlStore, quota: int, state: QuotaState, percent: int
) -> None:
    with store() as uow:
        fill(uow)
        uow.commit()
    set_quota(store, "ada", "sms", quota)
    line = overview(store).line(Statistic.SMS)
    assert (line.quota, line.state, line.percent) == (quota, state, percent)
    assert line.price is not None and line.price.product_code == "sms"
    if state == QuotaState.EXCEEDED:
        assert line.beyond == 1
        assert line.cost_beyond == D("0.01")  # 1 x 0.0079, half-up
        assert "Quota exceeded" in line.message and "$0.01 at list price" in line.message
    else:
        assert line.beyond == 0 and line.cost_beyond == D("0.00")
    if state == QuotaState.WARNING:
        assert "$0.0079 per message" in line.message
    if state == QuotaState.OK:
        assert line.message == ""


def test_a_statistic_without_a_product_has_no_price_on_the_rate_card(filled: SqlStore) -> None:
    set_quota(filled, None, "recording_minutes", 50)
    line = overview(filled).line("recording_minutes")
    assert line.state == QuotaState.EXCEEDED and line.beyond == D("7.345678")
    assert line.price is None and line.cost_beyond is None
    assert "no price on the rate card" in line.message
    assert overview(filled).warnings[0].statistic == Statistic.RECORDING_MINUTES


def test_quotas_persist_and_every_change_is_audited(filled: SqlStore) -> None:
    first = set_quota(filled, "ada", "interviews", 1_000)
    assert first.before is None and first.after == 1_000
    second = set_quota(filled, "eve", "interviews", 5)  # Edit Billing access group
    assert second.summary() == "Completed interviews: the monthly quota is now 5 interviews."
    with filled() as uow:  # a new unit of work reads them back
        assert quotas.stored_quotas(uow) == {Statistic.INTERVIEWS: 5}
        audit = [a for a in uow.audit.recent(10) if a.action == "usage-quota.set"]
    assert [(a.actor, a.before, a.after) for a in reversed(audit)] == [
        ("ada", {"quota": None}, {"quota": 1_000}),
        ("eve", {"quota": 1_000}, {"quota": 5}),
    ]
    assert audit[0].entity == "settings" and audit[0].entity_id == "usage_quotas.interviews"
    removed = set_quota(filled, "ada", "interviews", None)
    assert removed.after is None and "removed" in removed.summary()
    assert overview(filled).line("interviews").quota is None


def test_a_change_not_committed_leaves_neither_quota_nor_audit(filled: SqlStore) -> None:
    with filled() as uow:
        quotas.set_quota(uow, resolve_actor(uow, "ada"), "sms", 10)  # no commit
    with filled() as uow:
        assert quotas.stored_quotas(uow) == {}
        assert not [a for a in uow.audit.recent(10) if a.action == "usage-quota.set"]


@pytest.mark.parametrize("user", ["sam", "shay", "alex"])
def test_only_who_may_edit_usage_billing_sets_quotas(filled: SqlStore, user: str) -> None:
    with pytest.raises(PermissionDenied, match="set usage quotas"):
        set_quota(filled, user, "sms", 10)
    with filled() as uow:
        assert quotas.stored_quotas(uow) == {}
    if user != "alex":
        assert overview(filled, user).edit_refusal == quotas.EDIT_REFUSAL
    assert overview(filled, "ada").can_edit and overview(filled, "eve").can_edit


def test_bad_quotas_are_refused_naming_the_statistic(filled: SqlStore) -> None:
    with pytest.raises(InvalidInput, match=r"^Monthly quota of SMS messages: give 0 or more"):
        set_quota(filled, "ada", "sms", -1)
    with pytest.raises(InvalidInput, match="not a statistic"):
        set_quota(filled, "ada", "calls", 10)


def test_packs_are_stored_in_minor_units_listed_and_audited(filled: SqlStore) -> None:
    packs = [AddOnPack("SMS 1,000", 1_000, D("7.00")), AddOnPack("SMS 10,000", 10_000, D("60"))]
    with filled() as uow:
        stored = quotas.set_packs(uow, resolve_actor(uow, "ada"), "sms", packs)
        uow.commit()
    assert stored[1].price == D("60")
    with filled() as uow:
        assert uow.settings.get(quotas.PACKS_KEY) == {
            "interviews": [],
            "sms": [
                {"name": "SMS 1,000", "volume": 1_000, "price_minor": 700},
                {"name": "SMS 10,000", "volume": 10_000, "price_minor": 6_000},
            ],
            "recording_minutes": [],
        }
        audit = [a for a in uow.audit.recent(5) if a.action == "usage-packs.set"]
    assert audit[0].after is not None and audit[0].after["currency"] == "USD"
    assert overview(filled).line("sms").packs == (
        AddOnPack("SMS 1,000", 1_000, D("7.00")),
        AddOnPack("SMS 10,000", 10_000, D("60.00")),
    )
    with pytest.raises(InvalidInput, match="listed twice"), filled() as uow:
        quotas.set_packs(uow, resolve_actor(uow, "ada"), "sms", [packs[0], packs[0]])
    with pytest.raises(PermissionDenied), filled() as uow:
        quotas.set_packs(uow, resolve_actor(uow, "sam"), "sms", packs)


def test_the_large_sum_of_recorded_minutes_stays_exact(store: SqlStore) -> None:
    with store() as uow:
        fill(uow)
        minutes = [D("0.01") * (i % 4500 + 1) + D("0.000001") * (i % 7) for i in range(3_000)]
        start = utc(2026, 11, 2, 12)
        add_records(
            uow,
            "recordings",
            [
                m.Recording(f"big-{i:05}", "Bulk", value, start + timedelta(seconds=i))
                for i, value in enumerate(minutes)
            ],
        )
        uow.commit()
    bulk = read(store, statistics.recording_statistics, as_user(store), "Bulk", TODAY)
    assert bulk.minutes[-1] == sum(minutes, D(0))
    assert bulk.recordings[-1] == 3_000
