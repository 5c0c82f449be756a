"""Where the store is and where settings live (PRODUCT §11: --store, then the environment
variable, then the per-user data folder)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from billing_desktop import APP_ID, APP_NAME
from billing_desktop.domain.errors import StoreError

STORE_ENV = "BILLING_DESKTOP_STORE"
TOKEN_ENV = "BILLING_DESKTOP_TOKEN"
ORGANISATION = "Billing Desktop"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_ID, appauthor=False))


def default_store_path() -> Path:
    return data_dir() / "billing.db"


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def store_url(location: str | None) -> str:
    """The SQLAlchemy URL (or http(s) URL) for ``--store``, the environment, or the default."""
    chosen = location or os.environ.get(STORE_ENV) or ""
    if not chosen:
        path = default_store_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if is_remote(chosen) or "://" in chosen:
        return chosen
    path = Path(chosen).expanduser().resolve()
    if path.is_dir():
        raise StoreError(f"{path} is a folder; give the store's file name (e.g. {path}/billing.db)")
    return f"sqlite:///{path}"


__all__ = ["APP_NAME", "ORGANISATION", "STORE_ENV", "TOKEN_ENV", "store_url"]
