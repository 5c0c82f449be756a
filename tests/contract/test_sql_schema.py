"""The SQL store's schema and migrations on every SQL backend (SQLite and PostgreSQL): the
checks of tests/integration/test_migrations.py, run against each database."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import StoreError
from billing_desktop.store.sql.engine import (
    alembic_config,
    create_engine,
    current_revision,
    head_revision,
    migrate,
    open_engine,
)
from billing_desktop.store.sql.tables import metadata


# SQLite's index on an expression is not reflected (tests/integration/test_migrations.py
# compares its statement); PostgreSQL's is compared with the others.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrations_produce_exactly_the_declared_schema(empty_sql: str) -> None:
    engine = open_engine(empty_sql)
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        engine.dispose()


def test_text_compares_by_code_point(empty_sql: str) -> None:
    """compare_metadata does not look at collations: on PostgreSQL every text column must use
    "C", or ORDER BY follows the server's locale instead of SQLite's order."""
    engine = open_engine(empty_sql)
    try:
        inspector = sa.inspect(engine)
        other = [
            (table, column["name"], column["type"].collation)
            for table in inspector.get_table_names()
            if table != "alembic_version"
            for column in inspector.get_columns(table)
            if isinstance(column["type"], sa.String) and column["type"].collation != "C"
        ]
        if engine.dialect.name == "postgresql":
            assert other == []
        with engine.connect() as conn:
            conn.execute(sa.text("INSERT INTO phone_numbers (number, label) VALUES ('1', 'b')"))
            conn.execute(sa.text("INSERT INTO phone_numbers (number, label) VALUES ('2', 'B')"))
            conn.execute(sa.text("INSERT INTO phone_numbers (number, label) VALUES ('3', 'ä')"))
            conn.execute(sa.text("INSERT INTO phone_numbers (number, label) VALUES ('4', 'a')"))
            labels = conn.execute(sa.text("SELECT label FROM phone_numbers ORDER BY label"))
            assert labels.scalars().all() == ["B", "a", "b", "ä"]
            below = "SELECT count(*) FROM phone_numbers WHERE label < 'a'"
            assert conn.execute(sa.text(below)).scalar_one() == 1
    finally:
        engine.dispose()


def test_a_store_at_the_first_revision_upgrades_in_place(empty_sql: str) -> None:
    engine = create_engine(empty_sql)
    migrate(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO account (id, name, currency, timezone, plan, payment_method, "
                "commit_scope) VALUES (1, 'Acme', 'USD', 'America/New_York', 'pro', "
                "'credit_card', 'product')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO users (id, name, email, role, access_groups) "
                "VALUES ('u1', 'Ann', 'ann@example.com', 'admin', '')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO calls (id, type, triggered_by, trigger_source, "
                "campaign, started_at, duration_seconds) VALUES "
                "('c1', 'live', 'recruiter', 'Email', 'Spring', 1790000000000000, 61)"
            )
        )
    engine.dispose()

    store = SqlStore(empty_sql)  # opening runs the remaining migrations (0003 rolls up calls)
    try:
        assert current_revision(store.engine) == head_revision() != "0001"
        with store() as uow:
            assert [u.id for u in uow.users.all()] == ["u1"]
            assert uow.calls.get_many(["c1"])["c1"].duration_seconds == 61
            span = uow.rollups.span()
            assert span is not None
            totals = uow.rollups.totals(*span)
        assert (totals["calls"], totals["call_minutes"]) == (Decimal(1), Decimal(2))
    finally:
        store.dispose()


def test_every_revision_downgrades_and_upgrades_again(empty_sql: str) -> None:
    engine = open_engine(empty_sql)
    try:
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        assert sa.inspect(engine).get_table_names() == ["alembic_version"]
        migrate(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_a_store_from_a_newer_version_is_refused(empty_sql: str) -> None:
    SqlStore(empty_sql).dispose()
    engine = create_engine(empty_sql)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="newer version"):
        SqlStore(empty_sql)


def test_a_database_that_is_not_a_store_is_refused_and_left_alone(empty_sql: str) -> None:
    """Another application's tables, one with a name the store uses: nothing is created."""
    engine = create_engine(empty_sql)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE users (login VARCHAR(20) PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO users VALUES ('root')"))
    engine.dispose()
    with pytest.raises(StoreError, match="not a usable store") as refused:
        SqlStore(empty_sql)
    assert "\n" not in str(refused.value)
    engine = create_engine(empty_sql)
    try:
        assert sa.inspect(engine).get_table_names() == ["users"]
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT login FROM users")).scalars().all() == ["root"]
    finally:
        engine.dispose()


def test_the_store_describes_itself_without_a_password(empty_sql: str) -> None:
    store = SqlStore(empty_sql)
    try:
        if store.engine.dialect.name == "sqlite":
            assert store.description.startswith("Local store: ")
        else:
            assert store.description.startswith("SQL store: postgresql+psycopg://")
    finally:
        store.dispose()


def test_an_unreachable_server_is_a_one_line_store_error() -> None:
    url = "postgresql://billing:secret@127.0.0.1:1/billing"
    with pytest.raises(StoreError, match="not a usable store") as refused:
        SqlStore(url)
    message = str(refused.value)
    assert "secret" not in message
    assert "\n" not in message
    assert message.startswith("postgresql+psycopg://billing:***@127.0.0.1:1/billing: ")


def test_an_unknown_kind_of_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="unsupported"):
        SqlStore("nosuchdb://host/billing")
