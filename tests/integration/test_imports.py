"""CSV imports (PRODUCT §10, §12): every kind in and back out, all-or-nothing, idempotent,
errors naming file, line and column."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import ImportFailed, InvalidInput, PermissionDenied
from billing_desktop.domain.quotas import PackPrice, Statistic
from billing_desktop.domain.receivables import BankLine
from billing_desktop.services import imports
from billing_desktop.services.imports import KINDS, columns_of, import_file
from billing_desktop.services.quotas import PackCollection
from billing_desktop.services.task_state import Cancelled, Progress, TaskState
from billing_desktop.store.ports import UnitOfWork
from billing_desktop.store.sql import repositories

# --- a workspace to import into -------------------------------------------------------------

# fmt: off
ACCOUNT = m.Account(
    "Acme", "USD", "Europe/Berlin", m.PlanTier.PRO, m.PaymentMethod.INVOICE, m.CommitScope.PRODUCT
)
USERS = [
    m.User("u1", "Ann", "ann@example.com", m.Role.ADMIN),
    m.User("u2", "Bob", "bob@example.com", m.Role.AGENT),
    m.User("s1", "Sue", "sue@example.com", m.Role.SUPERVISOR),
]
PRODUCTS = [
    m.Product("SMS", "SMS", m.Unit.MESSAGE, Decimal("0.01"), Decimal("0"), False,
              m.Metering.COUNT, m.Source.SMS, m.CommitAvailability.NOT_AVAILABLE),
    m.Product("VOICE", "Voice minutes", m.Unit.MINUTE, Decimal("0.0125"), Decimal("1000"), True,
              m.Metering.SUM, m.Source.CALLS, m.CommitAvailability.ACTIVE),
]
PLANS = [m.Plan("basic", "Basic", Decimal("49.00"), 1000, 1)]
APPS = [m.App("bot1", "Helper", "u1", "basic", m.AppStatus.ACTIVE, Decimal("10.00"))]
# fmt: on


def _seed(store: SqlStore, needs: tuple[str, ...]) -> None:
    with store() as uow:
        if "account" in needs:
            uow.account.save(ACCOUNT)
        if "products" in needs:
            uow.products.add_many(PRODUCTS)
        if "users" in needs:
            uow.users.add_many(USERS)
        if "plans" in needs:
            uow.plans.add_many(PLANS)
        if "apps" in needs:
            uow.apps.add_many(APPS)
        uow.commit()


def _write(tmp_path: Path, name: str, header: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8", newline="")
    return path


def _stored(uow: UnitOfWork, kind: str) -> list[object]:
    if kind == "account":
        account = uow.account.get()
        return [] if account is None else [account]
    if kind == "packs":
        return list(PackCollection(uow).all())
    collection = {"rate-card": "products", "payments": "bank_lines"}.get(kind, kind)
    return list(getattr(uow, collection).all())


def _failure(store: SqlStore, kind: str, path: Path, **kwargs: object) -> ImportFailed:
    with pytest.raises(ImportFailed) as raised:
        import_file(store, kind, path, **kwargs)  # type: ignore[arg-type]
    return raised.value


# --- one good file and one bad row per kind ---------------------------------------------------


@dataclass(frozen=True)
class Case:
    needs: tuple[str, ...]
    header: str
    rows: tuple[str, ...]  # good rows
    stored: tuple[object, ...]  # what the store holds afterwards, in key order
    bad_row: str
    bad_column: str
    bad_message: str


def _utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# Tables of data, laid out by hand to be read across.
# fmt: off
CASES: dict[str, Case] = {
    "account": Case(
        (),
        "name,currency,timezone,plan,payment_method,commit_scope",
        ("Acme GmbH,eur,Europe/Berlin,pro,invoice,product",),
        (m.Account("Acme GmbH", "EUR", "Europe/Berlin", m.PlanTier.PRO,
                   m.PaymentMethod.INVOICE, m.CommitScope.PRODUCT),),
        "Acme,EURO,Europe/Berlin,pro,invoice,product",
        "currency",
        "'EURO' is not an ISO 4217 currency code",
    ),
    "rate-card": Case(
        (),
        "code,name,unit,unit_price,free_units_per_agent,contact_center_services,metering,source,"
        "commit",
        ("VOICE,Voice minutes,minute,0.0125,1000,TRUE,sum,calls,active",
         "SEATS,Agent seats,agent,49.00,0,false,per_agent,agents,not_available"),
        (m.Product("SEATS", "Agent seats", m.Unit.AGENT, Decimal("49.00"), Decimal("0"), False,
                   m.Metering.PER_AGENT, m.Source.AGENTS, m.CommitAvailability.NOT_AVAILABLE),
         m.Product("VOICE", "Voice minutes", m.Unit.MINUTE, Decimal("0.0125"), Decimal("1000"),
                   True, m.Metering.SUM, m.Source.CALLS, m.CommitAvailability.ACTIVE)),
        "SMS,SMS,message,-1,0,false,count,sms,available",
        "unit_price",
        "'-1' must be 0 or more",
    ),
    "commits": Case(
        ("account", "products"),
        "product,amount,frequency,started_on",
        ("VOICE,30,monthly,2026-01-01", ",100.00,yearly,2026-01-01"),
        (m.Commit(None, Decimal("100.00"), m.Frequency.YEARLY, date(2026, 1, 1)),
         m.Commit("VOICE", Decimal("30.00"), m.Frequency.MONTHLY, date(2026, 1, 1))),
        "VOICE,30.001,monthly,2026-02-01",
        "amount",
        "30.001 has more decimals than USD allows (2)",
    ),
    "users": Case(
        (),
        "id,name,email,role,teams,access_groups",
        ("u1,Ann,ann@example.com,admin,Sales; Ops,edit_billing_unit;edit_billing",
         "u2,Bob,bob@example.com,agent,,"),
        (m.User("u1", "Ann", "ann@example.com", m.Role.ADMIN, ("Sales", "Ops"),
                (m.Privilege.EDIT_BILLING, m.Privilege.EDIT_BILLING_UNIT)),
         m.User("u2", "Bob", "bob@example.com", m.Role.AGENT)),
        "u3,Cy,cy.example.com,agent,,",
        "email",
        "'cy.example.com' is not an email address",
    ),
    "agents": Case(
        ("users",),
        "user_id,started_on,ended_on",
        ("u1,2026-01-01,2026-03-31", "u2,2026-02-15,"),
        (m.AgentSeat("u1", date(2026, 1, 1), date(2026, 3, 31)),
         m.AgentSeat("u2", date(2026, 2, 15))),
        "u2,2026-02-30,",
        "started_on",
        "'2026-02-30' is not a date (YYYY-MM-DD, e.g. 2026-10-01)",
    ),
    "numbers": Case(
        (),
        "number,label",
        ("+15550100,Main line", "+4930123456,"),
        (m.PhoneNumber("+15550100", "Main line"), m.PhoneNumber("+4930123456")),
        "555-0100,Old",
        "number",
        "'555-0100' is not an E.164 phone number (e.g. +15550100)",
    ),
    "plans": Case(
        ("account",),
        "code,name,monthly_price,included_sessions,rank",
        ("basic,Basic,49,1000,1", "pro,Pro,99.50,5000,2"),
        (m.Plan("basic", "Basic", Decimal("49.00"), 1000, 1),
         m.Plan("pro", "Pro", Decimal("99.50"), 5000, 2)),
        "max,Max,199,lots,3",
        "included_sessions",
        "'lots' is not a whole number",
    ),
    "apps": Case(
        ("account", "users", "plans"),
        "id,name,owner_user_id,plan,status,balance,plan_ends_on,pending_plan",
        ("bot1,Helper,u1,basic,active,-12.5,,",
         "bot2,Greeter,u2,basic,expiring,0,2026-12-31,basic"),
        (m.App("bot1", "Helper", "u1", "basic", m.AppStatus.ACTIVE, Decimal("-12.50")),
         m.App("bot2", "Greeter", "u2", "basic", m.AppStatus.EXPIRING, Decimal("0.00"),
               date(2026, 12, 31), "basic")),
        "bot3,Spare,u1,basic,paused,0,,",
        "status",
        "'paused' is not one of: active, expiring, suspended",
    ),
    "conversations": Case(
        ("account", "users", "plans", "apps"),
        "id,app,channel,started_at,ended_at,human_agent_seconds",
        ("cv1,bot1,chat,2026-10-01T09:00:00Z,2026-10-01T09:10:00Z,0",
         "cv2,bot1,voice,2026-10-01T11:00:00+02:00,2026-10-01T11:05:00+02:00,300"),
        (m.Conversation("cv1", "bot1", m.Channel.CHAT, _utc(2026, 10, 1, 9),
                        _utc(2026, 10, 1, 9, 10), 0),
         m.Conversation("cv2", "bot1", m.Channel.VOICE, _utc(2026, 10, 1, 9),
                        _utc(2026, 10, 1, 9, 5), 300)),
        "cv3,bot1,chat,2026-10-01T09:00:00Z,2026-10-01T08:59:00Z,0",
        "ended_at",
        "the conversation ends before it starts (started_at)",
    ),
    "alerts": Case(
        ("account", "users", "plans", "apps"),
        "id,app,user_id,delivered_at",
        ("al1,bot1,u1,2026-10-01T09:00:00Z", "al2,bot1,u2,2026-10-02T04:00:00.25-05:00"),
        (m.Alert("al1", "bot1", "u1", _utc(2026, 10, 1, 9)),
         m.Alert("al2", "bot1", "u2", datetime(2026, 10, 2, 9, 0, 0, 250_000, UTC))),
        "al3,bot1,u1,2026-10-01 09:00",
        "delivered_at",
        "'2026-10-01 09:00' needs a UTC offset or Z (e.g. 2026-10-01T09:30:00Z)",
    ),
    "calls": Case(
        ("account", "users"),
        "id,type,triggered_by,trigger_source,candidate_id,campaign,number,user_id,started_at,"
        "duration_seconds",
        ("c1,live,recruiter,Email,cand-1,Spring,+15550100,u2,2026-03-29T00:30:15+01:00,61",
         "c2,robocall,candidate,Web,,Spring,,,2026-03-29T01:00:00Z,0"),
        (m.Call("c1", m.CallType.LIVE, m.TriggeredBy.RECRUITER, "Email", "cand-1", "Spring",
                "+15550100", "u2", _utc(2026, 3, 28, 23, 30, 15), 61),
         m.Call("c2", m.CallType.ROBOCALL, m.TriggeredBy.CANDIDATE, "Web", None, "Spring",
                None, None, _utc(2026, 3, 29, 1), 0)),
        "c3,live,recruiter,Email,,Spring,,,2026-03-29T01:00:00Z,abc",
        "duration_seconds",
        "'abc' is not a whole number",
    ),
    "sms": Case(
        ("account",),
        "id,type,campaign,sent_at",
        ("s1,reminder,Spring,2026-10-01T09:00:00Z", 's2,invite,"Spring, late",2026-10-01T10:00Z'),
        (m.Sms("s1", "reminder", "Spring", _utc(2026, 10, 1, 9)),
         m.Sms("s2", "invite", "Spring, late", _utc(2026, 10, 1, 10))),
        "s3,invite,Spring,",
        "sent_at",
        "a value is required",
    ),
    "interviews": Case(
        ("account",),
        "id,method,campaign,completed_at",
        ("i1,landing_page,Spring,2026-10-01T09:00:00Z", "i2,sms,Spring,2026-10-01T10:00:00Z"),
        (m.Interview("i1", m.InterviewMethod.LANDING_PAGE, "Spring", _utc(2026, 10, 1, 9)),
         m.Interview("i2", m.InterviewMethod.SMS, "Spring", _utc(2026, 10, 1, 10))),
        "i3,email,Spring,2026-10-01T10:00:00Z",
        "method",
        "'email' is not one of: messenger, phone, sms, landing_page",
    ),
    "recordings": Case(
        ("account",),
        "id,campaign,minutes,recorded_at",
        ("r1,Spring,2.35,2026-10-01T09:00:00Z", "r2,Spring,0,2026-10-01T10:00:00Z"),
        (m.Recording("r1", "Spring", Decimal("2.35"), _utc(2026, 10, 1, 9)),
         m.Recording("r2", "Spring", Decimal("0"), _utc(2026, 10, 1, 10))),
        "r3,Spring,1e3,2026-10-01T10:00:00Z",
        "minutes",
        "'1e3' is not a number (write it like 12.5)",
    ),
    "storage": Case(
        (),
        "day,quantity",
        ("2026-10-01,12.125", "2026-10-02,12.5"),
        (m.StorageSnapshot(date(2026, 10, 1), Decimal("12.125")),
         m.StorageSnapshot(date(2026, 10, 2), Decimal("12.5"))),
        "2026-10-03T00:00:00Z,13",
        "day",
        "'2026-10-03T00:00:00Z' is not a date (YYYY-MM-DD, e.g. 2026-10-01)",
    ),
    # A bank statement's incoming payments, staged for the Reconcile view (issue 18): keyed by
    # the bank's transaction id, or by a hash of the line when the file has none.
    "payments": Case(
        ("account",),
        "date,amount,reference,payer,id",
        ("2026-10-05,125.50,INV-000001,Acme Corp,TX1", '2026-10-06,12.00,"rent, October",,'),
        (BankLine(date(2026, 10, 5), Decimal("125.50"), "INV-000001", "Acme Corp", "TX1"),
         BankLine(date(2026, 10, 6), Decimal("12.00"), "rent, October", "")),
        "2026-10-07,0,INV-000002,Acme Corp,TX3",
        "amount",
        "'0' must be more than 0",
    ),
    # branch autopay-packs: the rate card's add-on volume packs, kept in a workspace setting
    "packs": Case(
        ("account",),
        "statistic,name,volume,price",
        ("sms,SMS 1000,1000,7.00", "interviews,Interviews 100,100,30"),
        (PackPrice(Statistic.INTERVIEWS, "Interviews 100", 100, Decimal("30")),
         PackPrice(Statistic.SMS, "SMS 1000", 1000, Decimal("7.00"))),
        "sms,SMS 5000,5000,-1",
        "price",
        "'-1' must be 0 or more",
    ),
}
# fmt: on
assert tuple(CASES) == KINDS


def _file(kind: str) -> str:
    return f"{kind}.csv"


def _counts(store: SqlStore, kind: str) -> tuple[int, int]:
    with store() as uow:
        return len(_stored(uow, kind)), len(uow.audit.recent())


@pytest.mark.parametrize("kind", KINDS)
def test_a_good_file_is_stored_as_written(store: SqlStore, tmp_path: Path, kind: str) -> None:
    case = CASES[kind]
    _seed(store, case.needs)
    path = _write(tmp_path, _file(kind), case.header, *case.rows)
    report = import_file(store, kind, path)
    n = len(case.rows)
    assert report == imports.ImportReport(kind, path.name, n, n, 0)
    with store() as uow:
        assert tuple(_stored(uow, kind)) == case.stored


@pytest.mark.parametrize("kind", KINDS)
def test_importing_the_same_file_again_skips_every_row(
    store: SqlStore, tmp_path: Path, kind: str
) -> None:
    case = CASES[kind]
    _seed(store, case.needs)
    path = _write(tmp_path, _file(kind), case.header, *case.rows)
    import_file(store, kind, path)
    again = import_file(store, kind, path)
    assert (again.rows, again.added, again.skipped) == (len(case.rows), 0, len(case.rows))
    with store() as uow:
        assert tuple(_stored(uow, kind)) == case.stored


@pytest.mark.parametrize("kind", KINDS)
def test_a_missing_column_is_refused(store: SqlStore, tmp_path: Path, kind: str) -> None:
    case = CASES[kind]
    _seed(store, case.needs)
    missing = next(name for name, required in columns_of(kind) if required)
    table = list(csv.reader(io.StringIO("\n".join([case.header, *case.rows]))))
    drop = table[0].index(missing)
    kept = [[value for i, value in enumerate(row) if i != drop] for row in table]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(kept)
    path = _write(tmp_path, _file(kind), *text.getvalue().splitlines())
    assert str(_failure(store, kind, path)) == f"{path.name}, line 1: missing column '{missing}'"
    assert _counts(store, kind)[0] == 0


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_column_is_refused(store: SqlStore, tmp_path: Path, kind: str) -> None:
    case = CASES[kind]
    _seed(store, case.needs)
    path = _write(tmp_path, _file(kind), case.header + ",colour", *(r + ",red" for r in case.rows))
    expected = ", ".join(name for name, _ in columns_of(kind))
    assert str(_failure(store, kind, path)) == (
        f"{path.name}, line 1, column 'colour': unknown column (expected: {expected})"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_last_line_is_named_and_nothing_is_written(
    store: SqlStore, tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One row per chunk: the good rows are really written before the bad one is read, so
    # this proves the rollback, not merely that writing waits for the end.
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)
    case = CASES[kind]
    _seed(store, case.needs)
    good = () if kind == "account" else case.rows  # an account file has a single row
    path = _write(tmp_path, _file(kind), case.header, *good, case.bad_row)
    before = _counts(store, kind)
    failure = _failure(store, kind, path)
    line = len(good) + 2
    assert (
        str(failure) == f"{path.name}, line {line}, column '{case.bad_column}': {case.bad_message}"
    )
    assert failure.errors == [str(failure)] and failure.more == 0
    assert _counts(store, kind) == before == (0, 0)


# --- file-level problems ---------------------------------------------------------------------


def _calls(tmp_path: Path, *rows: str, name: str = "calls.csv") -> Path:
    return _write(tmp_path, name, CASES["calls"].header, *rows)


GOOD_CALL = CASES["calls"].rows[0]  # c1, 61 seconds, user u2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "calls.csv: the file is empty (expected a header row: id, type, triggered_by, "),
        (b"\n" + GOOD_CALL.encode(), "calls.csv, line 1: no header row (expected: id, "),
        (b"id,type,id", "calls.csv, line 1, column 'id': the column appears twice in the header"),
        (b"id,,type", "calls.csv, line 1: column 2 of the header has no name"),
        (b"id,type\nc1,live,extra", "calls.csv, line 1: missing column 'triggered_by'"),
        (
            CASES["calls"].header.encode() + b"\nc1,live,recruiter",
            "calls.csv, line 2: 3 values where the header has 10 columns",
        ),
        (
            CASES["calls"].header.encode() + b'\n"c1,live',
            "calls.csv, line 2: the CSV is malformed here (unexpected end of data)",
        ),
        (
            CASES["calls"].header.encode() + b'\n"c1"x,live',
            "calls.csv, line 2: the CSV is malformed here (',' expected after '\"')",
        ),
        (
            CASES["calls"].header.encode() + b"\n" + "c\u00e9,".encode("latin-1"),
            "calls.csv: not UTF-8 text (byte 0xE9 on line 2; save the file as UTF-8)",
        ),
    ],
)
def test_file_problems_are_named(
    store: SqlStore, tmp_path: Path, content: bytes, message: str
) -> None:
    _seed(store, ("account",))
    path = tmp_path / "calls.csv"
    path.write_bytes(content)
    assert str(_failure(store, "calls", path)).startswith(message)


def test_a_missing_file_is_named(store: SqlStore, tmp_path: Path) -> None:
    _seed(store, ("account",))
    path = tmp_path / "nowhere.csv"
    assert str(_failure(store, "calls", path)) == f"{path}: no such file"


def test_an_unknown_kind_is_refused(store: SqlStore, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="'invoices' is not an import kind"):
        import_file(store, "invoices", tmp_path / "x.csv")


def test_bom_blank_rows_column_order_and_spaces_are_fine(store: SqlStore, tmp_path: Path) -> None:
    _seed(store, ("account", "users"))
    path = tmp_path / "calls.csv"
    # Columns in another order, optional ones left out, a BOM (Excel), spaces, CRLF, a row
    # of empty cells and a blank line (what spreadsheets leave below the data).
    path.write_bytes(
        "\ufeffduration_seconds , id,type,triggered_by,trigger_source,campaign,started_at\r\n"
        " 61 , c1 ,live,recruiter,Email,Spring,2026-03-29T00:30:15+01:00\r\n"
        ",,,,,,\r\n"
        "\r\n".encode()
    )
    report = import_file(store, "calls", path)
    assert (report.rows, report.added) == (1, 1)
    with store() as uow:
        call = uow.calls.get_many(["c1"])["c1"]
    assert (call.duration_seconds, call.user_id, call.number) == (61, None, None)


def test_line_numbers_count_quoted_line_breaks(store: SqlStore, tmp_path: Path) -> None:
    _seed(store, ("account",))
    path = _write(
        tmp_path,
        "sms.csv",
        CASES["sms"].header,
        's1,reminder,"Spring\nsecond line",2026-10-01T09:00:00Z',
        "s2,reminder,Spring,2026-10-01T09:00:00",
    )
    # The line break itself is refused (values are one line), and named where the row starts.
    assert [error.split(": ")[0] for error in _failure(store, "sms", path).errors] == [
        "sms.csv, line 2, column 'campaign'",
        "sms.csv, line 4, column 'sent_at'",
    ]


def test_messages_stay_on_one_line_and_short(store: SqlStore, tmp_path: Path) -> None:
    _seed(store, ("account",))
    long_type = "x" * 500
    path = _calls(
        tmp_path,
        'c1,live,recruiter,Email,,Spring,,,2026-03-29T01:00:00Z,"6\n1"',
        f"c2,{long_type},recruiter,Email,,Spring,,,2026-03-29T01:00:00Z,1",
    )
    assert _failure(store, "calls", path).errors == [
        "calls.csv, line 2, column 'duration_seconds': '6\\n1' holds the control character "
        "U+000A (LINE FEED); values are one line of text",
        "calls.csv, line 4, column 'type': '" + "x" * 37 + "...' is not one of: autocall, "
        "robocall, live",
    ]


def test_every_problem_is_collected_up_to_fifty(store: SqlStore, tmp_path: Path) -> None:
    _seed(store, ("account",))
    rows = [f"c{i},live,recruiter,Email,,Spring,,,2026-03-29T01:00:00Z,x" for i in range(60)]
    failure = _failure(store, "calls", _calls(tmp_path, GOOD_CALL.replace("u2", ""), *rows))
    assert len(failure.errors) == 50 and failure.more == 10
    assert failure.errors[0].startswith("calls.csv, line 3, column 'duration_seconds'")
    assert failure.errors[-1].startswith("calls.csv, line 52, ")
    assert str(failure).endswith("is not a whole number (and 59 more errors)")


def test_several_bad_cells_of_one_row_are_each_named(store: SqlStore, tmp_path: Path) -> None:
    _seed(store, ("account",))
    path = _calls(tmp_path, "c1,call,recruiter,Email,,,+1,,2026-03-29T01:00:00Z,1")
    assert _failure(store, "calls", path).errors == [
        "calls.csv, line 2, column 'type': 'call' is not one of: autocall, robocall, live",
        "calls.csv, line 2, column 'campaign': a value is required",
        "calls.csv, line 2, column 'number': '+1' is not an E.164 phone number (e.g. +15550100)",
    ]


# --- repeats and clashes -----------------------------------------------------------------------


def test_a_row_that_differs_from_the_stored_one_is_refused(store: SqlStore, tmp_path: Path) -> None:
    _seed(store, ("account", "users"))
    import_file(store, "calls", _calls(tmp_path, GOOD_CALL))
    changed = GOOD_CALL.replace(",61", ",62").replace("Spring", "Autumn")
    failure = _failure(store, "calls", _calls(tmp_path, CASES["calls"].rows[1], changed))
    assert str(failure) == (
        "calls.csv, line 3, column 'campaign': call 'c1' is already stored with 'Spring'; "
        "this file has 'Autumn' (also different: duration_seconds)"
    )
    with store() as uow:
        assert uow.calls.count() == 1


@pytest.mark.parametrize("chunk_rows", [5_000, 2])
def test_repeats_within_one_file(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_rows: int
) -> None:
    # With 2 rows per chunk the repeat is found in the store (written by an earlier chunk of
    # the same file) and the message must still name the line it came from.
    monkeypatch.setattr(imports, "CHUNK_ROWS", chunk_rows)
    _seed(store, ("account", "users"))
    other = CASES["calls"].rows[1]
    third = other.replace("c2,", "c3,")
    same = import_file(store, "calls", _calls(tmp_path, GOOD_CALL, other, third, GOOD_CALL))
    assert (same.rows, same.added, same.skipped) == (4, 3, 1)
    changed = GOOD_CALL.replace(",61", ",62")
    path = _calls(tmp_path, GOOD_CALL, other, third, changed, name="again.csv")
    assert str(_failure(store, "calls", path)) == (
        "again.csv, line 5, column 'duration_seconds': call 'c1' is also on line 2 with '61'; "
        "this line has '62'"
    )


def test_the_account_is_one_row_and_is_not_changed_by_import(
    store: SqlStore, tmp_path: Path
) -> None:
    case = CASES["account"]
    two = _write(tmp_path, "account.csv", case.header, case.rows[0], case.rows[0])
    assert str(_failure(store, "account", two)) == (
        "account.csv, line 3: the account file holds one account: one row only"
    )
    header_only = _write(tmp_path, "account.csv", case.header)
    assert str(_failure(store, "account", header_only)) == (
        "account.csv: no account row below the header"
    )
    import_file(store, "account", _write(tmp_path, "account.csv", case.header, case.rows[0]))
    other = _write(tmp_path, "account.csv", case.header, case.rows[0].replace("eur", "USD"))
    assert str(_failure(store, "account", other)) == (
        "account.csv, line 2, column 'currency': the account is already stored with 'EUR'; "
        "this file has 'USD'"
    )


def test_users_compare_with_groups_in_any_order(store: SqlStore, tmp_path: Path) -> None:
    case = CASES["users"]
    import_file(store, "users", _write(tmp_path, "users.csv", case.header, *case.rows))
    reordered = case.rows[0].replace(
        "edit_billing_unit;edit_billing", "edit_billing; edit_billing_unit;edit_billing"
    )
    report = import_file(store, "users", _write(tmp_path, "users.csv", case.header, reordered))
    assert report.skipped == 1
    teams = case.rows[0].replace("Sales; Ops", "Ops;Sales")
    assert "column 'teams': user 'u1' is already stored with 'Sales;Ops'; this file has" in str(
        _failure(store, "users", _write(tmp_path, "users.csv", case.header, teams))
    )


# --- rules across columns and references -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "row", "message"),
    [
        (
            "calls",
            "c9,live,recruiter,Email,,Spring,,ghost,2026-03-29T01:00:00Z,1",
            "calls.csv, line 2, column 'user_id': user 'ghost' is not in the store "
            "(import users first)",
        ),
        (
            "alerts",
            "al9,nobot,u1,2026-10-01T09:00:00Z",
            "alerts.csv, line 2, column 'app': app 'nobot' is not in the store (import apps first)",
        ),
        (
            "conversations",
            "cv9,nobot,chat,2026-10-01T09:00:00Z,2026-10-01T09:10:00Z,0",
            "conversations.csv, line 2, column 'app': app 'nobot' is not in the store "
            "(import apps first)",
        ),
        (
            "conversations",
            "cv9,bot1,voice,2026-10-01T09:00:00Z,2026-10-01T09:01:00Z,61",
            "conversations.csv, line 2, column 'human_agent_seconds': 61 seconds with a human "
            "agent is longer than the conversation (60 seconds)",
        ),
        (
            "agents",
            "ghost,2026-01-01,",
            "agents.csv, line 2, column 'user_id': user 'ghost' is not in the store "
            "(import users first)",
        ),
        (
            "agents",
            "u1,2026-02-01,2026-01-31",
            "agents.csv, line 2, column 'ended_on': the seat ends before it starts (2026-02-01)",
        ),
        (
            "apps",
            "bot9,Nine,u1,basic,active,0,,gold",
            "apps.csv, line 2, column 'pending_plan': plan 'gold' is not in the store "
            "(import plans first)",
        ),
        (
            "commits",
            "SMS,10,monthly,2026-01-01",
            "commits.csv, line 2, column 'product': product 'SMS' has commit not_available: "
            "it cannot have a commit",
        ),
        (
            "commits",
            "DATA,10,monthly,2026-01-01",
            "commits.csv, line 2, column 'product': product 'DATA' is not in the store "
            "(import the rate card first)",
        ),
        (
            "commits",
            ",0,monthly,2026-01-01",
            "commits.csv, line 2, column 'amount': '0' must be more than 0",
        ),
    ],
)
def test_rules_across_columns_and_kinds(
    store: SqlStore, tmp_path: Path, kind: str, row: str, message: str
) -> None:
    _seed(store, ("account", "products", "users", "plans", "apps"))
    path = _write(tmp_path, _file(kind), CASES[kind].header, row)
    assert str(_failure(store, kind, path)) == message


RATE_CARD_TIERS = CASES["rate-card"].header + ",tiers"
VOICE_TIERED = "VOICE,Voice minutes,minute,0.02,1000,true,sum,calls,active,10000:0.015;50000:0.01"


def test_rate_card_tiers_are_stored_and_compared(store: SqlStore, tmp_path: Path) -> None:
    path = _write(tmp_path, "rate-card.csv", RATE_CARD_TIERS, VOICE_TIERED, "SMS,SMS,message,"
                  "0.01,0,false,count,sms,available,")  # fmt: skip
    assert import_file(store, "rate-card", path).added == 2
    with store() as uow:
        products = uow.products.get_many(["VOICE", "SMS"])
    assert products["VOICE"].tiers == (
        m.Tier(Decimal("10000"), Decimal("0.015")),
        m.Tier(Decimal("50000"), Decimal("0.01")),
    )
    assert products["SMS"].tiers == ()
    assert import_file(store, "rate-card", path).skipped == 2
    changed = _write(tmp_path, "rate-card.csv", RATE_CARD_TIERS,
                     VOICE_TIERED.replace("50000:0.01", "60000:0.01"))  # fmt: skip
    assert str(_failure(store, "rate-card", changed)) == (
        "rate-card.csv, line 2, column 'tiers': product 'VOICE' is already stored with "
        "'10000:0.015;50000:0.01'; this file has '10000:0.015;60000:0.01'"
    )


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (
            VOICE_TIERED.replace("50000:0.01", "5000:0.01"),
            "tiers",
            "tier '5000:0.01': thresholds must increase (after 10000)",
        ),
        (
            "SMS,SMS,message,0.01,0,false,sessions,sms,available,",
            "metering",
            "sms cannot be metered by 'sessions' (use count)",
        ),
        (
            "REC,Recordings,minute,0.01,0,false,peak_day,recordings,available,",
            "metering",
            "recordings cannot be metered by 'peak_day' (use count, sum)",
        ),
        (
            "SEATS,Seats,agent,49,0,false,per_number,agents,available,",
            "metering",
            "agents cannot be metered by 'per_number' (use per_agent)",
        ),
    ],
)
def test_a_rate_card_row_that_cannot_be_metered_is_refused(
    store: SqlStore, tmp_path: Path, row: str, column: str, message: str
) -> None:
    path = _write(tmp_path, "rate-card.csv", RATE_CARD_TIERS, row)
    assert str(_failure(store, "rate-card", path)) == (
        f"rate-card.csv, line 2, column '{column}': {message}"
    )
    assert _counts(store, "rate-card") == (0, 0)


@pytest.mark.parametrize("kind", ["commits", "plans", "apps"])
def test_amounts_need_the_account_first(store: SqlStore, tmp_path: Path, kind: str) -> None:
    path = _write(tmp_path, _file(kind), CASES[kind].header, *CASES[kind].rows)
    assert str(_failure(store, kind, path)) == (
        f"{kind}.csv: the store has no account yet, and this file holds amounts in the "
        "account's currency (import the account first)"
    )


def test_a_file_importing_into_an_order_of_kinds_builds_a_workspace(
    store: SqlStore, tmp_path: Path
) -> None:
    for kind in KINDS:  # PRODUCT §12 order satisfies every reference
        case = CASES[kind]
        import_file(store, kind, _write(tmp_path, _file(kind), case.header, *case.rows))
    with store() as uow:
        for kind in KINDS:
            assert tuple(_stored(uow, kind)) == CASES[kind].stored, kind


# --- who may import, what is recorded, what the store says ---------------------------------------


def test_a_supervisor_may_not_import(store: SqlStore, tmp_path: Path) -> None:
    _seed(store, ("account", "users"))
    with pytest.raises(PermissionDenied, match="you may not import data"):
        import_file(store, "calls", _calls(tmp_path, GOOD_CALL), user_id="s1")
    assert _counts(store, "calls") == (0, 0)


def test_an_import_is_audited_in_its_transaction(store: SqlStore, tmp_path: Path) -> None:
    _seed(store, ("account", "users"))
    seen: list[Progress] = []
    path = _calls(tmp_path, *CASES["calls"].rows, GOOD_CALL)
    import_file(store, "calls", path, user_id="u1", state=TaskState(seen.append))
    with store() as uow:
        [entry] = uow.audit.recent()
    assert (entry.actor, entry.origin, entry.action, entry.entity, entry.entity_id) == (
        "u1",
        "import",
        "import",
        "calls",
        "calls.csv",
    )
    assert entry.after == {"file": "calls.csv", "rows": 3, "added": 2, "skipped": 1}
    assert entry.at.tzinfo is not None
    assert seen == [Progress(1.0, "3 rows read")]  # the whole file read: one chunk


def test_a_store_failure_is_one_line_and_rolls_back(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(store, ("account", "users"))
    original = repositories.SqlCollection.add_many
    calls = 0

    def add_many(self: repositories.SqlCollection[str, object], items: list[object]) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:  # the first chunk went in; the second fails
            raise sa.exc.IntegrityError(
                "INSERT INTO calls ...", {}, Exception("UNIQUE constraint failed: calls.id")
            )
        original(self, items)

    monkeypatch.setattr(repositories.SqlCollection, "add_many", add_many)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)
    failure = _failure(store, "calls", _calls(tmp_path, *CASES["calls"].rows))
    assert str(failure) == (
        "calls.csv, lines 3-3: the store failed during the import, nothing was written "
        "(UNIQUE constraint failed: calls.id)"
    )
    assert _counts(store, "calls") == (0, 0)


def test_a_cancelled_import_stops_and_writes_nothing(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancel stops the import itself after the chunk under way; the transaction rolls back."""
    _seed(store, ("account", "users"))
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)
    seen: list[Progress] = []

    def report(step: Progress) -> None:
        seen.append(step)

    state = TaskState(report)
    state.progress(0.0, "starting")
    state.cancel()
    with pytest.raises(Cancelled, match="the import was cancelled; nothing was written"):
        import_file(store, "calls", _calls(tmp_path, *CASES["calls"].rows), state=state)
    assert _counts(store, "calls") == (0, 0)
    assert [step.text for step in seen] == ["starting"]  # stopped at the first chunk's end


def test_import_progress_is_the_share_of_the_file_read(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(store, ("account", "users"))
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)
    seen: list[Progress] = []
    rows = [GOOD_CALL.replace("c1,", f"x{n},", 1) for n in range(3000)]
    import_file(store, "calls", _calls(tmp_path, *rows), user_id="u1", state=TaskState(seen.append))
    fractions = [step.fraction for step in seen]
    assert all(f is not None for f in fractions)
    assert fractions == sorted(fractions)  # type: ignore[type-var]
    assert 0 < fractions[0] < 1 and fractions[-1] == 1.0  # type: ignore[operator]
    assert seen[-1].text == "3,000 rows read"


# --- the command line ------------------------------------------------------------------------


def test_the_command_line_imports_and_refuses(
    store: SqlStore, store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(store, ("account", "users"))
    bad = _calls(tmp_path, GOOD_CALL, CASES["calls"].bad_row)
    assert main(["--store", str(store_path), "import", "calls", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "billing-desktop: error: calls.csv, line 3, column 'duration_seconds': "
        "'abc' is not a whole number"
    ]
    assert _counts(store, "calls") == (0, 0)

    good = _calls(tmp_path, *CASES["calls"].rows)
    assert main(["--store", str(store_path), "import", "calls", str(good)]) == 0
    assert capsys.readouterr().out == "calls.csv: 2 rows, 2 added, 0 skipped (already stored)\n"
    assert main(["--store", str(store_path), "import", "calls", str(good), "--json"]) == 0
    assert '"skipped": 2' in capsys.readouterr().out
    assert _counts(store, "calls") == (2, 2)
