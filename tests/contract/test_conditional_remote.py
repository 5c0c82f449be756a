"""The remote store's conditional reads, SQLite and PostgreSQL alike: asking again sends
If-None-Match and a 304 is answered from what the client kept (its own objects each time); a
write by another client or by another program on the store makes the next read 200 with the
new data."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from billing_desktop.domain import model as m
from billing_desktop.domain.errors import PermissionDenied
from billing_desktop.remote.client import KEPT_READS, HttpStore
from billing_desktop.services import billing, overview, quotas, statements, units, usage_data
from billing_desktop.services.recording import add_records
from billing_desktop.services.usage_data import CallQuery
from tests.contract.test_remote import TODAY, Pair, pair
from tests.live_server import token_for

__all__ = ["pair"]  # the demo on each SQL backend, and a server in front of it


class Recording(httpx.HTTPTransport):
    """Notes each request's If-None-Match and the status that answered it."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str | None, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.seen.append((request.headers.get("If-None-Match"), response.status_code))
        return response


@pytest.fixture
def client(pair: Pair) -> Iterator[tuple[HttpStore, Recording]]:
    transport = Recording()
    remote = HttpStore(
        pair.remote.url, token_for(pair.local, pair.admin), retries=0, transport=transport
    )
    yield remote, transport
    remote.close()


def names(overview_: units.UnitsOverview) -> list[str]:
    return [row.name for row in overview_.rows]


def test_a_read_asked_again_is_a_304_answered_from_what_is_kept(
    pair: Pair, client: tuple[HttpStore, Recording]
) -> None:
    remote, transport = client
    actor = pair.local.read(overview.workspace, pair.admin).actor
    first = remote.read(units.units_overview, actor, TODAY)
    second = remote.read(units.units_overview, actor, TODAY)
    assert second == first == pair.local.read(units.units_overview, actor, TODAY)
    assert second is not first and second.rows is not first.rows  # each caller's own
    (no_tag, ok), (tag, not_modified) = transport.seen
    assert no_tag is None and ok == 200
    assert tag is not None and not_modified == 304
    # Another request (other arguments) is its own entry.
    remote.read(statements.invoice_history, actor, today=TODAY)
    assert transport.seen[-1] == (None, 200)


def test_writes_elsewhere_make_the_next_read_200_with_the_new_data(
    pair: Pair, client: tuple[HttpStore, Recording]
) -> None:
    remote, transport = client
    actor = pair.local.read(overview.workspace, pair.admin).actor
    before = remote.read(units.units_overview, actor, TODAY)
    pair.remote.write(units.add_unit, actor, "Written by another client")
    after_client = remote.read(units.units_overview, actor, TODAY)
    assert transport.seen[-1][1] == 200 and transport.seen[-1][0] is not None
    assert "Written by another client" in names(after_client)
    assert "Written by another client" not in names(before)
    pair.local.write(units.add_unit, actor, "Written by another program")
    after_program = remote.read(units.units_overview, actor, TODAY)
    assert transport.seen[-1][1] == 200
    assert "Written by another program" in names(after_program)
    assert remote.read(units.units_overview, actor, TODAY) == after_program
    assert transport.seen[-1][1] == 304


def test_the_kept_answers_are_bounded(pair: Pair, client: tuple[HttpStore, Recording]) -> None:
    remote, transport = client
    actor = pair.local.read(overview.workspace, pair.admin).actor
    first = remote.read(statements.invoice_history, actor, today=TODAY)
    for offset in range(KEPT_READS):  # as many other requests: the first one is forgotten
        remote.read(usage_data.call_log_page, actor, CallQuery(), offset, 1)
    assert remote.read(statements.invoice_history, actor, today=TODAY) == first
    assert transport.seen[-1] == (None, 200)


def _call(call_id: str, campaign: str) -> m.Call:
    return m.Call(
        call_id, m.CallType.LIVE, m.TriggeredBy.CANDIDATE, "Phone", None, campaign, None, None,
        datetime(2026, 11, 20, 9, 30, tzinfo=UTC), 600,
    )  # fmt: skip


def test_a_read_stays_304_through_writes_to_tables_it_does_not_read_on_postgresql(
    pair: Pair, client: tuple[HttpStore, Recording]
) -> None:
    """PostgreSQL counts changes per table (revision 0019): a unit write leaves the call log's
    tag alone. SQLite's store-wide token moves with any commit: 200, the same answer."""
    remote, transport = client
    actor = pair.local.read(overview.workspace, pair.admin).actor
    query = CallQuery(campaign="Counted apart")
    assert remote.read(usage_data.call_log_page, actor, query, 0, 10) == []
    pair.local.write(units.add_unit, actor, "Counted apart")
    pair.local.write(units.rename_unit, actor, _unit_id(pair, "Counted apart"), "Counted aside")
    assert remote.read(usage_data.call_log_page, actor, query, 0, 10) == []
    postgres = pair.local.engine.dialect.name == "postgresql"
    assert transport.seen[-1] == (transport.seen[-1][0], 304 if postgres else 200)
    assert transport.seen[-1][0] is not None
    # A call recorded straight into the store by another program: the next read has it.
    with pair.local(write=True) as uow:
        add_records(uow, "calls", [_call("counted-apart-1", "Counted apart")])
        uow.commit()
    lines = remote.read(usage_data.call_log_page, actor, query, 0, 10)
    assert transport.seen[-1][1] == 200
    assert [line.call.id for line in lines] == ["counted-apart-1"]
    # And the units overview, which reads the units, follows their writes.
    assert "Counted aside" in names(remote.read(units.units_overview, actor, TODAY))
    pair.local.write(units.rename_unit, actor, _unit_id(pair, "Counted aside"), "Counted again")
    assert "Counted again" in names(remote.read(units.units_overview, actor, TODAY))
    assert transport.seen[-1][1] == 200


def test_a_change_of_rights_is_seen_by_the_next_conditional_read(
    pair: Pair, client: tuple[HttpStore, Recording]
) -> None:
    """The signed-in user's actor is kept by what it was read from (the users, their teams):
    a change there is seen at once, while the call log's own tables stay as they were. (The
    gate keeps a sign-in for 2 s, but not the user's rights.)"""
    remote, _transport = client
    actor = pair.local.read(overview.workspace, pair.admin).actor
    query = CallQuery(campaign="Rights apart")
    remote.read(usage_data.call_log_page, actor, query, 0, 10)
    role = sa.text("UPDATE users SET role = :role WHERE id = :id")
    with pair.local(write=True) as uow:
        uow.connection.execute(role, {"role": m.Role.AGENT.value, "id": pair.admin})
        uow.commit()
    try:
        with pytest.raises(PermissionDenied, match="may not see Usage Data"):
            remote.read(usage_data.call_log_page, actor, query, 0, 10)
    finally:
        with pair.local(write=True) as uow:
            uow.connection.execute(role, {"role": m.Role.ADMIN.value, "id": pair.admin})
            uow.commit()
    assert remote.read(usage_data.call_log_page, actor, query, 0, 10) == []


def _unit_id(pair: Pair, name: str) -> int:
    with pair.local() as uow:
        return next(unit.id for unit in uow.units.all() if unit.name == name)


def test_every_conditional_read_equals_the_use_case_after_each_of_a_run_of_writes(
    pair: Pair, client: tuple[HttpStore, Recording]
) -> None:
    """A differential test of what the server keeps: after each write of a seeded random run
    (through the services, or straight SQL as another program would), every conditional read
    through the server — asked again with If-None-Match — equals the use case run on the
    store. A table missing from what a read was seen to read, or a count not moved by a
    write, shows here as a stale 304."""
    remote, transport = client
    actor = pair.local.read(overview.workspace, pair.admin).actor
    reads: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = [
        (billing.usage_summary, (None, TODAY), {}),
        (units.units_overview, (TODAY,), {}),
        (usage_data.call_log_page, (CallQuery(), 0, 20), {}),
        (quotas.quota_overview, (TODAY,), {}),
        (statements.invoice_history, (), {"today": TODAY}),
        (overview.change_versions, (), {}),
    ]

    def sql(statement: str) -> None:
        with pair.local(write=True) as uow:
            uow.connection.execute(sa.text(statement))
            uow.commit()

    made: list[str] = []

    def add_unit(n: int) -> None:
        made.append(f"Differential {n}")
        pair.local.write(units.add_unit, actor, made[-1])

    def rename_unit(n: int) -> None:
        if made:
            pair.local.write(units.rename_unit, actor, _unit_id(pair, made[-1]), f"{made[-1]}+")
            made[-1] += "+"

    def record_call(n: int) -> None:
        with pair.local(write=True) as uow:
            add_records(uow, "calls", [_call(f"differential-{n}", "Differential")])
            uow.commit()

    writes = [
        add_unit,
        rename_unit,
        record_call,
        lambda n: sql(
            f"UPDATE products SET name = name || ' {n}' WHERE code = "
            "(SELECT min(code) FROM products)"
        ),
        lambda n: sql(
            "UPDATE invoices SET amount_minor = amount_minor + 1 WHERE number = "
            "(SELECT min(number) FROM invoices)"
        ),
        lambda n: sql(f"UPDATE workspace_settings SET value = value WHERE key = '{n}'"),
    ]
    rng = random.Random(21)
    for step in range(24):
        rng.choice(writes)(step)
        for service, args, kwargs in reads:
            for _ in range(2):  # the second time with If-None-Match
                assert remote.read(service, actor, *args, **kwargs) == pair.local.read(
                    service, actor, *args, **kwargs
                ), (step, service.__name__)
    if pair.local.engine.dialect.name == "postgresql":
        assert sum(status == 304 for _tag, status in transport.seen) > len(transport.seen) // 2
