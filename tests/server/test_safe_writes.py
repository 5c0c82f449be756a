"""Safe writes (PRODUCT §10): Idempotency-Key, If-Match, audit in the same transaction, and the
client's retries and error mapping."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import (
    NotFound,
    PermissionDenied,
    StaleData,
    StoreError,
    Unavailable,
)
from billing_desktop.remote.client import HttpStore
from billing_desktop.server import state
from billing_desktop.services import units
from billing_desktop.services.overview import apps
from billing_desktop.store.sql import tables as t
from tests.server.conftest import Api

KEY = "2f1c7c1e-5b0e-4d0e-9a39-0a7e0c1d2b3f"


# --- helpers ---------------------------------------------------------------------------------


def unit_names(store: SqlStore) -> list[str]:
    with store() as uow:
        return sorted(unit.name for unit in uow.units.all())


def audit_rows(store: SqlStore, key: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(t.audit_log).order_by(t.audit_log.c.id)
    if key is not None:
        query = query.where(t.audit_log.c.request_key == key)
    with store() as uow:
        return [dict(row) for row in uow.connection.execute(query).mappings()]


def version(store: SqlStore, resource: str = "units") -> int:
    with store() as uow:
        return uow.versions.get(resource)


def snapshot(store: SqlStore) -> tuple[list[str], int, int, int]:
    """What a refused write must leave as it was: units, audit rows, version, stored keys."""
    with store() as uow:
        keys = uow.connection.execute(
            sa.select(sa.func.count()).select_from(t.idempotency_keys)
        ).scalar()
    return unit_names(store), len(audit_rows(store)), version(store), int(keys or 0)


# --- Idempotency-Key -------------------------------------------------------------------------


def test_a_retry_with_the_same_key_replays_the_first_response(api: Api) -> None:
    first = api.call("units.add_unit", {"name": "Quality"}, key=KEY)
    assert first.status_code == 200, first.text
    assert "Idempotent-Replayed" not in first.headers
    rows = audit_rows(api.store, KEY)
    after_first = snapshot(api.store)

    second = api.call("units.add_unit", {"name": "Quality"}, key=KEY)
    assert second.status_code == 200, second.text
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert second.headers["ETag"] == first.headers["ETag"]
    # One change: one unit, one set of audit rows, one version bump.
    assert unit_names(api.store).count("Quality") == 1
    assert audit_rows(api.store, KEY) == rows
    assert [row["action"] for row in rows].count("billing-unit.add") == 1
    assert snapshot(api.store) == after_first


def test_keys_are_per_user(api: Api) -> None:
    """Two users who happen to pick the same key make two changes."""
    assert api.call("units.add_unit", {"name": "Quality"}, key=KEY).status_code == 200
    other = api.call("units.add_unit", {"name": "Escalations"}, "supervisor", key=KEY)
    assert other.status_code == 200, other.text
    assert "Idempotent-Replayed" not in other.headers
    assert {"Quality", "Escalations"} <= set(unit_names(api.store))


def test_the_same_key_with_another_body_is_422(api: Api) -> None:
    assert api.call("units.add_unit", {"name": "Quality"}, key=KEY).status_code == 200
    before = snapshot(api.store)
    for operation, arguments in (
        ("units.add_unit", {"name": "Quality control"}),
        ("units.rename_unit", {"unit_id": 1, "name": "Quality"}),
    ):
        response = api.call(operation, arguments, key=KEY)
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "IdempotencyKeyReused"
    assert snapshot(api.store) == before


@pytest.mark.parametrize("key", [None, "", "k" * 201])
def test_a_write_without_a_usable_key_is_400(api: Api, key: str | None) -> None:
    before = snapshot(api.store)
    headers = {} if key is None else {"Idempotency-Key": key}
    response = api.call("units.add_unit", {"name": "Quality"}, key="", headers=headers)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error", "message", "detail"}
    assert snapshot(api.store) == before


# --- If-Match --------------------------------------------------------------------------------


def test_a_write_without_if_match_is_428(api: Api) -> None:
    before = snapshot(api.store)
    response = api.call("units.add_unit", {"name": "Quality"}, if_match="")
    assert response.status_code == 428, response.text
    assert response.json()["error"] == "PreconditionRequired"
    assert snapshot(api.store) == before


@pytest.mark.parametrize("if_match", ['"plans.0"', '"units.x"', "units", '"units.-1"'])
def test_an_if_match_that_is_not_a_units_version_is_400(api: Api, if_match: str) -> None:
    before = snapshot(api.store)
    response = api.call("units.add_unit", {"name": "Quality"}, if_match=if_match)
    assert response.status_code == 400, response.text
    assert snapshot(api.store) == before


def test_reads_answer_with_the_version_and_writes_move_it_on(api: Api) -> None:
    read = api.call("units.units_overview", {})
    tag = read.headers["ETag"]
    # A conditional read (api.conditional): the version, then what the answer depends on.
    assert tag.startswith(f'"units.{version(api.store)}-')
    write = api.call("units.add_unit", {"name": "Quality"}, if_match=tag)
    assert write.status_code == 200, write.text
    assert write.headers["ETag"] == f'"units.{version(api.store)}"' != tag
    # The new version is the one to send next; W/ (weak) tags are accepted too.
    again = api.call(
        "units.add_unit", {"name": "Escalations"}, if_match="W/" + write.headers["ETag"]
    )
    assert again.status_code == 200, again.text
    # Other resources have versions of their own.
    assert api.call("overview.apps", {}).headers["ETag"].startswith('"plans.')


def test_a_stale_write_is_412_with_the_current_value_and_writes_nothing(api: Api) -> None:
    tag = api.call("units.units_overview", {}).headers["ETag"]
    assert api.call("units.add_unit", {"name": "Quality"}, if_match=tag).status_code == 200
    before = snapshot(api.store)

    stale = api.call("units.rename_unit", {"unit_id": 1, "name": "Inside sales"}, if_match=tag)
    assert stale.status_code == 412, stale.text
    body = stale.json()
    assert body["error"] == "StaleData"
    assert "nothing was changed" in body["message"]
    current = body["detail"]["current"]
    assert current["version"] == version(api.store)
    assert stale.headers["ETag"] == f'"units.{current["version"]}"'
    # The current value is the units overview as the user would read it now.
    now = api.call("units.units_overview", {}).json()
    assert current["value"] == now
    assert "Quality" in [row["name"] for row in current["value"]["rows"]]
    assert snapshot(api.store) == before
    assert "Inside sales" not in unit_names(api.store)
    assert audit_rows(api.store, stale.request.headers["Idempotency-Key"]) == []


def test_a_retry_after_the_write_went_through_replays_even_with_a_now_old_version(
    api: Api,
) -> None:
    """The first attempt moved the version on; its retry (same key, same If-Match) must get
    the first answer, not a 412."""
    tag = api.call("units.units_overview", {}).headers["ETag"]
    first = api.call("units.add_unit", {"name": "Quality"}, key=KEY, if_match=tag)
    assert first.status_code == 200
    retry = api.call("units.add_unit", {"name": "Quality"}, key=KEY, if_match=tag)
    assert retry.status_code == 200, retry.text
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()


def test_a_stale_write_to_plans_shows_the_apps(api: Api) -> None:
    tag = api.call("overview.apps", {}).headers["ETag"]
    arguments = {"app_id": "app-legacy-faq", "amount": "10.00"}
    assert api.call("plans.add_funds", arguments, if_match=tag).status_code == 200
    stale = api.call("plans.add_funds", arguments, if_match=tag)
    assert stale.status_code == 412
    value = stale.json()["detail"]["current"]["value"]
    assert {row["id"] for row in value} == {row["id"] for row in api.call("overview.apps").json()}


# --- audit -----------------------------------------------------------------------------------


def test_a_write_is_audited_with_who_origin_versions_and_key(api: Api) -> None:
    start = version(api.store)
    response = api.call("units.add_unit", {"name": "Quality"}, "supervisor", key=KEY)
    assert response.status_code == 200
    rows = audit_rows(api.store, KEY)
    user = api.users["supervisor"]
    assert {row["actor"] for row in rows} == {user}
    assert {row["origin"] for row in rows} == {"api"}
    service_row = next(row for row in rows if row["action"] == "billing-unit.add")
    assert service_row["after"]["name"] == "Quality"
    version_row = next(row for row in rows if row["action"] == "units.add_unit")
    assert version_row["entity"] == "resource"
    assert version_row["entity_id"] == "units"
    assert version_row["before"] == {"version": start}
    assert version_row["after"] == {"version": start + 1}
    assert len(rows) == 2
    # Rows written before the request are not tagged with its key.
    assert [row for row in audit_rows(api.store) if row["request_key"] == KEY] == rows
    assert all(row["request_key"] is None for row in audit_rows(api.store)[: -len(rows)])


@pytest.mark.parametrize(
    ("operation", "arguments", "status"),
    [
        ("units.add_unit", {"name": "sales"}, 422),  # the name is taken (whatever its case)
        ("units.rename_unit", {"unit_id": 404, "name": "Nowhere"}, 404),
        ("units.assign", {"unit_id": 1, "numbers": ["+12125550132"]}, 409),  # held by Support
        ("plans.change_plan", {"app_id": "app-voice-ivr", "plan_code": "nope"}, 404),
    ],
)
def test_a_write_the_service_refuses_leaves_no_audit_row_and_no_version_bump(
    api: Api, operation: str, arguments: dict[str, Any], status: int
) -> None:
    resource = "plans" if operation.startswith("plans.") else "units"
    before = snapshot(api.store), version(api.store, resource)
    response = api.call(operation, arguments, key=KEY)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "message", "detail"}
    assert (snapshot(api.store), version(api.store, resource)) == before
    assert audit_rows(api.store, KEY) == []
    # The key was not used up: the corrected request goes through with it.
    fixed = api.call("units.add_unit", {"name": "Quality"}, key=KEY)
    assert fixed.status_code == 200, fixed.text


def test_a_failure_after_the_change_rolls_back_the_change_and_its_audit(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The change, its audit rows, the version and the stored response commit together: a
    failure at the last step leaves none of them."""
    before = snapshot(api.store)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full (test)")

    monkeypatch.setattr(state, "store_response", broken)
    response = api.call("units.add_unit", {"name": "Quality"}, key=KEY)
    assert response.status_code == 500
    assert response.json()["error"] == "InternalError"
    assert "disk full" not in response.text  # no internals in the answer
    assert snapshot(api.store) == before
    monkeypatch.undo()
    # (the server closes a connection after an unexpected failure: the client reconnects)
    api.client.close()
    api.client = httpx.Client(base_url=api.url, timeout=60)
    assert api.call("units.add_unit", {"name": "Quality"}, key=KEY).status_code == 200


# --- input the server refuses before the services see it ---------------------------------------


def ledger_and_closings(store: SqlStore) -> tuple[int, int]:
    with store() as uow:
        conn = uow.connection
        count = sa.select(sa.func.count())
        ledger = conn.execute(count.select_from(t.ledger)).scalar()
        closed = conn.execute(count.select_from(t.closed_months)).scalar()
    return int(ledger or 0), int(closed or 0)


@pytest.mark.parametrize(
    ("operation", "arguments"),
    [
        # A purchase booked into March, a closed month.
        ("credits.purchase_credits", {"amount": "10.00", "now": "2026-03-15T12:00:00Z"}),
        ("credits.make_one_time_payment", {"amount": "10.00", "today": "2026-03-15"}),
        # November closed before it has ended.
        ("billing.close_month", {"month": {"year": 2026, "month": 11}, "today": "2026-12-02"}),
    ],
)
def test_a_write_cannot_choose_its_own_date(
    api: Api, operation: str, arguments: dict[str, Any]
) -> None:
    before = ledger_and_closings(api.store), snapshot(api.store)
    response = api.call(operation, arguments)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "InvalidInput"
    assert (ledger_and_closings(api.store), snapshot(api.store)) == before
    # Without the date the same write goes through (dated by the server's clock).
    undated = {k: v for k, v in arguments.items() if k not in ("now", "today")}
    if operation != "billing.close_month":
        assert api.call(operation, undated).status_code == 200


@pytest.mark.parametrize(
    ("operation", "arguments"),
    [
        ("billing.usage_summary", {"month": {"year": 9999, "month": 12}}),
        ("usage_page.usage_page", {"today": "9999-12-31"}),
        ("billing.usage_summary", {"month": {"year": 0, "month": 1}}),
        ("billing.usage_summary", {"month": {"year": 2026, "month": 13}}),
        ("units.unit_members", {"unit_id": 2**70}),
        ("units.units_overview", {"today": 0}),  # a number is not a date
        ("usage_page.usage_page", {"auto_recharge": 1}),  # nor a boolean
        ("units.unit_members", {"unit_id": 1.0}),  # nor an id
    ],
)
def test_values_out_of_range_are_refused_quickly(
    api: Api, operation: str, arguments: dict[str, Any]
) -> None:
    """Never a 500, and never half a minute of the billing engine working out year 9999."""
    started = time.perf_counter()
    response = api.call(operation, arguments)
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"error", "message", "detail"}
    assert time.perf_counter() - started < 5


def test_unreadable_bodies_and_unknown_paths_get_an_error_body(api: Api) -> None:
    headers = api.headers("admin", **{"Content-Type": "application/json"})
    for body, status in ((b"\xff\xfe{", 400), (b"{", 422), (b"[]", 422), (b"", 422)):
        response = api.client.post("/api/v1/units/units_overview", content=body, headers=headers)
        assert response.status_code == status, (body, response.text)
        assert set(response.json()) == {"error", "message", "detail"}
    missing = api.client.post("/api/v1/units/no_such_thing", json={}, headers=headers)
    assert missing.status_code == 404
    assert missing.json()["error"] == "NotFound"
    wrong_method = api.client.get("/api/v1/units/units_overview", headers=headers)
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "POST"


def test_an_invalid_body_without_a_token_is_401_not_422(api: Api) -> None:
    """Nothing of a request is read before its sender has signed in."""
    response = api.client.post("/api/v1/units/unit_members", json={"unit_id": "x"})
    assert response.status_code == 401


# --- concurrency -----------------------------------------------------------------------------


def at_once(
    count: int, send: Callable[[int, httpx.Client], httpx.Response]
) -> list[httpx.Response]:
    barrier = threading.Barrier(count)
    results: list[httpx.Response | BaseException | None] = [None] * count

    def run(index: int) -> None:
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            try:
                results[index] = send(index, client)
            except BaseException as exc:
                results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [r for r in results if isinstance(r, httpx.Response)]


def test_the_same_key_sent_twice_at_once_makes_one_change(api: Api) -> None:
    headers = api.headers("admin", **{"Idempotency-Key": KEY, "If-Match": "*"})
    start = version(api.store)

    def send(_index: int, client: httpx.Client) -> httpx.Response:
        return client.post(
            f"{api.url}/api/v1/units/add_unit", json={"name": "Quality"}, headers=headers
        )

    responses = at_once(4, send)
    assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
    assert len({r.text for r in responses}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in responses) == 1
    assert unit_names(api.store).count("Quality") == 1
    assert [row["action"] for row in audit_rows(api.store, KEY)].count("billing-unit.add") == 1
    assert version(api.store) == start + 1


def test_concurrent_writes_with_their_own_keys_all_go_through(api: Api) -> None:
    start = version(api.store)

    def send(index: int, client: httpx.Client) -> httpx.Response:
        headers = api.headers("admin", **{"Idempotency-Key": f"k-{index}", "If-Match": "*"})
        return client.post(
            f"{api.url}/api/v1/units/add_unit", json={"name": f"Team {index}"}, headers=headers
        )

    responses = at_once(6, send)
    assert [r.status_code for r in responses] == [200] * 6, [r.text for r in responses]
    assert {f"Team {i}" for i in range(6)} <= set(unit_names(api.store))
    assert version(api.store) == start + 6


def test_concurrent_writes_from_one_version_one_wins(api: Api) -> None:
    """Two users both read version N and write: one gets through, the other gets 412."""
    tag = api.call("units.units_overview", {}).headers["ETag"]

    def send(index: int, client: httpx.Client) -> httpx.Response:
        headers = api.headers("admin", **{"Idempotency-Key": f"k-{index}", "If-Match": tag})
        return client.post(
            f"{api.url}/api/v1/units/rename_unit",
            json={"unit_id": 1, "name": f"Sales {index}"},
            headers=headers,
        )

    responses = at_once(4, send)
    assert sorted(r.status_code for r in responses) == [200, 412, 412, 412]


# --- the client: retries and errors ----------------------------------------------------------


class Flaky:
    """An httpx transport in front of the live server that fails the first attempts.

    ``plan`` lists what happens to each request in turn: an HTTP status (answered without
    reaching the server), "connect" (a connection error: never reached the server), "lost"
    (forwarded, then the answer is lost: the server did the work), or None (forwarded).
    """

    def __init__(self, plan: list[int | str | None]) -> None:
        self.plan = list(plan)
        self.requests: list[httpx.Request] = []
        self.real = httpx.Client(timeout=60)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.plan.pop(0) if self.plan else None
        if step == "connect":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if isinstance(step, int):
            return httpx.Response(step, json={"error": "BadGateway", "message": "try later"})
        answer = self.real.send(request)
        if step == "lost":
            raise httpx.ReadTimeout("timed out", request=request)
        headers = {k: v for k, v in answer.headers.items() if k.lower() in ("content-type", "etag")}
        for name in ("idempotent-replayed",):
            if name in answer.headers:
                headers[name] = answer.headers[name]
        return httpx.Response(answer.status_code, headers=headers, content=answer.content)

    @property
    def keys(self) -> list[str | None]:
        return [r.headers.get("Idempotency-Key") for r in self.requests]


@pytest.fixture
def remote(api: Api) -> Iterator[Callable[..., tuple[HttpStore, Flaky]]]:
    opened: list[HttpStore] = []

    def make(plan: list[int | str | None], role: str = "admin") -> tuple[HttpStore, Flaky]:
        flaky = Flaky(plan)
        store = HttpStore(
            api.url,
            api.token(role),
            retries=3,
            backoff=0.001,
            transport=httpx.MockTransport(flaky),
        )
        opened.append(store)
        return store, flaky

    yield make
    for store in opened:
        store.close()


@pytest.mark.parametrize("failure", [503, 502, 504, "connect", "lost"])
def test_the_client_retries_a_read(
    remote: Callable[..., tuple[HttpStore, Flaky]], failure: Any
) -> None:
    store, flaky = remote([failure, failure])
    overview = store.read(units.units_overview, None)
    assert {row.name for row in overview.rows} >= {"Sales", "Support"}
    assert len(flaky.requests) == 3
    assert flaky.keys == [None, None, None]  # reads carry no key


@pytest.mark.parametrize("failure", [503, "connect", "lost"])
def test_the_client_retries_a_write_with_the_same_key(
    api: Api, remote: Callable[..., tuple[HttpStore, Flaky]], failure: Any
) -> None:
    store, flaky = remote([failure, "lost", None])
    unit = store.write(units.add_unit, None, "Quality")
    assert unit.name == "Quality"
    assert len(flaky.requests) == 3
    assert len(set(flaky.keys)) == 1 and flaky.keys[0]
    # The second attempt made the change and lost its answer; the third got it replayed.
    assert unit_names(api.store).count("Quality") == 1
    assert len(audit_rows(api.store, flaky.keys[0])) == 2


@pytest.mark.parametrize("failure", [503, "connect", "lost"])
def test_the_client_gives_up_after_its_retries(
    api: Api, remote: Callable[..., tuple[HttpStore, Flaky]], failure: Any
) -> None:
    store, flaky = remote([failure] * 10)
    with pytest.raises(Unavailable) as raised:
        store.write(units.add_unit, None, "Quality")
    assert len(flaky.requests) == 4  # the first attempt and 3 retries
    assert len(set(flaky.keys)) == 1
    assert "127.0.0.1" in str(raised.value)
    with pytest.raises(Unavailable):
        store.read(units.units_overview, None)


def test_the_client_does_not_retry_other_errors(
    remote: Callable[..., tuple[HttpStore, Flaky]],
) -> None:
    store, flaky = remote([500])
    with pytest.raises(Unavailable, match="500"):
        store.read(units.units_overview, None)
    assert len(flaky.requests) == 1
    store, flaky = remote([])
    with pytest.raises(NotFound):
        store.write(units.rename_unit, None, 404, "Nowhere")
    assert len(flaky.requests) == 1


def test_the_client_reports_a_refused_sign_in(api: Api) -> None:
    store = HttpStore(api.url, "bdt_not-a-token", retries=0)
    with pytest.raises(StoreError, match="sign in") as raised:
        store.read(units.units_overview, None)
    assert not isinstance(raised.value, PermissionDenied)
    assert "bdt_not-a-token" not in str(raised.value)
    store.close()


def test_the_client_reports_a_missing_right_as_permission_denied(api: Api) -> None:
    store = HttpStore(api.url, api.token("shared"), retries=0)
    with pytest.raises(PermissionDenied, match="Plans"):
        store.read(apps, None)
    store.close()


def test_two_clients_a_stale_write_is_refused_until_read_again(api: Api) -> None:
    a = HttpStore(api.url, api.token("admin"), retries=0)
    b = HttpStore(api.url, api.token("supervisor"), retries=0)
    try:
        a.read(units.units_overview, None)
        b.read(units.units_overview, None)
        b.write(units.add_unit, None, "Escalations")
        with pytest.raises(StaleData) as raised:
            a.write(units.rename_unit, None, 1, "Inside sales")
        current = raised.value.current
        assert isinstance(current, dict)
        assert "Escalations" in [row["name"] for row in current["value"]["rows"]]
        assert "Inside sales" not in unit_names(api.store)
        # A looks again, then its write goes through.
        seen = a.read(units.units_overview, None)
        assert "Escalations" in [row.name for row in seen.rows]
        a.write(units.rename_unit, None, 1, "Inside sales")
        assert "Inside sales" in unit_names(api.store)
        # B's version is now the stale one.
        with pytest.raises(StaleData):
            b.write(units.add_unit, None, "Late")
    finally:
        a.close()
        b.close()


def test_a_write_reads_who_writes_before_it_locks_its_resource_and_only_the_names(
    api: Api,
) -> None:
    """The resource's version row stays locked from the If-Match check to the commit, and every
    other write of the resource waits for it (B10's write p99): the user's rights are read
    before it, and adding a unit reads the other units' names, not every unit's members."""
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(" ".join(statement.split()))

    api.token("admin")  # signed in before the statements are watched
    sa.event.listen(api.store.engine, "before_cursor_execute", seen)
    try:
        response = api.call("units.add_unit", {"name": "Night desk"})
    finally:
        sa.event.remove(api.store.engine, "before_cursor_execute", seen)
    assert response.status_code == 200, response.text
    bump = next(i for i, s in enumerate(statements) if s.startswith("UPDATE resource_versions"))
    before, locked = statements[:bump], statements[bump:]
    assert any(" FROM users" in s for s in before)
    for table in (
        " FROM users",
        " FROM team_members",
        "billing_unit_users",
        "billing_unit_numbers",
    ):
        assert not [s for s in locked if table in s], table
    assert [s for s in locked if s.startswith("SELECT billing_units.id, billing_units.name")]
    assert "Night desk" in unit_names(api.store)
