"""Plan extension decisions (issue 19 §6): an admin approves or rejects a pending request.

Approving sets the app's plan end (``plan_ends_on``) to the end date the admin grants — the
requested one unless another is given, after today and within a year — so the Plans tab's
expiry notice, a pending downgrade's timing and close-month follow it. Rejecting needs a
reason, which the app's notices show. Only admins decide (the Edit Billing access group may
request, not grant); shared-account users are refused as on every Plans action. The decision
is stored on the request and audited; the request is the app's oldest pending one.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from billing_desktop.domain.access import Actor, Level
from billing_desktop.domain.errors import InvalidInput, PermissionDenied
from billing_desktop.domain.plans import (
    APPROVED,
    MAX_REASON,
    PENDING,
    REJECTED,
    ExtensionRequest,
    check_extension,
)
from billing_desktop.services.changes import changes
from billing_desktop.services.plans import _app, _audit, _may_decide, _require, _today
from billing_desktop.store.ports import UnitOfWork

ADMINS_ONLY = "only an admin may approve or reject plan extension requests"


def _require_admin(uow: UnitOfWork, actor: Actor) -> None:
    _require(uow, actor, Level.EDIT, "decide on plan extensions")
    if not _may_decide(uow, actor):
        raise PermissionDenied(ADMINS_ONLY)


def _pending(uow: UnitOfWork, app_id: str) -> ExtensionRequest:
    app = _app(uow, app_id)
    for request in uow.extension_requests.for_apps([app_id]):
        if request.status == PENDING:
            return request
    raise InvalidInput(f"{app.name} has no pending extension request")


def _state(request: ExtensionRequest) -> dict[str, object]:
    return {
        "request": request.id,
        "status": request.status,
        "requested_end": request.requested_end.isoformat(),
        "granted_end": request.granted_end.isoformat() if request.granted_end else None,
        "note": request.decision_note,
    }


@changes("plans")
def approve_extension(
    uow: UnitOfWork,
    actor: Actor,
    app_id: str,
    until: date | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> ExtensionRequest:
    """Approve the app's pending request: its plan now ends on ``until`` (default: the date
    asked for)."""
    _require_admin(uow, actor)
    day = _today(uow, today)
    request = _pending(uow, app_id)
    granted = until or request.requested_end
    check_extension("approved", granted, day)  # after today, within a year
    app = _app(uow, app_id)
    when = now or datetime.now(UTC)
    decided = dataclasses.replace(
        request, status=APPROVED, decided_by=actor.audit_name, decided_at=when,
        granted_end=granted,
    )  # fmt: skip
    uow.extension_requests.decide(decided)
    uow.apps.update(dataclasses.replace(app, plan_ends_on=granted))
    old_end = app.plan_ends_on.isoformat() if app.plan_ends_on else None
    _audit(
        uow, actor, "plan-extension-approved", app_id,
        {**_state(request), "plan_ends_on": old_end},
        {**_state(decided), "plan_ends_on": granted.isoformat()}, when,
    )  # fmt: skip
    return decided


@changes("plans")
def reject_extension(
    uow: UnitOfWork,
    actor: Actor,
    app_id: str,
    reason: str,
    now: datetime | None = None,
) -> ExtensionRequest:
    """Reject the app's pending request, saying why; the plan end stays as it was."""
    _require_admin(uow, actor)
    text = " ".join(reason.split())
    if not text:
        raise InvalidInput("give a reason for rejecting the extension")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"the reason is {len(text):,} characters long; at most {MAX_REASON}")
    request = _pending(uow, app_id)
    when = now or datetime.now(UTC)
    decided = dataclasses.replace(
        request, status=REJECTED, decided_by=actor.audit_name, decided_at=when,
        decision_note=text,
    )  # fmt: skip
    uow.extension_requests.decide(decided)
    _audit(uow, actor, "plan-extension-rejected", app_id, _state(request), _state(decided), when)
    return decided


__all__ = ["approve_extension", "reject_extension"]
