"""Stateless servers: two server processes' worth of apps (each with its own engine) on one
database give the same answers; tokens, versions and idempotency records live in the store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.server.state import parse_etag
from billing_desktop.services.demo import build_demo
from tests.live_server import live_server, token_for
from tests.server.conftest import Template, copy_store


class Pair:
    def __init__(self, a: str, b: str, token: str) -> None:
        self.a = httpx.Client(base_url=a, timeout=60)
        self.b = httpx.Client(base_url=b, timeout=60)
        self.auth = {"Authorization": f"Bearer {token}"}

    def post(
        self, client: httpx.Client, path: str, body: dict[str, object], **headers: str
    ) -> httpx.Response:
        return client.post(f"/api/v1/{path}", json=body, headers={**self.auth, **headers})

    def close(self) -> None:
        self.a.close()
        self.b.close()


@pytest.fixture
def pair(demo_template: Template, tmp_path: Path) -> Iterator[Pair]:
    """Servers A and B, each with its own SqlStore (engine, pool) on the same SQLite file."""
    first = copy_store(demo_template, tmp_path / "db")
    second = SqlStore(first.url)
    assert first.engine is not second.engine
    token = token_for(first, demo_template.users["admin"])  # issued once, valid on both
    with live_server(first) as url_a, live_server(second) as url_b:
        opened = Pair(url_a, url_b, token)
        yield opened
        opened.close()
    first.dispose()
    second.dispose()


def names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [row["name"] for row in response.json()["rows"]]


def test_a_write_through_a_is_read_through_b(pair: Pair) -> None:
    before_b = pair.post(pair.b, "units/units_overview", {})
    added = pair.post(pair.a, "units/add_unit", {"name": "Quality"}, **_write("k1"))
    assert added.status_code == 200, added.text
    after_b = pair.post(pair.b, "units/units_overview", {})
    assert "Quality" in names(after_b)
    assert "Quality" not in names(before_b)
    # Both servers name the same version (a read's tag goes on with what its answer depends
    # on: api.conditional).
    after_a = pair.post(pair.a, "units/units_overview", {})
    versions = [parse_etag(r.headers["ETag"], "units") for r in (after_a, after_b, added)]
    assert versions[0] == versions[1] == versions[2]
    assert after_b.headers["ETag"] != before_b.headers["ETag"]


def test_a_retry_on_the_other_server_is_replayed(pair: Pair) -> None:
    first = pair.post(pair.a, "units/add_unit", {"name": "Quality"}, **_write("same-key"))
    assert first.status_code == 200, first.text
    retry = pair.post(pair.b, "units/add_unit", {"name": "Quality"}, **_write("same-key"))
    assert retry.status_code == 200, retry.text
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert names(pair.post(pair.a, "units/units_overview", {})).count("Quality") == 1
    # The same key with another body is refused on either server.
    other = pair.post(pair.b, "units/add_unit", {"name": "Escalations"}, **_write("same-key"))
    assert other.status_code == 422


def test_a_version_moved_on_through_a_is_enforced_by_b(pair: Pair) -> None:
    tag = pair.post(pair.b, "units/units_overview", {}).headers["ETag"]
    moved = pair.post(pair.a, "units/add_unit", {"name": "Quality"}, **_write("k1", tag))
    assert moved.status_code == 200
    stale = pair.post(pair.b, "units/rename_unit", {"unit_id": 1, "name": "X"}, **_write("k2", tag))
    assert stale.status_code == 412, stale.text
    assert stale.headers["ETag"] == moved.headers["ETag"]
    fresh = pair.post(
        pair.b,
        "units/rename_unit",
        {"unit_id": 1, "name": "Inside sales"},
        **_write("k3", moved.headers["ETag"]),
    )
    assert fresh.status_code == 200, fresh.text
    assert "Inside sales" in names(pair.post(pair.a, "units/units_overview", {}))


def test_a_token_issued_anywhere_works_on_both_and_a_bad_one_on_neither(pair: Pair) -> None:
    for client in (pair.a, pair.b):
        assert pair.post(client, "overview/workspace", {}).status_code == 200
        bad = client.post(
            "/api/v1/overview/workspace", json={}, headers={"Authorization": "Bearer bdt_x"}
        )
        assert bad.status_code == 401


def _write(key: str, if_match: str = "*") -> dict[str, str]:
    return {"Idempotency-Key": key, "If-Match": if_match}


def test_a_write_made_on_the_store_itself_makes_remote_views_stale(tmp_path: Path) -> None:
    """The command line or the app on the server's own store bumps versions too, so a remote
    client that read before such a change cannot overwrite it blindly."""
    from billing_desktop.domain.errors import StaleData
    from billing_desktop.remote.client import HttpStore
    from billing_desktop.services import overview, units

    store = SqlStore(f"sqlite:///{tmp_path / 'direct.db'}")
    build_demo(store, seed=7, today=date(2026, 11, 21))
    admin = store.read(overview.workspace, None).actor
    with live_server(store) as url:
        remote = HttpStore(url, token_for(store, admin.user_id or ""), retries=0)
        first = remote.read(units.units_overview, admin).rows[0]
        store.write(units.rename_unit, admin, first.id, "Renamed on the server")
        with pytest.raises(StaleData):
            remote.write(units.rename_unit, admin, first.id, "Renamed remotely")
        remote.read(units.units_overview, admin)
        remote.write(units.rename_unit, admin, first.id, "Renamed remotely")
        remote.close()
    assert store.read(units.unit_members, admin, first.id).unit.name == "Renamed remotely"
