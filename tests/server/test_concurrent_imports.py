"""Imports sent at once (issue 15 §1): the import runs in the write's own transaction, after
its Idempotency-Key and If-Match are checked under the write lock.

Before, the import ran in a transaction of its own after those checks: two at once with one
key gave 200 + 422 "ImportFailed … database is locked", two with one version 200 + 422 (or
two imports) instead of 200 + 412.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

import httpx
import pytest
import sqlalchemy as sa

from billing_desktop.bootstrap import SqlStore
from billing_desktop.server import state
from billing_desktop.server.app import create_app
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.engine import BUSY, BUSY_TIMEOUT_ENV
from tests.server.conftest import Api, Switch
from tests.server.test_safe_writes import at_once, version

ROWS = 2000  # enough that the imports overlap


def sms_file(prefix: str) -> bytes:
    lines = ["id,type,campaign,sent_at"]
    lines += [f"{prefix}-{n},outbound,Fall hiring,2026-11-20T10:00:00Z" for n in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


def sms_ids(store: SqlStore, prefix: str) -> int:
    with store() as uow:
        query = sa.select(sa.func.count()).where(t.sms.c.id.like(f"{prefix}-%"))
        return int(uow.connection.execute(query).scalar() or 0)


def import_audits(store: SqlStore) -> int:
    c = t.audit_log.c
    query = sa.select(sa.func.count()).where(c.action == "import", c.entity == "sms")
    with store() as uow:
        return int(uow.connection.execute(query).scalar() or 0)


def post(api: Api, client: httpx.Client, body: bytes, key: str, if_match: str) -> httpx.Response:
    headers = api.headers(
        "admin",
        **{"Content-Type": "text/csv", "Idempotency-Key": key, "If-Match": if_match},
    )
    return client.post(
        f"{api.url}/api/v1/imports/sms",
        content=body,
        params={"file_name": "sms.csv"},
        headers=headers,
    )


def test_the_same_import_sent_at_once_imports_once_and_replays(api: Api) -> None:
    body = sms_file("twice")
    start = version(api.store, "records")
    audits = import_audits(api.store)
    api.token("admin")  # signed in before the race

    responses = at_once(3, lambda _i, client: post(api, client, body, "import-key", "*"))

    assert [r.status_code for r in responses] == [200] * 3, [r.text for r in responses]
    assert len({r.text for r in responses}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in responses) == 1
    assert responses[0].json()["added"] == ROWS
    assert sms_ids(api.store, "twice") == ROWS
    assert import_audits(api.store) == audits + 1
    assert version(api.store, "records") == start + 1


def test_imports_at_once_from_one_version_one_wins_the_other_is_412(api: Api) -> None:
    with api.store() as uow:
        tag = state.etag("records", uow.versions.get("records"))
    api.token("admin")

    def send(index: int, client: httpx.Client) -> httpx.Response:
        return post(api, client, sms_file(f"file{index}"), f"key-{index}", tag)

    responses = at_once(2, send)

    assert sorted(r.status_code for r in responses) == [200, 412], [r.text for r in responses]
    won = next(i for i, r in enumerate(responses) if r.status_code == 200)
    lost = 1 - won
    assert responses[lost].json()["error"] == "StaleData"
    assert sms_ids(api.store, f"file{won}") == ROWS
    assert sms_ids(api.store, f"file{lost}") == 0  # nothing of the refused file


def test_a_write_while_another_program_holds_the_store_is_a_retriable_503(
    demo_store: SqlStore,
    users: Mapping[str, str],
    switch_server: tuple[Switch, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "0.2")
    store = SqlStore(demo_store.url)  # its connections wait 0.2 s
    switch, url = switch_server
    switch.app = create_app(store)
    api = Api(url, store, users)
    try:
        api.token("admin")
        other = sqlite3.connect(store.engine.url.database or "", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            write = api.call("units.add_unit", {"name": "Busy"})
            imported = post(api, api.client, sms_file("busy"), "busy-import", "*")
            read = api.call("units.units_overview", {})
        finally:
            other.execute("ROLLBACK")
            other.close()
        for response in (write, imported):
            assert response.status_code == 503, response.text
            assert response.headers["Retry-After"] == "1"
            assert response.json()["error"] == "StoreBusy"
            assert response.json()["message"] == BUSY
        assert read.status_code == 200  # reads do not wait for the writer
        assert sms_ids(store, "busy") == 0
        # The same request again, once the other program is done: it goes through.
        assert post(api, api.client, sms_file("busy"), "busy-import", "*").status_code == 200
    finally:
        api.close()
        switch.app = None
        store.dispose()
