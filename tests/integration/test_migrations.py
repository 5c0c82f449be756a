"""The schema comes from Alembic; older store files upgrade in place when opened."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.schema import CreateIndex

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import StoreError
from billing_desktop.store.sql.engine import (
    create_engine,
    current_revision,
    head_revision,
    migrate,
    open_engine,
)
from billing_desktop.store.sql.tables import metadata


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _index_names(engine: sa.Engine) -> set[str]:
    """The calls table's indexes (SQLAlchemy does not reflect SQLite's on an expression)."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls'"
        )
        return {str(name) for (name,) in rows}


def test_a_store_created_at_the_first_migration_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(_url(path))
    migrate(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as conn:
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
                "('c1', 'live', 'recruiter', 'Email', 'Spring', "
                "1790000000000000, 61)"
            )
        )
    assert "ix_calls_started_at" not in _index_names(engine)
    engine.dispose()

    store = SqlStore(_url(path))  # opening runs the remaining migrations
    try:
        assert current_revision(store.engine) == head_revision() != "0001"
        assert "ix_calls_started_hour" in _index_names(store.engine)  # 0002, then 0020
        with store() as uow:
            assert [u.id for u in uow.users.all()] == ["u1"]
            assert uow.calls.get_many(["c1"])["c1"].duration_seconds == 61
    finally:
        store.dispose()


# Neither SQLAlchemy nor Alembic reflects SQLite's indexes on an expression: compared below.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrations_produce_exactly_the_declared_schema(tmp_path: Path) -> None:
    engine = open_engine(_url(tmp_path / "s.db"))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        stored = dict(
            conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            ).all()
        )
    assert diff == []
    expressions = [
        index
        for table in metadata.tables.values()
        for index in table.indexes
        if any(not isinstance(part, sa.Column) for part in index.expressions)
    ]
    assert {index.name for index in expressions} == {
        "ix_calls_started_hour",
        "ix_calls_duration_step",
    }
    for index in expressions:  # the migrations' statement is the declared one's
        assert stored[index.name] == str(CreateIndex(index).compile(dialect=engine.dialect))


def test_every_revision_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    from alembic import command

    from billing_desktop.store.sql.engine import alembic_config

    engine = open_engine(_url(tmp_path / "s.db"))
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    migrate(engine)
    assert current_revision(engine) == head_revision()


def test_sqlite_store_runs_in_wal_mode_with_foreign_keys(store: SqlStore) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_file_that_is_not_a_store_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a usable store"):
        SqlStore(_url(path))
    assert path.read_bytes() == before


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    SqlStore(_url(path)).dispose()
    engine = create_engine(_url(path))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="newer version"):
        SqlStore(_url(path))


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such folder"):
        SqlStore(_url(tmp_path / "nope" / "s.db"))
