"""Hourly usage rollups stay in step with the raw records (PERFORMANCE.md B2): written together
by imports and the demo, rolled back together, computed for stores upgraded from revision 0002,
and closed months refuse late records (PRODUCT §4.5)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import ImportFailed, InvalidInput
from billing_desktop.domain.metering import rollup_deltas
from billing_desktop.services import imports
from billing_desktop.services.imports import import_file
from billing_desktop.services.recording import ROLLUP_KINDS, UsageRecord, add_records
from billing_desktop.store.ports import ClosedMonth, UnitOfWork
from billing_desktop.store.sql.engine import create_engine, current_revision, migrate
from billing_desktop.store.sql.types import to_micros

ZONE_NAME = "America/New_York"
ZONE = ZoneInfo(ZONE_NAME)
ACCOUNT = m.Account(
    "Acme", "USD", ZONE_NAME, m.PlanTier.PRO, m.PaymentMethod.INVOICE, m.CommitScope.PRODUCT
)
USERS = [m.User("u1", "Ann", "ann@example.com", m.Role.ADMIN)]
PLANS = [m.Plan("basic", "Basic", Decimal("49.00"), 1000, 1)]
APPS = [
    m.App("bot1", "Helper", "u1", "basic", m.AppStatus.ACTIVE, Decimal("0")),
    m.App("bot2", "Greeter", "u1", "basic", m.AppStatus.ACTIVE, Decimal("0")),
]


def _utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _seed(store: SqlStore, *, account: bool = True) -> None:
    with store() as uow:
        uow.users.add_many(USERS)
        if account:  # plans and apps hold amounts in the account's currency
            uow.account.save(ACCOUNT)
            uow.plans.add_many(PLANS)
            uow.apps.add_many(APPS)
        uow.commit()


def _close(store: SqlStore, *months: date) -> None:
    with store() as uow:
        for month in months:
            uow.closing.add(ClosedMonth(month, datetime.now(UTC), "test", None), [])
        uow.commit()


def _records() -> dict[str, list[UsageRecord]]:
    """A few records of every rolled-up kind, around the end of DST (2026-11-01 in New York)."""
    start = _utc(2026, 11, 1, 5, 30)  # 01:30 EDT, the first of the two 01:30s
    return {
        "conversations": [
            m.Conversation("cv1", "bot1", m.Channel.CHAT, start, start + timedelta(minutes=31), 0),
            m.Conversation(
                "cv2",
                "bot2",
                m.Channel.VOICE,
                start + timedelta(hours=1),  # 01:30 EST, the second one
                start + timedelta(hours=1, minutes=30),
                600,
            ),
        ],
        "alerts": [m.Alert("al1", "bot1", "u1", start), m.Alert("al2", "bot2", "u1", start)],
        "calls": [
            m.Call(
                "c1",
                m.CallType.LIVE,
                m.TriggeredBy.RECRUITER,
                "Email",
                None,
                "Spring",
                None,
                None,
                _utc(2026, 10, 31, 23, 59, 59),
                61,
            )
        ],
        "sms": [m.Sms("s1", "Invitation", "Spring", start)],
        "interviews": [m.Interview("i1", m.InterviewMethod.SMS, "Spring", start)],
        "recordings": [m.Recording("r1", "Spring", Decimal("2.125"), start)],
    }


def _rollup_rows(uow: UnitOfWork) -> dict[tuple[date, int, str, str], Decimal]:
    span = uow.rollups.span()
    if span is None:
        return {}
    found: dict[tuple[date, int, str, str], Decimal] = {}
    for app in {a.id for a in uow.apps.all()} | {""}:
        measures = list(uow.rollups.totals(*span, app=app))
        for row in uow.rollups.rows(*span, measures, app=app):
            found[(row.day, row.hour, app, row.measure)] = row.quantity
    return found


def _expected(records: Iterable[object]) -> dict[tuple[date, int, str, str], Decimal]:
    return {key: value for key, value in rollup_deltas(records, ZONE).items() if value}


# --- add_records ------------------------------------------------------------------------------


def test_records_and_their_rollups_are_written_together(store: SqlStore) -> None:
    _seed(store)
    records = _records()
    with store() as uow:
        for kind, batch in records.items():
            add_records(uow, kind, batch)
        uow.commit()
    with store() as uow:
        assert _rollup_rows(uow) == _expected(r for batch in records.values() for r in batch)
        assert uow.calls.count() == 1 and uow.conversations.count() == 2
        # The call at 19:59:59 local on Oct 31 is in October, 2 started minutes.
        assert uow.rollups.totals(date(2026, 10, 31), date(2026, 10, 31))["call_minutes"] == 2
        # Both 01:30s of Nov 1 land in local hour 1.
        hour_one = uow.rollups.rows(date(2026, 11, 1), date(2026, 11, 1), ["conversations"])
        assert [(r.hour, r.quantity) for r in hour_one] == [(1, Decimal(2))]


def test_adding_in_two_batches_gives_the_same_rollups(store: SqlStore) -> None:
    _seed(store)
    calls = [
        m.Call(f"c{i}", m.CallType.AUTOCALL, m.TriggeredBy.CANDIDATE, "Email", None, "Spring",
               None, None, _utc(2026, 10, 5, 13) + timedelta(minutes=7 * i), 30 + 17 * i)
        for i in range(40)
    ]  # fmt: skip
    with store() as uow:
        add_records(uow, "calls", calls[:13])
        add_records(uow, "calls", calls[13:])
        uow.commit()
    with store() as uow:
        assert _rollup_rows(uow) == _expected(calls)


def test_records_need_the_account(store: SqlStore) -> None:
    _seed(store, account=False)
    with (
        store() as uow,
        pytest.raises(InvalidInput, match="import the account first: usage is rolled up by"),
    ):
        add_records(uow, "sms", _records()["sms"])


def test_only_rolled_up_kinds_go_through_add_records(store: SqlStore) -> None:
    _seed(store)
    with store() as uow, pytest.raises(ValueError, match="'storage' records are not rolled up"):
        add_records(uow, "storage", [])


def test_a_closed_month_refuses_records(store: SqlStore) -> None:
    _seed(store)
    _close(store, date(2026, 10, 1))
    with (
        store() as uow,
        pytest.raises(InvalidInput, match=r"^2026-10 is closed; late records for a closed month"),
    ):
        add_records(uow, "calls", _records()["calls"])
    with store() as uow:
        add_records(uow, "sms", _records()["sms"])  # November: open
        uow.commit()
        assert uow.calls.count() == 0 and uow.sms.count() == 1


# --- imports ----------------------------------------------------------------------------------

HEADERS = {
    "conversations": "id,app,channel,started_at,ended_at,human_agent_seconds",
    "alerts": "id,app,user_id,delivered_at",
    "calls": "id,type,triggered_by,trigger_source,candidate_id,campaign,number,user_id,"
    "started_at,duration_seconds",
    "sms": "id,type,campaign,sent_at",
    "interviews": "id,method,campaign,completed_at",
    "recordings": "id,campaign,minutes,recorded_at",
    "storage": "day,quantity",
    "agents": "user_id,started_on,ended_on",
}
ROWS = {
    "conversations": (
        "cv1,bot1,chat,2026-09-30T23:00:00-04:00,2026-09-30T23:31:00-04:00,0",
        "cv2,bot2,voice,2026-10-01T09:00:00-04:00,2026-10-01T09:30:00-04:00,600",
    ),
    "alerts": ("al1,bot1,u1,2026-09-30T12:00:00Z", "al2,bot2,u1,2026-10-01T12:00:00Z"),
    "calls": (
        "c1,live,recruiter,Email,,Spring,,,2026-09-30T23:59:59-04:00,61",
        "c2,autocall,candidate,SMS,,Spring,,,2026-10-01T04:00:00Z,59",
    ),
    "sms": ("s1,Invitation,Spring,2026-09-30T12:00:00Z", "s2,Reminder,Spring,2026-10-02T12:00Z"),
    "interviews": ("i1,phone,Spring,2026-09-30T12:00:00Z", "i2,sms,Spring,2026-10-02T12:00:00Z"),
    "recordings": (
        "r1,Spring,1.25,2026-09-30T12:00:00Z",
        "r2,Spring,0.000001,2026-10-02T12:00:00Z",
    ),
}
BAD_LAST = {
    "conversations": "cv9,bot1,chat,2026-10-01T09:00:00Z,2026-10-01T08:00:00Z,0",
    "alerts": "al9,bot1,u1,yesterday",
    "calls": "c9,live,recruiter,Email,,Spring,,,2026-10-01T04:00:00Z,abc",
    "sms": "s9,Invitation,Spring,",
    "interviews": "i9,email,Spring,2026-10-02T12:00:00Z",
    "recordings": "r9,Spring,1.0000001,2026-10-02T12:00:00Z",
}


def _write(tmp_path: Path, kind: str, *rows: str) -> Path:
    path = tmp_path / f"{kind}.csv"
    path.write_text("\n".join([HEADERS[kind], *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ROLLUP_KINDS)
def test_an_import_writes_the_rollups_of_its_records(
    store: SqlStore, tmp_path: Path, kind: str
) -> None:
    _seed(store)
    import_file(store, kind, _write(tmp_path, kind, *ROWS[kind]))
    with store() as uow:
        stored = getattr(uow, kind).all()
        assert len(stored) == 2
        assert _rollup_rows(uow) == _expected(stored)
    # Importing the same file again skips every row and adds nothing to the rollups.
    import_file(store, kind, _write(tmp_path, kind, *ROWS[kind]))
    with store() as uow:
        assert _rollup_rows(uow) == _expected(getattr(uow, kind).all())


@pytest.mark.parametrize("kind", ROLLUP_KINDS)
def test_a_bad_last_line_rolls_the_rollups_back_with_the_records(
    store: SqlStore, tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)  # the good rows are written before the bad one
    _seed(store)
    with pytest.raises(ImportFailed, match=f"^{kind}.csv, line 4, column "):
        import_file(store, kind, _write(tmp_path, kind, *ROWS[kind], BAD_LAST[kind]))
    with store() as uow:
        assert getattr(uow, kind).count() == 0
        assert uow.rollups.span() is None


@pytest.mark.parametrize("kind", ROLLUP_KINDS)
def test_record_imports_need_the_account(store: SqlStore, tmp_path: Path, kind: str) -> None:
    _seed(store, account=False)
    with pytest.raises(ImportFailed) as raised:
        import_file(store, kind, _write(tmp_path, kind, *ROWS[kind]))
    assert str(raised.value) == (
        f"{kind}.csv: the store has no account yet; import the account first: usage is rolled "
        "up by the account's time zone"
    )


def test_recording_minutes_keep_at_most_six_decimals(store: SqlStore, tmp_path: Path) -> None:
    _seed(store)
    with pytest.raises(ImportFailed) as raised:
        import_file(store, "recordings", _write(tmp_path, "recordings", BAD_LAST["recordings"]))
    assert str(raised.value) == (
        "recordings.csv, line 2, column 'minutes': '1.0000001' has more than 6 decimals"
    )


# --- late records for a closed month (PRODUCT §4.5) -------------------------------------------

LATE = "is closed; late records for a closed month are reported, not merged"


@pytest.mark.parametrize(
    ("kind", "column"),
    [
        ("conversations", "started_at"),
        ("alerts", "delivered_at"),
        ("calls", "started_at"),
        ("sms", "sent_at"),
        ("interviews", "completed_at"),
        ("recordings", "recorded_at"),
    ],
)
def test_a_record_in_a_closed_month_is_refused(
    store: SqlStore, tmp_path: Path, kind: str, column: str
) -> None:
    # The first row of each kind is on September 30 local time (October 1 in UTC for some).
    _seed(store)
    _close(store, date(2026, 9, 1))
    with pytest.raises(ImportFailed) as raised:
        import_file(store, kind, _write(tmp_path, kind, *ROWS[kind]))
    assert raised.value.errors == [f"{kind}.csv, line 2, column '{column}': 2026-09 {LATE}"]
    with store() as uow:
        assert getattr(uow, kind).count() == 0 and uow.rollups.span() is None


def test_stored_records_of_a_closed_month_are_still_skipped(
    store: SqlStore, tmp_path: Path
) -> None:
    """Re-importing a file is idempotent even after its month closed: only new rows are late."""
    _seed(store)
    import_file(store, "calls", _write(tmp_path, "calls", *ROWS["calls"]))
    _close(store, date(2026, 9, 1))
    report = import_file(store, "calls", _write(tmp_path, "calls", *ROWS["calls"]))
    assert (report.added, report.skipped) == (0, 2)
    late = ROWS["calls"][0].replace("c1,", "c7,")
    with pytest.raises(ImportFailed) as raised:
        import_file(store, "calls", _write(tmp_path, "calls", *ROWS["calls"], late))
    assert str(raised.value) == f"calls.csv, line 4, column 'started_at': 2026-09 {LATE}"


@pytest.mark.parametrize(
    ("closed", "day", "refused"),
    [
        (date(2026, 9, 1), "2026-09-15", "2026-09"),  # its calendar month (sum metering)
        (date(2026, 9, 1), "2026-09-28", "2026-09"),
        (date(2026, 10, 1), "2026-09-28", "2026-10"),  # October's peak-day window: 09-28..10-27
        (date(2026, 10, 1), "2026-09-27", None),
        (date(2026, 9, 1), "2026-10-01", None),
    ],
)
def test_storage_days_of_a_closed_month_are_refused(
    store: SqlStore, tmp_path: Path, closed: date, day: str, refused: str | None
) -> None:
    with store() as uow:
        uow.account.save(ACCOUNT)
        uow.commit()
    _close(store, closed)
    path = _write(tmp_path, "storage", f"{day},12.5")
    if refused is None:
        assert import_file(store, "storage", path).added == 1
        return
    with pytest.raises(ImportFailed) as raised:
        import_file(store, "storage", path)
    assert str(raised.value) == f"storage.csv, line 2, column 'day': {refused} {LATE}"


@pytest.mark.parametrize(
    ("row", "refused"),
    [
        ("u1,2026-09-10,", "2026-09"),
        ("u1,2026-01-01,2026-09-01", "2026-09"),
        ("u1,2026-08-01,2026-08-31", None),
        ("u1,2026-10-01,", None),
    ],
)
def test_agent_seats_reaching_into_a_closed_month_are_refused(
    store: SqlStore, tmp_path: Path, row: str, refused: str | None
) -> None:
    _seed(store)
    _close(store, date(2026, 9, 1))
    path = _write(tmp_path, "agents", row)
    if refused is None:
        assert import_file(store, "agents", path).added == 1
        return
    with pytest.raises(ImportFailed) as raised:
        import_file(store, "agents", path)
    assert str(raised.value) == f"agents.csv, line 2, column 'started_on': {refused} {LATE}"


# --- stores upgraded from revision 0002 -------------------------------------------------------


def test_an_upgraded_store_gets_the_rollups_of_its_records(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate(engine, "0002")
    records = _records()
    conversations = [r for r in records["conversations"] if isinstance(r, m.Conversation)]
    calls = [r for r in records["calls"] if isinstance(r, m.Call)]
    recordings = [r for r in records["recordings"] if isinstance(r, m.Recording)]
    alerts = [r for r in records["alerts"] if isinstance(r, m.Alert)]
    sms = [r for r in records["sms"] if isinstance(r, m.Sms)]
    interviews = [r for r in records["interviews"] if isinstance(r, m.Interview)]
    # A human-only conversation (0 sessions) and one with a part second (not a started second).
    start = _utc(2026, 10, 5, 13)
    conversations += [
        m.Conversation("cv3", "bot1", m.Channel.CHAT, start, start + timedelta(minutes=5), 300),
        m.Conversation(
            "cv4", "bot1", m.Channel.VOICE, start, start + timedelta(seconds=900, microseconds=5), 0
        ),
    ]
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO account (id, name, currency, timezone, plan, payment_method, "
                "commit_scope) VALUES (1, 'Acme', 'USD', :zone, 'pro', 'invoice', 'product')"
            ),
            {"zone": ZONE_NAME},
        )
        conn.execute(
            sa.text(
                "INSERT INTO users (id, name, email, role, access_groups) "
                "VALUES ('u1', 'Ann', 'ann@example.com', 'admin', '')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO plans (code, name, monthly_price_minor, included_sessions, rank) "
                "VALUES ('basic', 'Basic', 4900, 1000, 1)"
            )
        )
        for app in ("bot1", "bot2"):
            conn.execute(
                sa.text(
                    "INSERT INTO apps (id, name, owner_user_id, plan, status, balance_minor) "
                    "VALUES (:id, :id, 'u1', 'basic', 'active', 0)"
                ),
                {"id": app},
            )
        for c in conversations:
            conn.execute(
                sa.text(
                    "INSERT INTO conversations VALUES (:id, :app, :channel, :started, :ended, "
                    ":human)"
                ),
                {"id": c.id, "app": c.app, "channel": c.channel.value,
                 "started": to_micros(c.started_at), "ended": to_micros(c.ended_at),
                 "human": c.human_agent_seconds},
            )  # fmt: skip
        for call in calls:
            conn.execute(
                sa.text(
                    "INSERT INTO calls (id, type, triggered_by, trigger_source, campaign, "
                    "started_at, duration_seconds) VALUES (:id, 'live', 'recruiter', 'Email', "
                    "'Spring', :started, :duration)"
                ),
                {"id": call.id, "started": to_micros(call.started_at),
                 "duration": call.duration_seconds},
            )  # fmt: skip
        for alert in alerts:
            conn.execute(
                sa.text("INSERT INTO alerts VALUES (:id, :app, 'u1', :at)"),
                {"id": alert.id, "app": alert.app, "at": to_micros(alert.delivered_at)},
            )
        for recording in recordings:
            conn.execute(
                sa.text("INSERT INTO recordings VALUES (:id, 'Spring', :minutes, :at)"),
                {"id": recording.id, "minutes": str(recording.minutes),
                 "at": to_micros(recording.recorded_at)},
            )  # fmt: skip
        for message in sms:
            conn.execute(
                sa.text("INSERT INTO sms VALUES (:id, 'Invitation', 'Spring', :at)"),
                {"id": message.id, "at": to_micros(message.sent_at)},
            )
        for interview in interviews:
            conn.execute(
                sa.text("INSERT INTO interviews VALUES (:id, 'sms', 'Spring', :at)"),
                {"id": interview.id, "at": to_micros(interview.completed_at)},
            )
    engine.dispose()

    store = SqlStore(f"sqlite:///{path}")  # opening upgrades to the newest revision
    try:
        assert current_revision(store.engine) != "0002"
        with store() as uow:
            stored = [r for kind in ROLLUP_KINDS for r in getattr(uow, kind).all()]
            assert len(stored) == 10
            assert _rollup_rows(uow) == _expected(stored)
    finally:
        store.dispose()


def test_an_upgraded_store_without_an_account_has_no_rollups(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate(engine, "0002")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO calls (id, type, triggered_by, trigger_source, campaign, started_at, "
                "duration_seconds) VALUES ('c1', 'live', 'recruiter', 'Email', 'Spring', "
                "1790000000000000, 61)"
            )
        )
    engine.dispose()
    store = SqlStore(f"sqlite:///{path}")
    try:
        with store() as uow:
            assert uow.calls.count() == 1 and uow.rollups.span() is None
    finally:
        store.dispose()
