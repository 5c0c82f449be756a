"""What the API server keeps in the store for sign-ins (issue 15 §4), on every SQL backend:
token expiry, revocation and last use, and the failed sign-in count per client address."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.model import Role, User
from billing_desktop.server import state

WINDOW = timedelta(minutes=1)


@pytest.fixture
def sql(empty_sql: str) -> Iterator[SqlStore]:
    store = SqlStore(empty_sql)
    with store() as uow:
        uow.users.add_many([User("u1", "Ann", "ann@example.com", Role.ADMIN)])
        uow.commit()
    yield store
    store.dispose()


def test_a_token_signs_in_until_revoked_or_expired(sql: SqlStore) -> None:
    now = datetime.now(UTC)
    with sql() as uow:
        conn = uow.connection
        lasting = state.create_token(conn, "u1", "tests")
        ending = state.create_token(conn, "u1", "tests", now + timedelta(hours=1))
        uow.commit()
    with sql() as uow:
        conn = uow.connection
        found = state.sign_in(conn, lasting, now)
        assert found.user_id == "u1" and found.stale_use and found.token_id is not None
        state.mark_used(conn, found.token_id, now)
        assert not state.sign_in(conn, lasting, now + timedelta(seconds=59)).stale_use
        assert state.sign_in(conn, lasting, now + WINDOW).stale_use
        state.mark_used(conn, found.token_id, now + timedelta(seconds=30))  # too soon: kept
        assert state.sign_in(conn, ending, now + timedelta(minutes=59)).user_id == "u1"
        late = state.sign_in(conn, ending, now + timedelta(hours=1))
        assert late.user_id is None and "expired" in late.refusal
        assert state.sign_in(conn, "bdt_unknown", now).user_id is None
        before = state.revoke_token(conn, found.token_id, now)
        assert before is not None and before.revoked_at is None
        assert state.revoke_token(conn, 999, now) is None
        uow.commit()
    with sql() as uow:
        refused = state.sign_in(uow.connection, lasting, now)
        assert refused.user_id is None and "revoked" in refused.refusal
        listed = {info.id: info for info in state.list_tokens(uow.connection)}
    assert listed[found.token_id].last_used_at == now
    assert listed[found.token_id].status(now) == "revoked"
    assert [info.status(now) for info in listed.values()] == ["revoked", "active"]


def test_failed_sign_ins_are_counted_per_address_in_a_window(sql: SqlStore) -> None:
    start = datetime.now(UTC)

    def fail(address: str, at: datetime) -> int | None:
        with sql(write=True) as uow:
            wait = state.failed_sign_in(uow.connection, address, at, 10, WINDOW)
            uow.commit()
        return wait

    assert [fail("10.0.0.1", start + timedelta(seconds=n)) for n in range(10)] == [None] * 10
    assert fail("10.0.0.1", start + timedelta(seconds=20)) == 40  # Retry-After: the window's end
    assert fail("10.0.0.2", start + timedelta(seconds=20)) is None  # another address
    assert fail("10.0.0.1", start + timedelta(seconds=59, microseconds=1)) == 1
    assert fail("10.0.0.1", start + WINDOW) is None  # a new window
