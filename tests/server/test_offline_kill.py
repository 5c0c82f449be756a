"""kill -9 of a real client process in the middle of a replay (PRODUCT §13): every queued change
is applied exactly once on the server, by its Idempotency-Key, when the replay runs again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
import sqlalchemy as sa

from billing_desktop.bootstrap import SqlStore
from billing_desktop.remote.replica import APPLIED, PENDING, ReplicaStore
from billing_desktop.services import overview, units
from billing_desktop.store.sql import tables as t
from tests.fault_proxy import fault_proxy
from tests.live_server import live_server, token_for
from tests.server.test_offline import RECORD_TABLES, keep_few_records

CHANGES = 6


@pytest.fixture
def demo_store(demo_store: SqlStore) -> SqlStore:
    """The demo workspace with a few hundred of each kind of record (the syncs stay short)."""
    return keep_few_records(demo_store, tables=RECORD_TABLES)


def renames(store: SqlStore) -> int:
    with store() as uow:
        return int(
            uow.connection.execute(
                sa.select(sa.func.count()).where(t.audit_log.c.action == "billing-unit.rename")
            ).scalar()
            or 0
        )


def test_a_client_killed_9_mid_replay_applies_every_change_exactly_once(
    demo_store: SqlStore,
    users: Mapping[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = token_for(demo_store, users["admin"])
    # The replica lives in the data folder the child process finds too.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with live_server(demo_store) as url, fault_proxy(url) as proxy:
        store = ReplicaStore(proxy.url, token, retries=1, backoff=0.01, offline=False)
        actor = store.read(overview.workspace, None).actor
        unit = store.read(units.units_overview, actor).rows[0]
        store.online = False
        for n in range(CHANGES):
            store.write(units.rename_unit, actor, unit.id, f"Killed {n}")
        assert store.replica.pending_count() == CHANGES
        store.close()

        # Every answer reaches the client 0.5 s after the server committed the change: a kill
        # right after the server's count moves lands while that answer is on its way.
        proxy.delay = 0.5
        proxy.mode = "slow"
        child = subprocess.Popen(
            [sys.executable, "-m", "billing_desktop", "--store", proxy.url, "sync"],
            env={**os.environ, "BILLING_DESKTOP_TOKEN": token},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while renames(demo_store) < 2:
                assert child.poll() is None, "the client ended before it was killed"
                assert time.monotonic() < deadline, "the replay never started"
                time.sleep(0.02)
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=10)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        assert child.returncode == -signal.SIGKILL
        on_server = renames(demo_store)
        assert 2 <= on_server < CHANGES  # some, not all, were applied before the kill

        proxy.mode = "pass"
        restarted = ReplicaStore(
            proxy.url, token, retries=1, backoff=0.01, offline=False, auto_sync=False
        )
        statuses = [op["status"] for op in restarted.replica.outbox()]
        recorded = statuses.count(APPLIED)
        # The last change the server applied was never recorded by the killed client: its
        # answer was still on the wire.
        assert statuses == [APPLIED] * recorded + [PENDING] * (CHANGES - recorded)
        assert recorded == on_server - 1
        report = restarted.sync()
        assert (report.applied, report.conflicts, report.refused) == (CHANGES - recorded, 0, 0)
        assert [op["status"] for op in restarted.replica.outbox()] == [APPLIED] * CHANGES
        restarted.close()
    assert renames(demo_store) == CHANGES
    with demo_store() as uow:
        assert uow.units.get(unit.id).name == f"Killed {CHANGES - 1}"
        keys = uow.connection.execute(sa.select(t.idempotency_keys.c.key)).scalars().all()
    assert len(keys) == len(set(keys)) == CHANGES
