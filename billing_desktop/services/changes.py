"""What a write changes: each use case that writes says so itself (Anki's ``OpChanges``).

``@changes("credits")`` on a write names the resources (``store.ports.RESOURCES``) it changes.
The store moves their versions and announces them after the write commits, every open view that
shows them follows, the API's If-Match checks the version of that resource, and a local store is
backed up before a write that changes closed months. One declaration, read by all of them; the
store reads it as a plain attribute, so it imports no use case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from billing_desktop.store.ports import CHANGES_ATTRIBUTE, RESOURCES

F = TypeVar("F", bound=Callable[..., Any])


def changes(*resources: str) -> Callable[[F], F]:
    """Declare the resources the decorated write changes (the function itself is returned)."""
    unknown = set(resources) - RESOURCES
    if not resources or unknown:
        raise ValueError(f"changes(): give resources of {sorted(RESOURCES)}, not {sorted(unknown)}")

    def declare(function: F) -> F:
        setattr(function, CHANGES_ATTRIBUTE, frozenset(resources))
        return function

    return declare
