"""A month closed through the server on an SQLite store is backed up first (PRODUCT §10)."""

from __future__ import annotations

from billing_desktop.store.sql.backups import list_backups
from tests.server.conftest import Api


def test_a_month_close_through_the_server_is_preceded_by_a_backup(api: Api) -> None:
    path = api.store.path
    assert path is not None
    refused = api.call("billing.close_month", {"month": {"year": 2026, "month": 9}}, "agent")
    assert refused.status_code == 403, refused.text
    assert list_backups(path) == []  # no copy for who may not close a month
    closed = api.call("billing.close_month", {"month": {"year": 2026, "month": 9}})
    assert closed.status_code == 200, closed.text
    (backup,) = list_backups(path)
    assert backup.reason == "pre-close"
