"""The call log through the store: SQL order and filters, paging from either end, streamed
formula-safe CSV export with progress and cancel."""

from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Actor
from billing_desktop.services import overview, usage_data
from billing_desktop.services.recording import add_records
from billing_desktop.services.task_state import Progress, TaskState
from billing_desktop.services.usage_data import CallQuery, ExportCancelled
from tests.gui.workspace_data import CALLS, TIMEZONE, fill, this_month_start_utc

ZONE = ZoneInfo(TIMEZONE)


@pytest.fixture
def filled(store: SqlStore) -> SqlStore:
    with store() as uow:
        fill(uow)
        start = this_month_start_utc() + timedelta(hours=1)
        add_records(
            uow,
            "calls",
            [
                m.Call(
                    "call-evil",
                    m.CallType.ROBOCALL,
                    m.TriggeredBy.RECRUITER,
                    "-2+3",
                    "@cand",
                    '=HYPERLINK("http://x","y")',
                    "+15550100",
                    None,
                    start,
                    61,
                )
            ],
        )
        uow.commit()
    return store


def admin(store: SqlStore) -> Actor:
    with store() as uow:
        return overview.workspace(uow, "ada").actor


def ids(lines: list[usage_data.CallLine]) -> list[str]:
    return [line.call.id for line in lines]


def test_pages_from_the_far_end_match_pages_read_forwards(filled: SqlStore) -> None:
    actor = admin(filled)
    for query in (
        CallQuery(),
        CallQuery(sort="cost"),
        CallQuery(sort="campaign", descending=False),
    ):
        with filled() as uow:
            total = usage_data.call_log_count(uow, actor, query)
            assert total == CALLS + 1
            forward = usage_data.call_log_page(uow, actor, query, 0, total)
            for offset in (0, 480, total // 2 + 1, total - 500, total - 7):
                page = usage_data.call_log_page(uow, actor, query, offset, 500, total)
                assert ids(page) == ids(forward[offset : offset + 500])


def test_sorting_by_cost_orders_every_row_in_sql(filled: SqlStore) -> None:
    actor = admin(filled)
    with filled() as uow:
        rows = usage_data.call_log_page(uow, actor, CallQuery(sort="cost"), 0, CALLS + 1)
    costs = [line.cost for line in rows]
    assert costs == sorted(costs, reverse=True)  # type: ignore[type-var]
    evil = next(line for line in rows if line.call.id == "call-evil")
    assert (evil.minutes, evil.cost) == (2, Decimal("0.03"))  # 2 started minutes x 0.0125


def test_the_range_is_whole_local_days_and_filters_apply(filled: SqlStore) -> None:
    actor = admin(filled)
    first = this_month_start_utc().astimezone(ZONE).date()
    with filled() as uow:
        everything = usage_data.call_log_page(uow, actor, CallQuery(), 0, 5000)
        one_day = CallQuery(first=first, last=first)
        expected = [c for c in everything if c.call.started_at.date() == first]
        assert usage_data.call_log_count(uow, actor, one_day) == len(expected)
        assert ids(usage_data.call_log_page(uow, actor, one_day, 0, 5000)) == ids(expected)
        live = CallQuery(type="live")
        assert usage_data.call_log_count(uow, actor, live) == len(
            [c for c in everything if c.call.type == "live"]
        )
        campaign = CallQuery(campaign='=HYPERLINK("http://x","y")')
        assert ids(usage_data.call_log_page(uow, actor, campaign, 0, 10)) == ["call-evil"]
    with pytest.raises(Exception, match="ends"):
        CallQuery(first=first, last=first - timedelta(days=1))


def test_the_export_is_formula_safe_and_has_every_row(filled: SqlStore, tmp_path: Path) -> None:
    actor = admin(filled)
    out = tmp_path / "calls.csv"
    seen: list[Progress] = []
    with filled() as uow:
        written = usage_data.export_call_log(uow, actor, CallQuery(), out, TaskState(seen.append))
    assert written == CALLS + 1
    assert seen[-1].fraction == 1.0 and seen[-1].text == f"{CALLS + 1:,} of {CALLS + 1:,} calls"
    assert [p.fraction for p in seen] == sorted(p.fraction for p in seen)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == usage_data.HEADER
    assert len(rows) == CALLS + 2
    evil = next(row for row in rows if row[0] == "call-evil")
    assert evil[3] == "'-2+3"
    assert evil[4] == "'@cand"
    assert evil[5] == '\'=HYPERLINK("http://x","y")'
    assert evil[6] == "+15550100"  # a plain number stays a number
    assert evil[8:] == ["2", "0.03"]
    assert evil[7].endswith(("+01:00", "+02:00"))  # local time with the zone's offset


def test_a_cancelled_export_writes_nothing(filled: SqlStore, tmp_path: Path) -> None:
    actor = admin(filled)
    out = tmp_path / "calls.csv"
    out.write_text("previous")
    state = TaskState()
    state.cancel()
    with filled() as uow, pytest.raises(ExportCancelled):
        usage_data.export_call_log(uow, actor, CallQuery(), out, state)
    assert out.read_text() == "previous"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".calls")]


def test_agents_may_not_export(filled: SqlStore, tmp_path: Path) -> None:
    with filled() as uow:
        agent = overview.workspace(uow, "alex").actor
        with pytest.raises(Exception, match="call log"):
            usage_data.export_call_log(uow, agent, CallQuery(), tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
