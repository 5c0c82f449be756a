"""The composition root: the one place that turns a store location into a gateway.

A local store is the SQL database of ``store.sql`` (units of work) with the local gateway of
``services.gateway`` (use cases run in them); a remote one is the HTTP client of ``remote``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from billing_desktop.config import is_remote, store_url
from billing_desktop.services.gateway import LocalGateway
from billing_desktop.store.sql.uow import SqlDatabase

if TYPE_CHECKING:
    from billing_desktop.remote.client import HttpStore


class SqlStore(SqlDatabase, LocalGateway):
    """A local store: units of work on an SQL database, and use cases run in them."""


def open_store(
    location: str | None, *, create: bool = False, token: str | None = None
) -> SqlStore | HttpStore:
    """A local SQL store (a file path or an SQLAlchemy URL) or the remote store of an
    ``http(s)://`` server; both satisfy ``ports.Store`` (the SQL one is also a
    ``UnitOfWorkFactory``).

    ``create``: a missing or empty local file becomes a new store. Only what creates a store on
    purpose passes it (``demo``, ``import account``, File ▸ New store…); a damaged local store
    is moved aside and refused (``safety.StoreDamaged``). ``token``: a remote store's sign-in
    token (default: the one saved for that server); File ▸ Connect to server… passes it."""
    url = store_url(location)
    if is_remote(url):  # through this machine's replica: works offline (PRODUCT §13)
        from billing_desktop.remote.replica import ReplicaStore

        return ReplicaStore(url, token)
    return SqlStore(url, create=create)
