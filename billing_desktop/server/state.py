"""What the server keeps in the store: API tokens, idempotency records, resource versions.

All of it lives in the database, so any number of server processes on one database give the
same answers (the server holds no state of its own).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from billing_desktop.store.sql import tables as t

TOKEN_PREFIX = "bdt_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A new API token: 256 random bits, URL-safe, recognisable by its prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def create_token(conn: sa.Connection, user_id: str, created_by: str) -> str:
    """Store the hash of a new token for ``user_id``; returns the token (shown once)."""
    token = new_token()
    conn.execute(
        t.api_tokens.insert().values(
            token_hash=hash_token(token),
            user_id=user_id,
            created_at=datetime.now(UTC),
            created_by=created_by,
        )
    )
    return token


def token_user(conn: sa.Connection, token: str) -> str | None:
    """The user a (not revoked) token belongs to, or None."""
    c = t.api_tokens.c
    row = conn.execute(
        sa.select(c.user_id).where(c.token_hash == hash_token(token), c.revoked_at.is_(None))
    ).first()
    return None if row is None else str(row.user_id)


# Versions ---------------------------------------------------------------------------------


def version_of(conn: sa.Connection, resource: str) -> int:
    c = t.resource_versions.c
    value = conn.execute(sa.select(c.version).where(c.resource == resource)).scalar()
    return int(value or 0)


def bump_version(conn: sa.Connection, resource: str, expected: int | None) -> int | None:
    """Move ``resource`` to its next version, if it is at ``expected`` (None: whatever it is).

    Returns the new version, or None when the resource has moved on (a stale write). The
    compare-and-set is one UPDATE, so two servers racing on one database cannot both win.
    """
    c = t.resource_versions.c
    update = t.resource_versions.update().where(c.resource == resource)
    if expected is not None:
        update = update.where(c.version == expected)
    if conn.execute(update.values(version=c.version + 1)).rowcount == 1:
        return version_of(conn, resource)
    if expected in (None, 0) and version_of(conn, resource) == 0:
        try:
            with conn.begin_nested():
                conn.execute(t.resource_versions.insert().values(resource=resource, version=1))
            return 1
        except sa.exc.IntegrityError:  # another server created it first: compare again
            return bump_version(conn, resource, expected)
    return None


# A version in an If-Match has at most this many digits (more cannot be a version: it would
# not fit the database's integer).
MAX_VERSION_DIGITS = 18


def etag(resource: str, version: int) -> str:
    return f'"{resource}.{version}"'


def parse_etag(value: str, resource: str) -> int | None:
    """The version in an If-Match value for ``resource``; None for '*'.

    Raises ValueError when the value is not an entity tag of this resource."""
    text = value.strip()
    if text == "*":
        return None
    text = text.removeprefix("W/").strip('"')
    name, _, number = text.rpartition(".")
    digits = number.isascii() and number.isdigit() and len(number) <= MAX_VERSION_DIGITS
    if name != resource or not digits:
        raise ValueError(f"If-Match {value!r} is not a version of {resource}")
    return int(number)


# Idempotency --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredResponse:
    operation: str
    request_hash: str
    status: int
    body: Any
    etag: str | None


def request_hash(operation: str, body: bytes) -> str:
    return hashlib.sha256(operation.encode() + b"\0" + body).hexdigest()


def stored_response(conn: sa.Connection, user_id: str, key: str) -> StoredResponse | None:
    c = t.idempotency_keys.c
    row = conn.execute(
        sa.select(t.idempotency_keys).where(c.user_id == user_id, c.key == key)
    ).first()
    if row is None:
        return None
    return StoredResponse(row.operation, row.request_hash, row.status, row.response, row.etag)


def store_response(conn: sa.Connection, user_id: str, key: str, response: StoredResponse) -> None:
    conn.execute(
        t.idempotency_keys.insert().values(
            user_id=user_id,
            key=key,
            operation=response.operation,
            request_hash=response.request_hash,
            status=response.status,
            response=response.body,
            etag=response.etag,
            created_at=datetime.now(UTC),
        )
    )


def tag_audit_rows(conn: sa.Connection, after_id: int, key: str) -> None:
    """Mark the audit rows written since ``after_id`` with the request's key."""
    c = t.audit_log.c
    conn.execute(
        t.audit_log.update().where(c.id > after_id, c.request_key.is_(None)).values(request_key=key)
    )


def last_audit_id(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.max(t.audit_log.c.id))).scalar() or 0)
