"""The gateway every screen and command goes through: run a use case, read or write.

Two implementations satisfy it: :class:`LocalGateway` over a unit-of-work factory (the local SQL
store, ``bootstrap.SqlStore``: a unit of work of its own per call) and the remote store
(``remote.client.HttpStore``: the server runs the use case). Its calls are typed with a
``ParamSpec``, so mypy checks every call's arguments against the use case's own. The offline
replica and outbox (PRODUCT §13) build on this seam.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from billing_desktop.services.changes import (
    BACKUP_BEFORE_CHANGING,
    WriteAnnouncer,
    WriteListener,
    declared_changes,
)
from billing_desktop.store.ports import UnitOfWork

T = TypeVar("T")
P = ParamSpec("P")


class Gateway(Protocol):
    """What the GUI and the command line use: run a use case against the store.

    ``service`` is one of the operations of :mod:`billing_desktop.api.operations`, called as
    ``service(uow, caller, *args, **kwargs)``. A local store runs it in a unit of work of its
    own (and commits it, for ``write``); the remote store has the server run it. Either way it
    returns plain data and raises the same :class:`~billing_desktop.domain.errors.BillingError`s.
    Safe to call from any thread.
    """

    @property
    def description(self) -> str: ...

    @property
    def remote(self) -> bool:
        """True when the store is reached over the network (no direct unit of work)."""
        ...

    def read(
        self, service: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T: ...

    def write(
        self, service: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T: ...

    def add_write_listener(self, listener: WriteListener) -> None: ...

    def announce(self, resources: frozenset[str]) -> None:
        """Tell the write listeners that ``resources`` changed: for a read whose use case also
        committed a write (the Usage page's auto-recharge and auto-pay)."""
        ...

    def remove_write_listener(self, listener: WriteListener) -> None: ...

    def close(self) -> None:
        """Let go of the store's connections once nothing uses it any more (the window
        closing). A local SQLite store then checkpoints its write-ahead log into the file and
        removes it: the file alone holds every committed change (a user may copy just that
        file), and its next open finds it as it was checked."""
        ...


class LocalGateway(WriteAnnouncer, ABC):
    """The gateway over a unit-of-work factory: each call runs its use case in a unit of work of
    its own, and a write commits it, moves the versions of what it declares it changes and
    announces them.

    A mixin: the class that provides the units of work (``__call__``) and the safety backup
    completes it, as ``bootstrap.SqlStore`` does for the SQL database of ``store.sql``. So the
    store implements the ports and runs no use case; running use cases is this layer's job.
    """

    @abstractmethod
    def __call__(self, *, write: bool = False) -> UnitOfWork:
        """A unit of work (``store.ports.UnitOfWorkFactory``)."""

    @abstractmethod
    def safety_backup(self, reason: str) -> Path | None:
        """A backup of the store before a change that cannot be taken back; None where the
        store has no file to copy (a database server has its own tools)."""

    @property
    def remote(self) -> bool:
        return False

    def read(
        self, service: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run a read use case in a unit of work of its own."""
        with self() as uow:
            return service(uow, *args, **kwargs)

    def write(
        self, service: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run a changing use case in a unit of work of its own and commit it.

        What the use case declares it changes (``services.changes``) moves to a new version, as
        a write through the server does: a client of a server on this store that read it before
        then sees its next write refused as stale, not applied blindly. A write that changes
        closed months is preceded by a safety backup. Then the change is announced to the write
        listeners (every resource, for a use case that declares none).
        """
        changed = declared_changes(service)
        if changed and changed & BACKUP_BEFORE_CHANGING:
            self.safety_backup("pre-close")
        with self(write=True) as uow:
            result = service(uow, *args, **kwargs)
            for resource in sorted(changed or ()):
                uow.versions.bump(resource)
            uow.commit()
        self.announce_write(service)
        return result
