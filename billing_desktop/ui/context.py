"""What a tab or a dialog needs to reach the store: the context it is given, and the two calls
it runs on the task runner (below both ``ui.tabs`` and ``ui.dialogs``, which each use them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from billing_desktop.domain.access import Actor
from billing_desktop.domain.model import Account
from billing_desktop.services.overview import Workspace
from billing_desktop.store.ports import Store
from billing_desktop.ui.tasks import TaskRunner

T = TypeVar("T")


def read(store: Store, service: Callable[..., T], *args: Any) -> T:
    """Run a read service on the store (called on a worker thread; local or remote)."""
    return store.read(service, *args)


def write(store: Store, service: Callable[..., T], *args: Any) -> T:
    """Run a changing service on the store and commit it (called on a worker thread)."""
    return store.write(service, *args)


@dataclass(frozen=True)
class TabContext:
    """What a tab needs: the store, who is looking, and the runner for store work."""

    store: Store
    workspace: Workspace
    runner: TaskRunner
    month: date | None = None  # the Usage tab's first month (``--month``), else the current one
    remember: bool = True  # restore and keep view choices in the settings (not for screenshots)

    @property
    def actor(self) -> Actor:
        return self.workspace.actor

    @property
    def account(self) -> Account | None:
        return self.workspace.account

    @property
    def currency(self) -> str | None:
        return self.workspace.currency
