"""An incremental sync of append-only records reads only the rows stamped since the last one
(the server's watermark, revision 0014), in pages, resumable, filtered by the user's rights —
against a real server behind the fault proxy. The numbers of rows and requests are asserted,
not only the replica's contents."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import Unavailable
from billing_desktop.remote.replica import ReplicaStore
from billing_desktop.store.sql import replication as rep
from billing_desktop.store.sql import tables as t
from tests.fault_proxy import FaultProxy
from tests.live_server import token_for
from tests.server.test_offline import RECORD_TABLES, keep_few_records, serving

WATERMARKED = (*RECORD_TABLES, "ledger", "usage_hourly")


@pytest.fixture
def demo_store(demo_store: SqlStore) -> SqlStore:
    """The demo workspace with a few hundred of each kind of record."""
    return keep_few_records(demo_store)


class Counting(ReplicaStore):
    """A replica store that notes every request it sends (path and body)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent: list[tuple[str, Any]] = []

    def _send(self, path: str, **kwargs: Any) -> Any:
        self.sent.append((path.rsplit("/", 1)[-1], kwargs.get("json")))
        return super()._send(path, **kwargs)

    def asked(self, what: str) -> list[Any]:
        return [body for path, body in self.sent if path == what]


def client(proxy: FaultProxy, token: str, folder: Path) -> Counting:
    return Counting(proxy.url, token, folder=folder, retries=1, backoff=0.01, offline=False)


def add_calls(store: SqlStore, count: int, prefix: str = "new") -> None:
    start = datetime(2026, 11, 20, 9, tzinfo=UTC)
    with store(write=True) as uow:
        rows = [
            {
                "id": f"{prefix}-{n:04d}",
                "type": "outbound",
                "triggered_by": "agent",
                "trigger_source": "test",
                "candidate_id": None,
                "campaign": "watermark",
                "number": None,
                "user_id": None,
                "started_at": start + timedelta(seconds=n),
                "duration_seconds": 60,
            }
            for n in range(count)
        ]
        if rows:
            uow.connection.execute(t.calls.insert(), rows)
        uow.versions.bump("records")
        uow.commit()


def replica_ids(store: ReplicaStore, table: str) -> list[str]:
    with sqlite3.connect(store.replica.path) as db:
        return [row[0] for row in db.execute(f"SELECT id FROM {table} ORDER BY id")]


def server_ids(store: SqlStore, table: sa.Table) -> list[Any]:
    with store() as uow:
        return list(uow.connection.execute(sa.select(table.c.id).order_by(table.c.id)).scalars())


def test_an_incremental_sync_fetches_only_the_new_records_in_pages(
    demo_store: SqlStore,
    users: Mapping[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        first = store.sync()
        assert first.fetched_rows > 6 * 300  # the first sync: every table, by digests
        monkeypatch.setattr(rep, "CHUNK", 3)
        add_calls(demo_store, 7)
        store.sent.clear()
        report = store.sync()
        # 7 rows: one request for every table with a watermark (3 rows shared between 8
        # tables: 1 each), then pages of 3 of calls alone (3 + 3, then an empty one); none of
        # those tables compared by digests, no row fetched by key range.
        assert report.fetched_rows == 7
        asked = [[r["table"] for r in body["ranges"]] for body in store.asked("since")]
        assert sorted(asked[0]) == sorted(WATERMARKED)
        assert asked[1:] == [["calls"], ["calls"], ["calls"]]
        assert report.fetched_pages == 4
        assert store.asked("rows") == []
        (compared,) = store.asked("chunks")
        assert not set(compared["tables"]) & set(WATERMARKED)
        assert replica_ids(store, "calls") == server_ids(demo_store, t.calls)
        # Nothing stamped since: one watermark request, no page asked for.
        store.sent.clear()
        add_calls(demo_store, 0)  # the records' version moves, no record comes
        again = store.sync()
        assert again.fetched_rows == 0 and store.asked("since") == []
        assert len(store.asked("watermark")) == 1
        store.close()


def test_an_incremental_sync_cut_between_pages_goes_on_from_its_watermark(
    demo_store: SqlStore,
    users: Mapping[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        store.sync()
        monkeypatch.setattr(rep, "CHUNK", 4)
        add_calls(demo_store, 10)
        real = store._send
        pages: list[int] = []

        def cut_at_the_third_request(path: str, **kwargs: Any) -> Any:
            if path.endswith("/since"):
                if len(pages) == 2:
                    raise Unavailable("cut")
                pages.append(1)
            return real(path, **kwargs)

        monkeypatch.setattr(store, "_send", cut_at_the_third_request)
        with pytest.raises(Unavailable):
            store.sync()
        # Kept: 1 call of the request for every table (4 rows shared by 8 tables), then a page
        # of 4.
        assert len(replica_ids(store, "calls")) == 300 + 1 + 4
        monkeypatch.setattr(store, "_send", real)
        resumed = store.sync()
        assert resumed.fetched_rows == 5  # the rest, not the rows already held
        assert replica_ids(store, "calls") == server_ids(demo_store, t.calls)
        store.close()


def test_a_record_deleted_on_the_server_is_caught_by_the_count_and_compared_by_digests(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        store.sync()
        gone = server_ids(demo_store, t.calls)[5]
        with demo_store(write=True) as uow:
            uow.connection.execute(t.calls.delete().where(t.calls.c.id == gone))
            uow.versions.bump("records")
            uow.commit()
        add_calls(demo_store, 2)
        store.sent.clear()
        store.sync()
        (compared,) = store.asked("chunks")
        assert compared["tables"].count("calls") == 1  # the count differed: by digests
        assert gone not in replica_ids(store, "calls")
        assert replica_ids(store, "calls") == server_ids(demo_store, t.calls)
        # Then the watermark again.
        add_calls(demo_store, 1, prefix="later")
        store.sent.clear()
        assert store.sync().fetched_rows == 1
        assert "calls" not in store.asked("chunks")[0]["tables"]
        store.close()


def test_new_ledger_rows_reach_a_shared_account_users_replica_without_app_funds(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["shared"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        store.sync()
        with demo_store(write=True) as uow:
            uow.connection.execute(
                t.ledger.insert(),
                [
                    {
                        "occurred_on": date(2026, 11, 20),
                        "kind": "purchase",
                        "product": None,
                        "amount_minor": 1000 + n,
                        "reference": f"W-{n}",
                        "description": "watermark test",
                        "pool": pool,
                    }
                    for n, pool in enumerate(("", "app:secret", "", "app:other"))
                ],
            )
            uow.versions.bump("credits")
            uow.commit()
        store.sent.clear()
        report = store.sync()
        assert report.fetched_rows == 2
        assert store.asked("rows") == []
        with sqlite3.connect(store.replica.path) as db:
            found = db.execute(
                "SELECT reference, pool FROM ledger WHERE description = 'watermark test' "
                "ORDER BY reference"
            ).fetchall()
            assert (
                db.execute("SELECT count(*) FROM ledger WHERE pool LIKE 'app:%'").fetchone()[0] == 0
            )
        assert found == [("W-0", ""), ("W-2", "")]
        store.close()


def test_changed_rollups_come_by_the_watermark_and_only_they(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        store.sync()
        with demo_store() as uow:
            some = uow.connection.execute(
                sa.select(t.usage_hourly.c.day, t.usage_hourly.c.hour, t.usage_hourly.c.app,
                          t.usage_hourly.c.measure).limit(2)
            ).all()  # fmt: skip
        changed = {tuple(row): Decimal(1) for row in some}
        changed[(date(2030, 1, 1), 3, "", "calls")] = Decimal(2)  # a new hour
        with demo_store(write=True) as uow:
            uow.rollups.add(changed)
            uow.versions.bump("records")
            uow.commit()
        store.sent.clear()
        report = store.sync()
        assert report.fetched_rows == 3
        assert "usage_hourly" not in store.asked("chunks")[0]["tables"]
        query = "SELECT day, hour, app, measure, quantity FROM usage_hourly ORDER BY 1, 2, 3, 4"
        with sqlite3.connect(store.replica.path) as db:
            held = db.execute(query).fetchall()
        with sqlite3.connect(demo_store.path) as db:
            assert held == db.execute(query).fetchall()
        store.close()
