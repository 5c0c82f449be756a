"""Conditional reads (api.conditional): a read the server tags answers 304 with no body to the
same request while nothing changed, without running the use case; any write — by another
client, an import, another program on the store — makes the next answer 200 with the new
data; users and roles never share a tag or an answer; the tag still works as If-Match."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from billing_desktop.api.conditional import CONDITIONAL_READS, is_read_tag
from billing_desktop.api.operations import OPERATIONS
from billing_desktop.bootstrap import SqlStore
from billing_desktop.services import units
from billing_desktop.services.context import resolve_actor
from tests.server.conftest import Api
from tests.server.test_concurrent_imports import post as post_import
from tests.server.test_concurrent_imports import sms_file

NOVEMBER = {"month": {"year": 2026, "month": 11}, "today": "2026-11-21"}


@contextmanager
def statements(store: SqlStore) -> Iterator[list[str]]:
    """The SQL the server sends while inside (the app runs in this process)."""
    sent: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", count)


def unit_names(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [row["name"] for row in response.json()["rows"]]


def sms_quantity(response: Any) -> str:
    assert response.status_code == 200, response.text
    lines = [p for p in response.json()["products"] if p["code"] == "sms"]
    return str(lines[0]["quantity"]) if lines else "0"


def test_the_polled_reads_are_all_operations_of_the_api() -> None:
    assert set(OPERATIONS) >= CONDITIONAL_READS
    assert not any(OPERATIONS[name].writes for name in CONDITIONAL_READS)


def test_an_unchanged_read_is_304_with_no_body_and_the_use_case_not_run(api: Api) -> None:
    first = api.call("units.units_overview")
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert is_read_tag(tag), tag
    with statements(api.store) as sent:
        again = api.call("units.units_overview", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == tag
    assert not any("billing_units" in s for s in sent), sent  # nothing of the use case
    assert len(sent) <= 2, sent  # the change token (and the version, once per change)
    weak = api.call("units.units_overview", headers={"If-None-Match": f'"other", W/{tag}'})
    assert weak.status_code == 304  # a list of tags, weak comparison
    other = api.call("units.units_overview", headers={"If-None-Match": '"units.1-' + "0" * 32})
    assert other.status_code == 200 and unit_names(other) == unit_names(first)


def test_a_write_by_another_client_makes_the_next_read_200_with_the_new_data(api: Api) -> None:
    read = api.call("units.units_overview")
    tag = read.headers["ETag"]
    added = api.call("units.add_unit", {"name": "Night audit"}, role="edit_billing_unit")
    assert added.status_code == 200, added.text
    after = api.call("units.units_overview", headers={"If-None-Match": tag})
    assert after.status_code == 200
    assert "Night audit" in unit_names(after) and "Night audit" not in unit_names(read)
    assert after.headers["ETag"] != tag
    assert api.call("units.units_overview", headers={"If-None-Match": tag}).status_code == 200


def test_an_import_changes_the_tag_of_every_read(api: Api) -> None:
    summary = api.call("billing.usage_summary", NOVEMBER)
    versions = api.call("overview.change_versions")
    before = sms_quantity(summary)
    imported = post_import(api, api.client, sms_file("cond"), "import-key", "*")
    assert imported.status_code == 200, imported.text
    tag = summary.headers["ETag"]
    after = api.call("billing.usage_summary", NOVEMBER, headers={"If-None-Match": tag})
    assert after.status_code == 200
    assert sms_quantity(after) != before
    moved = api.call(
        "overview.change_versions", headers={"If-None-Match": versions.headers["ETag"]}
    )
    assert moved.status_code == 200
    assert moved.json()["records"] != versions.json().get("records")


def test_a_write_by_another_program_on_the_store_is_seen(api: Api) -> None:
    read = api.call("units.units_overview")
    other = SqlStore(str(api.store.engine.url))  # another program: its own engine
    try:
        with other(write=True) as uow:
            units.add_unit(uow, resolve_actor(uow, None), "Added elsewhere")
            uow.commit()
    finally:
        other.dispose()
    after = api.call("units.units_overview", headers={"If-None-Match": read.headers["ETag"]})
    assert after.status_code == 200
    assert "Added elsewhere" in unit_names(after)


def test_users_and_roles_never_share_a_tag_or_an_answer(api: Api) -> None:
    admin = api.call("billing.usage_summary", NOVEMBER)
    tag = admin.headers["ETag"]
    supervisor = api.call(
        "billing.usage_summary", NOVEMBER, role="supervisor", headers={"If-None-Match": tag}
    )
    assert supervisor.status_code == 200, supervisor.text  # another user: never the admin's 304
    assert supervisor.headers["ETag"] != tag
    refused = api.call(
        "billing.usage_summary", NOVEMBER, role="agent", headers={"If-None-Match": tag}
    )
    assert refused.status_code == 403  # no right to the tab: refused, tag or not
    # The same user with other arguments: another tag.
    october = {**NOVEMBER, "month": {"year": 2026, "month": 10}}
    assert api.call("billing.usage_summary", october).headers["ETag"] != tag


def test_a_second_client_of_the_same_user_gets_the_kept_answer(api: Api) -> None:
    first = api.call("statements.invoice_history")
    with statements(api.store) as sent:
        second = api.client.post(  # another client: no If-None-Match
            "/api/v1/statements/invoice_history", json={}, headers=api.headers("admin")
        )
    assert second.status_code == 200
    assert second.json() == first.json() and second.headers["ETag"] == first.headers["ETag"]
    assert not any("invoices" in s for s in sent), sent


def test_a_read_tag_works_as_if_match(api: Api) -> None:
    tag = api.call("units.units_overview").headers["ETag"]
    renamed = api.call("units.rename_unit", {"unit_id": 1, "name": "Renamed"}, if_match=tag)
    assert renamed.status_code == 200, renamed.text
    stale = api.call("units.rename_unit", {"unit_id": 1, "name": "Again"}, if_match=tag)
    assert stale.status_code == 412, stale.text
    bad = api.call("units.rename_unit", {"unit_id": 1, "name": "X"}, if_match='"units.1-zz"')
    assert bad.status_code == 400
