"""What the server keeps in the store: API tokens, idempotency records, resource versions.

All of it lives in the database, so any number of server processes on one database give the
same answers (the server holds no state of its own).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from billing_desktop.api.conditional import DIGEST_HEX
from billing_desktop.store.sql import tables as t

TOKEN_PREFIX = "bdt_"
# How often a token's "last used" time is written: at most once a minute per token. Signing
# in is a read on every request; writing the time on every request would make every read a
# write (on SQLite, one writer at a time for the whole store). A minute is exact enough to
# tell a token in use from one forgotten, and costs one write a minute per active token.
LAST_USED_EVERY = timedelta(minutes=1)
# How long a server keeps a valid token's sign-in (``gate.Limits.sign_in_cache``): a revoked
# token is refused within this. Short against a person's reaction to a leaked token; long
# against the time between one client's requests, so a busy client is checked in memory.
SIGN_IN_KEPT = timedelta(seconds=2)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A new API token: 256 random bits, URL-safe, recognisable by its prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def create_token(
    conn: sa.Connection, user_id: str, created_by: str, expires_at: datetime | None = None
) -> str:
    """Store the hash of a new token for ``user_id`` (valid until ``expires_at``, or until
    revoked); returns the token (shown once)."""
    token = new_token()
    conn.execute(
        t.api_tokens.insert().values(
            token_hash=hash_token(token),
            user_id=user_id,
            created_at=datetime.now(UTC),
            created_by=created_by,
            expires_at=expires_at,
        )
    )
    return token


@dataclass(frozen=True)
class TokenInfo:
    """What ``tokens list`` shows of a token (never the token, which is not stored)."""

    id: int
    user_id: str
    created_at: datetime
    created_by: str
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def _info(row: Any) -> TokenInfo:
    return TokenInfo(
        int(row.id),
        str(row.user_id),
        row.created_at,
        str(row.created_by),
        row.last_used_at,
        row.expires_at,
        row.revoked_at,
    )


def list_tokens(conn: sa.Connection) -> list[TokenInfo]:
    """Every token of the store, oldest first."""
    c = t.api_tokens.c
    rows = conn.execute(
        sa.select(
            c.id, c.user_id, c.created_at, c.created_by, c.last_used_at, c.expires_at, c.revoked_at
        ).order_by(c.id)
    ).all()
    return [_info(row) for row in rows]


def revoke_token(conn: sa.Connection, token_id: int, now: datetime) -> TokenInfo | None:
    """Revoke token ``token_id`` (as of ``now``; a revoked token stays revoked at its first
    time). Returns it as it was before, or None when there is no such token."""
    found = [info for info in list_tokens(conn) if info.id == token_id]
    if not found:
        return None
    c = t.api_tokens.c
    conn.execute(
        t.api_tokens.update().where(c.id == token_id, c.revoked_at.is_(None)).values(revoked_at=now)
    )
    return found[0]


@dataclass(frozen=True)
class SignIn:
    """The outcome of checking a bearer token: the user, or why not."""

    user_id: str | None
    refusal: str = ""
    token_id: int | None = None
    stale_use: bool = False  # its last-used time is older than LAST_USED_EVERY
    expires_at: datetime | None = None  # of a valid token: when it stops being valid


def sign_in(conn: sa.Connection, token: str, now: datetime) -> SignIn:
    """Check ``token`` against the store (the server's gate keeps a valid answer for at most
    ``gate.Limits.sign_in_cache``, so a revoke applies within that; an expiry at once)."""
    c = t.api_tokens.c
    row = conn.execute(
        sa.select(c.id, c.user_id, c.revoked_at, c.expires_at, c.last_used_at).where(
            c.token_hash == hash_token(token)
        )
    ).first()
    if row is None or row.revoked_at is not None:
        return SignIn(None, "this token is not valid (revoked or unknown)")
    if row.expires_at is not None and row.expires_at <= now:
        return SignIn(
            None,
            f"this token expired on {row.expires_at:%Y-%m-%d %H:%M} UTC; ask an admin for a "
            "new one",
        )
    stale = row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY
    return SignIn(
        str(row.user_id), token_id=int(row.id), stale_use=stale, expires_at=row.expires_at
    )


def token_user(conn: sa.Connection, token: str) -> str | None:
    """The user a valid (not revoked, not expired) token belongs to, or None."""
    return sign_in(conn, token, datetime.now(UTC)).user_id


def mark_used(conn: sa.Connection, token_id: int, now: datetime) -> None:
    """Record that token ``token_id`` signed in ``now`` (unless another request or server
    did within the last LAST_USED_EVERY)."""
    c = t.api_tokens.c
    conn.execute(
        t.api_tokens.update()
        .where(
            c.id == token_id,
            sa.or_(c.last_used_at.is_(None), c.last_used_at <= now - LAST_USED_EVERY),
        )
        .values(last_used_at=now)
    )


# Failed sign-ins ----------------------------------------------------------------------------


def failed_sign_in(
    conn: sa.Connection, address: str, now: datetime, limit: int, window: timedelta
) -> int | None:
    """Count a failed sign-in from ``address``: a fixed window of ``window`` starting at the
    first failure holds at most ``limit`` of them. Returns None while within the limit, else
    the seconds until the window ends (Retry-After); over the limit nothing more is written,
    so a flood of bad tokens costs reads, not writes."""
    c = t.sign_in_failures.c
    address = address[:100]
    row = conn.execute(
        sa.select(c.window_started_at, c.failures).where(c.address == address)
    ).first()
    if row is not None and now - row.window_started_at < window:
        if row.failures >= limit:
            ends: datetime = row.window_started_at + window
            return max(1, math.ceil((ends - now).total_seconds()))
        conn.execute(
            t.sign_in_failures.update().where(c.address == address).values(failures=c.failures + 1)
        )
        return None
    # A new window: forget addresses whose windows have ended (the table stays small).
    conn.execute(t.sign_in_failures.delete().where(c.window_started_at <= now - window))
    try:
        with conn.begin_nested():
            conn.execute(
                t.sign_in_failures.insert().values(
                    address=address, window_started_at=now, failures=1
                )
            )
    except sa.exc.IntegrityError:  # another server counted this address first: count again
        return failed_sign_in(conn, address, now, limit, window)
    return None if limit >= 1 else math.ceil(window.total_seconds())


# Versions ---------------------------------------------------------------------------------


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
    # A conditional read's tag ("units.7-<hex>", api.conditional) names its version first.
    text, _, read_part = text.partition("-")
    if read_part and not (len(read_part) == DIGEST_HEX and _is_hex(read_part)):
        raise ValueError(f"If-Match {value!r} is not a version of {resource}")
    name, _, number = text.rpartition(".")
    digits = number.isascii() and number.isdigit() and len(number) <= MAX_VERSION_DIGITS
    if name != resource or not digits:
        raise ValueError(f"If-Match {value!r} is not a version of {resource}")
    return int(number)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


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
