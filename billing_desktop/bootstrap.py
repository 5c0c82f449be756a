"""The one place that turns a store location into a unit-of-work factory."""

from __future__ import annotations

from billing_desktop.config import is_remote, store_url
from billing_desktop.domain.errors import StoreError
from billing_desktop.store.ports import UnitOfWorkFactory


def open_store(location: str | None) -> UnitOfWorkFactory:
    url = store_url(location)
    if is_remote(url):
        raise StoreError(
            f"{url}: remote stores are not supported by this version yet; "
            "give a file path or an SQLAlchemy URL"
        )
    from billing_desktop.store.sql.uow import SqlStore

    return SqlStore(url)
