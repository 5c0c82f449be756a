"""What a tab or a dialog needs to reach the store: the context it is given, and the two calls
it runs on the task runner (below both ``ui.tabs`` and ``ui.dialogs``, which each use them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Concatenate, ParamSpec, TypeVar

from billing_desktop.domain.access import Actor
from billing_desktop.domain.model import Account
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.services.overview import Workspace
from billing_desktop.store.ports import UnitOfWork
from billing_desktop.ui.tasks import TaskRunner

T = TypeVar("T")
P = ParamSpec("P")


def read(
    store: Store,
    service: Callable[Concatenate[UnitOfWork, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run a read service on the store (called on a worker thread; local or remote)."""
    return store.read(service, *args, **kwargs)


def write(
    store: Store,
    service: Callable[Concatenate[UnitOfWork, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run a changing service on the store and commit it (called on a worker thread)."""
    return store.write(service, *args, **kwargs)


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
