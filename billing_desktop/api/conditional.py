"""Conditional reads: the entity tag of a read the server can answer with 304 Not Modified.

A read's ETag names the version of its resource (``"units.7"``: what a write sends back as
If-Match). For the reads in ``CONDITIONAL_READS`` the server appends what the answer depends
on, hashed: ``"units.7-<32 hex>"`` — the operation, its arguments, the signed-in user and
rights, the store's change token (it moves with every commit to the store, imports and writes
of other clients and programs included; on PostgreSQL, with every commit to a table the read
reads: ``store/sql/change_counts``) and the UTC quarter hour (today, in any time zone, is
the same all through one). A client sending it back as ``If-None-Match`` gets 304 with no body
while that tag still holds, and reuses what it has. The tag still works as If-Match: the
version before the hyphen is what a write is checked against.
"""

from __future__ import annotations

import re

# The reads that answer with a tag of their own and take If-None-Match: the ones clients ask
# again and again (the main window's change poll; the Usage, Billing Units, call log, quota
# and invoice tabs). Each depends on the store, the caller and the date only — never on the
# time of day or on anything outside the store.
CONDITIONAL_READS = frozenset(
    {
        "overview.change_versions",
        "billing.usage_summary",
        "units.units_overview",
        "usage_data.call_log_page",
        "quotas.quota_overview",
        "statements.invoice_history",
    }
)

DIGEST_HEX = 32
_READ_TAG = re.compile(rf'^(W/)?"([a-z_]+)\.([0-9]+)-([0-9a-f]{{{DIGEST_HEX}}})"$')


def read_tag(resource: str, version: int, digest: str) -> str:
    return f'"{resource}.{version}-{digest[:DIGEST_HEX]}"'


def is_read_tag(value: str) -> bool:
    """A tag a conditional read answered with (one a client may send as If-None-Match)."""
    return _READ_TAG.match(value.strip()) is not None


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an If-None-Match header names ``tag`` (weak comparison, RFC 9110 §13.1.2: a
    ``W/`` prefix is ignored; ``*`` is not taken for a read's tag)."""
    if not if_none_match:
        return False
    wanted = tag.removeprefix("W/")
    return any(part.strip().removeprefix("W/") == wanted for part in if_none_match.split(","))
