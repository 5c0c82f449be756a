"""How often each table has changed (revision 0019, ``store/sql/change_counts``): on PostgreSQL
every table is counted, by the database itself, once per committed transaction that wrote it,
at its commit and not before; a rollback counts nothing; two writers of the same tables in
opposite orders do not deadlock on the counts. On SQLite nothing is counted (its reads are kept
by the store's data version). Which tables a read reads is taken from its statements."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from billing_desktop.bootstrap import SqlStore
from billing_desktop.store.sql import change_counts
from billing_desktop.store.sql.tables import metadata


def _counts(store: SqlStore) -> dict[str, int]:
    with store() as uow:
        counts = uow.change_counts()
        assert counts is not None
        return counts.tables


COUNTED = sorted(name for name in metadata.tables if name not in change_counts.NOT_COUNTED)


def test_every_table_of_the_schema_is_counted(pg_store: SqlStore) -> None:
    with pg_store() as uow:
        triggered = set(
            uow.connection.execute(
                sa.text(
                    "SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
                    "WHERE g.tgname = :name AND NOT g.tgisinternal"
                ),
                {"name": change_counts.NOTE_TRIGGER},
            ).scalars()
        )
    assert triggered == set(COUNTED)
    assert _counts(pg_store) == dict.fromkeys(COUNTED, 0)


def test_a_table_is_counted_once_per_committed_transaction_at_its_commit(
    pg_store: SqlStore,
) -> None:
    before = _counts(pg_store)
    engine = pg_store.engine
    with engine.connect() as writer:
        writer.execute(sa.text("INSERT INTO phone_numbers (number, label) VALUES ('1', 'a')"))
        writer.execute(sa.text("INSERT INTO phone_numbers (number, label) VALUES ('2', 'b')"))
        writer.execute(sa.text("UPDATE phone_numbers SET label = 'c'"))
        writer.execute(sa.text("DELETE FROM sms WHERE false"))  # no row: counted all the same
        assert _counts(pg_store) == before  # not before the commit
        writer.commit()
    after = _counts(pg_store)
    assert after["phone_numbers"] == before["phone_numbers"] + 1
    assert after["sms"] == before["sms"] + 1
    assert {k: v for k, v in after.items() if k not in {"phone_numbers", "sms"}} == {
        k: v for k, v in before.items() if k not in {"phone_numbers", "sms"}
    }
    with engine.connect() as writer:
        writer.execute(sa.text("DELETE FROM phone_numbers"))
        writer.rollback()
    assert _counts(pg_store) == after  # a rollback counts nothing
    with pg_store() as uow:  # and leaves nothing pending
        pending = uow.connection.execute(sa.text("SELECT count(*) FROM changes_pending"))
        assert pending.scalar_one() == 0


def test_two_writers_of_the_same_tables_in_opposite_orders_both_commit(
    pg_store: SqlStore,
) -> None:
    """The counts are taken at commit, in name order: no writer waits for another's count
    while holding one the other needs."""
    before = _counts(pg_store)
    engine = pg_store.engine
    both_wrote = threading.Barrier(2, timeout=10)
    failures: list[BaseException] = []

    def write(first: str, then: str) -> None:
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SET lock_timeout = '5s'"))
                conn.execute(sa.text(f"DELETE FROM {first} WHERE false"))
                both_wrote.wait()
                conn.execute(sa.text(f"DELETE FROM {then} WHERE false"))
                conn.commit()
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [
        threading.Thread(target=write, args=("sms", "alerts")),
        threading.Thread(target=write, args=("alerts", "sms")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert failures == []
    after = _counts(pg_store)
    assert after["sms"] == before["sms"] + 2 and after["alerts"] == before["alerts"] + 2


def test_a_unit_of_work_records_the_tables_its_statements_read(pg_store: SqlStore) -> None:
    with pg_store() as uow:
        with uow.recording_reads() as read:
            assert uow.change_token() is None  # no kept result stands in for a statement
            uow.calls.count()
            uow.units.all()
        assert read == {"calls", "billing_units", "billing_unit_users", "billing_unit_numbers"}
        assert uow.change_token() is not None


def test_sqlite_counts_nothing(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path}/s.db")
    try:
        with store() as uow:
            assert uow.change_counts() is None
    finally:
        store.dispose()


@pytest.mark.parametrize(
    ("statement", "tables"),
    [
        ("SELECT calls.id FROM calls WHERE calls.campaign = ?", {"calls"}),
        ("SELECT billing_units.name FROM billing_units", {"billing_units"}),
        ('SELECT "account".id FROM "account"', {"account"}),
        ("SELECT 1", set()),
        ("SELECT x FROM billing_unit_users JOIN users ON 1", {"billing_unit_users", "users"}),
    ],
)
def test_the_tables_a_statement_names(statement: str, tables: set[str]) -> None:
    assert change_counts.read_tables(statement) == tables


def test_revision_0019_downgrades_and_upgrades_again_on_postgresql(pg_store: SqlStore) -> None:
    from alembic import command

    from billing_desktop.store.sql.engine import alembic_config, migrate

    engine = pg_store.engine
    functions = sa.text(
        "SELECT count(*) FROM pg_proc WHERE proname IN "
        "('billing_note_change', 'billing_count_changes')"
    )
    triggers = sa.text(
        "SELECT count(*) FROM pg_trigger WHERE tgname IN ('billing_note_change', "
        "'billing_count_changes') AND NOT tgisinternal"
    )
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0018")
    names = set(sa.inspect(engine).get_table_names())
    assert "change_counts" not in names and "changes_pending" not in names
    with engine.connect() as conn:
        assert conn.execute(functions).scalar_one() == 0
        assert conn.execute(triggers).scalar_one() == 0
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(functions).scalar_one() == 2
        assert conn.execute(triggers).scalar_one() == len(COUNTED) + 1
    assert _counts(pg_store) == dict.fromkeys(COUNTED, 0)
