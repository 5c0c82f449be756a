"""The gateway every screen and command goes through: run a use case, read or write.

Two implementations satisfy it: the local SQL store (``store.sql.uow.SqlStore``: a unit of work
of its own per call) and the remote store (``remote.client.HttpStore``: the server runs the use
case). Its calls are typed with a ``ParamSpec``, so mypy checks every call's arguments against
the use case's own. The offline replica and outbox (PRODUCT §13) build on this seam.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from billing_desktop.store.ports import UnitOfWork, WriteListener

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

    def remove_write_listener(self, listener: WriteListener) -> None: ...
