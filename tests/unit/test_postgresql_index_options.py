"""The calls' partial indexes keep their conditions on PostgreSQL although ``tables`` no longer
sets them when it is imported (B1: SQLAlchemy imports a dialect to check its options, ≈ 20 ms
of the desktop app's start on a SQLite store): ``engine.create_engine`` sets them before it
makes a PostgreSQL engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from billing_desktop.bootstrap import open_store
from billing_desktop.store.sql import tables
from billing_desktop.store.sql.engine import create_engine

EXPECTED = {
    "ix_calls_sync_seq": (
        "CREATE INDEX ix_calls_sync_seq ON calls (sync_seq, id) WHERE sync_seq > 0"
    ),
    "ix_calls_unstamped": "CREATE INDEX ix_calls_unstamped ON calls (id) WHERE sync_seq IS NULL",
}


def _ddl(dialect: sa.engine.Dialect) -> dict[str, str]:
    return {
        index.name: str(sa.schema.CreateIndex(index).compile(dialect=dialect)).strip()
        for index in tables.calls.indexes
        if index.name in EXPECTED
    }


def test_a_postgresql_engine_gets_the_partial_conditions_and_sqlite_keeps_its_own() -> None:
    engine = create_engine("postgresql://billing@127.0.0.1:1/none")  # never connects
    try:
        assert _ddl(postgresql.dialect()) == EXPECTED
        assert _ddl(sqlite.dialect()) == EXPECTED
        create_engine("postgresql://billing@127.0.0.1:1/none").dispose()  # again: no change
        assert _ddl(postgresql.dialect()) == EXPECTED
    finally:
        engine.dispose()


def test_a_sqlite_store_opens_and_reads_without_the_postgresql_dialect(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(str(path), create=True).dispose()  # creating one migrates it: Alembic's work
    script = """
import sys
from billing_desktop.bootstrap import open_store
from billing_desktop.services import overview
store = open_store(sys.argv[1])
store.read(overview.workspace, None)
print(sorted(m for m in sys.modules if m.startswith("sqlalchemy.dialects.postgresql")))
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stderr
