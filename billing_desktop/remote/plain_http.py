"""Plain ``http://`` and loopback addresses: where a bearer token may travel unencrypted.

A token sent over plain HTTP can be read by anyone on the path. The client therefore sends
one over ``http://`` only to a loopback address (the same machine: ``localhost``,
``127.0.0.0/8``, ``::1``), unless told otherwise with ``--allow-insecure-http`` or the
environment variable ``BILLING_DESKTOP_ALLOW_INSECURE_HTTP=1`` (e.g. a trusted lab network).
``serve`` warns when it listens beyond loopback without TLS. Host names other than
``localhost`` are not resolved to decide: a name can point anywhere.
"""

from __future__ import annotations

import ipaddress
import os

INSECURE_HTTP_ENV = "BILLING_DESKTOP_ALLOW_INSECURE_HTTP"
INSECURE_HTTP_FLAG = "--allow-insecure-http"


def is_loopback_host(host: str) -> bool:
    """``host`` (a name or an address, IPv6 with or without brackets) is this machine."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def insecure_http_allowed() -> bool:
    return os.environ.get(INSECURE_HTTP_ENV, "").strip().lower() in {"1", "true", "yes"}


def allow_insecure_http() -> None:
    """What ``--allow-insecure-http`` does: for this process and the ones it starts."""
    os.environ[INSECURE_HTTP_ENV] = "1"


def plain_http_refusal(scheme: str, host: str) -> str | None:
    """Why a token may not be sent to ``scheme://host``, or None when it may."""
    if scheme != "http" or is_loopback_host(host) or insecure_http_allowed():
        return None
    return (
        f"not sending the API token to http://{host}: plain HTTP to another machine would show "
        f"it to anyone on the network. Use https://, or, on a network you trust, pass "
        f"{INSECURE_HTTP_FLAG} (or set {INSECURE_HTTP_ENV}=1)"
    )
