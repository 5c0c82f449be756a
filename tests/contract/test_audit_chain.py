"""The audit log's chain and the activity report's queries, on every implementation: writers
at once still make one valid chain (SQLite: BEGIN IMMEDIATE; PostgreSQL: the chain's lock as
each write commits), and filters, paging and hidden rows are done in SQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from billing_desktop.domain import model as m
from billing_desktop.domain.audit_chain import GENESIS, link
from billing_desktop.store.ports import AuditQuery, UnitOfWorkFactory
from billing_desktop.store.sql.uow import SqlDatabase

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def _entry(
    n: int, actor: str = "u001", entity: str = "ledger", action: str = "purchase"
) -> m.AuditEntry:
    return m.AuditEntry(
        at=T0 + timedelta(minutes=n),
        actor=actor,
        origin="desktop/local",
        action=action,
        entity=entity,
        entity_id=str(n),
        before=None if n % 2 else {"amount": f"{n}.00", "name": "Zoë ∑"},
        after={"amount": f"{n + 1}.00", "list": [1, "a", None], "flag": True},
    )


def _walk(store: UnitOfWorkFactory) -> int:
    """The chain's length, asserting every link follows (the verify use case's rule)."""
    previous, seq = GENESIS, 0
    with store() as uow:
        while links := uow.audit.chain(seq, 7):
            for chained in links:
                seq += 1
                assert chained.seq == seq
                assert chained.hash == link(previous, chained.content), chained.id
                previous = chained.hash
        assert uow.audit.unsealed() == []
    return seq


def test_rows_join_the_chain_as_their_write_commits(store: UnitOfWorkFactory) -> None:
    with store(write=True) as uow:
        uow.audit.add(_entry(1))
        uow.audit.add(_entry(2))
        uow.commit()
        uow.audit.add(_entry(3))  # after a commit, in the unit's next transaction
        uow.commit()
    with store(write=True) as uow:
        uow.audit.add(_entry(4))  # rolled back: never in the chain
    assert _walk(store) == 3


def test_concurrent_writers_make_one_valid_chain(store: UnitOfWorkFactory) -> None:
    barrier = threading.Barrier(3)
    failures: list[BaseException] = []

    def writer(who: str) -> None:
        try:
            barrier.wait(10)
            for n in range(15):
                with store(write=True) as uow:
                    uow.audit.add(_entry(n, actor=who))
                    uow.audit.add(_entry(n + 100, actor=who))
                    uow.commit()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(f"u00{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert _walk(store) == 90


def test_activity_queries_filter_page_and_hide_in_sql(store: UnitOfWorkFactory) -> None:
    with store(write=True) as uow:
        for n in range(10):
            uow.audit.add(_entry(n, actor="u001" if n < 6 else "u002"))
        uow.audit.add(_entry(20, entity="app", action="plan-upgrade"))
        uow.audit.add(_entry(21, entity="resource", action="plans.change_plan"))
        uow.commit()
    with store() as uow:
        audit = uow.audit
        everything = AuditQuery()
        assert audit.count(everything) == 12
        newest = audit.page(everything, 0, 3)
        assert [row.entry.entity_id for row in newest] == ["21", "20", "9"]
        assert all(row.seq is not None for row in newest)
        assert [row.entry.entity_id for row in audit.page(everything, 10, 5)] == ["1", "0"]
        assert audit.count(AuditQuery(actor="u002")) == 4
        window = AuditQuery(start=T0 + timedelta(minutes=2), end=T0 + timedelta(minutes=5))
        assert [r.entry.entity_id for r in audit.page(window, 0, 10)] == ["4", "3", "2"]
        assert audit.count(AuditQuery(entity="ledger", entity_id="7")) == 1
        hidden = AuditQuery(hidden=(("app", None), ("resource", "21")))
        assert audit.count(hidden) == 10
        assert audit.distinct("entity", hidden) == ["ledger"]
        assert audit.distinct("actor", everything) == ["u001", "u002"]
        assert audit.span(everything) == (T0, T0 + timedelta(minutes=21))
        assert audit.span(AuditQuery(actor="nobody")) is None
        assert audit.distinct("action", everything) == [
            "plan-upgrade",
            "plans.change_plan",
            "purchase",
        ]


def test_a_write_reads_its_own_rows_and_they_still_join_the_chain(
    store: UnitOfWorkFactory,
) -> None:
    """Rows added are kept until the commit, but a read of the log in the same unit of work
    sees them (they are written first), and the request key given later still reaches them."""
    with store(write=True) as uow:
        uow.audit.add(_entry(1))
        assert [e.entity_id for e in uow.audit.recent(5)] == ["1"]  # written for the read
        uow.audit.add(_entry(2))  # kept again
        uow.audit.tag("key-1")  # both: one written, one kept
        uow.commit()
    with store() as uow:
        rows = uow.audit.page(AuditQuery(), 0, 10)
        assert sorted((row.entry.entity_id, row.entry.request_key) for row in rows) == [
            ("1", "key-1"),
            ("2", "key-1"),
        ]
    assert _walk(store) == 2


def test_a_write_sends_its_rows_in_one_statement(store: UnitOfWorkFactory) -> None:
    """The rows of a write reach the database in one INSERT as it commits, before the
    chain's lock, and come back with what the chain covers (no INSERT each, no read)."""
    assert isinstance(store, SqlDatabase)  # every implementation here is an SQL store
    engine = store.engine
    statements: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(" ".join(statement.split()).upper())

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        with store(write=True) as uow:
            for n in range(5):
                uow.audit.add(_entry(n))
            uow.audit.tag("key-2")
            uow.commit()
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    audit = [s for s in statements if "AUDIT_LOG" in s]
    assert [s.split(" ")[0] for s in audit] == ["INSERT", "SELECT", "UPDATE"], audit
    assert "RETURNING" in audit[0]
    locks = [i for i, s in enumerate(statements) if "PG_ADVISORY_XACT_LOCK" in s]
    assert all(statements.index(audit[0]) < i for i in locks)
    assert _walk(store) == 5
