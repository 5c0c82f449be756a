"""What a write changes: each use case that writes says so itself (Anki's ``OpChanges``).

``@changes("credits")`` on a write names the resources (``store.ports.RESOURCES``) it changes.
The gateway moves their versions and announces them after the write commits (``WriteAnnouncer``),
every open view that shows them follows, the API's If-Match checks the version of that resource,
and a local store is backed up before a write that changes closed months. One declaration, read
by all of them as a plain attribute of the use case.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from billing_desktop.store.ports import RESOURCES

F = TypeVar("F", bound=Callable[..., Any])

WriteListener = Callable[[frozenset[str]], None]

# The attribute on a write use case naming what it changes.
CHANGES_ATTRIBUTE = "billing_changes"
# A write that changes these is one a local store backs up before (a month close).
BACKUP_BEFORE_CHANGING = frozenset({"closing"})


def changes(*resources: str) -> Callable[[F], F]:
    """Declare the resources the decorated write changes (the function itself is returned)."""
    unknown = set(resources) - RESOURCES
    if not resources or unknown:
        raise ValueError(f"changes(): give resources of {sorted(RESOURCES)}, not {sorted(unknown)}")

    def declare(function: F) -> F:
        setattr(function, CHANGES_ATTRIBUTE, frozenset(resources))
        return function

    return declare


def declared_changes(function: Callable[..., Any]) -> frozenset[str] | None:
    """What ``function`` (or the function a ``functools.partial`` binds) declares it changes."""
    while hasattr(function, "func") and hasattr(function, "args"):  # functools.partial
        function = function.func
    declared = getattr(function, CHANGES_ATTRIBUTE, None)
    return declared if isinstance(declared, frozenset) else None


def announced_changes(function: Callable[..., Any]) -> frozenset[str]:
    """What a write of ``function`` is announced to have changed: what it declares, or every
    resource when it declares nothing (an import, the demo)."""
    return declared_changes(function) or RESOURCES


class WriteAnnouncer:
    """Tells listeners what each write through a gateway changed (Anki's ``OpChanges``): after a
    write commits, every listener gets the names of the resources it changed (all of them when
    the write is not a known operation). Listeners are called on the writing thread."""

    def __init__(self) -> None:
        self._write_listeners: list[WriteListener] = []
        self._listeners_lock = threading.Lock()

    def add_write_listener(self, listener: WriteListener) -> None:
        with self._listeners_lock:
            self._write_listeners.append(listener)

    def remove_write_listener(self, listener: WriteListener) -> None:
        with self._listeners_lock:
            if listener in self._write_listeners:
                self._write_listeners.remove(listener)

    def announce_write(self, service: Callable[..., Any]) -> None:
        """Announce what a committed write of ``service`` changed."""
        self.announce(announced_changes(service))

    def announce(self, resources: frozenset[str]) -> None:
        with self._listeners_lock:
            listeners = list(self._write_listeners)
        for listener in listeners:
            listener(resources)
