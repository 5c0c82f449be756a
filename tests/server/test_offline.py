"""Offline work on a shared workspace (PRODUCT §13) against a real server behind a fault proxy:
the replica, the outbox, replay exactly once, conflicts, refusals, preview."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from billing_desktop.api.codec import codec_for
from billing_desktop.api.operations import operation_for
from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import Unavailable
from billing_desktop.domain.periods import Month
from billing_desktop.remote.client import HttpStore
from billing_desktop.remote.replica import (
    APPLIED,
    CONFLICT,
    DISCARDED,
    PENDING,
    REFUSED,
    ReplicaStore,
    offline_outbox,
)
from billing_desktop.services import (
    credits,
    month_close,
    overview,
    plans,
    statements,
    units,
    usage_data,
    usage_page,
)
from billing_desktop.store.sql import replication as rep
from billing_desktop.store.sql import tables as t
from tests.fault_proxy import FaultProxy, fault_proxy
from tests.live_server import live_server, token_for

RECORD_TABLES = ("calls", "conversations", "alerts", "sms", "interviews", "recordings")


def keep_few_records(
    store: SqlStore, limit: int = 300, tables: tuple[str, ...] = (*RECORD_TABLES, "usage_hourly")
) -> SqlStore:
    """Keep the first ``limit`` rows of each of ``tables`` (syncs of them stay short)."""
    with store() as uow:
        for name in tables:
            uow.connection.execute(
                sa.text(
                    f"DELETE FROM {name} WHERE rowid NOT IN "
                    f"(SELECT rowid FROM {name} ORDER BY rowid LIMIT {limit})"
                )
            )
        uow.commit()
    return store


@pytest.fixture
def demo_store(demo_store: SqlStore) -> SqlStore:
    """The demo workspace with a few hundred of each kind of record (a sync of the whole demo
    takes seconds; what is tested here does not depend on how many records there are)."""
    return keep_few_records(demo_store)


@contextmanager
def serving(store: SqlStore) -> Iterator[FaultProxy]:
    with live_server(store) as url, fault_proxy(url) as proxy:
        yield proxy


def client(proxy: FaultProxy, token: str, folder: Path, **options: Any) -> ReplicaStore:
    return ReplicaStore(
        proxy.url, token, folder=folder, retries=1, backoff=0.01, offline=False, **options
    )


def figures(store: Any, actor: Any) -> dict[str, Any]:
    """What a few screens show, as the API encodes it (comparable across stores)."""
    shown: dict[str, Any] = {}
    for name, read in {
        "units": lambda: store.read(units.units_overview, actor),
        "usage": lambda: store.read(usage_page.usage_page, actor),
        "months": lambda: store.read(statements.statement_months, actor),
        "calls": lambda: store.read(usage_data.call_log_count, actor, usage_data.CallQuery()),
    }.items():
        result = read()
        function = {
            "units": units.units_overview,
            "usage": usage_page.usage_page,
            "months": statements.statement_months,
            "calls": usage_data.call_log_count,
        }[name]
        operation = operation_for(function)
        assert operation is not None
        shown[name] = codec_for(operation).encode_result(result)
    return shown


def unit_named(store: Any, actor: Any, name: str) -> Any:
    return store.read(units.find_unit, actor, name)


def first_unit(store: Any, actor: Any) -> Any:
    return store.read(units.units_overview, actor).rows[0]


def test_a_shared_account_users_replica_holds_no_plan_data(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    admin = demo_store.read(overview.workspace, users["admin"]).actor
    app = demo_store.read(overview.apps, admin)[0]
    demo_store.write(plans.add_funds, admin, app.id, "25.00")
    with serving(demo_store) as proxy:
        store = client(proxy, token_for(demo_store, users["shared"]), tmp_path / "r")
        report = store.sync()
        assert report.fetched_rows > 0
        path = store.replica.path
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM plans").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM apps").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM plan_extension_requests").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM ledger WHERE pool LIKE 'app:%'").fetchone() == (0,)
        replica_calls = db.execute("SELECT count(*) FROM calls").fetchone()[0]
        replica_ledger = db.execute("SELECT count(*) FROM ledger").fetchone()[0]
    with demo_store() as uow:
        conn = uow.connection
        assert conn.execute(sa.select(sa.func.count()).select_from(t.calls)).scalar() == (
            replica_calls
        )
        app_rows = conn.execute(
            sa.select(sa.func.count()).where(t.ledger.c.pool.startswith("app:"))
        ).scalar()
        all_rows = conn.execute(sa.select(sa.func.count()).select_from(t.ledger)).scalar()
    assert app_rows and replica_ledger == all_rows - app_rows


def test_reads_offline_equal_the_online_figures_as_of_the_last_sync(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        online = HttpStore(proxy.url, token)
        actor = online.read(overview.workspace, None).actor
        expected = figures(online, actor)
        online.close()
        first = client(proxy, token, tmp_path / "r")
        first.sync()
        first.close()
        assert not list((tmp_path / "r").rglob("*-wal"))  # closed: the replica's file is whole
        proxy.mode = "drop"  # the server is gone
        later = client(proxy, token, tmp_path / "r")
        offline_actor = later.read(overview.workspace, None).actor
        assert later.online is False and later.synced_at()
        assert figures(later, offline_actor) == expected
        later.close()


def test_an_interrupted_first_sync_resumes_without_starting_over(
    demo_store: SqlStore,
    users: Mapping[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rep, "CHUNK", 200)
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        fetched: list[int] = []
        real = store._fetch_batch

        def cut_after_three(replica: Any, batch: list[Any], report: Any) -> None:
            if len(fetched) == 3:
                proxy.mode = "drop"
                raise Unavailable("cut")
            fetched.append(len(batch))
            real(replica, batch, report)

        monkeypatch.setattr(store, "_fetch_batch", cut_after_three)
        with pytest.raises(Unavailable):
            store.sync()
        proxy.mode = "pass"
        monkeypatch.setattr(store, "_fetch_batch", real)
        resumed = store.sync()
        full = client(proxy, token, tmp_path / "fresh").sync()
        assert sum(fetched) > 3 and resumed.fetched_chunks == full.fetched_chunks - sum(fetched)
        again = store.sync()
        assert again.fetched_chunks == 0
        store.close()


def test_an_offline_write_is_queued_applied_locally_and_replayed_once(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        actor = store.read(overview.workspace, None).actor
        unit = first_unit(store, actor)
        proxy.mode = "drop"
        counts: list[int] = []
        store.on_queued = counts.append
        store.online = False
        store.write(units.rename_unit, actor, unit.id, "Renamed offline")
        assert counts == [1]
        assert unit_named(store, actor, "Renamed offline").id == unit.id  # the replica has it
        with demo_store() as uow:  # the server does not (yet)
            assert uow.units.get(unit.id).name == unit.name
        proxy.mode = "pass"
        report = store.sync()
        assert (report.applied, report.pending, report.conflicts) == (1, 0, 0)
        with demo_store() as uow:
            assert uow.units.get(unit.id).name == "Renamed offline"
        assert store.sync().applied == 0
        assert [op["status"] for op in store.replica.outbox()] == [APPLIED]
        store.close()
    assert _renames(demo_store) == 1
    # The activity report says where the change came from: a replay of offline work.
    with demo_store() as uow:
        origin = uow.connection.execute(
            sa.select(t.audit_log.c.origin).where(t.audit_log.c.action == "billing-unit.rename")
        ).scalar()
    assert origin == "sync"


def _renames(store: SqlStore) -> int:
    with store() as uow:
        return int(
            uow.connection.execute(
                sa.select(sa.func.count()).where(t.audit_log.c.action == "billing-unit.rename")
            ).scalar()
            or 0
        )


def test_an_answer_cut_mid_response_never_applies_the_change_twice(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        actor = store.read(overview.workspace, None).actor
        unit = first_unit(store, actor)
        store.online = False
        store.write(units.rename_unit, actor, unit.id, "Cut once")
        proxy.mode = "cut"  # the server runs the change, its answer is lost
        with pytest.raises(Unavailable):
            store.replay()
        with demo_store() as uow:
            assert uow.units.get(unit.id).name == "Cut once"
        assert [op["status"] for op in store.replica.outbox()] == [PENDING]
        proxy.mode = "pass"
        assert store.sync().applied == 1
        store.close()
    assert _renames(demo_store) == 1


def test_the_server_going_away_during_a_replay_applies_every_change_exactly_once(
    demo_store: SqlStore,
    users: Mapping[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        actor = store.read(overview.workspace, None).actor
        unit = first_unit(store, actor)
        store.online = False
        for n in range(6):
            store.write(units.rename_unit, actor, unit.id, f"Name {n}")
        sent: list[str] = []
        real = store._post_operation

        def dies_after_three(*args: Any) -> Any:
            answer = real(*args)
            sent.append(args[2])
            if len(sent) == 3:
                proxy.mode = "drop"
                proxy.close_connections()
            return answer

        monkeypatch.setattr(store, "_post_operation", dies_after_three)
        with pytest.raises(Unavailable):
            store.replay()
        statuses = [op["status"] for op in store.replica.outbox()]
        assert statuses == [APPLIED] * 3 + [PENDING] * 3
        proxy.mode = "pass"
        report = store.sync()
        assert report.applied == 3 and report.conflicts == 0
        store.close()
    assert _renames(demo_store) == 6
    with demo_store() as uow:
        assert uow.units.get(unit.id).name == "Name 5"
        keys = uow.connection.execute(sa.select(t.idempotency_keys.c.key)).scalars().all()
    assert len(keys) == len(set(keys)) == 6


def test_two_clients_editing_one_unit_offline_the_second_gets_a_three_way_conflict(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        alice = client(proxy, token, tmp_path / "alice")
        bob = client(proxy, token, tmp_path / "bob")
        actor = alice.read(overview.workspace, None).actor
        bob.read(overview.workspace, None)
        unit = first_unit(alice, actor)
        alice.online = bob.online = False
        alice.write(units.rename_unit, actor, unit.id, "Alice's name")
        bob.write(units.rename_unit, actor, unit.id, "Bob's name")
        assert alice.sync().applied == 1
        report = bob.sync()
        assert (report.applied, report.conflicts) == (0, 1)
        (op,) = bob.replica.outbox()
        assert op["status"] == CONFLICT and "someone else changed" in op["reason"]

        def name_in(snapshot: Any) -> str:
            return next(u["name"] for u in snapshot["rows"] if u["id"] == unit.id)

        assert name_in(op["base"]) == unit.name
        assert name_in(op["mine"]) == "Bob's name"
        assert name_in(op["server"]["value"]) == "Alice's name"
        # After the sync Bob's replica shows the server's state, his change waits.
        assert first_unit(bob, actor).name in {"Alice's name"} or unit_named(
            bob, actor, "Alice's name"
        )
        bob.apply_mine(int(op["seq"]))
        assert bob.sync().applied == 1
        with demo_store() as uow:
            assert uow.units.get(unit.id).name == "Bob's name"
        alice.close()
        bob.close()


def test_a_right_taken_away_while_offline_refuses_the_change_and_keeps_it(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    editor = users["edit_billing_unit"]
    token = token_for(demo_store, editor)
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        actor = store.read(overview.workspace, None).actor
        unit = first_unit(store, actor)
        other = store.read(units.units_overview, actor).rows[1]
        store.online = False
        store.write(units.rename_unit, actor, unit.id, "Not allowed any more")
        with demo_store() as uow:  # meanwhile an admin takes the right away
            uow.connection.execute(
                t.users.update().where(t.users.c.id == editor).values(access_groups="")
            )
            uow.commit()
        report = store.sync()
        assert (report.applied, report.refused) == (0, 1)
        (op,) = store.replica.outbox()
        assert op["status"] == REFUSED and "may not change Billing Units" in op["reason"]
        exported = store.export_outbox(tmp_path / "outbox.json")
        assert exported == 1
        saved = json.loads((tmp_path / "outbox.json").read_text())
        assert saved["outbox"][0]["arguments"]["name"] == "Not allowed any more"
        store.discard(int(op["seq"]))
        assert [o["status"] for o in store.replica.outbox()] == [DISCARDED]  # kept as a log
        assert other.name  # untouched
        store.close()


def test_an_outbox_of_another_api_version_is_refused_clearly(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        actor = store.read(overview.workspace, None).actor
        unit = first_unit(store, actor)
        store.online = False
        store.write(units.rename_unit, actor, unit.id, "From an old client")
        with store.replica.connect() as conn:
            conn.execute(offline_outbox.update().values(api_version=0))
        (verdict,) = store.preview()
        assert verdict["verdict"] == "refused" and "API version 0" in verdict["reason"]
        report = store.sync()
        assert report.refused == 1
        (op,) = store.replica.outbox()
        assert "outbox version 0" in op["reason"]
        store.close()


def test_preview_gives_a_verdict_per_operation_and_changes_nothing(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        actor = store.read(overview.workspace, None).actor
        first, second, third = store.read(units.units_overview, actor).rows[:3]
        store.online = False
        store.write(units.rename_unit, actor, first.id, "Preview one")
        store.write(units.rename_unit, actor, second.id, "Preview two")
        with demo_store() as uow:
            version = uow.versions.get("units")
        assert [v["verdict"] for v in store.preview()] == ["applies", "applies"]
        with demo_store() as uow:  # the preview was rolled back
            assert uow.versions.get("units") == version
            assert uow.units.get(first.id).name == first.name
            assert not uow.connection.execute(sa.select(t.idempotency_keys)).first()
        admin = demo_store.read(overview.workspace, users["admin"]).actor
        demo_store.write(units.rename_unit, admin, third.id, "Changed on the server")
        verdicts = store.preview()
        assert [v["verdict"] for v in verdicts] == ["conflict", "conflict"]
        assert "someone else changed" in verdicts[0]["reason"]
        assert [op["status"] for op in store.replica.outbox()] == [PENDING, PENDING]
        store.close()


def test_money_is_only_requested_offline_and_month_close_is_refused(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        actor = store.read(overview.workspace, None).actor
        before = store.read(usage_page.usage_page, actor)
        proxy.mode = "drop"
        store.online = False
        from decimal import Decimal

        store.write(credits.purchase_credits, actor, Decimal("100"))
        (op,) = store.replica.outbox()
        assert op["request"] and op["status"] == PENDING
        after = store.read(usage_page.usage_page, actor)
        assert codec_for(operation_for(usage_page.usage_page)).encode_result(after) == codec_for(
            operation_for(usage_page.usage_page)
        ).encode_result(before)
        with pytest.raises(Unavailable, match="offline: closing a month"):
            store.write(month_close.close_month, actor, Month(2026, 10))
        store.close()


def test_the_command_line_works_offline_queues_and_syncs(
    demo_store: SqlStore,
    users: Mapping[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    from billing_desktop import cli

    monkeypatch.setenv("BILLING_DESKTOP_TOKEN", token_for(demo_store, users["admin"]))
    with serving(demo_store) as proxy:
        url = proxy.url
        reads = [["usage", "--month", "2026-10", "--json"], ["units", "report", "--json"]]
        online = []
        for read in reads:
            assert cli.main(["--store", url, *read]) == 0
            online.append(capsys.readouterr().out)
        proxy.mode = "drop"
        for read, expected in zip(reads, online, strict=True):
            assert cli.main(["--store", url, *read]) == 0
            assert capsys.readouterr().out == expected  # from the replica
        assert cli.main(["--store", url, "units", "add", "Made offline"]) == 0
        printed = capsys.readouterr()
        assert "queued (1 pending)" in printed.err
        assert cli.main(["--store", url, "close-month", "2026-10"]) == 2
        assert "offline: closing a month" in capsys.readouterr().err
        assert cli.main(["--store", url, "outbox", "--json"]) == 0
        (entry,) = json.loads(capsys.readouterr().out)
        assert (entry["status"], entry["operation"]) == (PENDING, "units.add_unit")
        assert cli.main(["--store", url, "sync"]) == 2  # still down: an error
        capsys.readouterr()
        proxy.mode = "pass"
        assert cli.main(["--store", url, "outbox", "preview", "--json"]) == 0
        assert [v["verdict"] for v in json.loads(capsys.readouterr().out)] == ["applies"]
        assert cli.main(["--store", url, "sync", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["applied"] == 1
        assert demo_store.read(units.find_unit, _admin(demo_store, users), "Made offline")
        # A conflict waits for the user: exit 3, then discarded and kept.
        proxy.mode = "drop"
        assign = ["units", "assign", "Made offline", "--user", users["agent"]]
        assert cli.main(["--store", url, *assign]) == 0
        admin = _admin(demo_store, users)
        made = demo_store.read(units.find_unit, admin, "Made offline")
        demo_store.write(units.rename_unit, admin, made.id, "Theirs")
        proxy.mode = "pass"
        capsys.readouterr()
        assert cli.main(["--store", url, "sync"]) == 3
        assert "1 conflict(s)" in capsys.readouterr().out
        assert cli.main(["--store", url, "outbox", "discard", "2"]) == 0
        assert cli.main(["--store", url, "sync"]) == 0
        out = tmp_path / "outbox.json"
        assert cli.main(["--store", url, "outbox", "export", str(out)]) == 0
        saved = json.loads(out.read_text())["outbox"]
        assert [e["status"] for e in saved] == [APPLIED, DISCARDED]
        assert demo_store.read(units.find_unit, admin, "Theirs").id == made.id


def _admin(store: SqlStore, users: Mapping[str, str]) -> Any:
    return store.read(overview.workspace, users["admin"]).actor


def test_a_stalled_server_times_out_into_the_outbox(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    import httpx

    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        actor = store.read(overview.workspace, None).actor
        unit = first_unit(store, actor)
        store._client.timeout = httpx.Timeout(0.5)
        proxy.mode = "stall"  # connections are taken and never answered
        store.write(units.rename_unit, actor, unit.id, "Written while stalled")
        assert store.online is False
        assert [op["status"] for op in store.replica.outbox()] == [PENDING]
        proxy.mode = "pass"
        assert store.sync().applied == 1
        store.close()
    assert _renames(demo_store) == 1


def test_a_client_killed_between_the_servers_answer_and_its_own_record_applies_once(
    demo_store: SqlStore,
    users: Mapping[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The client dies after the server committed the second change and before the replica
    recorded it (what a kill -9 can do; the replica's own writes are SQLite transactions)."""
    from billing_desktop.remote.replica import Replica

    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        actor = store.read(overview.workspace, None).actor
        unit = first_unit(store, actor)
        store.online = False
        for n in range(4):
            store.write(units.rename_unit, actor, unit.id, f"Killed {n}")
        real = Replica.update_op
        marked: list[int] = []

        def dies_on_the_second(self: Replica, seq: int, **values: Any) -> None:
            if values.get("status") == APPLIED and len(marked) == 1:
                raise SystemExit(9)
            marked.append(seq)
            real(self, seq, **values)

        monkeypatch.setattr(Replica, "update_op", dies_on_the_second)
        with pytest.raises(SystemExit):
            store.replay()
        monkeypatch.setattr(Replica, "update_op", real)
        store.close()
        restarted = client(proxy, token, tmp_path / "r")
        report = restarted.sync()
        assert (report.applied, report.conflicts) == (3, 0)
        restarted.close()
    assert _renames(demo_store) == 4
    with demo_store() as uow:
        assert uow.units.get(unit.id).name == "Killed 3"


def test_sign_out_deletes_the_replica_and_a_new_sign_in_starts_afresh(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        store.sync()
        path = store.replica.path
        assert path.exists() and (tmp_path / "r" / "last.json").exists()
        assert store.sign_out() == path
        assert not path.exists() and not (tmp_path / "r" / "last.json").exists()
        assert not list((tmp_path / "r").glob("*.db*"))
        proxy.mode = "drop"
        later = client(proxy, token, tmp_path / "r")
        with pytest.raises(Unavailable, match="no copy of"):
            later.read(overview.workspace, None)
        store.close()
        later.close()


def test_a_read_never_changes_the_replica(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    """What a read commits (the Usage tab's auto-recharge does) stays off the replica: only
    the server makes money, and only a pull changes the copy."""

    def writes_and_commits(uow: Any, actor: Any) -> None:
        uow.connection.execute(t.workspace_settings.insert().values(key="x", value=1))
        uow.commit()

    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        actor = store.read(overview.workspace, None).actor
        store.read(writes_and_commits, actor)
        with store.replica.sql() as uow:
            found = uow.connection.execute(
                sa.select(t.workspace_settings).where(t.workspace_settings.c.key == "x")
            ).first()
        assert found is None
        store.close()
