"""Domain exceptions. Their messages are shown to users as they are: one line, no jargon."""

from __future__ import annotations


class BillingError(Exception):
    """Base of every error the product reports to a user (exit status 2 on the command line)."""


class InvalidInput(BillingError):
    """A value given by a user or a file is not acceptable."""


class ImportFailed(BillingError):
    """An import was refused; nothing was written.

    ``errors`` holds every problem found (capped), ``str(self)`` the first one plus a count.
    """

    def __init__(self, errors: list[str], more: int = 0) -> None:
        self.errors = errors
        self.more = more
        extra = len(errors) - 1 + more
        suffix = f" (and {extra} more error{'s' if extra != 1 else ''})" if extra else ""
        super().__init__(errors[0] + suffix)


class PermissionDenied(BillingError):
    """The acting user lacks the right for this action."""


class NotFound(BillingError):
    """A referenced entity does not exist."""


class StoreError(BillingError):
    """The store cannot be opened or used (corrupt, locked, unsupported URL)."""


class StoreBusy(StoreError):
    """Another program kept the store's write lock past the busy timeout; nothing was changed
    (safe to retry)."""


class Conflict(BillingError):
    """A write clashes with what the store already holds."""


class StaleData(Conflict):
    """Someone else changed what a write was based on since it was read; nothing was written.

    ``current`` holds the resource as it is now (plain JSON data), for the conflict message."""

    def __init__(self, message: str, resource: str = "", current: object = None) -> None:
        super().__init__(message)
        self.resource = resource
        self.current = current


class Unavailable(StoreError):
    """The remote store cannot be reached or failed; the change was not made (safe to retry)."""


NO_ACCOUNT = "the store has no account yet: import the account first"
