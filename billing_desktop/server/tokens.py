"""``billing-desktop tokens create|list|revoke``: API tokens on the store itself (an admin's).

Only the SHA-256 of a token is stored: ``create`` prints the token once, ``list`` shows each
token's id, user, creation, last use (to the minute: ``state.LAST_USED_EVERY``), expiry and
status, never the token. ``revoke`` ends a token: a server keeps a valid sign-in for at most
``gate.Limits.sign_in_cache`` (2 s), so the token's requests get 401 from then on, on a
connection already open too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from billing_desktop.domain.model import Role
from billing_desktop.server import state
from billing_desktop.services.context import resolve_actor

UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
LONGEST = timedelta(days=3660)  # ten years


def parse_duration(text: str) -> timedelta:
    """ "12h", "30d", "90d", "2w" -> the timedelta; InvalidInput for anything else."""
    match = re.fullmatch(r"\s*(\d{1,6})\s*([hdw])\s*", text.lower())
    if match is None:
        raise InvalidInput(f"'{text}' is not a duration: give hours, days or weeks (12h, 90d, 2w)")
    duration = int(match.group(1)) * UNITS[match.group(2)]
    if not timedelta(hours=1) <= duration <= LONGEST:
        raise InvalidInput(f"'{text}': a token lasts from 1h to {LONGEST.days}d")
    return duration


def _issuer(store: SqlStore, user_id: str | None, action: str) -> str:
    """The audit name of the acting admin (``--user``, default the first admin)."""
    with store() as uow:
        issuer = resolve_actor(uow, user_id)
        if issuer.user_id is not None:
            role = uow.users.get_many([issuer.user_id])[issuer.user_id].role
            if role != Role.ADMIN:
                raise PermissionDenied(
                    f"tokens {action}: {issuer.name} is not an admin of this workspace"
                )
        return issuer.audit_name


def create(
    store: SqlStore, acting: str | None, token_user: str, expires_in: timedelta | None
) -> str:
    issuer = _issuer(store, acting, "create")
    expires_at = datetime.now(UTC) + expires_in if expires_in is not None else None
    with store(write=True) as uow:
        if token_user not in uow.users.get_many([token_user]):
            raise InvalidInput(f"--user {token_user}: no such user in this workspace")
        token = state.create_token(uow.connection, token_user, issuer, expires_at)
        uow.commit()
    return token


def listing(store: SqlStore, acting: str | None) -> list[dict[str, Any]]:
    """Every token, oldest first, as ``tokens list --json`` prints it (times in UTC)."""
    _issuer(store, acting, "list")
    now = datetime.now(UTC)
    with store() as uow:
        tokens = state.list_tokens(uow.connection)
        names = {user.id: user.name for user in uow.users.all()}

    def when(value: datetime | None) -> str | None:
        return value.isoformat(timespec="seconds") if value is not None else None

    return [
        {
            "id": info.id,
            "user_id": info.user_id,
            "user_name": names.get(info.user_id, ""),
            "created_at": when(info.created_at),
            "created_by": info.created_by,
            "last_used_at": when(info.last_used_at),
            "expires_at": when(info.expires_at),
            "revoked_at": when(info.revoked_at),
            "status": info.status(now),
        }
        for info in tokens
    ]


COLUMNS = ("ID", "User", "Created", "Last used", "Expires", "Status")


def listing_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "No API tokens: create one with 'tokens create --user ID'."

    def minute(value: str | None, empty: str) -> str:
        return value[:16].replace("T", " ") if value else empty

    table = [COLUMNS] + [
        (
            str(row["id"]),
            f"{row['user_id']} ({row['user_name']})" if row["user_name"] else row["user_id"],
            minute(row["created_at"], ""),
            minute(row["last_used_at"], "never"),
            minute(row["expires_at"], "never"),
            row["status"] + (f" {minute(row['revoked_at'], '')}" if row["revoked_at"] else ""),
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
             for line in table]  # fmt: skip
    return "\n".join([*lines, "", "Times in UTC; last use is recorded to the minute."])


def revoke(store: SqlStore, acting: str | None, token_id: int) -> str:
    _issuer(store, acting, "revoke")
    now = datetime.now(UTC)
    with store(write=True) as uow:
        before = state.revoke_token(uow.connection, token_id, now)
        if before is None:
            raise NotFound(f"there is no API token {token_id} (see 'tokens list')")
        uow.commit()
    if before.revoked_at is not None:
        when = f"{before.revoked_at:%Y-%m-%d %H:%M} UTC"
        return f"Token {token_id} of {before.user_id} was already revoked ({when})."
    return (
        f"Revoked token {token_id} of {before.user_id}: servers refuse it (401) within "
        f"{state.SIGN_IN_KEPT.total_seconds():g} s."
    )
