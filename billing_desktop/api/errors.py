"""Domain errors on the wire: the server sends them as JSON, the client raises the same ones.

A user sees the same one-line message whether the store is local or remote, and code can
catch the same exception classes (``NumberHeld`` with its held numbers, ``ImportFailed`` with
every problem found, ``StaleData`` with the current value).
"""

from __future__ import annotations

from typing import Any

from billing_desktop.domain import errors as e
from billing_desktop.domain.units import NumberHeld

# Error class name -> HTTP status (the first matching class in the MRO wins).
STATUS: dict[type[e.BillingError], int] = {
    e.PermissionDenied: 403,
    e.NotFound: 404,
    e.StaleData: 412,
    e.Conflict: 409,
    e.ImportFailed: 422,
    e.InvalidInput: 422,
    e.StoreError: 503,
    e.BillingError: 422,
}

_CLASSES: dict[str, type[e.BillingError]] = {
    cls.__name__: cls
    for cls in (
        e.BillingError,
        e.InvalidInput,
        e.ImportFailed,
        e.PermissionDenied,
        e.NotFound,
        e.StoreError,
        e.StoreBusy,
        e.Conflict,
        e.StaleData,
        e.Unavailable,
        NumberHeld,
    )
}


def status_of(error: e.BillingError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 422


def encode_error(error: e.BillingError) -> dict[str, Any]:
    """The JSON body of an error response."""
    detail: dict[str, Any] = {}
    if isinstance(error, NumberHeld):
        detail = {"held": [list(pair) for pair in error.held]}
    elif isinstance(error, e.ImportFailed):
        detail = {"errors": list(error.errors), "more": error.more}
    elif isinstance(error, e.StaleData):
        detail = {"resource": error.resource, "current": error.current}
    name = type(error).__name__ if type(error).__name__ in _CLASSES else "BillingError"
    for cls in type(error).__mro__:  # a subclass the client does not know: its nearest base
        if cls.__name__ in _CLASSES:
            name = cls.__name__
            break
    return {"error": name, "message": str(error), "detail": detail}


def decode_error(body: Any, fallback: type[e.BillingError]) -> e.BillingError:
    """The exception an error body describes (``fallback`` when the body is not ours)."""
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return fallback(str(body)[:300] if body else "no details given")
    message: str = body["message"]
    cls = _CLASSES.get(str(body.get("error")), fallback)
    found = body.get("detail")
    detail: dict[str, Any] = found if isinstance(found, dict) else {}
    try:
        if cls is NumberHeld:
            return NumberHeld([(str(n), str(u)) for n, u in detail["held"]])
        if cls is e.ImportFailed:
            return e.ImportFailed([str(x) for x in detail["errors"]], int(detail["more"]))
        if cls is e.StaleData:
            return e.StaleData(message, str(detail.get("resource", "")), detail.get("current"))
    except (KeyError, TypeError, ValueError):
        return fallback(message)
    return cls(message)
