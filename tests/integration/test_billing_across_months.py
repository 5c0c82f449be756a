"""Figures across months, closes and clock changes (issue 14): each case an independent model
of the billing rules found, rebuilt from a few CSV rows and run through the real commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from billing_desktop.cli import main

ACCOUNT = "name,currency,timezone,plan,payment_method,commit_scope"
RATE_CARD = (
    "code,name,unit,unit_price,free_units_per_agent,contact_center_services,metering,source,commit"
)
USERS = "id,name,email,role"


class Workspace:
    def __init__(self, store: Path, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.store, self.folder, self.capsys = store, folder, capsys

    def load(self, kind: str, header: str, *rows: str) -> None:
        path = self.folder / f"{kind}.csv"
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        assert self.run("import", kind, str(path)) == 0, self.capsys.readouterr().err

    def run(self, *args: str) -> int:
        self.capsys.readouterr()
        return main(["--store", str(self.store), *args])

    def json(self, *args: str) -> Any:
        code = self.run(*args, "--json")
        out, err = self.capsys.readouterr()
        assert code == 0, err
        return json.loads(out)

    def usage(self, month: str) -> Any:
        return self.json("usage", "--month", month)

    def close(self, month: str) -> Any:
        return self.json("close-month", month)


@pytest.fixture
def ws(store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Workspace:
    return Workspace(store_path, tmp_path, capsys)


def product(
    code: str, unit: str, metering: str, source: str, price: str = "1.00", tag: str = "false"
) -> str:
    return f"{code},{code} product,{unit},{price},0,{tag},{metering},{source},available"


def four_sms_in_february(ws: Workspace) -> None:
    ws.load(
        "sms",
        "id,type,campaign,sent_at",
        *(f"s{n},Invitation,Fall,2024-02-0{n + 1}T09:00:00Z" for n in range(4)),
    )


# What January's only usage is, for each kind of usage that is not an event record: the rate
# card line and the CSV that gives January a charge of 4.00.
JANUARY_ONLY: dict[str, tuple[str, list[tuple[str, str, list[str]]]]] = {
    "storage-sum": (
        product("STORE", "GB", "sum", "storage"),
        [("storage", "day,quantity", ["2024-01-10,4"])],
    ),
    "storage-peak-day": (
        product("STORE", "GB", "peak_day", "storage"),
        [("storage", "day,quantity", ["2024-01-10,4"])],
    ),
    "per-agent": (
        product("SEAT", "agent", "per_agent", "agents", price="4.00"),
        [
            ("users", USERS, ["a1,Ada,ada@example.com,agent", "boss,Boss,b@example.com,admin"]),
            ("agents", "user_id,started_on,ended_on", ["a1,2024-01-05,2024-01-20"]),
        ],
    ),
}


def january_without_records(ws: Workspace, kind: str) -> None:
    """Account commit 6.00 yearly from 2024-01-01; January's usage is no event record and
    costs 4.00; February has 4 SMS at 1.00."""
    line, files = JANUARY_ONLY[kind]
    ws.load("account", ACCOUNT, "Acme,USD,UTC,pro,invoice,account")
    ws.load("rate-card", RATE_CARD, line, product("SMS", "message", "count", "sms"))
    ws.load("commits", "product,amount,frequency,started_on", ",6.00,yearly,2024-01-01")
    for name, header, rows in files:
        ws.load(name, header, *rows)
    four_sms_in_february(ws)


@pytest.mark.parametrize("kind", sorted(JANUARY_ONLY))
def test_an_open_month_is_rated_after_an_earlier_month_without_event_records(
    ws: Workspace, kind: str
) -> None:
    """Issue 14.1: January draws 4.00 of the 6.00 commit, so February gets 2.00 and -2.00 is
    invoiced (never 8.00 drawn from a 6.00 commit)."""
    january_without_records(ws, kind)
    january = ws.usage("2024-01")
    assert [p["credit_applied"] for p in january["products"]] == ["4.00"]
    february = ws.usage("2024-02")
    assert [(p["code"], p["credit_applied"], p["balance"]) for p in february["products"]] == [
        ("SMS", "2.00", "-2.00")
    ]
    assert february["balance"] == "-2.00"


@pytest.mark.parametrize("kind", sorted(JANUARY_ONLY))
def test_months_close_in_order_past_a_month_without_event_records(ws: Workspace, kind: str) -> None:
    """Issue 14.2: February cannot close while January is open; then both close, in order,
    and February's 2.00 is invoiced."""
    january_without_records(ws, kind)
    assert ws.run("close-month", "2024-02") == 2
    assert "close 2024-01 first" in ws.capsys.readouterr().err
    assert ws.usage("2024-02")["balance"] == "-2.00"  # nothing was written
    assert ws.close("2024-01")["invoice"] is None
    closed = ws.close("2024-02")
    assert closed["invoice"]["amount"] == "2.00" and closed["invoice"]["number"] == "INV-000001"
    assert ws.usage("2024-02")["balance"] == "-2.00"


def test_closing_a_month_does_not_change_its_balance(ws: Workspace) -> None:
    """Issue 14.3: product commit 10.00 monthly, 1 SMS at 1.00: 9.00 left, open and closed
    (the close writes the expiry; it does not rewrite the month)."""
    ws.load("account", ACCOUNT, "Acme,USD,UTC,pro,invoice,product")
    ws.load("rate-card", RATE_CARD, product("msg", "message", "count", "sms"))
    ws.load("commits", "product,amount,frequency,started_on", "msg,10.00,monthly,2024-04-01")
    ws.load("sms", "id,type,campaign,sent_at", "s1,Invitation,Fall,2024-04-10T09:00:00Z")
    shown_open = ws.usage("2024-04")
    assert shown_open["balance"] == "9.00" and shown_open["products"][0]["balance"] == "9.00"
    ws.close("2024-04")
    shown_closed = ws.usage("2024-04")
    assert shown_closed["closed"] is True
    for key in ("balance", "contact_center_services_balance", "products"):
        assert shown_closed[key] == shown_open[key], key
    # The expiry is in the ledger all the same: May starts from a fresh 10.00.
    ws.load("sms", "id,type,campaign,sent_at", "s2,Invitation,Fall,2024-05-10T09:00:00Z")
    assert ws.usage("2024-05")["balance"] == "9.00"


def test_a_closed_months_contact_center_card_counts_only_its_products(ws: Workspace) -> None:
    """Issue 14.4: a tagged product charged 1.00 beside an untagged one with 9.00 of its own
    commit left: the Contact center services card says -1.00, open and closed."""
    ws.load("account", ACCOUNT, "Acme,USD,UTC,pro,invoice,product")
    ws.load(
        "rate-card",
        RATE_CARD,
        product("CC", "message", "count", "sms", tag="true"),
        product("REC", "minute", "sum", "recordings"),
    )
    ws.load("commits", "product,amount,frequency,started_on", "REC,10.00,monthly,2024-04-01")
    ws.load("sms", "id,type,campaign,sent_at", "s1,Invitation,Fall,2024-04-10T09:00:00Z")
    ws.load("recordings", "id,campaign,minutes,recorded_at", "r1,Fall,1,2024-04-10T09:00:00Z")
    shown_open = ws.usage("2024-04")
    assert shown_open["contact_center_services_balance"] == "-1.00"
    assert shown_open["balance"] == "8.00"
    ws.close("2024-04")
    shown_closed = ws.usage("2024-04")
    assert shown_closed["contact_center_services_balance"] == "-1.00"
    assert shown_closed["balance"] == "8.00"


def apps_and_plans(ws: Workspace, timezone: str) -> None:
    ws.load("account", ACCOUNT, f"Acme,USD,{timezone},pro,invoice,none")
    ws.load(
        "rate-card",
        RATE_CARD,
        product("VA", "session", "sessions", "conversations"),
        product("VOICE", "session", "voice_sessions", "conversations"),
        product("ALERT", "session", "count", "alerts"),
    )
    ws.load("users", USERS, "boss,Boss,b@example.com,admin")
    ws.load("plans", "code,name,monthly_price,included_sessions,rank", "basic,Basic,10.00,100,1")
    ws.load(
        "apps",
        "id,name,owner_user_id,plan,status,balance",
        "bot,Bot,boss,basic,active,0.00",
    )


def test_a_fraction_of_a_second_starts_a_session(ws: Workspace) -> None:
    """Issue 14.5: 30:00.5 is 3 billing and 3 voice sessions (every started 15 minutes)."""
    apps_and_plans(ws, "UTC")
    ws.load(
        "conversations",
        "id,app,channel,started_at,ended_at,human_agent_seconds",
        "c1,bot,voice,2024-03-05T10:00:00Z,2024-03-05T10:30:00.5Z,0",
        "c2,bot,chat,2024-03-05T11:00:00Z,2024-03-05T11:30:00Z,0",
    )
    sessions = ws.json("sessions", "--from", "2024-03-05", "--to", "2024-03-05")
    assert sessions["totals"]["billing_sessions"] == 3 + 2
    assert sessions["totals"]["voice_sessions"] == 3
    quantities = {p["code"]: p["quantity"] for p in ws.usage("2024-03")["products"]}
    assert quantities == {"VA": "5", "VOICE": "3"}


@pytest.mark.parametrize(
    ("timezone", "day", "instant", "bucket_start"),
    [
        # Chatham jumps 02:45 -> 03:45: an alert at 03:50 local is in the 03:00 bucket.
        ("Pacific/Chatham", "2026-09-27", "2026-09-26T14:05:00Z", "2026-09-27T03:45:00+13:45"),
        # Lord Howe jumps 02:00 -> 02:30: 02:40 local.
        ("Australia/Lord_Howe", "2026-10-04", "2026-10-03T15:40:00Z", "2026-10-04T02:30:00+11:00"),
        # Lord Howe's fall-back day repeats 01:30-02:00: the second 01:45 (+10:30).
        ("Australia/Lord_Howe", "2026-04-05", "2026-04-04T15:15:00Z", "2026-04-05T01:00:00+11:00"),
        # New York's fall-back day repeats 01:00-02:00: the second 01:30 (-05:00).
        ("America/New_York", "2026-11-01", "2026-11-01T06:30:00Z", "2026-11-01T01:00:00-04:00"),
    ],
)
def test_hour_buckets_add_up_to_the_day_across_clock_changes(
    ws: Workspace, timezone: str, day: str, instant: str, bucket_start: str
) -> None:
    """Issue 14.6: the hour holding the alert is a bucket, and the hours add up to the day."""
    apps_and_plans(ws, timezone)
    ws.load("alerts", "id,app,user_id,delivered_at", f"a1,bot,boss,{instant}")
    hours = ws.json("sessions", "--from", day, "--to", day, "--bucket", "hour")
    whole_day = ws.json("sessions", "--from", day, "--to", day, "--bucket", "day")
    assert whole_day["totals"]["alert_sessions"] == 1
    assert sum(b["alert_sessions"] for b in hours["buckets"]) == 1
    assert [b["start"] for b in hours["buckets"] if b["alert_sessions"]] == [bucket_start]
    assert len(hours["buckets"]) == 24


def test_records_no_product_meters_do_not_start_the_billing_history(ws: Workspace) -> None:
    """Found by the model-based test: January's interviews, which no product meters, bill
    nothing, so February is the first billed month and closes without a January close."""
    ws.load("account", ACCOUNT, "Acme,USD,UTC,pro,invoice,account")
    ws.load("rate-card", RATE_CARD, product("SMS", "message", "count", "sms"))
    ws.load(
        "interviews",
        "id,method,campaign,completed_at",
        "i1,phone,Fall,2024-01-10T09:00:00Z",
    )
    four_sms_in_february(ws)
    closed = ws.close("2024-02")
    assert closed["invoice"]["amount"] == "4.00"


def test_an_account_commit_starts_the_history_so_number_rentals_are_billed_from_then(
    ws: Workspace,
) -> None:
    """Issue 14.1 with per_number: numbers carry no dates, so January's rental is billed
    because the commit starts the billing history in January; February then has 2.00 left."""
    ws.load("account", ACCOUNT, "Acme,USD,UTC,pro,invoice,account")
    ws.load(
        "rate-card",
        RATE_CARD,
        product("PHONE", "number", "per_number", "numbers", price="4.00"),
        product("SMS", "message", "count", "sms"),
    )
    ws.load("commits", "product,amount,frequency,started_on", ",6.00,yearly,2024-01-01")
    ws.load("numbers", "number,label", "+15550100001,Main line")
    four_sms_in_february(ws)
    january = ws.usage("2024-01")
    assert [(p["code"], p["credit_applied"]) for p in january["products"]] == [("PHONE", "4.00")]
    february = ws.usage("2024-02")
    assert [(p["code"], p["credit_applied"], p["balance"]) for p in february["products"]] == [
        ("PHONE", "2.00", "-2.00"),
        ("SMS", "0.00", "-4.00"),
    ]
    assert ws.run("close-month", "2024-02") == 2
    assert "close 2024-01 first" in ws.capsys.readouterr().err
