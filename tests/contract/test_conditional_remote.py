"""The remote store's conditional reads, SQLite and PostgreSQL alike: asking again sends
If-None-Match and a 304 is answered from what the client kept (its own objects each time); a
write by another client or by another program on the store makes the next read 200 with the
new data."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from billing_desktop.remote.client import KEPT_READS, HttpStore
from billing_desktop.services import overview, statements, units, usage_data
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
