"""The call-log export's fast path writes exactly what csv.writer and safe_cell would: local
times across zone transitions (on and off the hour), formula starts, cells needing quotes."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.exports.csv_export import safe_cell
from billing_desktop.services import overview, usage_data
from billing_desktop.services.recording import add_records
from billing_desktop.services.usage_data import CallQuery
from billing_desktop.store.ports import UnitOfWorkFactory
from tests.gui.workspace_data import ACCOUNT, PRODUCTS, USERS

# Zones and a transition of each: New York's on the UTC hour, Lord Howe's half-hour shift at
# 02:00 local (+10:30 -> +11:00 at 15:30 UTC, within a UTC hour), Kolkata's +05:30 with none.
TRANSITIONS = {
    "America/New_York": datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
    "Australia/Lord_Howe": datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
    "Asia/Kolkata": datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
}


@pytest.fixture(autouse=True, params=["arrow", "python"])
def export_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs on both paths of the SQLite store's export: the Arrow batches
    (in batches of 11) and the Python chunks (``csv_chunks``, the oracle)."""
    monkeypatch.setattr(usage_data, "ARROW_EXPORT", request.param == "arrow")
    monkeypatch.setattr(usage_data, "ARROW_BATCH_ROWS", 11)
    return str(request.param)


def calls_around(moment: datetime) -> list[m.Call]:
    """Calls every 97 s from two hours before ``moment`` to two hours after, and a few whose
    text cells would run as formulas or need quotes."""
    calls = [
        m.Call(
            f"call-{n:05}",
            m.CallType.AUTOCALL if n % 3 else m.CallType.LIVE,
            m.TriggeredBy.CANDIDATE if n % 2 else m.TriggeredBy.RECRUITER,
            ("Email", "SMS", "Chat UI")[n % 3],
            None if n % 5 == 0 else f"cand-{n}",
            ("Seasonal Drivers", "@Campus Hiring", "Night Shift")[n % 3],
            None if n % 7 == 0 else f"+1212555{n % 90:04}",
            None,
            moment + timedelta(seconds=97 * n - 7200),
            n * 13 % 700,
        )
        for n in range(150)
    ]
    odd = moment + timedelta(minutes=1)
    calls += [
        m.Call("=cmd|' /C calc'!A0", m.CallType.ROBOCALL, m.TriggeredBy.RECRUITER, "-2+3",
               "@cand", '=HYPERLINK("http://x","y")', "+15550100", None, odd, 61),
        m.Call("call-comma", m.CallType.LIVE, m.TriggeredBy.CANDIDATE, "Email", "+x",
               "Sales, East", "+1 555 0100", None, odd, 0),
        m.Call("call-line", m.CallType.LIVE, m.TriggeredBy.CANDIDATE, "SMS\r\nx", "\tcand",
               "Night Shift", None, None, odd, 3601),
        # Cells that run inside when the file is opened with another separator (issue 15 §5).
        m.Call("call;=1+1", m.CallType.LIVE, m.TriggeredBy.CANDIDATE, "Email|@SUM(1)",
               "cand =2", "a;=1+1", None, None, odd, 5),
        m.Call("call|-x", m.CallType.LIVE, m.TriggeredBy.CANDIDATE, "Email", "cand\t+x",
               "Night Shift", None, None, odd, 7),
    ]  # fmt: skip
    return calls


def reference(store: SqlStore, query: CallQuery) -> bytes:
    """The export as csv.writer writes the cells through safe_cell, from the call-log lines."""
    with store() as uow:
        actor = overview.workspace(uow, "ada").actor
        lines = usage_data.call_log_page(uow, actor, query, 0, 10_000)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(usage_data.HEADER)
    for line in lines:
        call = line.call
        cells = (
            call.id,
            call.type,
            call.triggered_by,
            call.trigger_source,
            call.candidate_id or "",
            call.campaign,
            call.number or "",
            call.started_at.isoformat(timespec="seconds"),
            line.minutes,
            "" if line.cost is None else line.cost,
        )
        writer.writerow([safe_cell(cell) for cell in cells])
    return b"\xef\xbb\xbf" + out.getvalue().encode()


@pytest.mark.parametrize("zone", sorted(TRANSITIONS))
@pytest.mark.parametrize("chunk", [17, 10_000])
def test_the_export_is_what_csv_writer_would_write(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str, chunk: int
) -> None:
    store_calls(store, zone, calls_around(TRANSITIONS[zone]))
    monkeypatch.setattr(usage_data, "EXPORT_CHUNK", chunk)  # some chunks fast, some not
    for query in (CallQuery(), CallQuery(sort="campaign", descending=False)):
        out = tmp_path / "calls.csv"
        with store() as uow:
            actor = overview.workspace(uow, "ada").actor
            written = usage_data.export_call_log(uow, actor, query, out)
        assert written == 155
        assert out.read_bytes() == reference(store, query)
    text = out.read_text(encoding="utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text and '"Sales, East"' in text
    assert "call;'=1+1,live,candidate,Email|'@SUM(1),cand '=2,a;'=1+1" in text
    offsets = {
        datetime.fromisoformat(row[7]).utcoffset()
        for row in csv.reader(io.StringIO(text, newline=""))
        if row[0] != "Call ID"
    }
    assert len(offsets) == (1 if zone == "Asia/Kolkata" else 2)  # both sides of the change


def store_calls(store: UnitOfWorkFactory, timezone: str, calls: list[m.Call]) -> None:
    """The account in ``timezone``, the products and users, and ``calls``."""
    with store() as uow:
        uow.account.save(dataclasses.replace(ACCOUNT, timezone=timezone))
        uow.products.add_many(PRODUCTS)
        uow.users.add_many(USERS)
        add_records(uow, "calls", calls)
        uow.commit()


def test_text_values_needing_quotes_keep_the_fast_path(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A campaign, source or number holding a comma, quote or line break is written quoted
    from the export's memo (csv.writer's bytes): its chunks no longer go through csv.writer."""
    moment = TRANSITIONS["America/New_York"]
    calls = calls_around(moment)[:150]  # the plain calls only
    calls += [
        dataclasses.replace(calls[1], id="call-q1", campaign="Sales, East"),
        dataclasses.replace(calls[2], id="call-q2", trigger_source='Chat "UI"\r\nx'),
        dataclasses.replace(calls[3], id="call-q3", number="=1,2", campaign='@"x"'),
    ]
    store_calls(store, "America/New_York", calls)

    def no_slow_path(rows: object) -> str:
        raise AssertionError("a chunk went through csv.writer")

    out = tmp_path / "calls.csv"
    query = CallQuery()
    with monkeypatch.context() as patch:
        patch.setattr(usage_data, "csv_text", no_slow_path)
        with store() as uow:
            actor = overview.workspace(uow, "ada").actor
            assert usage_data.export_call_log(uow, actor, query, out) == 153
    assert out.read_bytes() == reference(store, query)
    assert b'"Sales, East"' in out.read_bytes() and b'"Chat ""UI""\r\nx"' in out.read_bytes()


@pytest.mark.parametrize("odd_id", ["call,comma", 'call"quote', "call\nline", "call\rx"])
def test_an_id_needing_quotes_sends_its_chunk_through_csv_writer(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, odd_id: str
) -> None:
    moment = TRANSITIONS["America/New_York"]
    calls = calls_around(moment)[:40]
    calls += [dataclasses.replace(calls[5], id=odd_id), dataclasses.replace(calls[6], id="c-2",
              candidate_id=odd_id)]  # fmt: skip
    store_calls(store, "America/New_York", calls)
    monkeypatch.setattr(usage_data, "EXPORT_CHUNK", 7)
    out = tmp_path / "calls.csv"
    with store() as uow:
        actor = overview.workspace(uow, "ada").actor
        assert usage_data.export_call_log(uow, actor, CallQuery(), out) == 42
    assert out.read_bytes() == reference(store, CallQuery())


def test_ids_starting_like_a_formula_are_made_safe_on_the_fast_path(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = TRANSITIONS["Asia/Kolkata"]
    calls = calls_around(moment)[:30]
    calls += [
        dataclasses.replace(calls[1], id="=1+1", candidate_id="@cand"),
        dataclasses.replace(calls[2], id="+x", candidate_id="-2+3"),
        dataclasses.replace(calls[3], id="＝full", candidate_id="\tcand"),
    ]
    store_calls(store, "Asia/Kolkata", calls)

    def no_slow_path(rows: object) -> str:
        raise AssertionError("a chunk went through csv.writer")

    out = tmp_path / "calls.csv"
    with monkeypatch.context() as patch:
        patch.setattr(usage_data, "csv_text", no_slow_path)
        with store() as uow:
            actor = overview.workspace(uow, "ada").actor
            assert usage_data.export_call_log(uow, actor, CallQuery(), out) == 33
    assert out.read_bytes() == reference(store, CallQuery())
    text = out.read_text(encoding="utf-8-sig")
    assert "'=1+1," in text and ",'@cand," in text and "'+x," in text and "'＝full" in text
