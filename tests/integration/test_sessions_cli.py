"""``billing-desktop sessions`` (PRODUCT §4.1, §11, §11.1) through the whole path: CSV files
imported with the command line, rolled up, and read back as buckets of sessions and agents."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main

FILES = {
    "account": (
        "name,currency,timezone,plan,payment_method,commit_scope",
        "Acme,USD,America/New_York,pro,invoice,product",
    ),
    "users": (
        "id,name,email,role",
        "u1,Ann,ann@example.com,admin",
        "u2,Bob,bob@example.com,agent",
        "u3,Cy,cy@example.com,agent",
        "s1,Sue,sue@example.com,supervisor",
    ),
    "plans": ("code,name,monthly_price,included_sessions,rank", "basic,Basic,49,1000,1"),
    "apps": (
        "id,name,owner_user_id,plan,status,balance",
        "bot1,Helper,u1,basic,active,0",
        "bot2,Greeter,u1,basic,active,0",
    ),
    # Licensed agents: 1 on Oct 5-6, 2 on Oct 7, 3 on Oct 8, then 2.
    "agents": (
        "user_id,started_on,ended_on",
        "u1,2026-01-01,",
        "u2,2026-10-07,2026-10-08",
        "u3,2026-10-08,",
    ),
}
CONVERSATIONS = "id,app,channel,started_at,ended_at,human_agent_seconds"
# PRODUCT §4.1 golden cases, one local day each (New York is on -04:00 in October).
GOLDEN = (
    CONVERSATIONS,
    # Mon Oct 5: 31 minutes -> 3 sessions.
    "cv31,bot1,chat,2026-10-05T09:00:00-04:00,2026-10-05T09:31:00-04:00,0",
    # Tue Oct 6: exactly 30:00 -> 2.
    "cv30,bot1,chat,2026-10-06T09:00:00-04:00,2026-10-06T09:30:00-04:00,0",
    # Wed Oct 7: 30:01 -> 3.
    "cv3001,bot2,chat,2026-10-07T09:00:00-04:00,2026-10-07T09:30:01-04:00,0",
    # Thu Oct 8: all of it with a human agent -> 0 billable seconds, 0 sessions.
    "cvhuman,bot1,chat,2026-10-08T09:00:00-04:00,2026-10-08T09:10:00-04:00,600",
    # Fri Oct 9: voice, 20 min AI + 10 min human -> 2 billing (1200 s), 2 voice (1800 s).
    "cvvoice,bot2,voice,2026-10-09T09:00:00-04:00,2026-10-09T09:30:00-04:00,600",
    # Mon Oct 12, 23:50 local (Oct 13 in UTC): 15 minutes -> 1 session on the local day.
    "cvlate,bot1,chat,2026-10-13T03:50:00Z,2026-10-13T04:05:00Z,0",
)
# An alert every 8 hours on Tue Oct 6 (local) -> 3 alert sessions that day.
ALERTS = (
    "id,app,user_id,delivered_at",
    "al1,bot1,u1,2026-10-06T00:30:00-04:00",
    "al2,bot1,u2,2026-10-06T08:30:00-04:00",
    "al3,bot1,u3,2026-10-06T16:30:00-04:00",
)


def _file(tmp_path: Path, name: str, lines: tuple[str, ...]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(store_path: Path, tmp_path: Path, kind: str, lines: tuple[str, ...]) -> None:
    path = _file(tmp_path, f"{kind}.csv", lines)
    assert main(["--store", str(store_path), "import", kind, str(path)]) == 0


@pytest.fixture
def workspace(
    store: SqlStore, store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    """The store file holding the golden workspace, imported through the command line."""
    for kind, lines in FILES.items():
        _import(store_path, tmp_path, kind, lines)
    _import(store_path, tmp_path, "conversations", GOLDEN)
    _import(store_path, tmp_path, "alerts", ALERTS)
    capsys.readouterr()
    return store_path


def _sessions(store_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["--store", str(store_path), "sessions", *args, "--json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def _counts(bucket: dict[str, Any]) -> tuple[int, int, int, int]:
    return (
        bucket["billing_sessions"],
        bucket["alert_sessions"],
        bucket["voice_sessions"],
        bucket["agents"],
    )


def test_golden_sessions_per_day(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _sessions(workspace, capsys, "--from", "2026-10-05", "--to", "2026-10-13")
    days = {b["start"]: _counts(b) for b in data["buckets"]}
    assert days == {
        "2026-10-05": (3, 0, 0, 1),
        "2026-10-06": (2, 3, 0, 1),
        "2026-10-07": (3, 0, 0, 2),
        "2026-10-08": (0, 0, 0, 3),
        "2026-10-09": (2, 0, 2, 2),
        "2026-10-10": (0, 0, 0, 2),  # every day of the range is listed, zeros included
        "2026-10-11": (0, 0, 0, 2),
        "2026-10-12": (1, 0, 0, 2),
        "2026-10-13": (0, 0, 0, 2),
    }
    assert list(days) == sorted(days)
    assert data["totals"]["billing_sessions"] == 11
    assert data["totals"]["alert_sessions"] == 3
    assert data["totals"]["voice_sessions"] == 2
    # Session counts are JSON integers, not strings.
    assert all(isinstance(v, int) for b in data["buckets"] for k, v in b.items() if k != "start")
    assert all(type(v) is int for v in data["totals"].values())


def test_a_week_bucket_shows_the_peak_daily_agents(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _sessions(
        workspace, capsys, "--from", "2026-10-05", "--to", "2026-10-18", "--bucket", "week"
    )
    assert [(b["start"], _counts(b)) for b in data["buckets"]] == [
        ("2026-10-05", (10, 3, 2, 3)),  # 3 agents on Thursday only
        ("2026-10-12", (1, 0, 0, 2)),
    ]


def test_buckets_keep_their_natural_start_but_count_only_days_in_range(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    week = _sessions(
        workspace, capsys, "--from", "2026-10-07", "--to", "2026-10-07", "--bucket", "week"
    )
    assert [(b["start"], _counts(b)) for b in week["buckets"]] == [("2026-10-05", (3, 0, 0, 2))]
    month = _sessions(
        workspace, capsys, "--from", "2026-09-30", "--to", "2026-10-06", "--bucket", "month"
    )
    assert [(b["start"], _counts(b)) for b in month["buckets"]] == [
        ("2026-09-01", (0, 0, 0, 1)),
        ("2026-10-01", (5, 3, 0, 1)),
    ]


def test_an_app_filters_sessions_but_not_agents(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _sessions(
        workspace,
        capsys,
        "--from", "2026-10-05", "--to", "2026-10-11", "--bucket", "week", "--app", "bot2",
    )  # fmt: skip
    assert [(b["start"], _counts(b)) for b in data["buckets"]] == [("2026-10-05", (5, 0, 2, 3))]
    assert data["app"] == "bot2"
    other = _sessions(workspace, capsys, "--from", "2026-10-06", "--to", "2026-10-06",
                      "--app", "bot1")  # fmt: skip
    assert _counts(other["buckets"][0]) == (2, 3, 0, 1)


def test_a_call_of_61_seconds_is_two_minutes(
    store: SqlStore, store_path: Path, tmp_path: Path
) -> None:
    for kind in ("account", "users"):
        _import(store_path, tmp_path, kind, FILES[kind])
    calls = (
        "id,type,triggered_by,trigger_source,campaign,started_at,duration_seconds",
        "c1,autocall,candidate,Email,Spring,2026-10-05T13:00:00Z,61",
        "c2,autocall,candidate,Email,Spring,2026-10-05T13:05:00Z,60",
        "c3,autocall,candidate,Email,Spring,2026-10-05T13:10:00Z,0",
    )
    _import(store_path, tmp_path, "calls", calls)
    with store() as uow:
        totals = uow.rollups.totals(date(2026, 10, 5), date(2026, 10, 5))
    assert totals["calls"] == 3 and totals["call_minutes"] == 3  # 2 + 1 + 0


def test_hour_buckets_across_the_end_and_start_of_daylight_saving(
    store: SqlStore, store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind, lines in FILES.items():
        _import(store_path, tmp_path, kind, lines)
    _import(store_path, tmp_path, "conversations", (
        CONVERSATIONS,
        # 2026-11-01: clocks go back at 02:00 EDT; 01:30 happens twice.
        "first,bot1,chat,2026-11-01T01:30:00-04:00,2026-11-01T01:45:00-04:00,0",
        "second,bot1,chat,2026-11-01T01:30:00-05:00,2026-11-01T01:45:00-05:00,0",
        "after,bot1,chat,2026-11-01T02:30:00-05:00,2026-11-01T02:45:00-05:00,0",
        # 2026-03-08: clocks go forward at 02:00 EST; 03:30 EDT is the next hour after 01:xx.
        "spring,bot1,chat,2026-03-08T03:30:00-04:00,2026-03-08T03:45:00-04:00,0",
    ))  # fmt: skip
    capsys.readouterr()
    autumn = _sessions(store_path, capsys, "--from", "2026-11-01", "--to", "2026-11-01",
                       "--bucket", "hour")  # fmt: skip
    starts = [b["start"] for b in autumn["buckets"]]
    # Rollups keep local hours: the repeated 01:00 is one bucket holding both real hours.
    assert len(starts) == 24
    assert starts[:4] == [
        "2026-11-01T00:00:00-04:00",
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T02:00:00-05:00",
        "2026-11-01T03:00:00-05:00",
    ]
    assert starts[-1] == "2026-11-01T23:00:00-05:00"
    sessions = [b["billing_sessions"] for b in autumn["buckets"]]
    assert sessions[1] == 2 and sessions[2] == 1 and sum(sessions) == 3
    assert all(b["agents"] == 2 for b in autumn["buckets"])

    spring = _sessions(store_path, capsys, "--from", "2026-03-08", "--to", "2026-03-08",
                       "--bucket", "hour")  # fmt: skip
    starts = [b["start"] for b in spring["buckets"]]
    assert len(starts) == 23
    assert starts[1:3] == ["2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00"]
    assert [b["billing_sessions"] for b in spring["buckets"]][2] == 1


def test_the_human_table(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--store", str(workspace), "sessions", "--from", "2026-10-05", "--to", "2026-10-06"]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "Sessions from 2026-10-05 to 2026-10-06 by day, all apps (America/New_York)"
    )
    header = lines[2]
    assert header.split("  ")[0].strip() == "Start" and header.endswith("Agents")
    first, second = lines[4], lines[5]
    assert first.startswith("2026-10-05") and first.split() == ["2026-10-05", "3", "0", "0", "1"]
    assert second.split() == ["2026-10-06", "2", "3", "0", "1"]
    # Numbers are right-aligned under their headers.
    assert len({len(line) for line in (header, first, second)}) == 1
    total = lines[7]
    assert total.split() == ["Total", "5", "3", "0", "1", "(peak)"]
    assert "peak daily count of licensed agents" in lines[-1]
    assert "not filtered by app" in lines[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-10-06", "--to", "2026-10-05"], "--from 2026-10-06 is after --to"),
        (["--from", "2023-10-05", "--to", "2026-10-05"], "is longer than 3 years"),
        (["--from", "2026-10-05", "--to", "2026-10-05", "--app", "ghost"], "--app ghost: no such"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    workspace: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["--store", str(workspace), "sessions", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.strip().splitlines()
    assert line.startswith("billing-desktop: error: ") and message in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-10-05", "--to", "2026-10-05", "--bucket", "year"], "invalid choice"),
        (["--from", "2026-13-01", "--to", "2026-10-05"], "'2026-13-01' is not a date"),
        (["--from", "2026-10-05"], "the following arguments are required: --to"),
    ],
)
def test_bad_arguments_exit_2(
    workspace: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--store", str(workspace), "sessions", *args])
    assert raised.value.code == 2
    assert message in capsys.readouterr().err


def test_three_years_is_the_longest_range(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _sessions(workspace, capsys, "--from", "2023-10-06", "--to", "2026-10-05")
    assert len(data["buckets"]) == 1096


def test_users_without_usage_data_rights_are_refused(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--store", str(workspace), "sessions", "--from", "2026-10-05", "--to", "2026-10-05"]
    assert main(["--user", "u2", *args]) == 2  # an agent: no Usage Data rights
    assert "you may not see session statistics" in capsys.readouterr().err
    assert main(["--user", "s1", *args]) == 0  # a supervisor may view Usage Data
