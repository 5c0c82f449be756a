"""A PostgreSQL store: an empty database is not a store for reads, backups are pg_dump's job,
and ``check`` runs the ledger's sums (PRODUCT §10)."""

from __future__ import annotations

import pytest

from billing_desktop.cli import main
from tests.pg_cluster import PgCluster


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_postgres_store_backup_restore_and_check(
    pg_cluster: PgCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    name = pg_cluster.create_database("safety")
    url = pg_cluster.url(name)
    try:
        # An empty database becomes a store only on purpose.
        assert main(["--store", url, "usage"]) == 2
        assert "there is no store in this database" in error_line(capsys)
        assert main(["--store", url, "demo", "--today", "2026-11-21"]) == 0
        capsys.readouterr()
        for command in (["backup"], ["backups"], ["restore", "copy.db"]):
            assert main(["--store", url, *command]) == 2, command
            line = error_line(capsys)
            assert "pg_dump" in line or "pg_restore" in line, line
        assert main(["--store", url, "check"]) == 0
        assert capsys.readouterr().out.startswith("The store is sound (the ledger's sums")
    finally:
        pg_cluster.drop_database(name)
